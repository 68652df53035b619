from django.conf import settings


def site(request):
    """The portal's display name, for the header, footer and titles."""
    return {"site_name": settings.WAGTAIL_SITE_NAME}
