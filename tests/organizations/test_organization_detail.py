import pytest

from tests.cases.factories import add_many_cases, assert_bounded_queries, make_case

pytestmark = pytest.mark.django_db


def test_shows_the_organization_and_its_published_cases(client, casebase_data):
    response = client.get("/organizations/adobe/")
    assert response.status_code == 200
    text = response.text
    assert "Adobe" in text and "Industry" in text and "February 2023 (launch partner)" in text
    assert "Builder" in text and 'class="flag flag-inferred"' in text
    assert [c.slug for c in response.context["cases"]] == ["adobe"]


def test_hides_unpublished_cases(client, casebase_data, org_a):
    make_case(org_a, "org-a-draft", title="Org A draft", published=False)
    make_case(org_a, "org-a-live", title="Org A live")
    text = client.get("/organizations/org-a/").text
    assert "Org A live" in text and "Org A draft" not in text


def test_unknown_organizations_are_404(client, casebase_data):
    for slug in ["nobody", "%3Cscript%3E", "a" * 200]:
        response = client.get(f"/organizations/{slug}/")
        assert response.status_code == 404, slug
        assert "<script>" not in response.text


def test_query_count_does_not_grow_with_cases(client, casebase_data):
    assert_bounded_queries(
        client, "/organizations/adobe/", lambda: add_many_cases(40, organization_slug="adobe")
    )
