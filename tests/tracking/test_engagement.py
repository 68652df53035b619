import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission

from tracking.engagement import page_engagement
from tracking.models import PageView, PageViewProgress, Status
from tracking.wagtail_hooks import page_header_engagement_button

pytestmark = pytest.mark.django_db


def add_read(page, *, engaged, end=False, status=Status.IN_PROGRESS, sections=None):
    now = timezone.now()
    page_view = PageView.objects.create(id=uuid.uuid4(), page=page, started_at=now)
    PageViewProgress.objects.create(
        page_view=page_view,
        page=page,
        engaged_seconds=engaged,
        end_seen=end,
        status=status,
        section_seconds=sections or {},
        first_seen=now,
        last_seen=now,
        status_changed_at=now,
    )


@pytest.fixture
def since():
    return timezone.now() - timedelta(days=90)


def test_figures_summarise_the_reads(guide, since):
    first, second, third = (section.id for section in guide.sections)
    add_read(
        guide, engaged=300, end=True, status=Status.FINISHED, sections={first: 200}
    )
    add_read(guide, engaged=20, end=True, status=Status.SKIMMED, sections={third: 10})
    add_read(guide, engaged=100, sections={first: 60, "gone": 5})
    add_read(guide, engaged=0)

    figures = page_engagement(guide, since=since)

    assert figures.reads == 3
    assert figures.median_engaged_seconds == 100
    assert figures.end_share == pytest.approx(2 / 3)
    assert figures.finished_share == pytest.approx(1 / 3)
    assert [(s.id, s.seconds) for s in figures.sections] == [
        (first, 260),
        (third, 10),
        ("gone", 5),
    ]
    assert figures.sections[0].heading == "Part 1"
    assert figures.sections[0].share_of_reads == pytest.approx(2 / 3)
    assert second not in {s.id for s in figures.sections}


def test_figures_take_one_query_however_many_reads(
    guide, since, django_assert_num_queries
):
    guide.sections  # noqa: B018 - parsed once, as the view does before counting
    for engaged in range(1, 30):
        add_read(guide, engaged=engaged)

    with django_assert_num_queries(1):
        figures = page_engagement(guide, since=since)

    assert figures.reads == 29


def test_page_without_reads_has_empty_figures(guide, since):
    assert page_engagement(guide, since=since).reads == 0


@pytest.fixture
def editor(guide):
    group = Group.objects.create(name="Guide editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=guide.get_parent(),
        permission=Permission.objects.get(codename="change_page"),
    )
    user = get_user_model().objects.create_user("elena", password="pw-for-tests")
    user.groups.add(group)
    return user


def test_editor_sees_the_engagement_of_a_page(client, guide, editor):
    add_read(guide, engaged=300, end=True, status=Status.FINISHED)
    client.force_login(editor)

    response = client.get(reverse("tracking_page_engagement", args=[guide.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Median engaged time" in html
    assert "300 s" in html
    assert "100%" in html


def test_users_who_cannot_edit_the_page_are_refused(client, guide):
    group = Group.objects.create(name="Admin only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = get_user_model().objects.create_user("sam", password="pw-for-tests")
    user.groups.add(group)
    client.force_login(user)

    response = client.get(reverse("tracking_page_engagement", args=[guide.pk]))

    assert response.status_code in (302, 403)


def test_header_offers_engagement_on_content_pages_only(guide, home_page, editor):
    superuser = get_user_model().objects.create_superuser("root", password="pw")

    on_guide = list(page_header_engagement_button(guide, editor, "edit"))
    on_home = list(page_header_engagement_button(home_page, superuser, "edit"))

    assert [button.label for button in on_guide] == ["Engagement"]
    assert on_guide[0].url == reverse("tracking_page_engagement", args=[guide.pk])
    assert on_home == []


def test_page_editor_links_to_the_engagement_figures(client, guide):
    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))

    response = client.get(reverse("wagtailadmin_pages:edit", args=[guide.pk]))

    assert response.status_code == 200
    url = reverse("tracking_page_engagement", args=[guide.pk])
    assert f'href="{url}"' in response.content.decode()
