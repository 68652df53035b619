"""The dashboard, deals and their access rules, with pinned query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insights import dashboard
from insights.models import DashboardSettings, Deal, MetricSnapshot, Outcome
from insights.periods import monday_of
from insights.services import write_week_snapshots
from tests.insights.factories import at, closed, read, reading_prospect
from tests.sales.factories import ProspectFactory

pytestmark = pytest.mark.django_db

# A cold render: the request's own queries (session, user, roles, team,
# settings) and the figures' eleven. A warm one: the request's own only.
DASHBOARD_QUERIES = 18
WARM_DASHBOARD_QUERIES = 7


def some_history(seller, guide, cost, size: int):
    today = timezone.localdate()
    for number in range(size):
        day = today - timedelta(days=7 * (number % 10))
        prospect, _, visitor = reading_prospect(
            owner=seller, pages=[guide], created_at=at(day)
        )
        read(guide, at(day), engaged=60 * (number + 1), depth=90, visitor=visitor)
        read(cost, at(day), engaged=30)
        closed(prospect, Outcome.WON if number % 2 else Outcome.LOST, day, days=20)
    for number in range(10):
        write_week_snapshots(monday=monday_of(today) - timedelta(weeks=number))


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def cold_queries_for(client, url) -> int:
    """Queries of a render that finds nothing cached."""
    cache.clear()
    dashboard.recent_markup.clear()
    return queries_for(client, url)


def test_dashboard_queries_do_not_grow_with_data(client, boss, seller, guide, cost):
    client.force_login(boss)
    url = reverse("insights:metrics") + "?weeks=12"
    some_history(seller, guide, cost, 2)
    client.get(url)  # warm the content-type cache
    small = cold_queries_for(client, url)

    some_history(seller, guide, cost, 12)
    large = cold_queries_for(client, url)

    assert small == large == DASHBOARD_QUERIES


def test_warm_dashboard_queries_do_not_grow_with_data(
    client, boss, seller, guide, cost
):
    client.force_login(boss)
    url = reverse("insights:metrics") + "?weeks=12"
    some_history(seller, guide, cost, 2)
    client.get(url)
    small = queries_for(client, url)

    some_history(seller, guide, cost, 12)
    cache.clear()
    client.get(url)
    large = queries_for(client, url)

    assert small == large == WARM_DASHBOARD_QUERIES


def test_dashboard_shows_each_group_with_n_and_period(client, seller, guide, cost):
    some_history(seller, guide, cost, 3)
    client.force_login(seller)

    response = client.get(reverse("insights:metrics"), {"weeks": "4"})

    body = response.content.decode()
    for heading in ("Engagement and education", "Self-qualification", "Sales impact"):
        assert heading in body
    assert "n = " in body
    assert response.context["period"].days <= 28
    assert "<svg" in body and "<table" in body


def test_small_samples_read_too_few_to_tell(client, seller, guide, cost):
    some_history(seller, guide, cost, 3)
    client.force_login(seller)

    response = client.get(reverse("insights:metrics"))

    close = next(
        card
        for _, cards in response.context["groups"]
        for card in cards
        if card.metric.key == "close_rate"
    )
    assert close.shown.n == 3
    assert close.shown.text == "Too few to tell"


def test_the_team_picks_its_headline_metrics(client, boss):
    DashboardSettings.objects.create(
        headline_metrics=["cycle_days", "close_rate", "calls_prepared"]
    )
    client.force_login(boss)

    response = client.get(reverse("insights:metrics"))

    keys = [card.metric.key for card in response.context["headlines"]]
    assert keys == ["cycle_days", "close_rate", "calls_prepared"]


def test_managers_save_three_to_five_headlines(client, boss):
    client.force_login(boss)
    data = {
        "min_n": 5,
        "currency": "eur",
        "hours_per_call": "2",
        "loaded_cost_per_hour": "80",
    }

    too_few = client.post(
        reverse("insights:settings"), {**data, "headline_metrics": ["close_rate"]}
    )
    saved = client.post(
        reverse("insights:settings"),
        {**data, "headline_metrics": ["close_rate", "cycle_days", "mql_to_sql"]},
    )

    assert too_few.status_code == 200
    assert saved.status_code == 302
    assert DashboardSettings.load().currency == "EUR"


def test_salespeople_cannot_change_settings(client, seller):
    client.force_login(seller)

    assert client.get(reverse("insights:settings")).status_code == 403


def test_a_salesperson_sees_only_their_own_figures(
    client, seller, other_seller, guide, cost
):
    some_history(other_seller, guide, cost, 2)
    client.force_login(seller)

    response = client.get(reverse("insights:metrics"), {"owner": other_seller.pk})

    assert response.context["owner"] == seller
    assert response.context["team"] is None


def test_trend_charts_read_the_snapshots(client, boss):
    monday = monday_of(timezone.localdate())
    MetricSnapshot.objects.create(
        week_start=monday, metric="close_rate", value=0.4, numerator=4, n=10
    )
    client.force_login(boss)

    response = client.get(reverse("insights:metrics"), {"weeks": "4"})

    chart = next(
        card.chart
        for _, cards in response.context["groups"]
        for card in cards
        if card.metric.key == "close_rate"
    )
    assert [point.text for point in chart.points][-1] == "40%"
    assert chart.paths == []  # one known week draws a dot, not a line


def test_htmx_period_change_returns_only_the_figures(client, seller):
    client.force_login(seller)

    response = client.get(
        reverse("insights:metrics"), {"weeks": "26"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="figures"')
    assert "<form" not in body


def test_custom_period_needs_both_dates(client, seller):
    client.force_login(seller)

    response = client.get(
        reverse("insights:metrics"), {"weeks": "custom", "start": "2026-01-05"}
    )

    assert "Choose both dates" in response.content.decode()


def test_snapshots_are_rewritten_not_duplicated(seller):
    monday = monday_of(timezone.localdate())

    first = write_week_snapshots(monday=monday)
    second = write_week_snapshots(monday=monday)

    # The team and one salesperson, every metric once each.
    assert first == second == MetricSnapshot.objects.count()
    assert MetricSnapshot.objects.filter(owner=None).count() == first // 2


# Deals -------------------------------------------------------------------------


def test_deal_list_queries_are_fixed(client, boss, seller):
    client.force_login(boss)
    for _ in range(2):
        closed(ProspectFactory(owner=seller), Outcome.WON, timezone.localdate())
    url = reverse("insights:deals")
    client.get(url)
    small = queries_for(client, url)

    for _ in range(20):
        closed(ProspectFactory(owner=seller), Outcome.LOST, timezone.localdate())
    large = queries_for(client, url)

    assert small == large


def test_deal_list_fragment_queries_are_fixed(client, seller):
    client.force_login(seller)
    closed(ProspectFactory(owner=seller), Outcome.WON, timezone.localdate())
    url = reverse("insights:deals") + "?outcome=won"

    with CaptureQueriesContext(connection) as few:
        client.get(url, headers={"HX-Request": "true"})
    for _ in range(10):
        closed(ProspectFactory(owner=seller), Outcome.WON, timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        client.get(url, headers={"HX-Request": "true"})

    assert len(few) == len(many)


def test_a_salesperson_records_a_won_deal(client, seller):
    prospect = ProspectFactory(owner=seller)
    client.force_login(seller)

    response = client.post(
        reverse("insights:deal_create"),
        {
            "prospect": prospect.pk,
            "title": "Fibreglass 8 m",
            "amount": "42000",
            "currency": "gbp",
            "stage": "closed",
            "outcome": "won",
            "opened_on": "2026-01-10",
            "closed_on": "2026-03-01",
            "lifetime_value": "55000",
            "source": "referral",
            "crm_id": "",
        },
    )

    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.amount, deal.currency, deal.crm_id) == (Decimal("42000"), "GBP", None)


def test_a_won_deal_needs_its_closing_date(client, seller):
    prospect = ProspectFactory(owner=seller)
    client.force_login(seller)

    response = client.post(
        reverse("insights:deal_create"),
        {
            "prospect": prospect.pk,
            "amount": "1000",
            "currency": "GBP",
            "stage": "closed",
            "outcome": "won",
            "opened_on": "2026-01-10",
            "source": "other",
        },
    )

    assert response.status_code == 200
    assert "needs its closing date" in response.content.decode()
    assert not Deal.objects.exists()


def test_deals_of_other_salespeople_are_not_found(client, seller, other_seller):
    deal = closed(
        ProspectFactory(owner=other_seller), Outcome.WON, timezone.localdate()
    )
    client.force_login(seller)

    response = client.get(reverse("insights:deal_edit", args=[deal.pk]))

    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("insights:metrics"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
