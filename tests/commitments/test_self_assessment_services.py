"""The yearly review's services: cycles, statements per role, drafts, submission, review."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from casebase.commitments import services
from casebase.commitments.models import Feedback, SelfAssessment, Statement

pytestmark = pytest.mark.django_db


def rows(assessment, **values):
    """A complete row for every statement (``values`` override per recommendation key)."""
    data = {}
    for statement in assessment.statements.select_related("recommendation"):
        row = {"status": "practised", "justification": "We do it.", "planned_measure": "", "planned_by": None}
        row |= values.get(statement.recommendation.key, {})
        data[statement.recommendation_id] = row
    return data


def started(cycle, org, user):
    return services.start_assessment(cycle=cycle, organization=org, by=user).assessment


def test_statements_follow_the_organizations_roles(cycle, org_a, org_b, supporter_a, supporter_b):
    a = started(cycle, org_a, supporter_a)
    assert sorted(a.statements.values_list("recommendation__key", flat=True)) == ["builders-1", "builders-2"]
    # B has no roles recorded: it answers every recommendation.
    b = started(cycle, org_b, supporter_b)
    assert b.statements.count() == 3
    assert services.recommendations_for(cycle, org_b)[1] is False
    # Starting again gives the same assessment, untouched.
    again = services.start_assessment(cycle=cycle, organization=org_a, by=supporter_a)
    assert again.assessment.pk == a.pk and not again.is_new


def test_another_organization_cannot_start_or_save(cycle, org_a, supporter_a, supporter_b):
    with pytest.raises(PermissionDenied):
        services.start_assessment(cycle=cycle, organization=org_a, by=supporter_b)
    a = started(cycle, org_a, supporter_a)
    with pytest.raises(PermissionDenied):
        services.save_assessment(assessment=a, data=rows(a), version=a.version, by=supporter_b)


def test_draft_save_submit_publish(
    cycle, cases, org_a, supporter_a, editor, django_capture_on_commit_callbacks
):
    a = started(cycle, org_a, supporter_a)
    data = rows(
        a,
        **{
            "builders-1": {
                "evidence": [cases["org-a"].pk],
                "feedback_text": "Unclear.",
                "feedback_kind": "unclear",
            }
        },
    )
    a = services.save_assessment(assessment=a, data=data, version=1, by=supporter_a)
    assert a.version == 2 and a.status == SelfAssessment.Status.DRAFT
    statement = a.statements.get(recommendation__key="builders-1")
    assert list(statement.evidence_cases.all()) == [cases["org-a"]]
    feedback = Feedback.objects.get(statement=statement)
    assert (feedback.kind, feedback.text, feedback.organization, feedback.tagged_by) == (
        "unclear",
        "Unclear.",
        org_a,
        None,
    )
    assert list(feedback.recommendations.all()) == [statement.recommendation]
    assert not Statement.objects.public().exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_assessment(assessment=a, by=supporter_a)
    assert mail.outbox and mail.outbox[0].to == ["editor@example.org"]
    assert not Statement.objects.public().exists(), "submitted is not public"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        a = services.publish_assessment(assessment=a, by=editor)
    assert a.status == "published" and a.published_at is not None
    assert mail.outbox[0].to == ["supporter_a@example.org"] and "published" in mail.outbox[0].subject
    assert Statement.objects.public().count() == 2


def test_stale_version_is_a_conflict(cycle, org_a, supporter_a):
    a = started(cycle, org_a, supporter_a)
    services.save_assessment(assessment=a, data=rows(a), version=1, by=supporter_a)
    with pytest.raises(services.EditConflict):
        services.save_assessment(assessment=a, data=rows(a), version=1, by=supporter_a)


def test_submit_needs_every_row_complete(cycle, org_a, supporter_a):
    a = started(cycle, org_a, supporter_a)
    data = rows(a, **{"builders-1": {"status": "planned"}, "builders-2": {"justification": ""}})
    services.save_assessment(assessment=a, data=data, version=1, by=supporter_a)
    with pytest.raises(services.NotReadyForReview) as error:
        services.submit_assessment(assessment=a, by=supporter_a)
    by_key = {
        a.statements.get(recommendation_id=pk).recommendation.key: v for pk, v in error.value.missing.items()
    }
    assert set(by_key["builders-1"]) == {"planned_measure", "planned_by"}
    assert set(by_key["builders-2"]) == {"justification"}
    assert SelfAssessment.objects.get(pk=a.pk).status == "draft"


@pytest.mark.parametrize(
    "bad",
    [
        {"status": "excellent"},
        {"justification": "x" * 501},
        {"planned_measure": "x" * 501},
        {"feedback_text": "x" * 2001},
        {"feedback_kind": "rant", "feedback_text": "Hm."},
    ],
)
def test_service_refuses_hostile_rows(cycle, org_a, supporter_a, bad):
    a = started(cycle, org_a, supporter_a)
    with pytest.raises(ValidationError):
        services.save_assessment(assessment=a, data=rows(a, **{"builders-1": bad}), version=1, by=supporter_a)
    assert SelfAssessment.objects.get(pk=a.pk).version == 1


def test_evidence_must_be_the_organizations_own_published_cases(cycle, cases, org_a, supporter_a):
    a = started(cycle, org_a, supporter_a)
    from casebase.cases.models import CaseStudy

    for forged in (cases["org-b"].pk, CaseStudy.objects.get(slug="org-a-unpublished").pk):
        with pytest.raises(ValidationError):
            services.save_assessment(
                assessment=a,
                data=rows(a, **{"builders-1": {"evidence": [forged]}}),
                version=1,
                by=supporter_a,
            )


def test_a_recommendation_outside_the_assessment_is_refused(cycle, org_a, supporter_a):
    from casebase.framework.models import Recommendation

    a = started(cycle, org_a, supporter_a)
    other = Recommendation.objects.get(key="creators-1")
    with pytest.raises(ValidationError):
        services.save_assessment(
            assessment=a, data={other.pk: {"status": "practised"}}, version=1, by=supporter_a
        )


def test_closed_cycle_refuses(cycle, org_a, org_b, supporter_a, supporter_b, editor):
    a = started(cycle, org_a, supporter_a)
    services.close_cycle(cycle=cycle, by=editor)
    with pytest.raises(services.TransitionNotAllowed):
        services.save_assessment(assessment=a, data=rows(a), version=1, by=supporter_a)
    with pytest.raises(services.TransitionNotAllowed):
        services.submit_assessment(assessment=a, by=supporter_a)
    with pytest.raises(services.TransitionNotAllowed):
        services.start_assessment(cycle=cycle, organization=org_b, by=supporter_b)
    with pytest.raises(services.TransitionNotAllowed):
        services.close_cycle(cycle=cycle, by=editor)
    services.reopen_cycle(cycle=cycle, by=editor)
    services.save_assessment(assessment=a, data=rows(a), version=1, by=supporter_a)


def test_invalid_transitions(cycle, org_a, supporter_a, editor):
    a = started(cycle, org_a, supporter_a)
    with pytest.raises(services.TransitionNotAllowed):
        services.publish_assessment(assessment=a, by=editor)
    with pytest.raises(services.TransitionNotAllowed):
        services.request_changes(assessment=a, by=editor, note="More.")
    with pytest.raises(PermissionDenied):
        services.publish_assessment(assessment=a, by=supporter_a)
    services.save_assessment(assessment=a, data=rows(a), version=1, by=supporter_a)
    services.submit_assessment(assessment=a, by=supporter_a)
    with pytest.raises(services.TransitionNotAllowed):
        services.save_assessment(assessment=a, data=rows(a), version=2, by=supporter_a)
    with pytest.raises(ValidationError):
        services.request_changes(assessment=a, by=editor, note="  ")
    a = services.request_changes(assessment=a, by=editor, note="Say more about builders-2.")
    assert a.status == "changes_requested" and a.review_note == "Say more about builders-2."
    # Editable again, and submitted again.
    services.save_assessment(assessment=a, data=rows(a), version=a.version, by=supporter_a)
    services.submit_assessment(assessment=a, by=supporter_a)


def test_open_cycle_validates(editor, review_world):
    from casebase.framework.models import Edition

    edition = Edition.objects.get(slug="2023")
    day = datetime.date(2025, 5, 1)
    with pytest.raises(ValidationError) as error:
        services.open_cycle(
            title="Again",
            slug="2025-review",
            edition=edition,
            opens_on=day,
            deadline=day - datetime.timedelta(days=1),
            by=editor,
        )
    assert set(error.value.message_dict) == {"slug", "deadline"}


def test_cycle_counts(cycle, org_a, org_b, supporter_a, editor):
    from casebase.commitments.models import ReportingCycle

    started(cycle, org_a, supporter_a)
    counted = ReportingCycle.objects.with_counts().get(pk=cycle.pk)
    assert (counted.drafts, counted.submitted, counted.published, counted.started) == (1, 0, 0, 1)
