"""In a real browser: every analysis page, a number followed to its cases, a CSV downloaded."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

SHOTS = Path("/tmp/shots")

pytestmark = pytest.mark.browser


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"analysis-browser-{name}.png"), full_page=True)


def test_analysis_pages_numbers_and_downloads(live_server, committed_data, page):
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    base = live_server.url
    page.goto(base + "/analysis/")
    assert page.locator("h1").inner_text() == "Cross-case analysis"
    shot(page, "index")
    for label, heading in [
        ("Matrix", "Recommendations by case"),
        ("Gap map", "Gap map"),
        ("Cross-tabs", "Cross-tabs over time"),
        ("Co-occurrence", "Recommendations addressed together"),
        ("Compare", "Compare cases"),
        ("Analyses", "Analyses"),
        ("Data & citation", "Data and citation"),
    ]:
        page.locator("nav.analysis-nav").get_by_role("link", name=label, exact=True).click()
        assert page.locator("h1").inner_text() == heading
        shot(page, re.sub(r"\W+", "-", label.lower()))

    # Follow a number on the gap map to the list of its cases.
    page.goto(base + "/analysis/gaps/")
    link = page.locator("table td.num a[data-count='5']").first
    href = link.get_attribute("href")
    assert href.startswith("/cases/?")
    link.click()
    page.wait_for_url(re.compile(r"/cases/\?"))
    assert page.locator("#results-heading").inner_text().startswith("5 cases")
    shot(page, "followed-number")

    # A co-occurrence count leads to the cases addressing both recommendations.
    page.goto(base + "/analysis/cooccurrence/")
    pair = page.locator("table td.num a[href^='/analysis/together/']").first
    count = pair.get_attribute("data-count")
    pair.click()
    assert page.locator(".result-count").get_attribute("data-count") == count

    # Download a chart's CSV.
    page.goto(base + "/analysis/gaps/")
    with page.expect_download() as info:
        page.locator("#chart-recommendation-role .chart-downloads a", has_text="CSV").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text())))
    # Column headers are labels people read; the rows keep a key column for machines.
    assert rows[0][:2] == ["Recommendation", "Recommendation key"] and "Builder" in rows[0]

    # And the case x recommendation table from the matrix.
    page.goto(base + "/analysis/matrix/")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("case × recommendation table")).click()
    text = Path(info.value.path()).read_text()
    assert text.startswith("slug,title,title_grade,organization,") and "cbc-radio-canada" in text

    # Matrix cells are reachable by keyboard and open the justification.
    page.locator("a.mark").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/analysis/matrix/[-a-z0-9]+/[-a-z0-9]+/"))
    assert page.get_by_role("heading", name="How the case relates to it").is_visible()

    # Compare two cases through the form; the result is a permalink.
    page.goto(base + "/analysis/compare/")
    page.select_option("#case-1", "bbc")
    page.select_option("#case-2", "cbc-radio-canada")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/analysis/compare/\?case=bbc&case=cbc-radio-canada"))
    assert "case=bbc" in page.url and "case=cbc-radio-canada" in page.url
    expect(page.locator("table.compare")).to_be_visible()
    shot(page, "compare-result")

    # The API reference is plain HTML: the table of contents leads to the cases endpoint,
    # whose example request answers with JSON.
    page.goto(base + "/api/docs/")
    assert page.locator("script").count() == 0
    page.locator("nav.api-toc").get_by_role("link", name="GET /api/cases/", exact=True).click()
    assert page.url.endswith("#cases-list")
    cases = page.locator("article#cases-list")
    assert cases.get_by_role("row", name=re.compile(r"^sort ")).is_visible()
    shot(page, "api-docs")
    cases.locator("a.api-example").click()
    page.wait_for_url(re.compile(r"/api/cases/\?role=builder"))
    data = json.loads(page.locator("body").inner_text())
    assert data["count"] > 0 and all(
        "builder" in {r["slug"] for r in case["roles"]} for case in data["results"]
    )
    assert not csp_errors, csp_errors
