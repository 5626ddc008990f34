"""/cases/<slug>/: every field, applications, tags, related cases, flags; 404 unless published."""

import pytest

from casebase.cases.models import CaseStudy
from tests.cases.factories import add_many_cases, assert_bounded_queries, make_case

pytestmark = pytest.mark.django_db


def test_shows_the_case_and_its_applications(client, casebase_data):
    response = client.get("/cases/bbc/")
    assert response.status_code == 200
    text = response.text
    case = CaseStudy.objects.get(slug="bbc")
    assert case.title in text
    assert case.framing_question in text
    assert 'href="/organizations/bbc/"' in text
    assert "March 2024" in text
    assert case.source_url in text
    # applications with status badge, justification, whose voice and how sure (inferred, flagged)
    assert "status-implemented" in text and "Implemented" in text
    assert "According to Casebase editors" in text and "flag-inferred" in text
    assert 'href="/recommendations/creators-3/"' in text
    # tags link to filtered lists
    assert 'href="/cases/?role=creator"' in text
    assert 'href="/cases/?principle=consent"' in text
    assert "?tag=face-swapping" in text
    assert "Record last changed" in text
    assert "Cite this case" in text and "History" in text


def test_body_sections_render_as_numbered_headings(client, casebase_data, org_a):
    make_case(org_a, "with-body", body="We **labelled** everything.\n\n<script>alert(1)</script>")
    text = client.get("/cases/with-body/").text
    assert "<h2>1. What happened</h2>" in text
    assert "<strong>labelled</strong>" in text
    assert "<script>alert(1)</script>" not in text


def test_stubs_and_unverified_facts_are_flagged(client, casebase_data):
    text = client.get("/cases/adobe/").text
    assert "This case is a stub" in text
    assert 'class="flag flag-inferred"' in text
    assert "Partly unverified" in text


def test_related_cases_share_recommendations_or_tags_most_first(client, casebase_data, org_a):
    base = make_case(
        org_a,
        "base",
        tags=["alpha", "beta"],
        recs=[("collective-1", "implemented"), ("creators-2", "partial")],
    )
    make_case(org_a, "shares-three", tags=["alpha", "beta"], recs=[("collective-1", "implemented")])
    make_case(org_a, "shares-one", tags=["alpha"])
    make_case(org_a, "shares-only-na", recs=[("creators-2", "not_applicable")])
    make_case(org_a, "unpublished-twin", tags=["alpha", "beta"], published=False)
    response = client.get(base.get_absolute_url())
    related = [c.slug for c in response.context["related"]]
    assert related[:2] == ["shares-three", "shares-one"]
    assert "shares-only-na" not in related and "unpublished-twin" not in related and "base" not in related


@pytest.mark.parametrize("client_fixture", ["anon_client", "supporter_a_client", "supporter_b_client"])
def test_unpublished_cases_are_not_found_by_the_public(request, casebase_data, org_a, client_fixture):
    make_case(org_a, "draft-case", published=False)
    assert request.getfixturevalue(client_fixture).get("/cases/draft-case/").status_code == 404


def test_staff_can_preview_unpublished_cases(editor_client, casebase_data, org_a):
    make_case(org_a, "draft-case", published=False)
    response = editor_client.get("/cases/draft-case/")
    assert response.status_code == 200
    assert "Not published." in response.text


def test_unknown_slugs_are_404(client, casebase_data):
    for slug in ["nope", "a" * 300, "%3Cscript%3E", "bbc%00"]:
        response = client.get(f"/cases/{slug}/")
        assert response.status_code == 404, slug
        assert "<script>" not in response.text


def test_query_count_does_not_grow_with_cases(client, casebase_data, org_a):
    case = make_case(
        org_a, "probe", tags=["provenance", "labels"], roles=["builder"], recs=[("builders-2", "implemented")]
    )
    assert_bounded_queries(client, case.get_absolute_url(), lambda: add_many_cases(40))


def test_history_names_its_dates_apart_and_none_contradicts_another(client, casebase_data):
    """The content's publication (March 2024) and the record's last change are different dates
    with different names; no "last updated" earlier than the record's own last change."""
    import datetime

    from django.utils import timezone

    changed = timezone.make_aware(datetime.datetime(2026, 12, 2, 10, 0))
    CaseStudy.objects.filter(slug="bbc").update(updated_at=changed)
    text = client.get("/cases/bbc/").content.decode()
    history = text.split('id="history-heading"')[1]
    assert "First published</dt><dd>March 2024" in history.replace("\n", "")
    assert 'Record last changed</dt><dd><time datetime="2026-12-02">2 December 2026</time>' in history
    assert "Last updated" not in text
    assert "No revision of this case has been published" in history
