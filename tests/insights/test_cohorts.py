"""Cohort comparisons and small-sample wording, on hand-computed data."""

from datetime import timedelta
from decimal import Decimal

import pytest

from insights import cohorts
from insights.metrics import SHARE, Figure
from insights.models import Outcome
from insights.presentation import TOO_FEW, show
from sales.models import Source
from tests.insights.conftest import MONDAY
from tests.insights.factories import at, closed, reading_prospect
from tests.sales.factories import CallFactory, ProspectFactory, progress
from tracking.models import Status

TUESDAY = MONDAY + timedelta(days=1)
EARLIER = MONDAY - timedelta(days=20)

pytestmark = pytest.mark.django_db


def educated_prospect(seller, guide):
    """Finished the reading before the first call."""
    prospect, assignment, visitor = reading_prospect(
        owner=seller, pages=[guide], created_at=at(EARLIER)
    )
    CallFactory(prospect=prospect, starts_at=at(EARLIER + timedelta(days=5)))
    assignment.completed_at = at(EARLIER + timedelta(days=3))
    assignment.save()
    progress(visitor, guide, status=Status.FINISHED, engaged=20 * 60)
    return prospect


def late_reader(seller, guide):
    """Finished the reading, but only after the first call."""
    prospect, assignment, visitor = reading_prospect(
        owner=seller, pages=[guide], created_at=at(EARLIER)
    )
    CallFactory(prospect=prospect, starts_at=at(EARLIER + timedelta(days=1)))
    assignment.completed_at = at(EARLIER + timedelta(days=4))
    assignment.save()
    progress(visitor, guide, status=Status.IN_PROGRESS, engaged=5 * 60)
    return prospect


def test_educated_and_uneducated_cohorts(week, seller, guide):
    educated = educated_prospect(seller, guide)
    late = late_reader(seller, guide)
    silent = ProspectFactory(owner=seller)
    closed(educated, Outcome.WON, TUESDAY, days=20, amount=Decimal("40000"))
    closed(educated, Outcome.WON, TUESDAY, days=40, amount=Decimal("20000"))
    closed(late, Outcome.WON, TUESDAY, days=60, amount=Decimal("10000"))
    closed(late, Outcome.LOST, TUESDAY, days=90)
    closed(silent, Outcome.LOST, TUESDAY, days=30)

    result = {cohort.key: cohort for cohort in cohorts.educated_cohorts(week)}

    # Educated: 2 won of 2; cycles 20 and 40 -> 30 days; sizes -> 30,000.
    assert (result["educated"].close_rate.value, result["educated"].close_rate.n) == (
        1.0,
        2,
    )
    assert result["educated"].cycle_days.value == pytest.approx(30)
    assert result["educated"].deal_size.value == 30000
    # Not educated: 1 won of 3; the only won cycle is 60 days, size 10,000.
    assert result["uneducated"].close_rate.numerator == 1
    assert result["uneducated"].close_rate.n == 3
    assert result["uneducated"].cycle_days.value == pytest.approx(60)
    assert result["uneducated"].deal_size.value == 10000


def test_cohorts_of_an_empty_period(week):
    result = cohorts.educated_cohorts(week)

    assert [cohort.close_rate.n for cohort in result] == [0, 0]
    assert [cohort.close_rate.value for cohort in result] == [None, None]


def test_close_rate_by_engagement_band(week, seller, guide):
    deep = educated_prospect(seller, guide)  # 20 engaged minutes
    light = late_reader(seller, guide)  # 5 engaged minutes
    none = ProspectFactory(owner=seller)
    closed(deep, Outcome.WON, TUESDAY)
    closed(light, Outcome.WON, TUESDAY)
    closed(light, Outcome.LOST, TUESDAY)
    closed(none, Outcome.LOST, TUESDAY)
    closed(none, Outcome.LOST, TUESDAY)

    bands = {key: figure for key, _, figure in cohorts.close_rate_by_band(week)}

    assert (bands["deep"].numerator, bands["deep"].n) == (1, 1)
    assert (bands["light"].numerator, bands["light"].n) == (1, 2)
    assert (bands["none"].numerator, bands["none"].n) == (0, 2)


def test_lifetime_value_by_source(week, seller):
    referral = ProspectFactory(owner=seller)
    paid = ProspectFactory(owner=seller)
    closed(
        referral,
        Outcome.WON,
        TUESDAY,
        lifetime_value=Decimal("90000"),
        source=Source.REFERRAL,
    )
    closed(
        referral,
        Outcome.WON,
        TUESDAY,
        lifetime_value=Decimal("70000"),
        source=Source.REFERRAL,
    )
    closed(
        paid, Outcome.WON, TUESDAY, lifetime_value=Decimal("30000"), source=Source.PAID
    )
    closed(paid, Outcome.WON, TUESDAY, lifetime_value=None, source=Source.PAID)
    closed(paid, Outcome.LOST, TUESDAY, lifetime_value=Decimal("1"), source=Source.PAID)

    rows = [
        (key, figure.value, figure.n)
        for key, _, figure in cohorts.lifetime_value_by_source(week)
    ]

    # Referral: (90,000 + 70,000) / 2; paid: only the one won deal with a value.
    assert rows == [("referral", 80000, 2), ("paid", 30000, 1)]


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "No data yet"), (1, TOO_FEW), (9, TOO_FEW), (10, "50%")],
)
def test_small_samples_read_too_few_to_tell(n, expected):
    figure = Figure(value=0.5, numerator=n / 2, n=n)

    assert show(figure, SHARE, min_n=10).text == expected


def test_cost_of_calls_with_prospects_who_never_engaged(week, seller, guide):
    reader = educated_prospect(seller, guide)  # read 20 minutes
    silent_lost = ProspectFactory(owner=seller)
    silent_won = ProspectFactory(owner=seller)
    for prospect in (reader, silent_lost, silent_won):
        CallFactory(prospect=prospect, starts_at=at(TUESDAY, 10))
    CallFactory(prospect=silent_lost, starts_at=at(TUESDAY, 15))
    closed(silent_won, Outcome.WON, TUESDAY)

    waste = cohorts.unqualified_cost(
        week,
        hours_per_call=Decimal("1.5"),
        cost_per_hour=Decimal("60"),
        reps=2,
        now=at(MONDAY + timedelta(days=7)),
    )

    # Only the silent prospect who never bought: 2 calls x 1.5 h x 60 = 180.
    assert (waste.calls, waste.hours, waste.cost) == (2, 3.0, 180.0)
    # What-if over one week: 5 h and 7 h x 2 reps x 60.
    assert (waste.what_if_low, waste.what_if_high) == (600.0, 840.0)
