"""What the reader's pages promise in their markup and styles: header cells with text,
scroll boxes a keyboard can reach, and a page that prints its content and citation."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.security.xss import parse_html

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


@pytest.mark.parametrize("url", ["/analysis/crosstabs/", "/analysis/gaps/", "/analysis/cooccurrence/"])
def test_every_table_header_cell_has_text(client, casebase_data, url):
    """The cohort totals' corner cell was an empty <th> (axe: empty-table-header)."""
    document = parse_html(client.get(url).text)
    empty = [th for th in document.iter("th") if not "".join(th.itertext()).strip()]
    assert document.find(".//th") is not None and empty == []


@pytest.mark.parametrize(
    "url", ["/analysis/matrix/", "/analysis/gaps/", "/analysis/crosstabs/", "/api/docs/", "/organizations/"]
)
def test_scroll_boxes_are_named_regions_a_keyboard_can_reach(client, casebase_data, url):
    document = parse_html(client.get(url).text)
    boxes = [
        div
        for div in document.iter("div")
        if {"table-wrap", "chart-figure"} & set((div.get("class") or "").split())
    ]
    assert boxes
    for box in boxes:
        assert box.get("tabindex") == "0" and box.get("role") == "region", box.attrib
        assert box.get("aria-label", "").strip(), box.attrib


def test_print_styles_hide_navigation_and_forms_and_print_the_address(client, casebase_data):
    css = SITE_CSS.read_text()
    rules = css[css.index("@media print") :]
    for selector in (".site-header", ".facets", "form", ".analysis-nav", ".site-footer"):
        assert selector in rules.split("{")[1], selector
    assert ".cite-panel::details-content" in rules
    html = client.get("/cases/bbc/").text
    assert '<p class="print-only wrap">Printed from http://testserver/cases/bbc/</p>' in html
