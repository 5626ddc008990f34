"""casebase.cases.filters.CaseFilter, the parser the list page, exports and API share."""

import pytest
from django.http import QueryDict

from casebase.cases.filters import CaseFilter
from casebase.cases.models import CaseStudy
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


def test_parses_repeatable_parameters_and_reports_unknown_values(casebase_data):
    f = CaseFilter(QueryDict("role=builder&role=Creator&role=ghost&rec=builders-2&rec=zzz-9&sort=bogus"))
    assert f.selected["role"] == {"builder": "Builder", "creator": "Creator"}
    assert list(f.selected["rec"]) == ["builders-2"]
    assert f.unknown == {"role": ["ghost"], "rec": ["zzz-9"], "sort": ["bogus"]}
    assert len(f.messages) == 3
    assert f.sort == "newest"


def test_queryset_is_published_filtered_and_ordered(casebase_data, org_a):
    make_case(org_a, "draft", roles=["builder"], status=CaseStudy.Status.DRAFT)
    f = CaseFilter(QueryDict("role=builder&sort=title"))
    titles = list(f.queryset.values_list("title", flat=True))
    assert titles == sorted(titles)
    assert set(f.queryset.values_list("slug", flat=True)) == set(
        CaseStudy.objects.published().filter(roles__slug="builder").values_list("slug", flat=True)
    )


def test_accepts_a_base_queryset(casebase_data):
    base = CaseStudy.objects.filter(organization__slug="bbc")
    assert list(CaseFilter(QueryDict(""), base_queryset=base).queryset.values_list("slug", flat=True)) == [
        "bbc"
    ]


def test_urls_keep_state_and_drop_unknown_values(casebase_data):
    f = CaseFilter(QueryDict("q=labels&role=builder&role=ghost&sort=title&page=3"))
    assert f.url() == "?q=labels&role=builder&sort=title"
    assert f.clear_url() == "?q=labels&sort=title"
    assert f.active[0].remove_url == "?q=labels&sort=title"


def test_control_characters_and_overlong_values_are_harmless(casebase_data):
    f = CaseFilter(QueryDict("q=a%00b%01c&org=" + "x" * 500))
    assert f.q == "a b c"
    assert f.unknown["org"] == ["x" * 100]
    assert list(f.queryset) is not None
