"""/recommendations/<key>/: the recommendation and every published case applying it, by status."""

import datetime

import pytest

from casebase.framework.models import Edition, Recommendation, Section
from tests.cases.factories import add_many_cases, assert_bounded_queries, make_case

pytestmark = pytest.mark.django_db


def test_recommendation_with_cases_grouped_by_status(client, casebase_data, org_a):
    make_case(org_a, "considered-it", title="Considered it", recs=[("builders-2", "considered")])
    make_case(org_a, "not-for-us", title="Not for us", recs=[("builders-2", "not_applicable")])
    make_case(
        org_a,
        "hidden",
        title="Hidden draft",
        published=False,
        recs=[("builders-2", "implemented")],
    )
    response = client.get("/recommendations/builders-2/")
    assert response.status_code == 200
    text = response.text
    rec = Recommendation.objects.get(key="builders-2")
    assert rec.title in text and "builders-2" in text
    # Its number is not established and its wording is Casebase's, unverified: both say so.
    assert "Not yet verified" in text and 'class="flag flag-unverified"' in text
    assert "Text paraphrased by Casebase" in text
    assert "Disclosure" in text and "Builder" in text  # principles and roles
    groups = {g["status"]: [e["case"].slug for e in g["entries"]] for g in response.context["groups"]}
    assert list(groups) == ["implemented", "partial", "considered", "not_applicable"]
    assert "considered-it" in groups["considered"] and "not-for-us" in groups["not_applicable"]
    assert "hidden" not in sum(groups.values(), [])
    assert "Hidden draft" not in text
    assert "Why considered-it relates to builders-2." in text  # justification
    assert "A passage from the case." in text  # excerpt
    assert "According to Casebase editors" in text  # whose coding it is
    assert 'href="/cases/?rec=builders-2"' in text


def test_official_number_only_when_verified(client, casebase_data):
    numbered = Recommendation.objects.get(official_number=20)
    text = client.get(numbered.get_absolute_url()).text
    assert "No. 20" in text and "(official)" in text


def test_falls_back_to_the_latest_edition_that_has_the_key(client, casebase_data):
    casebase_data.is_current = False
    casebase_data.save()
    newer = Edition.objects.create(
        slug="2025", title="Second edition", is_current=True, published_on=datetime.date(2025, 3, 1)
    )
    section = Section.objects.create(edition=newer, key="builders", title="Builders", order=2)
    old = Recommendation.objects.get(key="builders-2")
    Recommendation.objects.create(
        edition=newer, section=section, key="builders-2", title="Renamed builders two", previous=old
    )
    # Current edition first when it has the key...
    response = client.get("/recommendations/builders-2/")
    assert response.context["rec"].edition == newer
    assert "Renamed builders two" in response.text
    # ...and cases written against the older edition still resolve here (crosswalk).
    assert response.context["applying_count"] > 0
    # A key the current edition dropped falls back to the latest edition that has it.
    response = client.get("/recommendations/creators-1/")
    assert response.status_code == 200
    assert response.context["rec"].edition == casebase_data
    assert "the current edition has no recommendation with the key" in response.text


def test_unknown_keys_are_404(client, casebase_data):
    for key in ["nope", "builders-99", "%3Cscript%3E", "x" * 200]:
        response = client.get(f"/recommendations/{key}/")
        assert response.status_code == 404, key
        assert "<script>" not in response.text


def test_query_count_does_not_grow_with_cases(client, casebase_data):
    assert_bounded_queries(client, "/recommendations/builders-2/", lambda: add_many_cases(40))
