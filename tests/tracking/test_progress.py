from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from tracking.models import Status
from tracking.progress import (
    EventRow,
    FinishRule,
    Totals,
    combine_totals,
    decide_status,
    merge_ranges,
    totals_from_events,
)

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
GUIDE = FinishRule(kind="guide", expected_seconds=600)


def event(kind, value=0, key="", data=None):
    return EventRow(kind=kind, key=key, value=value, data=data, received_at=AT)


def test_overlapping_and_repeated_ranges_merge():
    assert merge_ranges([[5, 10], [0, 3], [2, 6], [5, 10]], upper=60) == [[0, 10]]


def test_ranges_are_clipped_to_the_duration():
    assert merge_ranges([[50, 70], [80, 90]], upper=60) == [[50, 60]]


def test_cumulative_values_take_the_maximum_whatever_the_order():
    events = [
        event("engaged", 90_000),
        event("engaged", 30_000),
        event("depth", 80),
        event("depth", 40),
        event("section", 20_000, key="intro"),
        event("section", 5_000, key="intro"),
    ]

    totals = totals_from_events(events, lifetime_seconds=600)

    assert totals.engaged_seconds == 90
    assert totals.max_depth == 80
    assert totals.section_seconds == {"intro": 20}


def test_engaged_time_never_exceeds_the_page_view_lifetime():
    totals = totals_from_events([event("engaged", 500_000)], lifetime_seconds=120)

    assert totals.engaged_seconds == 120


def test_rewatched_seconds_count_once():
    events = [
        event("video", 60, key="intro", data=[[0, 30]]),
        event("video", 60, key="intro", data=[[0, 30], [10, 20]]),
    ]

    totals = totals_from_events(events, lifetime_seconds=600)

    assert totals.video_seconds == 30


def test_plays_under_three_seconds_are_ignored():
    events = [event("video", 60, key="intro", data=[[0, 2]])]

    assert totals_from_events(events, lifetime_seconds=60).video_seconds == 0


def test_a_short_peek_elsewhere_adds_nothing_to_a_long_watch():
    events = [event("video", 60, key="intro", data=[[0, 30], [50, 52]])]

    assert totals_from_events(events, lifetime_seconds=60).video_seconds == 30


def test_visitor_totals_add_time_and_union_video_seconds():
    first = Totals(
        engaged_seconds=100,
        max_depth=40,
        section_seconds={"a": 60},
        videos={"v": {"duration": 60, "ranges": [[0, 30]]}},
    )
    second = Totals(
        engaged_seconds=50,
        max_depth=90,
        end_seen=True,
        section_seconds={"a": 10, "b": 40},
        videos={"v": {"duration": 60, "ranges": [[20, 50]]}},
    )

    combined = combine_totals([first, second])

    assert combined.engaged_seconds == 150
    assert combined.max_depth == 90
    assert combined.end_seen is True
    assert combined.section_seconds == {"a": 70, "b": 40}
    assert combined.video_seconds == 50


@pytest.mark.parametrize(
    ("engaged", "end_seen", "status"),
    [
        (0, False, Status.NOT_STARTED),
        (0, True, Status.NOT_STARTED),
        (60, False, Status.IN_PROGRESS),
        (400, False, Status.IN_PROGRESS),
        (120, True, Status.SKIMMED),
        (200, True, Status.IN_PROGRESS),
        (300, True, Status.FINISHED),
    ],
)
def test_article_status_follows_end_and_share_of_expected_time(
    engaged, end_seen, status
):
    totals = Totals(engaged_seconds=engaged, end_seen=end_seen)

    assert decide_status(totals, GUIDE)[0] == status


def test_finished_article_keeps_its_evidence():
    status, evidence = decide_status(
        Totals(engaged_seconds=312, end_seen=True, max_depth=100), GUIDE
    )

    assert status == Status.FINISHED
    assert evidence["engaged_seconds"] == 312
    assert evidence["expected_seconds"] == 600
    assert evidence["engaged_share"] == 0.52
    assert evidence["end_seen"] is True


def test_thresholds_are_settings(settings):
    settings.TRACKING_FINISHED_RATIO = 0.8
    totals = Totals(engaged_seconds=312, end_seen=True)

    assert decide_status(totals, GUIDE)[0] == Status.IN_PROGRESS


def test_video_finishes_at_ninety_percent_of_its_duration():
    rule = FinishRule(kind="video", expected_seconds=100, video_seconds=100)
    almost = Totals(videos={"v": {"duration": 100, "ranges": [[0, 89]]}})
    enough = Totals(videos={"v": {"duration": 100, "ranges": [[0, 90]]}})

    assert decide_status(almost, rule)[0] == Status.IN_PROGRESS
    assert decide_status(enough, rule)[0] == Status.FINISHED
    assert decide_status(enough, rule)[1]["watched_share"] == 0.9


def test_calculator_finishes_when_it_reports_completion():
    rule = FinishRule(kind="calculator", expected_seconds=120)
    used = Totals(engaged_seconds=40, completion={"id": "cost", "data": {"length": 32}})

    status, evidence = decide_status(used, rule)

    assert status == Status.FINISHED
    assert evidence["completion"] == {"id": "cost", "data": {"length": 32}}
    assert decide_status(Totals(engaged_seconds=40), rule)[0] == Status.IN_PROGRESS


def test_rule_reads_kind_and_expected_time_from_a_content_page():
    page = SimpleNamespace(
        content_kind="video", expected_reading_seconds=95, video_seconds=90
    )

    assert FinishRule.for_page(page) == FinishRule("video", 95, 90)


def test_rule_for_a_page_without_kind_uses_the_default_expectation(settings):
    settings.TRACKING_DEFAULT_EXPECTED_SECONDS = 300

    assert FinishRule.for_page(SimpleNamespace()) == FinishRule("guide", 300, 0)


def test_the_latest_completion_of_a_page_view_wins():
    events = [
        EventRow("complete", "calculator", 0, {"length": 8}, AT),
        EventRow("complete", "calculator", 0, {"length": 10}, AT),
    ]

    totals = totals_from_events(events, lifetime_seconds=60)

    assert totals.completion == {"id": "calculator", "data": {"length": 10}}


def test_the_latest_page_view_with_a_completion_wins_across_views():
    older = Totals(completion={"id": "calculator", "data": {"length": 8}})
    newer = Totals(completion={"id": "calculator", "data": {"length": 10}})

    combined = combine_totals([older, newer, Totals()])

    assert combined.completion["data"] == {"length": 10}
