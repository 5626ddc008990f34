"""/cases/ as CSV and JSON, and the case x recommendation table."""

import csv
import io
import json

from django.http import QueryDict
from django.test import RequestFactory

from casebase.cases import exports, rows
from casebase.cases.filters import CaseFilter
from casebase.cases.models import CaseStudy
from tests.analysis.conftest import make_cases
from tests.independent import Records


def body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def test_csv_streams_only_published_cases(casebase_data):
    make_cases(10, seed=5, published_share=0.5)
    assert CaseStudy.objects.filter(is_published=False).exists()
    request = RequestFactory().get("/cases/", {"format": "csv"})
    response = exports.cases_response(request, CaseFilter(QueryDict("")), "csv")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert {r["slug"] for r in rows} == set(CaseStudy.objects.published().values_list("slug", flat=True))
    bbc = next(r for r in rows if r["slug"] == "bbc")
    # Every value carries its grade (and a coding its voice), so a spreadsheet can tell fact from inference.
    assert bbc["organization_name"] == "BBC" and bbc["organization_grade"] == "confirmed"
    assert bbc["roles"] == "creator:inferred;distributor-first-party:inferred"
    assert (
        bbc["applications"]
        == "creators-3:implemented:editors:inferred;distributors-5:implemented:editors:inferred"
    )
    assert bbc["source_url"] == "https://partnershiponai.org/bbc-framework-case-study/"
    # The speculative author of the third 2025 case is exported with its grade, not as fact.
    meedan = next(r for r in rows if r["slug"] == "meedan")
    assert meedan["organization_grade"] == "inferred"


def test_list_url_exports_the_same_filtered_cases(client, casebase_data):
    make_cases(10, seed=6)
    query = "role=builder&principle=disclosure"
    expected = Records().matching({"role": ["builder"], "principle": ["disclosure"]})
    assert expected
    listed = [c.slug for c in client.get(f"/cases/?{query}").context["cases"]]
    rows = list(csv.DictReader(io.StringIO(body(client.get(f"/cases/?{query}&format=csv")))))
    assert {r["slug"] for r in rows} == expected
    assert [r["slug"] for r in rows][: len(listed)] == listed  # in the list's order
    data = json.loads(body(client.get(f"/cases/?{query}&format=json")))
    assert [c["slug"] for c in data["results"]] == [r["slug"] for r in rows]
    assert data["filters"] == {"role": ["builder"], "principle": ["disclosure"]}
    assert all("applications" in c and "tags" in c for c in data["results"])


def test_spreadsheet_formulas_are_neutralised(casebase_data):
    case = CaseStudy.objects.get(slug="bbc")
    case.title = '=HYPERLINK("http://evil")'
    case.save()
    request = RequestFactory().get("/cases/")
    rows = list(
        csv.DictReader(io.StringIO(body(exports.cases_response(request, CaseFilter(QueryDict("")), "csv"))))
    )
    assert next(r for r in rows if r["slug"] == "bbc")["title"].startswith("'=")


def test_unknown_format_is_a_bad_request(casebase_data):
    request = RequestFactory().get("/cases/")
    assert exports.cases_response(request, CaseFilter(QueryDict("")), "xlsx").status_code == 400


def test_case_by_recommendation_table(client, casebase_data):
    make_cases(8, seed=8)
    response = client.get("/analysis/matrix.csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body(response))))
    header = rows[0]
    assert (
        header[:4] == ["slug", "title", "title_grade", "organization"]
        and "builders-2" in header
        and "distributors-4" in header
    )
    assert len(rows) - 1 == CaseStudy.objects.published().count()
    by_slug = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_slug["cbc-radio-canada"]["creators-3"] == "considered"
    assert by_slug["bbc"]["creators-3"] == "implemented" and by_slug["bbc"]["builders-2"] == ""
    # Each recommendation's coding comes with its grade and voices.
    assert (
        by_slug["bbc"]["creators-3__grade"] == "inferred"
        and by_slug["bbc"]["creators-3__voices"] == "editors"
    )
    confirmed = list(csv.reader(io.StringIO(body(client.get("/analysis/matrix.csv?evidence=confirmed")))))
    bbc = dict(zip(confirmed[0], next(r for r in confirmed[1:] if r[0] == "bbc"), strict=True))
    assert bbc["creators-3"] == ""  # an inferred coding is not evidence when only confirmed counts
    filtered = list(csv.reader(io.StringIO(body(client.get("/analysis/matrix.csv?cohort=2025")))))
    expected = set(CaseStudy.objects.published().filter(cohort__slug="2025").values_list("slug", flat=True))
    assert {"google", "code-for-africa", "meedan"} <= expected
    assert {r[0] for r in filtered[1:]} == expected


def test_export_reads_in_chunks(casebase_data, monkeypatch, django_assert_max_num_queries):
    """The export reads the cases a chunk at a time rather than loading every row: a few queries a chunk."""
    make_cases(12, seed=4)
    seen = []
    original = rows.chunked

    def spy(ids, size):
        for chunk in original(ids, size):
            seen.append(len(chunk))
            yield chunk

    monkeypatch.setattr(rows, "chunked", spy)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    published = CaseStudy.objects.published().count()
    request = RequestFactory().get("/cases/")
    CaseFilter(QueryDict("")).ids()  # the filter's own queries (the facet index) are not the export's
    for fmt in ("csv", "json"):
        seen.clear()
        with django_assert_max_num_queries(6 * -(-published // 5) + 10):
            body(exports.cases_response(request, CaseFilter(QueryDict("")), fmt))
        assert sum(seen) == published and max(seen) == 5
