"""The facet index behind the filter engine: what it holds, and that it follows every content
change, in the transaction that makes it and in every other once it commits."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from casebase.cases import facetindex
from casebase.cases.filters import CaseFilter
from casebase.cases.models import Application, CaseStudy
from casebase.core import pagecache
from tests.cases.factories import make_case
from tests.independent import Records

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("evidence", ["all", "confirmed"])
def test_a_recommendation_counts_its_cases_once_under_its_key(casebase_data, evidence):
    lens = facetindex.build().lens(evidence)
    records = Records(evidence)
    counted = 0
    for key in lens.index.rec_ids:
        assert lens.count("rec", key) == len(records.matching({"rec": [key]})), key
        counted += lens.count("rec", key)
    assert counted > 0 or evidence == "confirmed"


def test_statuses_are_kept_per_recommendation(casebase_data, org_a):
    case = make_case(org_a, "not-applicable", recs=[("builders-2", "not_applicable")])
    index = facetindex.build()
    rec = Application.objects.get(case=case).recommendation
    position = index.position[case.pk]
    lens = index.lens()
    assert lens.with_status(rec.pk, "not_applicable") >> position & 1
    assert not lens.applying(rec.pk) >> position & 1


def test_unpublished_cases_are_never_indexed(casebase_data, org_a):
    draft = make_case(org_a, "a-draft", roles=["builder"], published=False)
    index = facetindex.build()
    assert draft.pk not in index.ids
    assert len(index.ids) == CaseStudy.objects.published().count()


def test_an_empty_bank_has_an_empty_index(empty_site):
    index = facetindex.build()
    assert index.ids == [] and index.everything == 0
    assert CaseFilter(QueryDict("q=anything&role=builder")).ids() == []


def test_built_once_per_content_version_then_reused(casebase_data):
    facetindex.current()
    with CaptureQueriesContext(connection) as again:
        facetindex.current()
        facetindex.search_hits("labels")
    with CaptureQueriesContext(connection) as hits_again:
        facetindex.search_hits("labels")
    # One read, the search's (PostgreSQL sets the planner up for it around that); the index
    # came from memory.
    reads = [q["sql"] for q in again if q["sql"].startswith("SELECT") and "set_config" not in q["sql"]]
    assert len(reads) == 1
    assert len(hits_again) == 0


def test_a_change_is_seen_at_once_by_the_transaction_that_makes_it(casebase_data, org_a):
    before = facetindex.current()
    case = make_case(org_a, "newly-published", roles=["builder"], recs=[("builders-2", "implemented")])
    after = facetindex.current()
    assert case.pk in after.ids and case.pk not in before.ids
    assert after.lens().count("role", "builder") == before.lens().count("role", "builder") + 1
    assert case.pk in CaseFilter(QueryDict("role=builder")).ids()


def test_a_new_version_starts_again_when_the_change_commits(
    casebase_data, org_a, django_capture_on_commit_callbacks
):
    """What another process built from the old data meanwhile is not kept."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_case(org_a, "committed-later")
        during = pagecache.content_version()
    assert pagecache.bump in callbacks
    for callback in callbacks:
        callback()
    assert pagecache.content_version() != during


def test_a_draft_keeps_the_index(casebase_data, org_a):
    version = pagecache.content_version()
    make_case(org_a, "a-quiet-draft", published=False, roles=["builder"])
    assert pagecache.content_version() == version


def test_search_hits_follow_content_changes(casebase_data, org_a):
    assert facetindex.search_hits("zanzibarian") == facetindex.Hits(0, [])
    case = make_case(org_a, "zanzibar", title="The zanzibarian approach")
    hits = facetindex.search_hits("zanzibarian")
    position = facetindex.current().position[case.pk]
    assert hits.order == [position] and hits.mask == 1 << position
