"""The sales roles, kept as auth groups so managers can grant them in the admin."""

SALESPERSON = "Salespeople"
SALES_MANAGER = "Sales managers"
SALES_GROUPS = (SALESPERSON, SALES_MANAGER)


def sales_roles(user) -> frozenset[str]:
    """The sales groups ``user`` is in, read once per user object.

    Like Django's permission cache on the user, a change of groups shows from
    the next request, which loads the user afresh.
    """
    if not user.is_authenticated:
        return frozenset()
    roles = getattr(user, "_sales_roles", None)
    if roles is None:
        roles = frozenset(
            user.groups.filter(name__in=SALES_GROUPS).values_list("name", flat=True)
        )
        user._sales_roles = roles
    return roles


def is_sales_user(user) -> bool:
    """Whether ``user`` may use the sales view (a salesperson, manager or superuser)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(sales_roles(user))


def is_sales_manager(user) -> bool:
    """Whether ``user`` sees the whole team rather than only their own prospects."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or SALES_MANAGER in sales_roles(user)


def sales_team():
    """Active salespeople and managers, for a manager's owner switch."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(groups__name__in=SALES_GROUPS, is_active=True)
        .distinct()
        .order_by("first_name", "username")
    )
