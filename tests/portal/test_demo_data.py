import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision, Site

from content.models import HomePage
from portal.demo.users import DEMO_USERS
from sales.roles import SALES_MANAGER, SALESPERSON

pytestmark = pytest.mark.django_db


def snapshot():
    User = get_user_model()
    return {
        "users": User.objects.count(),
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "sites": Site.objects.count(),
        "memberships": User.groups.through.objects.count(),
    }


def test_demo_data_is_idempotent():
    call_command("load_demo_data", force=True, stdout=None)
    first = snapshot()

    call_command("load_demo_data", force=True)

    assert snapshot() == first


def test_demo_data_creates_each_role():
    call_command("load_demo_data", force=True)
    User = get_user_model()

    assert User.objects.filter(groups__name=SALESPERSON).count() == 2
    assert User.objects.filter(groups__name=SALES_MANAGER).count() == 1
    assert User.objects.filter(groups__name="Editors").count() == 1
    assert User.objects.get(username="admin").is_superuser


def test_demo_passwords_are_the_documented_ones(client):
    call_command("load_demo_data", force=True)

    for demo in DEMO_USERS:
        assert client.login(username=demo.username, password=demo.password), demo


def test_demo_data_points_the_site_at_the_portal_home_page():
    call_command("load_demo_data", force=True)

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.live


def test_demo_data_refuses_to_run_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo_data")
