import pytest

from casebase.organizations.models import Organization
from tests.cases.factories import add_many_cases, assert_bounded_queries

pytestmark = pytest.mark.django_db


def test_lists_supporters_with_kind_roles_joined_and_case_counts(client, casebase_data):
    response = client.get("/organizations/")
    assert response.status_code == 200
    text = response.text
    assert len(response.context["supporters"]) == Organization.objects.filter(is_supporter=True).count() == 18
    assert "February 2023" in text and "Later cohort (date not established)" in text
    assert 'class="flag flag-inferred"' in text  # roles are inferred for some supporters
    assert 'href="/organizations/bbc/"' in text
    assert 'href="/cases/?org=bbc"' in text
    assert "Other participants" in text  # PAI itself is not a supporter


def test_query_count_does_not_grow_with_cases(client, casebase_data):
    assert_bounded_queries(client, "/organizations/", lambda: add_many_cases(40))
