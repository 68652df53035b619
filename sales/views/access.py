from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.views.decorators.cache import never_cache

from sales.roles import is_sales_user


def sales_user_required(view):
    """Login first; then refuse (403) signed-in users without a sales role.

    Every sales page shows personal data, so none may be stored by a browser or
    a shared cache.
    """

    def check(user):
        if not is_sales_user(user):
            raise PermissionDenied("The sales view is for salespeople and managers.")
        return True

    return never_cache(login_required(user_passes_test(check)(view)))
