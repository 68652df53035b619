"""Notices and emails go out exactly once per event with a real worker.

The same tasks are queued many times at once to a worker with four pool
processes; the worker is killed whole while they run and restarted; and one
pool process dies at the worst moment of the completion check. Every event
still gets one notice and one email.
"""

import time
from datetime import timedelta
from email import message_from_string
from pathlib import Path

import pytest
from django.utils import timezone

from sales.models import Consent, Notification, Viewer
from sales.services import Pick, create_assignment
from sales.tasks import check_assignments_complete, remind_unstarted_calls
from tests.content.factories import ContentIndexPageFactory, GuidePageFactory
from tests.reliability.conftest import wait_for
from tests.sales.factories import (
    CallFactory,
    ProspectFactory,
    VisitorFactory,
    progress,
    salesperson,
)
from tracking.models import Status

PROSPECTS = 4
COPIES = 6

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def finished_readers(home_page):
    """Prospects who finished their required guide, each with an imminent call."""
    seller = salesperson(first_name="Sam")
    library = ContentIndexPageFactory(parent=home_page, title="Guides")
    guide = GuidePageFactory(parent=library, title="The pool buyer's guide")
    visitors = []
    for n in range(PROSPECTS):
        prospect = ProspectFactory(owner=seller, name=f"Prospect {n}")
        assignment, _ = create_assignment(
            prospect=prospect,
            created_by=seller,
            picks=[Pick(guide, required=True)],
            note="",
            call=CallFactory(prospect=prospect, starts_at=timezone.now()),
        )
        viewer = Viewer.objects.create(
            assignment=assignment,
            role=Viewer.Role.PROSPECT,
            consent=Consent.YES,
            visitor=VisitorFactory(),
        )
        progress(viewer.visitor, guide, Status.FINISHED)
        visitors.append(viewer.visitor_id)
    return visitors


@pytest.fixture
def unstarted_calls():
    """Calls in a few hours with prospects who were given nothing to read."""
    seller = salesperson(first_name="Riley")
    return [
        CallFactory(
            prospect=ProspectFactory(owner=seller, name=f"Silent {n}"),
            starts_at=timezone.now() + timedelta(hours=2),
        )
        for n in range(PROSPECTS)
    ]


def sent_mail(directory: Path) -> list[str]:
    """Subjects of every email the worker's file backend wrote."""
    subjects = []
    for path in directory.glob("*.log"):
        for raw in path.read_text().split("-" * 79):
            if raw.strip():
                subjects.append(message_from_string(raw.strip())["Subject"])
    return subjects


def test_notices_and_emails_once_despite_copies_kills_and_a_crash(
    finished_readers, unstarted_calls, worker_factory, tmp_path, capsys
):
    mail = tmp_path / "mail"
    mail.mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.reliability.worker_settings",
        "RELIABILITY_MAIL_DIR": str(mail),
        "RELIABILITY_CRASH_AT": "notify",
        "RELIABILITY_CRASH_ONCE": str(tmp_path / "crashed"),
    }
    include = ("tests.reliability.worker_faults",)
    worker = worker_factory(concurrency=4, extra_env=env, include=include)
    started = time.monotonic()

    def enqueue_copies():
        for _ in range(COPIES):
            for visitor_id in finished_readers:
                check_assignments_complete.delay(visitor_id)
            remind_unstarted_calls.delay()

    enqueue_copies()
    wait_for(
        lambda: Notification.objects.exists(),
        timeout=60,
        message="the worker sent no notice",
    )
    worker.kill_and_restart()
    enqueue_copies()

    expected = 2 * PROSPECTS

    def settled() -> bool:
        queue = worker_factory.broker.llen(worker.queue)
        unacked = worker_factory.broker.hlen("unacked")
        return not queue and not unacked and len(sent_mail(mail)) >= expected

    wait_for(settled, timeout=120, interval=0.5, message="tasks did not settle")
    # Late duplicates, if any, would arrive within a visibility timeout.
    time.sleep(13)

    subjects = sent_mail(mail)
    receipts = worker.task_receipts("sales.tasks.check_assignments_complete")
    receipts += worker.task_receipts("sales.tasks.remind_unstarted_calls")
    with capsys.disabled():
        print(  # noqa: T201 - the run's figures belong in the CI log
            f"\nExactly once: {sum(receipts.values())} task runs of "
            f"{2 * COPIES * (PROSPECTS + 1)} queued copies "
            f"({sum(1 for n in receipts.values() if n > 1)} redelivered), "
            f"1 pool process crashed before notifying, 1 whole worker killed; "
            f"{Notification.objects.count()} notices, {len(subjects)} emails "
            f"in {time.monotonic() - started:.0f} s"
        )

    assert (tmp_path / "crashed").exists()
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    assert kinds == sorted(
        [Notification.Kind.ASSIGNMENT_COMPLETE] * PROSPECTS
        + [Notification.Kind.NOT_STARTED] * PROSPECTS
    )
    assert not Notification.objects.filter(emailed_at=None).exists()
    assert len(subjects) == expected
    assert len(set(subjects)) == expected
