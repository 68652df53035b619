"""Each metric on a small data set whose figure is worked out by hand here."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from insights import metrics
from insights.models import Outcome
from sales.models import AssignmentItem, Consent, Viewer
from tests.insights.conftest import MONDAY
from tests.insights.factories import (
    DealFactory,
    at,
    closed,
    read,
    reading_prospect,
    visit,
)
from tests.sales.factories import CallFactory, ProspectFactory, VisitorFactory, progress
from tracking.models import Status

TUESDAY = MONDAY + timedelta(days=1)
BEFORE = MONDAY - timedelta(days=3)
AFTER = MONDAY + timedelta(days=8)

pytestmark = pytest.mark.django_db


# Engagement and education ----------------------------------------------------


def test_median_engaged_time_of_an_odd_number_of_reads(week, guide, cost):
    for seconds in (300, 60, 120):
        read(cost, at(TUESDAY), engaged=seconds)

    figure = metrics.median_engaged_seconds(week)

    # Sorted: 60, 120, 300 -> the middle one.
    assert (figure.value, figure.n) == (120, 3)


def test_median_engaged_time_averages_the_two_middle_reads(week, guide):
    for seconds in (400, 60, 300, 120):
        read(guide, at(TUESDAY), engaged=seconds)

    # Sorted: 60, 120, 300, 400 -> (120 + 300) / 2.
    assert metrics.median_engaged_seconds(week).value == 210


def test_median_ignores_views_without_engagement_other_weeks_and_videos(
    week, guide, video
):
    read(guide, at(TUESDAY), engaged=90)
    read(guide, at(TUESDAY), engaged=0)
    read(guide, at(BEFORE), engaged=600)
    read(guide, at(AFTER), engaged=600)
    read(video, at(TUESDAY), engaged=900, video_seconds=12)

    figure = metrics.median_engaged_seconds(week)

    assert (figure.value, figure.n) == (90, 1)


def test_median_of_no_reads_is_none(week):
    figure = metrics.median_engaged_seconds(week)

    assert (figure.value, figure.n) == (None, 0)


def test_long_read_share_counts_three_minutes_and_more(week, guide):
    for seconds in (60, 179, 180, 600):
        read(guide, at(TUESDAY), engaged=seconds)

    figure = metrics.long_read_share(week)

    # 180 and 600 are 3+ minutes: 2 of 4.
    assert (figure.value, figure.numerator, figure.n) == (0.5, 2, 4)


def test_long_read_share_of_one_read(week, guide):
    read(guide, at(TUESDAY), engaged=200)

    assert (metrics.long_read_share(week).value, metrics.long_read_share(week).n) == (
        1.0,
        1,
    )


def test_deep_scroll_share_counts_80_percent_and_more(week, cost):
    for depth in (20, 79, 80, 100):
        read(cost, at(TUESDAY), engaged=30, depth=depth)

    figure = metrics.deep_scroll_share(week)

    assert (figure.numerator, figure.n, figure.value) == (2, 4, 0.5)


def test_return_visitor_rate(week):
    twice, once, earlier_only = VisitorFactory(), VisitorFactory(), VisitorFactory()
    visit(twice, at(TUESDAY, 9))
    visit(twice, at(TUESDAY, 15))
    visit(once, at(BEFORE))
    visit(once, at(TUESDAY))
    visit(earlier_only, at(BEFORE))
    visit(earlier_only, at(BEFORE, 18))

    figure = metrics.return_visitor_rate(week)

    # In the week: `twice` has 2 visits, `once` has 1; `earlier_only` has none.
    assert (figure.numerator, figure.n, figure.value) == (1, 2, 0.5)


def test_return_visitor_rate_with_no_visits(week):
    assert metrics.return_visitor_rate(week).value is None


def test_video_completion_ignores_plays_under_three_seconds(week, video):
    read(video, at(TUESDAY), engaged=12, video_seconds=12, status=Status.FINISHED)
    read(video, at(TUESDAY), engaged=5, video_seconds=5)
    read(video, at(TUESDAY), engaged=2, video_seconds=2)

    figure = metrics.video_completion_rate(week)

    # Two plays count (12 s and 5 s); one of them finished.
    assert (figure.numerator, figure.n) == (1, 2)


# Self-qualification ----------------------------------------------------------


def test_assignment_completion_counts_only_the_prospects_own_finishes(
    week, seller, guide, cost, comparison
):
    prospect, assignment, visitor = reading_prospect(
        owner=seller, pages=[guide, cost], created_at=at(TUESDAY)
    )
    progress(visitor, guide, status=Status.FINISHED)
    progress(visitor, cost, status=Status.IN_PROGRESS)
    # A forwarded colleague finishing the cost article does not count.
    colleague = VisitorFactory()
    Viewer.objects.create(
        assignment=assignment,
        role=Viewer.Role.FORWARDED,
        consent=Consent.YES,
        visitor=colleague,
    )
    progress(colleague, cost, status=Status.FINISHED)
    # Optional pieces are not part of the rate.
    AssignmentItem.objects.create(
        assignment=assignment, page=comparison, required=False, position=5
    )

    figure = metrics.assignment_completion_rate(week)

    # Required: guide (finished) and cost (not by the prospect) -> 1 of 2.
    assert (figure.numerator, figure.n) == (1, 2)


def test_assignment_completion_leaves_out_revoked_and_other_weeks(week, seller, guide):
    _, revoked, visitor = reading_prospect(
        owner=seller, pages=[guide], created_at=at(TUESDAY)
    )
    revoked.revoked_at = timezone.now()
    revoked.save()
    reading_prospect(owner=seller, pages=[guide], created_at=at(BEFORE))

    assert metrics.assignment_completion_rate(week).n == 0


def test_calls_prepared_rate(week, seller, guide):
    now = at(AFTER)
    ready, ready_assignment, _ = reading_prospect(
        owner=seller, pages=[guide], created_at=at(MONDAY, 8)
    )
    late, late_assignment, _ = reading_prospect(
        owner=seller, pages=[guide], created_at=at(MONDAY, 8)
    )
    ready_call = CallFactory(prospect=ready, starts_at=at(TUESDAY, 15))
    late_call = CallFactory(prospect=late, starts_at=at(TUESDAY, 10))
    ready_assignment.call = ready_call
    ready_assignment.completed_at = at(TUESDAY, 9)
    ready_assignment.save()
    late_assignment.call = late_call
    late_assignment.completed_at = at(TUESDAY, 11)  # after the call
    late_assignment.save()
    CallFactory(prospect=ProspectFactory(owner=seller), starts_at=at(TUESDAY))

    figure = metrics.calls_prepared_rate(week, now=now)

    # Two calls had reading assigned; one prospect finished it in time.
    assert (figure.numerator, figure.n) == (1, 2)


def test_calls_in_the_future_are_not_counted_yet(week, seller, guide):
    prospect, assignment, _ = reading_prospect(
        owner=seller, pages=[guide], created_at=at(MONDAY, 8)
    )
    assignment.call = CallFactory(prospect=prospect, starts_at=at(TUESDAY, 15))
    assignment.save()

    assert metrics.calls_prepared_rate(week, now=at(TUESDAY, 14)).n == 0


def test_comparison_reads_and_problem_views(week, cost, comparison, problem):
    read(comparison, at(TUESDAY), engaged=40)
    read(comparison, at(TUESDAY), engaged=200)
    read(cost, at(TUESDAY), engaged=100)
    read(problem, at(TUESDAY), engaged=0)

    reads = metrics.comparison_reads(week)
    views = metrics.problem_views(week)

    # Three engaged reads, two of comparisons; four page views, one of a problem.
    assert (reads.value, reads.n) == (2, 3)
    assert (views.value, views.n) == (1, 4)


def test_calculator_usage(week, calculator):
    read(calculator, at(TUESDAY), engaged=90, completion={"data": {"budget": 1}})
    read(calculator, at(TUESDAY), engaged=30)
    read(calculator, at(TUESDAY), engaged=0)

    figure = metrics.calculator_usage(week)

    assert (figure.numerator, figure.n) == (1, 3)


# Sales impact ----------------------------------------------------------------


def test_close_rate_leaves_out_open_deals_and_other_periods(week, seller):
    prospect = ProspectFactory(owner=seller)
    for _ in range(3):
        closed(prospect, Outcome.WON, TUESDAY)
    closed(prospect, Outcome.LOST, TUESDAY)
    closed(prospect, Outcome.WON, AFTER)
    DealFactory(prospect=prospect, outcome=Outcome.OPEN)

    figure = metrics.close_rate(week)

    # 3 won, 1 lost in the week: 3 / 4.
    assert (figure.value, figure.n) == (0.75, 4)


def test_close_rate_with_no_closed_deal_is_none(week):
    assert metrics.close_rate(week).value is None


def test_close_rate_for_one_salesperson(week, seller, other_seller):
    closed(ProspectFactory(owner=seller), Outcome.WON, TUESDAY)
    closed(ProspectFactory(owner=other_seller), Outcome.LOST, TUESDAY)

    assert metrics.close_rate(week, seller).value == 1.0
    assert metrics.close_rate(week, other_seller).value == 0.0
    assert metrics.close_rate(week).value == 0.5


def test_cycle_days_is_the_mean_of_won_deals(week, seller):
    prospect = ProspectFactory(owner=seller)
    closed(prospect, Outcome.WON, TUESDAY, days=10)
    closed(prospect, Outcome.WON, TUESDAY, days=20)
    closed(prospect, Outcome.WON, TUESDAY, days=30)
    closed(prospect, Outcome.LOST, TUESDAY, days=90)

    figure = metrics.cycle_days(week)

    # (10 + 20 + 30) / 3; the lost deal's 90 days are left out.
    assert figure.value == pytest.approx(20)
    assert figure.n == 3


def test_deal_size_adds_only_the_reporting_currency(week, seller):
    prospect = ProspectFactory(owner=seller)
    closed(prospect, Outcome.WON, TUESDAY, amount=Decimal("1000"))
    closed(prospect, Outcome.WON, TUESDAY, amount=Decimal("3000"))
    closed(prospect, Outcome.WON, TUESDAY, amount=Decimal("5000"), currency="EUR")
    closed(prospect, Outcome.LOST, TUESDAY, amount=Decimal("9000"))

    figure = metrics.deal_size(week, currency="GBP")

    assert (figure.value, figure.n) == (2000, 2)


def test_mql_to_sql(week, seller):
    for number in range(4):
        ProspectFactory(
            owner=seller,
            became_mql_at=at(TUESDAY),
            became_sql_at=at(AFTER) if number == 0 else None,
        )
    ProspectFactory(owner=seller, became_mql_at=at(BEFORE), became_sql_at=at(TUESDAY))
    ProspectFactory(owner=seller)

    figure = metrics.mql_to_sql(week)

    # Four became MQL in the week, one of them went on to SQL.
    assert (figure.numerator, figure.n, figure.value) == (1, 4, 0.25)


def test_engagement_of_one_salesperson_counts_only_their_prospects(
    week, seller, other_seller, guide
):
    _, _, mine = reading_prospect(owner=seller, pages=[guide], created_at=at(TUESDAY))
    _, _, theirs = reading_prospect(
        owner=other_seller, pages=[guide], created_at=at(TUESDAY)
    )
    read(guide, at(TUESDAY), engaged=200, visitor=mine)
    read(guide, at(TUESDAY), engaged=100, visitor=theirs)
    read(guide, at(TUESDAY), engaged=50)  # anonymous

    assert metrics.long_read_share(week, seller).n == 1
    assert metrics.long_read_share(week, seller).value == 1.0
    assert metrics.long_read_share(week).n == 3
