"""No request to the API gives a server error, whatever its parameters."""

from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PARAMS = ["role", "principle", "org", "cohort", "rec", "tag", "clause", "q", "sort", "page", "page_size",
          "edition", "section", "kind", "format", "ordering", "recommendation", "organization", "cycle",
          "status", "evidence"]  # fmt: skip
ENDPOINTS = [
    "editions",
    "sections",
    "recommendations",
    "organizations",
    "cases",
    "analyses",
    "cycles",
    "commitments",
]
KNOWN = ["builder", "disclosure", "bbc", "2024-03", "builders-2", "provenance", "2023", "media", "1", "0", "-1",
         "200", "99999999999999999999", "newest", "relevance", "json", "api", "planned", "confirmed",
         "eu-ai-act-art-50-2"]  # fmt: skip

values = st.one_of(
    st.sampled_from(KNOWN), st.text(max_size=40), st.text(alphabet="\x00%'\";<>&=/\\", max_size=10)
)
queries = st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=6)

HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
@HYPOTHESIS
@given(endpoint=st.sampled_from(ENDPOINTS), query=queries)
def test_lists_never_fail(client, endpoint, query):
    cache.clear()  # stay under the anonymous throttle
    response = client.get(f"/api/{endpoint}/?{urlencode(query)}")
    assert response.status_code < 500, (endpoint, query, response.status_code)
    assert response.status_code in (200, 400, 404)


@pytest.mark.django_db
@HYPOTHESIS
@given(endpoint=st.sampled_from(ENDPOINTS), lookup=st.one_of(st.sampled_from(KNOWN), st.text(max_size=60)))
def test_details_never_fail(client, endpoint, lookup):
    cache.clear()
    response = client.get(f"/api/{endpoint}/{quote(lookup, safe='')}/")
    assert response.status_code in (200, 404), (endpoint, lookup, response.status_code)


@pytest.fixture
def loaded(casebase_data):
    return casebase_data


@HYPOTHESIS
@given(query=queries)
def test_case_filters_never_fail_on_real_data(client, loaded, query):
    cache.clear()
    response = client.get(f"/api/cases/?{urlencode(query)}")
    assert response.status_code in (200, 404), (query, response.status_code)
    assert response["Content-Type"] == "application/json"
