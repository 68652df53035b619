from django.conf import settings
from wagtail.models import Site

from content.models import HomePage

HOME_TITLE = "The pool buyer's learning centre"
HOME_INTRO = (
    "<p>What a fibreglass pool really costs, what can go wrong and how the "
    "options compare, written by the people who install them. Free to read, "
    "no sign-up.</p>"
)


def load_home_page() -> HomePage:
    """Make the portal's home page the default site's root, with its demo text."""
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("No home page: run migrations first.")
    if home.title != HOME_TITLE or home.intro != HOME_INTRO:
        home.title = home.draft_title = HOME_TITLE
        home.intro = HOME_INTRO
        home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": settings.WAGTAIL_SITE_NAME,
        },
    )
    return home
