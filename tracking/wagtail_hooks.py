from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets import Button

from tracking.admin_views import PageEngagementView


@hooks.register("register_admin_urls")
def register_engagement_url():
    return [
        path(
            "tracking/pages/<int:page_id>/engagement/",
            PageEngagementView.as_view(),
            name="tracking_page_engagement",
        )
    ]


def engagement_button(page, user, priority):
    """Offered on pieces of content only: other pages carry no tracker."""
    if not hasattr(page.specific_class or object, "content_kind"):
        return
    if not page.permissions_for_user(user).can_edit():
        return
    yield Button(
        "Engagement",
        url=reverse("tracking_page_engagement", args=[page.pk]),
        icon_name="time",
        priority=priority,
        attrs={"aria-label": f"Engagement of '{page.get_admin_display_title()}'"},
    )


@hooks.register("register_page_header_buttons")
def page_header_engagement_button(page, user, view_name, next_url=None):
    yield from engagement_button(page, user, priority=66)


@hooks.register("register_page_listing_more_buttons")
def page_listing_engagement_button(page, user, next_url=None):
    yield from engagement_button(page, user, priority=55)
