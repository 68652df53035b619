"""The README's pages at a phone's and a desktop's width, checked by structure.

Not pixels: landmarks, one h1 and no skipped heading level, nothing wider
than the screen, and each page's key parts visible and laid out for the width.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.demo.conftest import WIDTHS

pytestmark = pytest.mark.e2e

PAGES = (
    "home",
    "guide",
    "calculator",
    "reading list",
    "sales view",
    "brief",
    "dashboard",
)

OUTLINE = """() => ({
    landmarks: {
        banner: document.querySelectorAll("body > header").length,
        main: document.querySelectorAll("main").length,
        contentinfo: document.querySelectorAll("body > footer").length,
        nav: document.querySelectorAll("nav[aria-label='Main']").length,
    },
    levels: [...document.querySelectorAll("main h1, main h2, main h3, main h4")]
        .filter(h => h.getClientRects().length || h.closest("details"))
        .map(h => Number(h.tagName[1])),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
})"""

KEY_PARTS = {
    "home": ["form[role=search]", ".card-grid"],
    "guide": [".toc", ".prose"],
    "calculator": [".calc-form", ".calc-panel"],
    "reading list": [".reading-items", "#consent"],
    "sales view": ["#calls", ".readiness"],
    "brief": [".summary .readiness", "#pieces-heading"],
    "dashboard": [".stat-grid--headline", "svg.trend__chart"],
}

# Pairs laid out side by side on a desktop and one above the other on a phone.
COLUMNS = {"guide": (".toc", ".prose"), "calculator": (".calc-form", ".calc-panel")}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_structure_holds_at_both_widths(open_page, name, width):
    page = open_page(name, width=width)

    outline = page.evaluate(OUTLINE)

    assert outline["landmarks"] == {"banner": 1, "main": 1, "contentinfo": 1, "nav": 1}
    levels = outline["levels"]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert skips == [], f"heading levels skip: {levels}"
    assert outline["scrollWidth"] <= outline["innerWidth"], "wider than the screen"
    for selector in KEY_PARTS[name]:
        expect(page.locator(selector).first).to_be_visible()


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_columns_sit_side_by_side_on_desktop_and_stack_on_a_phone(open_page, name):
    first, second = COLUMNS[name]

    page = open_page(name, width=1280)
    a, b = page.locator(first).bounding_box(), page.locator(second).bounding_box()
    assert a["x"] + a["width"] <= b["x"], "columns should sit side by side"

    page = open_page(name, width=375)
    a, b = page.locator(first).bounding_box(), page.locator(second).bounding_box()
    assert a["y"] + a["height"] <= b["y"], "columns should stack"
    assert b["width"] >= 300


def test_sales_table_becomes_a_list_on_a_phone(open_page):
    page = open_page("sales view", width=1280)
    table = page.locator("#calls table.table-stack").first
    expect(table.locator("thead")).to_be_visible()
    assert table.locator("td").first.evaluate("el => getComputedStyle(el).display") == (
        "table-cell"
    )

    page = open_page("sales view", width=375)
    table = page.locator("#calls table.table-stack").first
    cell = table.locator("td").first
    assert cell.evaluate("el => getComputedStyle(el).display") == "block"
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label")
    # The readiness badge still says it in words, next to its icon.
    badge = page.locator("#calls .readiness").first
    expect(badge).to_be_visible()
    expect(badge).to_have_text(re.compile(r"\w{4,}"))


def test_brief_prints_without_navigation(open_page):
    page = open_page("brief")
    page.emulate_media(media="print")

    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".subnav")).to_be_hidden()
    expect(page.locator(".page-header .actions")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".summary .readiness")).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(255, 255, 255)"


def test_dark_scheme_changes_the_tokens(open_page):
    page = open_page("home", scheme="dark")

    background = page.evaluate("getComputedStyle(document.body).backgroundColor")

    assert background == "rgb(15, 26, 33)"


def test_reduced_motion_stops_animations(open_page):
    page = open_page("sales view")
    page.emulate_media(reduced_motion="reduce")

    duration = page.evaluate(
        """() => {
            const probe = document.createElement("p");
            probe.className = "toast";
            document.body.appendChild(probe);
            return parseFloat(getComputedStyle(probe).animationDuration);
        }"""
    )

    assert duration < 0.001


def test_charts_have_a_text_alternative_and_a_data_table(open_page):
    page = open_page("dashboard")
    chart = page.locator("svg.trend__chart").first

    assert chart.get_attribute("role") == "img"
    expect(chart).to_have_accessible_name(re.compile("by week"))
    figure = chart.locator("xpath=ancestor::figure[1]")
    expect(figure.locator("table.trend__table tbody tr").first).to_be_attached()
