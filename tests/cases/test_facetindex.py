"""The facet index: the list page's filtering, ordering and counts agree with SQL, and it
is rebuilt after every content change when it is cached."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from casebase.cases import facetindex
from casebase.cases.filters import FACET_PARAMS, CaseFilter
from casebase.cases.models import APPLYING_STATUSES, Application, CaseStudy
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(casebase_data):
    """The real cases plus synthetic ones: undated cases, many organizations, drafts."""
    call_command("seed_synthetic", cases=80, seed=11, organizations=6, stdout=io.StringIO())


QUERIES = [
    "",
    "role=builder",
    "role=creator&role=distributor&principle=consent",
    "rec=builders-2&tag=watermarking",
    "cohort=2024-11&cohort=synthetic-2023-2",
    "org=bbc&org=tiktok",
    "sort=oldest",
    "sort=title&role=builder",
    "q=watermark",
    "q=watermark&sort=oldest",
    "q=synthetic+media&role=creator&sort=title",
    "q=consent+-label",
    "q=%22disclosure%22",
    "q=nothing-matches-this-at-all",
]


@pytest.mark.parametrize("query", QUERIES)
def test_ordered_ids_are_the_querysets_in_its_order(bank, query):
    by_sql = list(CaseFilter(QueryDict(query)).queryset.values_list("id", flat=True))
    by_index = CaseFilter(QueryDict(query)).ordered_ids()
    assert by_index == by_sql


def independent_count(param: str, value: str, others: QueryDict) -> int:
    """Published cases with ``value`` for ``param`` among those the other parameters select, by SQL."""
    within = CaseFilter(others).queryset.order_by().values("pk")
    cases = CaseStudy.objects.published().filter(pk__in=within)
    if param == "rec":
        return Application.objects.filter(
            case__in=cases, recommendation__key=value, status__in=APPLYING_STATUSES
        ).aggregate(n=Count("case", distinct=True))["n"]
    field = {
        "role": "roles",
        "principle": "principles",
        "tag": "tags",
        "org": "organization",
        "cohort": "cohort",
    }
    return cases.filter(**{f"{field[param]}__slug": value}).distinct().count()


@pytest.mark.parametrize("query", ["", "role=builder&principle=consent", "q=watermark&role=creator&role=builder"])
def test_every_facet_count_matches_sql(bank, query):
    params = QueryDict(query)
    facets = CaseFilter(params).facets()
    assert [f.param for f in facets] == list(FACET_PARAMS)
    checked = 0
    for facet in facets:
        others = params.copy()
        others.pop(facet.param, None)  # a facet's counts ignore its own selection
        for choice in facet.choices:
            assert choice.count == independent_count(facet.param, choice.value, others), (
                facet.param,
                choice.value,
            )
            checked += 1
    assert checked > 15


def test_values_no_case_has_are_left_out_unless_selected(bank):
    facets = {f.param: f for f in CaseFilter(QueryDict("org=bbc&role=creator")).facets()}
    assert all(choice.count > 0 or choice.active for f in facets.values() for choice in f.choices)
    assert [c.value for c in facets["org"].choices if c.active] == ["bbc"]


def test_a_recommendation_in_two_editions_counts_its_cases_once_under_its_key(casebase_data, org_a):
    index = facetindex.build()
    key = next(iter(index.masks["rec"]))
    expected = (
        Application.objects.filter(
            recommendation__key=key, status__in=APPLYING_STATUSES, case__status=CaseStudy.Status.PUBLISHED
        )
        .values("case")
        .distinct()
        .count()
    )
    assert index.count("rec", key) == expected > 0


def test_unpublished_cases_are_never_indexed(casebase_data, org_a):
    draft = make_case(org_a, "a-draft", roles=["builder"], status=CaseStudy.Status.DRAFT)
    index = facetindex.build()
    assert draft.pk not in index.ids
    assert len(index.ids) == CaseStudy.objects.published().count()


def test_an_empty_bank_has_an_empty_index(db):
    index = facetindex.build()
    assert index.ids == [] and index.everything == 0
    assert CaseFilter(QueryDict("q=anything&role=builder")).ordered_ids() == []


def test_every_combination_of_sort_and_search_agrees_with_sql(bank):
    for sort, q in itertools.product(["newest", "oldest", "title", "relevance"], ["", "labels"]):
        query = QueryDict(f"sort={sort}&q={q}")
        assert CaseFilter(query).ordered_ids() == list(
            CaseFilter(query).queryset.values_list("id", flat=True)
        )


class TestCached:
    """With FACET_INDEX_CACHE on (production), the index is built once per content version."""

    @pytest.fixture(autouse=True)
    def caching(self, settings):
        settings.FACET_INDEX_CACHE = True

    def test_built_once_then_reused(self, casebase_data):
        facetindex.current()
        with CaptureQueriesContext(connection) as again:
            facetindex.current()
            facetindex.search_hits("labels")
        with CaptureQueriesContext(connection) as hits_again:
            facetindex.search_hits("labels")
        assert len(again) == 1  # the search; the index came from memory
        assert len(hits_again) == 0

    def test_a_published_case_is_counted_once_its_transaction_commits(
        self, casebase_data, org_a, django_capture_on_commit_callbacks
    ):
        before = facetindex.current()
        with django_capture_on_commit_callbacks(execute=True):
            case = make_case(
                org_a, "newly-published", roles=["builder"], recs=[("builders-2", "implemented")]
            )
        after = facetindex.current()
        assert case.pk in after.ids and case.pk not in before.ids
        assert after.count("role", "builder") == before.count("role", "builder") + 1
        assert CaseFilter(QueryDict("role=builder")).ordered_ids()[0] == case.pk

    def test_search_hits_follow_content_changes(
        self, casebase_data, org_a, django_capture_on_commit_callbacks
    ):
        assert facetindex.search_hits("zanzibarian") == {}
        with django_capture_on_commit_callbacks(execute=True):
            case = make_case(org_a, "zanzibar", title="The zanzibarian approach")
        assert case.pk in facetindex.search_hits("zanzibarian")
