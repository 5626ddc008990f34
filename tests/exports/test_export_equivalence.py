"""The exports write exactly what the straightforward model-instance readers write (tests/exports/reference.py).

On the real cases, synthetic ones (every grade and voice, second codings) and a few
awkward ones: fields with their own provenance (one of them not valid), co-authors,
refuted links, formula-like and non-ASCII text, cases without cohort, edition or date.
Under both evidence settings, a voice filter, facet filters and every sort.
"""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.test import RequestFactory

from casebase.cases import exports
from casebase.cases.filters import CaseFilter
from casebase.cases.models import (
    Application,
    CaseCredit,
    CaseStudy,
    TaggedPrinciple,
    TaggedRole,
)
from casebase.datasets import snapshot
from casebase.framework.models import Edition
from casebase.organizations.models import Organization
from tests.analysis.conftest import make_cases
from tests.exports import reference

QUERIES = [
    "",
    "evidence=confirmed",
    "voice=pai",
    "voice=supporter&voice=editors&evidence=confirmed",
    "role=creator",
    "principle=consent&sort=title",
    "sort=oldest",
    "cohort=2025",
]


@pytest.fixture
def awkward(casebase_data):
    call_command("seed_synthetic", cases=30, seed=9, stdout=io.StringIO())
    make_cases(8, seed=3)
    bbc = CaseStudy.objects.get(slug="bbc")
    # Fields with their own provenance; the summary's is not a valid one (an older row) and is ignored.
    CaseStudy.objects.filter(pk=bbc.pk).update(
        title='=HYPERLINK("http://evil") — “Ünïcode”',
        field_sources={
            "title": {"grade": "inferred", "voice": "pai", "checked_on": "2024-02-03"},
            "organization": {"grade": "recalled", "note": "From memory"},
            "published_on": {"grade": "corroborated", "source_url": "https://example.org/x"},
            "official_url": {"grade": "inferred"},
            "summary": {"grade": "bogus", "locator": "§ 2"},
            "authors": {"voice": "supporter"},
            "_refuted": [{"field": "title", "value": "Old", "refuted_by": "x", "note": ""}],
        },
        checked_on=datetime.date(2025, 5, 6),
        checked_by="An editor",
        locator="p. 3",
        evidence_note='Line one\nline two, "quoted"',
        authors=["A. Person", "B. Ñame"],
        official_url="https://example.org/bbc",
    )
    others = list(Organization.objects.exclude(pk=bbc.organization_id).order_by("slug")[:3])
    CaseCredit.objects.create(case=bbc, organization=others[0], grade="inferred", voice="pai")
    CaseCredit.objects.create(case=bbc, organization=others[1], grade="refuted")
    CaseCredit.objects.create(
        case=bbc, organization=others[2], grade="confirmed", checked_on=datetime.date(2024, 1, 1)
    )
    TaggedRole.objects.filter(content_object=bbc).update(grade="refuted")
    TaggedPrinciple.objects.filter(content_object_id=bbc.pk).update(grade="recalled", voice="supporter")
    bbc.tags.add("Ünïcode topic", "-leading dash", "Zebra", "apple")
    bare = CaseStudy.objects.published().exclude(pk=bbc.pk).order_by("slug").first()
    CaseStudy.objects.filter(pk=bare.pk).update(
        cohort=None, edition=None, published_on=None, official_url="", title="+1 \t tab"
    )
    first = Application.objects.filter(case=bbc).order_by("pk").first()
    Application.objects.filter(pk=first.pk).update(
        excerpt="“A quote”\nover two lines", locator="¶4", checked_on=datetime.date(2023, 9, 9)
    )
    return bbc


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_csv_is_what_the_reference_writes(awkward):
    columns = [name for name, _ in exports.CASE_COLUMNS]
    for query in QUERIES:
        params = QueryDict(query)
        response = exports.cases_response(RequestFactory().get("/cases/"), CaseFilter(params), "csv")
        rows = list(csv.reader(io.StringIO(_body(response))))
        expected = reference.csv_rows(CaseFilter(params), columns)
        assert len(expected) > 1, query
        assert rows == expected, query


def test_json_is_what_the_reference_writes(awkward):
    for query in QUERIES:
        params = QueryDict(query)
        response = exports.cases_response(RequestFactory().get("/cases/", params), CaseFilter(params), "json")
        text = _body(response)
        expected = reference.json_results(CaseFilter(params))
        assert json.loads(text)["results"] == expected, query
        # The text too: each case on a line of its own, as json.dumps writes it.
        head, _, rest = text.partition(', "results": [')
        lines = [
            ("," if i else "") + "\n" + json.dumps(case, ensure_ascii=False)
            for i, case in enumerate(expected)
        ]
        assert rest == "".join(lines) + "\n]}\n", query
        assert re.fullmatch(r'\{"generated_at": "[^"]+", "filters": .*', head), query


def test_case_by_recommendation_is_what_the_reference_writes(awkward):
    edition = Edition.objects.get(is_current=True)
    keys = list(
        edition.recommendations.order_by("section__order", "order", "key").values_list("key", flat=True)
    )
    for query in ["", "evidence=confirmed&voice=pai", "org=bbc&org=google"]:
        params = QueryDict(query)
        response = exports.case_recommendation_response(CaseFilter(params), edition)
        rows = list(csv.reader(io.StringIO(_body(response))))
        expected = reference.case_recommendation_rows(CaseFilter(params), keys, exports.WIDE_CASE_COLUMNS)
        assert rows == expected, query


def test_snapshot_cases_are_what_the_reference_writes(awkward):
    day = datetime.date(2026, 1, 2)
    built = snapshot.build(day)
    assert built["data"]["cases"] == reference.snapshot_cases()
    text = "".join(snapshot.stream(day))
    assert text == snapshot.dumps(built)
