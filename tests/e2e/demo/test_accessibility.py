"""axe-core audits every page type to WCAG 2.2 AA, in both colour schemes.

axe-core comes from the npm registry (package.json; `make test` installs it)
and is injected into Debian's Chromium by Playwright. No rule is disabled.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.demo.conftest import AXE

pytestmark = pytest.mark.e2e

PAGES = (
    "home",
    "index",
    "guide",
    "article",
    "video",
    "calculator",
    "assessment",
    "search",
    "reading list",
    "login",
    "sales view",
    "brief",
    "assign",
    "dashboard",
    "import",
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Light on a desktop, dark on a phone: each page is checked in both schemes and
# at both widths without running every combination.
SETTINGS = (
    pytest.param(1280, "light", id="1280-light"),
    pytest.param(375, "dark", id="375-dark"),
)


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does).")
    # Evaluated through the DevTools protocol, not a <script> tag, so the
    # page's Content Security Policy stays on while axe runs.
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}})
            .then(result => result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(node => node.target.join(" ")),
            })))""",
        TAGS,
    )


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'][:5])}"
        for v in violations
    )


@pytest.mark.parametrize(("width", "scheme"), SETTINGS)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations(open_page, name, width, scheme):
    page = open_page(name, width=width, scheme=scheme)

    violations = axe_violations(page)

    assert violations == [], describe(violations)


def test_the_audit_reports_a_violation_it_is_shown(open_page):
    """The audit itself can fail: an unlabelled field added to a page is found."""
    page = open_page("home")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<input type="text" name="unlabelled">')"""
    )

    violations = axe_violations(page)

    assert "label" in {v["id"] for v in violations}


def test_results_after_a_filter_change_keep_the_page_clean(open_page):
    """Content swapped in by htmx is audited too: the index after filtering."""
    page = open_page("index")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Kind").select_option(index=1)
    expect(page.locator(".htmx-request")).to_have_count(0)

    violations = axe_violations(page)

    assert violations == [], describe(violations)
