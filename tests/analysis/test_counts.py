"""Every number on the matrix, gap map, cross-tabs and co-occurrence pages equals the count
computed independently from the records, and the list it links to holds exactly those cases."""

import json
import re
from urllib.parse import parse_qs, urlsplit

from tests.analysis.links import count_links

PAGES = [
    "/analysis/matrix/",
    "/analysis/gaps/",
    "/analysis/crosstabs/",
    "/analysis/cooccurrence/",
    "/analysis/gaps/?role=builder",
    "/analysis/gaps/?cohort=2024-03&principle=disclosure",
    "/analysis/crosstabs/?role=distributor-third-party",
    "/analysis/cooccurrence/?cohort=2024-11",
    "/analysis/matrix/?principle=transparency&cohort=2024-03",
]


def cases_behind(client, href: str) -> set[str]:
    """Follow a number's link and read the cases it lists."""
    path = urlsplit(href).path
    if path == "/cases/":
        response = client.get(href + "&format=json")
        assert response.status_code == 200, href
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return {case["slug"] for case in json.loads(body)["results"]}
    assert path == "/analysis/together/", href
    response = client.get(href)
    assert response.status_code == 200
    return set(re.findall(r'href="/cases/([-a-z0-9]+)/"', response.content.decode()))


def check_page(client, url, records):
    response = client.get(url)
    assert response.status_code == 200
    links = count_links(response.content.decode())
    assert links, f"no numbers on {url}"
    truth = records()
    for href, shown in links:
        if href.startswith("/submit/"):
            # A gap: nothing is published there, and the cell invites a case.
            params = {k: v for k, v in parse_qs(urlsplit(href).query).items()}
            page_filters = {k: v for k, v in parse_qs(urlsplit(url).query).items() if k not in params}
            assert shown == 0
            assert len(truth.matching(page_filters | params)) == 0, href
            continue
        assert truth.count(href) == shown, f"{url}: {href} shows {shown}, records say {truth.count(href)}"
    return links


def test_numbers_match_records_real_data(client, casebase_data, records):
    for url in PAGES:
        check_page(client, url, records)


def test_numbers_match_records_with_generated_and_unpublished_cases(client, generated, records):
    for url in PAGES:
        check_page(client, url, records)


def test_each_number_links_to_exactly_its_cases(client, generated, records):
    truth = records()
    seen = set()
    links = []
    for url in ("/analysis/gaps/", "/analysis/cooccurrence/", "/analysis/crosstabs/", "/analysis/matrix/"):
        links += check_page(client, url, records)
    for href, shown in links:
        if href.startswith("/submit/") or href in seen:
            continue
        seen.add(href)
        parts = urlsplit(href)
        params = {k: v for k, v in parse_qs(parts.query).items()}
        expected = truth.matching(params, all_recs=parts.path.startswith("/analysis/together/"))
        assert cases_behind(client, href) == expected, href
        assert len(expected) == shown


def test_unpublished_cases_never_count(client, casebase_data, records):
    from tests.analysis.conftest import make_cases

    before = {
        u: [n for _, n in count_links(client.get(u).content.decode())]
        for u in ("/analysis/gaps/", "/analysis/crosstabs/", "/analysis/cooccurrence/", "/analysis/matrix/")
    }
    make_cases(15, seed=99, published_share=0.0, prefix="hidden")
    for url, numbers in before.items():
        assert [n for _, n in count_links(client.get(url).content.decode())] == numbers, url
