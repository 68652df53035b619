import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.e2e


@pytest.fixture
def editor(transactional_db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = get_user_model().objects.create_user(
        "elena", password="a-long-test-password", first_name="Elena"
    )
    user.groups.add(group)
    return user


@pytest.fixture(autouse=True)
def _release_celery_join_guard():
    """Eager tasks run by two live-server threads at once can leave Celery's
    process-wide "joining would block" flag set; later result.get() calls in
    this process would then fail. Clear it after every browser test."""
    from celery._state import _set_task_join_will_block

    yield
    _set_task_join_will_block(False)


SILENCE_TRACKER = """() => {
    navigator.sendBeacon = () => true;
    window.fetch = () => new Promise(() => {});
}"""


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test doubles as a Content Security Policy check: a page
    of the test's own context that reports a violation fails the test.

    On the way out the page's tracker is silenced and every beacon it sent is
    answered before the test database is flushed, so no roll-up is still
    writing while the tables are truncated (PostgreSQL refuses that flush).
    """
    if "page" not in request.fixturenames:
        yield
        return
    if "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    page = request.getfixturevalue("page")
    violations = []
    beacons = []
    page.context.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append(message.text)
        ),
    )
    page.context.on(
        "request", lambda sent: sent.url.endswith("/t/e") and beacons.append(sent)
    )
    yield
    for open_page in page.context.pages:
        with contextlib.suppress(PlaywrightError):
            open_page.evaluate(SILENCE_TRACKER)
    for sent in beacons:
        with contextlib.suppress(PlaywrightError):
            sent.response()
    assert violations == []
