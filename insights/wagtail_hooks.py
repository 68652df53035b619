from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from insights.admin_views import content_performance


@hooks.register("register_admin_urls")
def register_content_performance_url():
    return [
        path(
            "content-performance/",
            content_performance,
            name="insights_content_performance",
        )
    ]


@hooks.register("register_reports_menu_item")
def register_content_performance_menu_item():
    return MenuItem(
        "Content performance",
        reverse("insights_content_performance"),
        icon_name="doc-full",
        order=50,
    )
