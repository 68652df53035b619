"""The dashboard's cached figures: served warm, fresh after every change."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insights import dashboard
from insights.models import DashboardSettings, MetricSnapshot, Outcome
from insights.periods import Period, monday_of
from insights.services import write_week_snapshots
from portal import versions
from tests.insights.factories import at, closed, read, reading_prospect
from tests.insights.test_imports import import_file
from tests.sales.factories import CallFactory, ProspectFactory

pytestmark = pytest.mark.django_db

URL = "/sales/metrics/"
# Tables only the figures read; a warm render touches none of them.
FIGURE_TABLES = (
    "tracking_",
    "insights_deal",
    "insights_metricsnapshot",
    "sales_call",
    "sales_assignment",
    "sales_prospect",
)


@pytest.fixture(autouse=True)
def every_figure_shown(db):
    """Show figures from one case up, and lead with the close rate."""
    DashboardSettings.objects.create(
        min_n=1, headline_metrics=["close_rate", "deal_size", "calls_prepared"]
    )


def card(body: str, key: str) -> tuple[str, int]:
    """The figure and n on the first card of metric ``key``."""
    found = re.search(
        rf'data-metric="{key}">.*?stat-card__value">([^<]*)<'
        r".*?stat-card__n\">(?:n = |of )(\d+)",
        body,
        re.S,
    )
    assert found, f"no card for {key}"
    return found.group(1), int(found.group(2))


def close_rate(client, params=None) -> tuple[str, int]:
    return card(client.get(URL, params or {}).content.decode(), "close_rate")


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def test_a_warm_render_reads_no_figures_from_the_database(client, boss, seller):
    closed(ProspectFactory(owner=seller), Outcome.WON, days_ago(3))
    client.force_login(boss)
    first = client.get(URL)

    with CaptureQueriesContext(connection) as captured:
        second = client.get(URL)

    assert [
        query["sql"]
        for query in captured.captured_queries
        if any(table in query["sql"] for table in FIGURE_TABLES)
    ] == []
    assert card(second.content.decode(), "close_rate") == ("100%", 1)
    assert card(first.content.decode(), "close_rate") == ("100%", 1)


def test_another_process_finds_the_figures_in_the_shared_cache(client, boss, seller):
    closed(ProspectFactory(owner=seller), Outcome.WON, days_ago(3))
    client.force_login(boss)
    client.get(URL)
    dashboard.recent_markup.clear()  # a process that has rendered nothing yet

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)

    assert not any(
        table in query["sql"]
        for query in captured.captured_queries
        for table in FIGURE_TABLES
    )
    assert card(response.content.decode(), "close_rate") == ("100%", 1)


def test_an_edited_deal_shows_at_once(
    client, boss, seller, django_capture_on_commit_callbacks
):
    deal = closed(ProspectFactory(owner=seller), Outcome.LOST, days_ago(3))
    client.force_login(boss)
    assert close_rate(client) == ("0%", 1)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("insights:deal_edit", args=[deal.pk]),
            {
                "prospect": deal.prospect_id,
                "title": deal.title,
                "amount": "30000",
                "currency": "GBP",
                "stage": "closed",
                "outcome": "won",
                "opened_on": deal.opened_on,
                "closed_on": deal.closed_on,
                "lifetime_value": "",
                "source": "other",
                "crm_id": "",
            },
        )

    assert response.status_code == 302
    assert close_rate(client) == ("100%", 1)


def test_a_deal_pushed_by_the_crm_shows_at_once(
    client, boss, django_capture_on_commit_callbacks
):
    from insights.models import ApiToken

    ProspectFactory(owner=boss, crm_id="p-1")
    _, token = ApiToken.issue(name="CRM sync", created_by=boss)
    client.force_login(boss)
    assert close_rate(client) == ("No data yet", 0)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(
            "/api/deals/d-1",
            {
                "prospect_crm_id": "p-1",
                "amount": "42000.00",
                "outcome": "won",
                "opened_on": str(days_ago(40)),
                "closed_on": str(days_ago(3)),
                "source": "referral",
            },
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert response.status_code == 201
    assert close_rate(client) == ("100%", 1)


def test_imported_deals_show_at_once(
    client, boss, seller, django_capture_on_commit_callbacks
):
    ProspectFactory(owner=seller, crm_id="p-1")
    client.force_login(boss)
    assert close_rate(client) == ("No data yet", 0)
    content = (
        "Deal CRM id,Prospect CRM id,Amount,Outcome,First touch,Closed on\n"
        f"d-1,p-1,42000,won,{days_ago(40)},{days_ago(3)}\n"
        f"d-2,p-1,18000,lost,{days_ago(40)},{days_ago(2)}\n"
    ).encode()

    with django_capture_on_commit_callbacks(execute=True):
        job = import_file(client, content, kind="deals")

    job.refresh_from_db()
    assert job.state == "done", job.errors
    assert close_rate(client) == ("50%", 2)


def test_imported_prospects_show_in_the_conversion_rate(
    client, boss, seller, django_capture_on_commit_callbacks
):
    client.force_login(boss)
    before = card(client.get(URL).content.decode(), "mql_to_sql")
    content = (
        "CRM id,Name,Email,Company,Salesperson,Source,Stage,Became MQL\n"
        f"crm-1,Person 1,p1@example.org,Firm,sam,referral,mql,{days_ago(3)}\n"
    ).encode()

    with django_capture_on_commit_callbacks(execute=True):
        job = import_file(client, content)

    job.refresh_from_db()
    assert job.state == "done", job.errors
    assert before == ("No data yet", 0)
    assert card(client.get(URL).content.decode(), "mql_to_sql") == ("0%", 1)


def test_saved_settings_show_at_once(
    client, boss, seller, django_capture_on_commit_callbacks
):
    closed(ProspectFactory(owner=seller), Outcome.WON, days_ago(3), currency="EUR")
    client.force_login(boss)
    before = card(client.get(URL).content.decode(), "deal_size")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("insights:settings"),
            {
                "headline_metrics": ["close_rate", "deal_size", "calls_prepared"],
                "min_n": 1,
                "currency": "EUR",
                "hours_per_call": "1.5",
                "loaded_cost_per_hour": "60",
            },
        )

    assert before == ("No data yet", 0)
    assert card(client.get(URL).content.decode(), "deal_size") == ("EUR 30,000", 1)


def test_saved_settings_mark_outcomes_changed_once_committed(
    client, boss, django_capture_on_commit_callbacks
):
    client.force_login(boss)
    stamp = versions.current(versions.OUTCOMES)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse("insights:settings"),
            {
                "headline_metrics": ["close_rate", "deal_size", "cycle_days"],
                "min_n": 5,
                "currency": "GBP",
                "hours_per_call": "2",
                "loaded_cost_per_hour": "80",
            },
        )
        uncommitted = versions.current(versions.OUTCOMES)
    for callback in callbacks:
        callback()

    assert uncommitted == stamp
    assert versions.current(versions.OUTCOMES) != stamp


def test_new_snapshots_show_in_the_trends(
    client, boss, seller, django_capture_on_commit_callbacks
):
    client.force_login(boss)
    closed(ProspectFactory(owner=seller), Outcome.WON, timezone.localdate())
    monday = monday_of(timezone.localdate())
    assert not MetricSnapshot.objects.exists()
    client.get(URL)

    with django_capture_on_commit_callbacks(execute=True):
        write_week_snapshots(monday=monday)

    body = client.get(URL).content.decode()
    assert f"Week of {monday:%-d %b}: 100% (n=1)" in body


def test_reading_shows_once_tracking_marks_its_roll_ups_changed(
    client, boss, seller, guide
):
    client.force_login(boss)
    read(guide, at(days_ago(2)), engaged=240)
    assert card(client.get(URL).content.decode(), "long_read_share") == ("100%", 1)
    read(guide, at(days_ago(2)), engaged=60)

    stale = card(client.get(URL).content.decode(), "long_read_share")
    versions.bump(versions.PROGRESS)
    fresh = card(client.get(URL).content.decode(), "long_read_share")

    assert stale == ("100%", 1)
    assert fresh == ("50%", 2)


def test_sales_changes_show_once_the_sales_room_marks_them(client, boss, seller, guide):
    client.force_login(boss)
    prospect, _, _ = reading_prospect(
        owner=seller, pages=[guide], created_at=at(days_ago(5))
    )
    assert card(client.get(URL).content.decode(), "assignment_completion")[1] == 1
    reading_prospect(owner=seller, pages=[guide], created_at=at(days_ago(4)))

    stale = card(client.get(URL).content.decode(), "assignment_completion")
    versions.bump(versions.SALES)
    fresh = card(client.get(URL).content.decode(), "assignment_completion")

    assert stale[1] == 1
    assert fresh[1] == 2


def test_a_manager_and_a_salesperson_never_share_cached_figures(
    client, boss, seller, other_seller
):
    closed(ProspectFactory(owner=seller), Outcome.WON, days_ago(3))
    closed(ProspectFactory(owner=other_seller), Outcome.LOST, days_ago(3))
    client.force_login(boss)
    team = close_rate(client)
    chosen = close_rate(client, {"owner": seller.pk})
    # Written without telling anyone: only a render computing afresh sees it.
    closed(ProspectFactory(owner=seller), Outcome.LOST, days_ago(2))

    client.force_login(seller)
    own = close_rate(client)
    client.force_login(boss)
    chosen_again = close_rate(client, {"owner": seller.pk})

    assert team == ("50%", 2)
    assert chosen == chosen_again == ("100%", 1)
    assert own == ("50%", 2)


def test_calls_count_as_held_once_the_clock_passes_them(boss, seller, guide):
    settings = DashboardSettings.load()
    today = timezone.localdate()
    period = Period.last_weeks(4, today=today)
    prospect, assignment, _ = reading_prospect(
        owner=seller, pages=[guide], created_at=at(today, 8)
    )
    assignment.call = CallFactory(prospect=prospect, starts_at=at(today, 10))
    assignment.save(update_fields=["call"])

    def calls_prepared(hour, minute):
        markup = dashboard.render(
            period,
            None,
            settings=settings,
            reps=1,
            scope="manager-team",
            now=at(today, hour) + timedelta(minutes=minute),
        )
        return card(markup, "calls_prepared")

    assert calls_prepared(9, 50) == ("No data yet", 0)
    assert calls_prepared(10, 5) == ("No data yet", 0)  # not yet on the clock
    assert calls_prepared(10, 20) == ("0%", 1)


def test_the_page_around_cached_figures_carries_its_own_csrf_token(
    client, boss, seller
):
    closed(ProspectFactory(owner=seller), Outcome.WON, days_ago(3))
    client.force_login(boss)
    first = client.get(URL).content.decode()
    client.force_login(boss)  # a new session, with a new CSRF token
    second = client.get(URL).content.decode()
    fragment = client.get(URL, headers={"HX-Request": "true"}).content.decode()

    tokens = [
        re.search(r'"X-CSRFToken": "([^"]+)"', body).group(1)
        for body in (first, second)
    ]
    assert tokens[0] != tokens[1]
    assert fragment.strip() in first and fragment.strip() in second
    assert "csrf" not in fragment.lower()
    assert not any(token in fragment for token in tokens)
