from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from sales.roles import is_sales_user


class SalesMenuItem(MenuItem):
    """A link to the sales view, shown only to staff who have a sales role."""

    def is_shown(self, request):
        return is_sales_user(request.user)


@hooks.register("register_admin_menu_item")
def register_sales_menu_item():
    return SalesMenuItem(
        "Sales view", reverse("sales:home"), icon_name="group", order=150
    )
