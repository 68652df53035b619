from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from tracking.engagement import page_engagement


class PageEngagementView(WagtailAdminTemplateMixin, TemplateView):
    """The Engagement figures of one page, for anyone who may edit it."""

    template_name = "tracking/admin/page_engagement.html"
    header_icon = "time"

    def dispatch(self, request, page_id):
        self.page = get_object_or_404(Page, pk=page_id).specific
        if not self.page.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        return super().dispatch(request, page_id)

    def get_page_title(self):
        return "Engagement"

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                "label": self.page.get_admin_display_title(),
            },
            {"url": "", "label": "Engagement"},
        ]

    def get_context_data(self, **kwargs):
        since = timezone.now() - timedelta(days=settings.TRACKING_REPORT_DAYS)
        return super().get_context_data(
            page=self.page,
            engagement=page_engagement(self.page, since=since),
            report_days=settings.TRACKING_REPORT_DAYS,
            **kwargs,
        )
