"""The sales roles, kept as auth groups so managers can grant them in the admin."""

SALESPERSON = "Salespeople"
SALES_MANAGER = "Sales managers"
SALES_GROUPS = (SALESPERSON, SALES_MANAGER)


def is_sales_user(user) -> bool:
    """Whether ``user`` may use the sales view (a salesperson, manager or superuser)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=SALES_GROUPS).exists()


def is_sales_manager(user) -> bool:
    """Whether ``user`` sees the whole team rather than only their own prospects."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=SALES_MANAGER).exists()


def sales_team():
    """Active salespeople and managers, for a manager's owner switch."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(groups__name__in=SALES_GROUPS, is_active=True)
        .distinct()
        .order_by("first_name", "username")
    )
