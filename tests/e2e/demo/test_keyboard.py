"""Keyboard only: reading a guide, using a calculator, assigning reading.

Every step is a key press; each focused element must show a visible focus
indicator, and Tab must always move on (no traps).
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAX_TABS = 200

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        type: el.type || "",
        text: (el.innerText || el.getAttribute("aria-label") || "").trim(),
        inChosen: !!el.closest("#chosen"),
        href: el.getAttribute("href"),
        inFooter: !!el.closest("footer"),
        visible: box.width > 0 && box.height > 0,
        // Inside a video's native controls the browser draws its own ring.
        ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
            || style.boxShadow !== "none"
            || (el.tagName === "VIDEO" && !el.matches(":focus")),
    };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_until(page, matches, *, key="Tab") -> dict:
    """Press Tab until the focused element matches; every stop shows its focus."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        current = focused(page)
        assert current is not None, f"focus left the page after {seen[-3:]}"
        assert current["visible"] and current["ring"], f"no visible focus on {current}"
        seen.append(current)
        if matches(current):
            return current
        # A video's native controls share one element: allow a few repeats.
        recent = seen[-8:]
        assert len(recent) < 8 or any(stop != current for stop in recent), (
            f"focus is stuck on {current}"
        )
    raise AssertionError(f"never reached the element; last stops: {seen[-5:]}")


def test_reading_a_guide_by_keyboard(open_page):
    page = open_page("guide")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # The contents come first; following one of its links moves the reader and
    # the keyboard to that section.
    stop = tab_until(
        page,
        lambda el: (el["href"] or "").startswith("#") and "cost" in el["text"].lower(),
    )
    anchor = stop["href"]
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(anchor) + "$"))
    section = page.locator(anchor)
    expect(section.get_by_role("heading", level=2)).to_be_in_viewport()
    page.keyboard.press("Tab")
    after = page.evaluate(
        """anchor => {
            const section = document.querySelector(anchor);
            const el = document.activeElement;
            const after = Node.DOCUMENT_POSITION_FOLLOWING
                | Node.DOCUMENT_POSITION_CONTAINED_BY;
            return !!(section.compareDocumentPosition(el) & after);
        }""",
        anchor,
    )
    assert after, "Tab after a contents link should continue from the section"

    # The contents fold away and open again from the keyboard.
    summary = page.locator(".toc summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".toc details")).not_to_have_attribute("open", "")
    page.keyboard.press("Enter")
    expect(page.locator(".toc details")).to_have_attribute("open", "")

    # No trap: Tab carries on through the whole guide to the footer.
    tab_until(page, lambda el: el["inFooter"])


def test_using_a_calculator_by_keyboard(open_page):
    page = open_page("calculator")
    results = page.locator("#calc-results")
    before = results.inner_text()

    # The first question is a set of options: arrows pick one.
    first = tab_until(page, lambda el: el["tag"] == "input")
    assert first["type"] == "radio"
    page.keyboard.press("ArrowDown")
    expect(page.locator(":focus")).to_be_checked()

    expect(results).not_to_have_text(before)
    expect(results).to_contain_text(re.compile(r"£\s?[\d,]+"))
    # Results are announced from a polite live region that stays in the page.
    expect(results).to_have_attribute("aria-live", "polite")

    tab_until(page, lambda el: el["inFooter"])


def test_creating_an_assignment_by_keyboard(open_page):
    page = open_page("assign")
    search = page.get_by_label("Search for")

    tab_until(page, lambda el: el["id"] == search.get_attribute("id"))
    page.keyboard.type("cost")
    add = page.locator("#search-results [data-add-piece]").first
    expect(add).to_be_visible()
    title = add.get_attribute("data-title")

    tab_until(page, lambda el: el["text"].startswith("Add"))
    page.keyboard.press("Enter")
    chosen = page.locator("#chosen li")
    expect(chosen.filter(has_text=title)).to_have_count(1)
    # The button says it is done and keeps the focus; a toast confirms it.
    expect(page.locator(":focus")).to_have_text("Added")
    expect(page.locator("#toasts")).to_contain_text(f"Added “{title}”")

    tab_until(page, lambda el: el["inChosen"] and el["type"] == "checkbox")
    expect(page.locator(":focus")).to_be_checked()
    page.keyboard.press("Space")
    expect(page.locator(":focus")).not_to_be_checked()
    page.keyboard.press("Space")

    tab_until(page, lambda el: el["text"] == "Create reading list")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("personal-link")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Reading list created")
