"""Reaching the comparison from the case list and a case page, without JavaScript: "Add to
comparison" links carry the cases chosen so far, up to the four the compare page shows."""

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

pytestmark = pytest.mark.django_db


def links(response, text: str) -> list[str]:
    """The hrefs of links whose text starts with ``text``."""
    page = response.content.decode()
    return [
        html.unescape(href)
        for href, inner in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', page)
        if inner.startswith(text)
    ]


def cases_in(url: str, name: str = "case") -> list[str]:
    return [v for k, v in parse_qsl(urlsplit(url).query) if k == name]


def test_cases_accumulate_from_the_list_to_the_comparison(client, casebase_data):
    listing = client.get("/cases/")
    adds = links(listing, "Add to comparison")
    assert len(adds) == listing.content.decode().count('class="card case-item"') > 1  # one per case
    first = adds[0]
    assert urlsplit(first).path == "/analysis/compare/" and len(cases_in(first)) == 1
    (a,) = cases_in(first)

    compare = client.get(first)
    assert compare.status_code == 200
    (more,) = links(compare, "Add another case from the case list")
    assert cases_in(more, "compare") == [a]

    # Back on the list with the selection: it survives a filter and a page change.
    listing = client.get(more)
    assert "Comparing 1 case" in listing.content.decode()
    (facet,) = [u for u in links(listing, "Builder") if "role=builder" in u]
    assert cases_in(facet, "compare") == [a]
    assert cases_in(listing.context["page_base"] + "2", "compare") == [a]
    # The downloads and the feed are of the cases, not of the comparison.
    assert "compare=" not in re.search(r'href="([^"]*format=csv[^"]*)"', listing.content.decode()).group(1)

    # A search keeps it too.
    assert f'<input type="hidden" name="compare" value="{a}">' in listing.content.decode()
    adds = links(listing, "Add to comparison")
    assert adds and all(cases_in(u)[:1] == [a] and len(cases_in(u)) == 2 for u in adds)
    assert "In your comparison" in listing.content.decode()
    both = client.get(adds[0])
    assert both.status_code == 200 and "aligned by recommendation" in both.content.decode()


def test_a_case_page_adds_itself_to_the_comparison(client, casebase_data):
    alone = client.get("/cases/bbc/")
    assert links(alone, "Add to comparison") == ["/analysis/compare/?case=bbc"]
    with_adobe = client.get("/cases/bbc/?compare=adobe")
    assert links(with_adobe, "Add to comparison") == ["/analysis/compare/?case=adobe&case=bbc"]
    # Related cases carry the selection on to their own pages.
    assert re.search(r'href="/cases/[a-z0-9-]+/\?compare=adobe"', with_adobe.content.decode())


def test_four_cases_fill_the_comparison(client, casebase_data):
    four = "compare=bbc&compare=adobe&compare=tiktok&compare=openai"
    listing = client.get(f"/cases/?{four}")
    assert not links(listing, "Add to comparison")
    assert "That is the most the comparison shows" in listing.content.decode()
    page = client.get(f"/cases/witness/?{four}")
    assert not links(page, "Add to comparison") and "Your comparison has four cases" in page.content.decode()
    five = client.get("/analysis/compare/?case=bbc&case=adobe&case=tiktok&case=openai&case=witness")
    assert five.status_code == 200 and "only the first four are compared" in five.content.decode()


@pytest.mark.parametrize("value", ["no-such-case", "%00", "x" * 3000, "<script>"])
def test_a_bad_selection_is_dropped_with_a_notice(client, casebase_data, value):
    response = client.get(f"/cases/?compare={value}&compare=bbc")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<script>" not in text
    if value != "%00":  # nothing printable left of it: no value to speak of
        assert "left out of the comparison" in text
    assert all(cases_in(u)[:1] == ["bbc"] for u in links(response, "Add to comparison"))
    assert client.get(f"/cases/bbc/?compare={value}").status_code == 200
