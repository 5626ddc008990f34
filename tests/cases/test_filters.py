"""casebase.cases.filters.CaseFilter, the one definition of which published cases match and in
which order: checked against an independent account of the records (tests.independent)."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.http import QueryDict

from casebase.cases.filters import FACET_PARAMS, CaseFilter
from casebase.cases.models import CaseStudy
from tests.cases.factories import make_case
from tests.independent import Records

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def synthetic_bank(real_data, django_db_blocker):
    """The real cases plus synthetic ones (many organizations, drafts), seeded once for the module."""
    with django_db_blocker.unblock():
        call_command("seed_synthetic", cases=80, seed=11, organizations=6, stdout=io.StringIO())


@pytest.fixture
def bank(synthetic_bank, casebase_data):
    return synthetic_bank


def expected_ids(query: str, records: Records | None = None) -> list[int]:
    """The ids /cases/?<query> must list, in order, worked out without the engine."""
    params = QueryDict(query)
    records = records or Records()
    facets = {p: [v.lower() for v in params.getlist(p)] for p in FACET_PARAMS if params.getlist(p)}
    ids = records.matching_ids(facets)
    q = params.get("q", "")
    sort = params.get("sort") or ("relevance" if q else "newest")
    if sort == "relevance" and not q:
        sort = "newest"
    if q:
        hits = dict(CaseStudy.objects.published().search(q).values_list("id", "rank"))
        if not ids & set(hits):
            hits = dict(CaseStudy.objects.published().fuzzy_search(q).values_list("id", "rank"))
        ids &= set(hits)
    newest = records.newest_first(ids)
    if sort == "oldest":
        return newest[::-1]
    if sort == "title":
        return [i for i in CaseStudy.objects.order_by("title", "id").values_list("id", flat=True) if i in ids]
    if sort == "relevance":
        return sorted(newest, key=lambda i: -hits[i])  # stable: equal ranks stay newest first
    return newest


QUERIES = [
    "",
    "role=builder",
    "role=creator&role=distributor-first-party&principle=consent",
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
def test_lists_exactly_the_matching_published_cases_in_order(bank, query):
    assert CaseFilter(QueryDict(query)).ids() == expected_ids(query)


def test_every_combination_of_sort_and_search(bank):
    for sort, q in itertools.product(["newest", "oldest", "title", "relevance"], ["", "labels"]):
        query = f"sort={sort}&q={q}"
        assert CaseFilter(QueryDict(query)).ids() == expected_ids(query), query


def test_undated_cases_are_the_newest_and_the_oldest_order_is_the_reverse(casebase_data, org_a):
    undated = make_case(org_a, "undated", published_on=None)
    newest = CaseFilter(QueryDict("")).ids()
    assert newest[0] == undated.pk
    assert CaseFilter(QueryDict("sort=oldest")).ids() == newest[::-1]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "role=builder&principle=consent",
        "q=watermark&role=creator&role=builder",
        # A value already chosen in a facet: adding another gives the cases with either.
        "role=builder",
        "cohort=2024-11&principle=consent",
    ],
)
def test_every_facet_count_is_the_number_its_link_lists(bank, query):
    params = QueryDict(query)
    case_filter = CaseFilter(params)
    facets = case_filter.facets()
    assert [f.param for f in facets] == list(FACET_PARAMS)
    records = Records()
    checked = 0
    for facet in facets:
        for choice in facet.choices:
            if choice.active:
                # Its link removes it; its number is how many of the cases shown have it.
                shown = set(expected_ids(query, records))
                alone = params.copy()
                alone.setlist(facet.param, [choice.value])
                having = shown & set(expected_ids(alone.urlencode(), records))
                assert choice.count == len(having), (facet.param, choice.value)
            else:
                linked = choice.url.removeprefix("?")
                assert choice.count == len(expected_ids(linked, records)), (facet.param, choice.value)
                assert choice.count == CaseFilter(QueryDict(linked)).count
            checked += 1
    assert checked > 15


def test_values_no_case_has_are_left_out_unless_selected(bank):
    facets = {f.param: f for f in CaseFilter(QueryDict("org=bbc&role=creator")).facets()}
    assert all(choice.count > 0 or choice.active for f in facets.values() for choice in f.choices)
    assert [c.value for c in facets["org"].choices if c.active] == ["bbc"]


def test_parses_repeatable_parameters_and_reports_unknown_values(casebase_data):
    f = CaseFilter(QueryDict("role=builder&role=Creator&role=ghost&rec=builders-2&rec=zzz-9&sort=bogus"))
    assert f.selected["role"] == {"builder": "Builder", "creator": "Creator"}
    assert list(f.selected["rec"]) == ["builders-2"]
    assert f.unknown == {"role": ["ghost"], "rec": ["zzz-9"], "sort": ["bogus"]}
    assert len(f.messages) == 3
    assert f.sort == "newest"


def test_reads_only_published_cases(casebase_data, org_a):
    draft = make_case(org_a, "draft", roles=["builder"], published=False)
    f = CaseFilter(QueryDict("role=builder&sort=title"))
    titles = [case.title for case in f.cases()]
    assert titles == sorted(titles) and titles
    assert draft.pk not in f.ids()
    assert set(f.ids()) == Records().matching_ids({"role": ["builder"]})


def test_reads_a_plain_dict_of_lists_too(casebase_data):
    assert CaseFilter({"org": ["bbc"]}).ids() == list(
        CaseStudy.objects.filter(slug="bbc").values_list("pk", flat=True)
    )


def test_only_reads_the_parameters_it_is_given(casebase_data):
    f = CaseFilter(QueryDict("org=bbc&role=builder"), only=("role",))
    assert list(f.selected) == ["role"]


def test_urls_keep_state_and_drop_unknown_values(casebase_data):
    f = CaseFilter(QueryDict("q=labels&role=builder&role=ghost&sort=title&page=3"))
    assert f.url() == "?q=labels&role=builder&sort=title"
    assert f.clear_url() == "?q=labels&sort=title"
    assert f.active[0].remove_url == "?q=labels&sort=title"


def test_control_characters_and_overlong_values_are_harmless(casebase_data):
    f = CaseFilter(QueryDict("q=a%00b%01c&org=" + "x" * 500))
    assert f.q == "a b c"
    assert f.unknown["org"] == ["x" * 100]
    assert f.ids() == expected_ids("q=a+b+c")
