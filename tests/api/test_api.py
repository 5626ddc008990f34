"""The read API: only published records, the /cases/ filters, pagination, throttling, schema, feed."""

import json
import xml.etree.ElementTree as ET

from django.http import QueryDict
from openapi_spec_validator import validate
from rest_framework.throttling import AnonRateThrottle

from casebase.analysis.models import Analysis, Finding
from casebase.cases.filters import CaseFilter
from casebase.cases.models import CaseStudy
from tests.analysis.conftest import make_cases

LISTS = ["editions", "sections", "recommendations", "organizations", "cases", "analyses"]


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
    assert bbc["roles"] == sorted(bbc["roles"]) or set(bbc["roles"]) == {"creator", "distributor-first-party"}
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
        expected = list(CaseFilter(QueryDict(query)).queryset.values_list("slug", flat=True))
        got = [c["slug"] for c in all_pages(client, f"/api/cases/?{query}&page_size=200")]
        assert set(got) == set(expected), query


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


def test_docs_are_served_from_the_site_under_the_csp(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert html.count("<script") == html.count(f'nonce="{nonce}"')
    assert "/api/cases/" in html  # the endpoint list works without JavaScript
    static = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert static.status_code == 200


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
