"""The review queue: oldest first, filtered by status, organization, cohort and assignee."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casebase.cases.models import CaseStudy, Cohort
from casebase.submissions.models import Status, Submission


def titles(response):
    return [s.title for s in response.context["page"].object_list]


@pytest.fixture
def queue(make_submission, org_b, supporter_b, editor, admin_user):
    older = make_submission(Status.SUBMITTED)
    newer = make_submission(Status.IN_REVIEW)
    of_b = make_submission(Status.SUBMITTED, organization=org_b, by=supporter_b)
    draft = make_submission(Status.DRAFT)
    now = timezone.now()
    for n, submission in enumerate([older, newer, of_b]):
        content = dict(submission.content, title=f"Case {n}")
        Submission.objects.filter(pk=submission.pk).update(
            submitted_at=now - timedelta(days=10 - n), content=content
        )
    cohort = Cohort.objects.create(slug="2025", name="2025 cohort")
    CaseStudy.objects.filter(pk=of_b.case_id).update(cohort=cohort)
    Submission.objects.filter(pk=newer.pk).update(assignee=admin_user)
    return {"older": older, "newer": newer, "of_b": of_b, "draft": draft, "cohort": cohort}


@pytest.mark.django_db
def test_queue_lists_waiting_submissions_oldest_first(queue, editor_client):
    response = editor_client.get("/review/")
    assert titles(response) == ["Case 0", "Case 1", "Case 2"]
    assert "How Organization A" not in " ".join(titles(response)), "drafts are not in the queue"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=in_review", ["Case 1"]),
        ("status=draft", ["How Organization A labels synthetic audio"]),
        ("assignee=none", ["Case 0", "Case 2"]),
        ("assignee=me", []),
    ],
)
def test_queue_filters(queue, editor_client, query, expected):
    assert titles(editor_client.get(f"/review/?{query}")) == expected


@pytest.mark.django_db
def test_queue_filters_by_organization_cohort_and_named_assignee(queue, editor_client, org_b, admin_user):
    assert titles(editor_client.get(f"/review/?status=active&organization={org_b.pk}")) == ["Case 2"]
    assert titles(editor_client.get(f"/review/?status=active&cohort={queue['cohort'].pk}")) == ["Case 2"]
    assert titles(editor_client.get(f"/review/?status=active&assignee={admin_user.pk}")) == ["Case 1"]


@pytest.mark.django_db
def test_queue_runs_a_fixed_number_of_queries(queue, editor_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        editor_client.get("/review/")
