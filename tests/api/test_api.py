"""The read API: only published records, the /cases/ filters, pagination, throttling, schema, feed."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import html5lib
import pytest
from django.http import QueryDict
from openapi_spec_validator import validate
from rest_framework.throttling import AnonRateThrottle

from casebase.analysis.models import Analysis, Finding
from casebase.cases.filters import CaseFilter
from casebase.cases.models import CaseStudy
from tests.analysis.conftest import make_cases

LISTS = ["editions", "sections", "recommendations", "organizations", "cases", "analyses"]
# The yearly review's lists: empty until staff run a cycle (the real fixtures hold none); tested in
# tests/api/test_commitments_api.py.
YEARLY_REVIEW = ["cycles", "commitments"]


def all_pages(client, url):
    results = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.json()
        results += data["results"]
        url = data["next"]
    return results


def test_every_list_answers_with_pagination(client, casebase_data):
    for name in LISTS:
        data = client.get(f"/api/{name}/").json()
        assert {"count", "next", "previous", "results"} <= set(data), name
        assert data["count"] > 0, name
    page = client.get("/api/cases/?page_size=5").json()
    assert len(page["results"]) == 5 and page["next"]
    assert client.get("/api/cases/?page=999").status_code == 404


def test_cases_carry_applications_and_tags(client, casebase_data):
    bbc = client.get("/api/cases/bbc/").json()
    assert bbc["organization"]["slug"] == "bbc"
    assert {a["recommendation"] for a in bbc["applications"]} == {"creators-3", "distributors-5"}
    assert {r["slug"] for r in bbc["roles"]} == {"creator", "distributor-first-party"}
    # Each claim carries its evidence: grade, voice and source.
    assert all(r["grade"] in ("confirmed", "corroborated", "recalled", "inferred") for r in bbc["roles"])
    assert all({"voice", "source_url"} <= set(r) for r in bbc["roles"] + bbc["principles"])
    assert "sections" in bbc and bbc["url"].endswith("/cases/bbc/")
    rec = client.get("/api/recommendations/distributors-4/").json()
    assert rec["official_number"] == 20 and rec["label"] == "No. 20"


def test_unpublished_records_never_appear(client, casebase_data):
    hidden = make_cases(12, seed=21, published_share=0.0, prefix="hidden")
    finding = Finding.objects.first()
    finding.cases.add(*hidden[:3])
    Analysis.objects.create(slug="draft-analysis", title="Draft", status="draft")
    hidden_slugs = {c.slug for c in hidden}
    listed = {c["slug"] for c in all_pages(client, "/api/cases/?page_size=200")}
    assert listed == set(CaseStudy.objects.published().values_list("slug", flat=True))
    assert not listed & hidden_slugs
    for case in hidden:
        assert client.get(f"/api/cases/{case.slug}/").status_code == 404
    # Not through a filter that matches them either.
    role = hidden[0].roles.first()
    if role:
        assert not {c["slug"] for c in all_pages(client, f"/api/cases/?role={role.slug}")} & hidden_slugs
    analyses = all_pages(client, "/api/analyses/")
    assert "draft-analysis" not in {a["slug"] for a in analyses}
    cited = {s for a in analyses for f in a["findings"] for s in f["cases"]}
    assert not cited & hidden_slugs
    assert client.get("/api/analyses/draft-analysis/").status_code == 404


FILTER_QUERIES = [
    "role=builder",
    "principle=disclosure&principle=consent",
    "cohort=2024-11",
    "org=bbc&org=meta",
    "rec=builders-2",
    "tag=provenance",
    "q=consent",
    "role=builder&cohort=2024-03",
    "role=unknown-role",
]


def test_case_filters_are_those_of_the_case_list(client, casebase_data):
    make_cases(10, seed=41)
    for query in FILTER_QUERIES:
        expected = [case.slug for case in CaseFilter(QueryDict(query)).cases()]
        got = [c["slug"] for c in all_pages(client, f"/api/cases/?{query}&page_size=200")]
        assert got == expected, query


def test_anonymous_clients_are_throttled(client, casebase_data, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)
    codes = [client.get("/api/editions/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_openapi_document_validates(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    paths = schema["paths"]
    for name in LISTS:
        assert f"/api/{name}/" in paths
    names = {p["name"] for p in paths["/api/cases/"]["get"]["parameters"]}
    assert {"role", "principle", "org", "cohort", "rec", "tag", "q", "page"} <= names
    assert all(set(ops) == {"get"} for ops in paths.values()), "the API is read-only"


def test_api_is_read_only(client, casebase_data):
    assert client.post("/api/cases/", {}).status_code == 405
    assert client.delete("/api/cases/bbc/").status_code == 405


def _docs(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    return response, html5lib.parse(response.content.decode(), namespaceHTMLElements=False)


def _row_names(article, table_class):
    return {
        "".join(th.itertext()).split()[0]: tr
        for tr in article.iterfind(f".//table[@class='api-table {table_class}']/tbody/tr")
        for th in tr.iterfind("th")
    }


def test_docs_are_a_server_rendered_reference_of_the_whole_schema(client, db):
    response, doc = _docs(client)
    html = response.content.decode()
    assert "Content-Security-Policy" in response
    assert "<script" not in html and "swagger" not in html.lower() and "cdn" not in html.lower()
    schema = json.loads(client.get("/api/schema/?format=json").content)
    ids = {el.get("id") for el in doc.iter() if el.get("id")}
    toc = {a.get("href") for a in doc.iterfind(".//nav[@aria-labelledby='toc-h']//a")}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            anchor = operation["operationId"].replace("_", "-")
            assert anchor in ids and f"#{anchor}" in toc, path
            article = doc.find(f".//article[@id='{anchor}']")
            heading = " ".join("".join(article.find("h3").itertext()).split())
            assert heading == f"{method.upper()} {path}"
            assert operation["summary"] in "".join(article.itertext())
            params = {p["name"] for p in operation.get("parameters", [])}
            assert params == set(_row_names(article, "api-params")), path
    for link in ("/api/schema/?format=json", "/api/schema/", "/cases/?format=csv", "/analysis/data/"):
        assert doc.find(f".//main//a[@href='{link}']") is not None, link
    assert client.post("/api/docs/").status_code == 405


def test_docs_list_the_case_filters_and_every_response_field(client, db):
    _, doc = _docs(client)
    schemas = json.loads(client.get("/api/schema/?format=json").content)["components"]["schemas"]
    cases = doc.find(".//article[@id='cases-list']")
    params = _row_names(cases, "api-params")
    assert {"role", "principle", "org", "cohort", "rec", "tag", "q", "sort", "page", "page_size"} <= set(
        params
    )
    sort = "".join(params["sort"].itertext())
    assert all(value in sort for value in ("newest", "oldest", "title", "relevance"))
    assert "repeatable" in "".join(params["role"].itertext())
    fields = _row_names(cases, "api-fields")
    assert set(schemas["Case"]["properties"]) <= set(fields)
    assert {"organization.name", "applications[].status", "applications[].recommendation"} <= set(fields)
    assert "or null" in "".join(fields["published_on"].itertext())
    assert "implemented" in "".join(fields["applications[].status"].itertext())
    # The detail endpoint refers to the list's fields and lists only the extra ones.
    retrieve = doc.find(".//article[@id='cases-retrieve']")
    assert retrieve.find(".//a[@href='#cases-list']") is not None
    detail = _row_names(retrieve, "api-fields")
    assert set(detail) == set(schemas["CaseDetail"]["properties"]) - set(schemas["Case"]["properties"])
    # Named value lists are explained once, with their labels.
    confidence = "".join(doc.find(".//section[@aria-labelledby='values-h']").itertext())
    assert "recalled" in confidence and "Unverified" in confidence
    curl = "".join(cases.find(".//pre").itertext())
    assert curl.startswith("curl -s 'http") and "/api/cases/?role=builder" in curl


def test_docs_examples_answer_with_json(client, casebase_data):
    _, doc = _docs(client)
    examples = [a.get("href") for a in doc.iterfind(".//a[@class='api-example']")]
    assert len(examples) == len(LISTS) + len(YEARLY_REVIEW)
    for href in examples:
        response = client.get(href)
        assert response.status_code == 200 and response["Content-Type"] == "application/json", href
        if not any(href.startswith(f"/api/{name}/") for name in YEARLY_REVIEW):
            assert response.json()["count"] > 0, href


def test_atom_feed_lists_published_cases_newest_first(client, casebase_data):
    make_cases(6, seed=31, published_share=0.0, prefix="unpub")
    response = client.get("/feeds/cases/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.content)
    entries = root.findall("a:entry", ns)
    links = [e.find("a:link", ns).get("href") for e in entries]
    assert len(entries) == CaseStudy.objects.published().count()
    assert not any("/cases/unpub-" in link for link in links)
    published = [e.find("a:published", ns).text for e in entries if e.find("a:published", ns) is not None]
    assert published
    assert published == sorted(published, reverse=True)


FEED_QUERIES = [
    "principle=consent&role=distributor-first-party",
    "role=builder&role=creator",
    "q=watermark",
    "rec=builders-2&evidence=confirmed",
]


@pytest.mark.parametrize("query", FEED_QUERIES)
def test_atom_feed_follows_the_same_filters_as_the_case_list(client, casebase_data, query):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    response = client.get(f"/feeds/cases/?{query}")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    links = [e.find("a:link", ns).get("href") for e in root.findall("a:entry", ns)]
    case_filter = CaseFilter(QueryDict(query))
    expected = [c.get_absolute_url() for c in case_filter.cases(sort="newest")[:50]]
    assert [urlsplit(link).path for link in links] == expected
    assert len(expected) < CaseStudy.objects.published().count()
    # The title says what is followed; its links lead to the same selection.
    title = root.find("a:title", ns).text
    for active in case_filter.active:
        assert active.label in title
    if case_filter.q:
        assert case_filter.q in title
    self_link = root.find("a:link[@rel='self']", ns).get("href")
    alternate = root.find("a:link[@rel='alternate']", ns).get("href")
    assert QueryDict(urlsplit(self_link).query) == QueryDict(query)
    assert urlsplit(alternate).path == "/cases/" and QueryDict(urlsplit(alternate).query) == QueryDict(query)


@pytest.mark.parametrize(
    "query", ["role=nobody", "principle=%00%ff", "rec=" + "x" * 5000, "evidence=maybe", "voice=robots"]
)
def test_atom_feed_refuses_a_filter_it_cannot_follow(client, casebase_data, query):
    response = client.get(f"/feeds/cases/?{query}")
    assert response.status_code == 400
    assert b"cannot follow" in response.content


def test_case_list_links_to_the_feed_of_what_it_shows(client, casebase_data):
    query = "principle=consent&role=distributor-first-party&sort=oldest"
    response = client.get(f"/cases/?{query}")
    html = response.content.decode()
    match = re.search(
        r'<link rel="alternate" type="application/atom\+xml" title="[^"]*filters" href="([^"]+)"', html
    )
    assert match, "no feed of the filtered list in the head"
    href = match.group(1).replace("&amp;", "&")
    assert f'href="{match.group(1)}">Atom feed</a>' in html  # and a visible link
    assert QueryDict(urlsplit(href).query) == QueryDict("principle=consent&role=distributor-first-party")
    feed = client.get(href)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(feed.content).findall("a:entry", ns)
    assert len(entries) == CaseFilter(QueryDict(query)).count > 0
