import pytest

from tests.cases.factories import add_many_cases, assert_bounded_queries

pytestmark = pytest.mark.django_db


def test_home_shows_the_framework_at_a_glance_and_latest_cases(client, casebase_data):
    response = client.get("/")
    assert response.status_code == 200
    text = response.text
    assert "The Framework at a glance" in text
    assert 'href="/framework/2023/#section-builders"' in text
    assert "Latest cases" in text and 'class="card case-item"' in text
    assert 'action="/cases/"' in text


def test_query_count_does_not_grow_with_cases(client, casebase_data):
    assert_bounded_queries(client, "/", lambda: add_many_cases(40))


def test_section_counts_include_their_channels(client, casebase_data):
    from casebase.framework.models import Recommendation

    sections = {s.key: s.rec_count for s in client.get("/").context["sections"]}
    expected = Recommendation.objects.filter(section__key__startswith="distributors").count()
    assert expected == 5  # three for all distributors, one per channel
    assert sections["distributors"] == expected
    assert sections["builders"] == Recommendation.objects.filter(section__key="builders").count()
