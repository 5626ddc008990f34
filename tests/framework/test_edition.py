"""/framework/ and /framework/<edition>/: sections, recommendations with case counts, principles, roles."""

import datetime

import pytest

from casebase.cases.models import Application
from casebase.framework.models import Edition, Recommendation, Section
from tests.cases.factories import add_many_cases, assert_bounded_queries, make_case

pytestmark = pytest.mark.django_db


def test_current_edition_with_sections_and_channels(client, casebase_data):
    response = client.get("/framework/")
    assert response.status_code == 200
    text = response.text
    assert casebase_data.title in text
    for section in Section.objects.filter(edition=casebase_data):
        assert section.title in text
    assert "Channels hosting first-party content" in text and "Channels hosting third-party content" in text
    # Every recommendation, linked, with its principles; only No. 20 shows an official number.
    for rec in Recommendation.objects.filter(edition=casebase_data):
        assert f'href="/recommendations/{rec.key}/"' in text
    assert "No. 20" in text and "No. 1<" not in text
    assert 'class="flag flag-unverified"' in text
    assert "Principles" in text and "Consent" in text and "Stakeholder roles" in text
    assert (
        "at least 20 practices" in text and "Casebase holds <strong>16</strong>" in text
    )  # not the whole edition


def test_case_counts_are_published_cases_applying_each_recommendation(client, casebase_data, org_a):
    make_case(org_a, "draft", published=False, recs=[("builders-2", "implemented")])
    make_case(org_a, "na", recs=[("builders-2", "not_applicable")])
    response = client.get("/framework/2023/")
    recs = [
        rec
        for section in response.context["sections"]
        for s in [section, *section.subsections]
        for rec in s.recs
    ]
    assert len(recs) == Recommendation.objects.filter(edition=casebase_data).count()
    for rec in recs:
        expected = (
            Application.objects.filter(
                recommendation__key=rec.key, status__in=Application.APPLYING, case__is_published=True
            )
            .values("case")
            .distinct()
            .count()
        )
        assert rec.case_count == expected, rec.key
    assert any(rec.case_count for rec in recs)


def test_edition_pages_and_unknown_editions(client, casebase_data):
    older = Edition.objects.create(slug="2022", title="Draft edition", published_on=datetime.date(2022, 1, 1))
    assert client.get("/framework/2022/").status_code == 200
    assert 'href="/framework/2022/"' in client.get("/framework/").text  # listed among editions
    assert older.title in client.get("/framework/2022/").text
    assert client.get("/framework/1999/").status_code == 404
    assert client.get("/framework/%3Cscript%3E/").status_code == 404


def test_query_count_does_not_grow_with_cases(client, casebase_data):
    assert_bounded_queries(client, "/framework/", lambda: add_many_cases(40))
