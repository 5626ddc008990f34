"""Writes of the yearly review: cycles, self-assessments and their statements, each in one transaction.

Views call these keyword-only functions and nothing else writes review state.
Each checks who may do it, locks the assessment row, checks the state machine
(draft/changes requested -> submitted -> published or changes requested) and
queues the email to the other party (sent only if the transaction commits).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from casebase.cases.models import CaseStudy
from casebase.commitments import notifications
from casebase.commitments.models import Feedback, ReportingCycle, SelfAssessment, Statement
from casebase.framework.models import Recommendation

# A statement is "one sentence": a bound keeps it one, and keeps a pasted megabyte out.
TEXT_MAX = 500
FEEDBACK_MAX = 2000
NOTE_MAX = 5000
TITLE_MAX = 200
SLUG_MAX = 80

Status = SelfAssessment.Status


class TransitionNotAllowed(Exception):
    """The assessment (or its cycle) is not in a state that allows this step."""


class EditConflict(Exception):
    """Someone saved the assessment after this form was loaded."""

    def __init__(self, assessment: SelfAssessment):
        super().__init__("The self-assessment was changed by someone else while you were editing.")
        self.assessment = assessment


class NotReadyForReview(ValidationError):
    """Statements lack what a submitted assessment needs; ``missing`` maps recommendation pk to
    {field: message}."""

    def __init__(self, missing: dict[int, dict[str, str]]):
        super().__init__(f"{len(missing)} statement(s) are not complete yet.")
        self.missing = missing


def _is_member(user, organization) -> bool:
    membership = getattr(user, "membership", None)
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and not user.is_staff
        and membership is not None
        and membership.organization_id == organization.pk
    )


def _require_staff(user) -> None:
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        raise PermissionDenied("Only PAI editors may do this.")


def _require_member(user, organization) -> None:
    if not _is_member(user, organization):
        raise PermissionDenied("Only members of the organization may do this.")


# --- Cycles -----------------------------------------------------------------------------


@transaction.atomic
def open_cycle(
    *, title: str, slug: str, edition, opens_on: datetime.date, deadline: datetime.date, by, notes: str = ""
) -> ReportingCycle:
    _require_staff(by)
    problems = {}
    if not title.strip() or len(title) > TITLE_MAX:
        problems["title"] = f"Give a title of at most {TITLE_MAX} characters."
    if not slug or len(slug) > SLUG_MAX:
        problems["slug"] = f"Give an address of at most {SLUG_MAX} characters."
    if deadline < opens_on:
        problems["deadline"] = "The deadline cannot be before the cycle opens."
    if edition.is_draft:
        # Supporters answer against a published edition only: a draft is not public.
        problems["edition"] = "Choose a published edition: a draft cannot be assessed against."
    if ReportingCycle.objects.filter(slug=slug).exists():
        problems["slug"] = "A cycle already uses this address."
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            return ReportingCycle.objects.create(
                title=title.strip(),
                slug=slug,
                edition=edition,
                opens_on=opens_on,
                deadline=deadline,
                notes=notes,
                created_by=by,
            )
    except IntegrityError as error:  # a simultaneous request took the slug
        raise ValidationError({"slug": "A cycle already uses this address."}) from error


def _lock_cycle(cycle) -> ReportingCycle:
    return ReportingCycle.objects.select_for_update().get(pk=cycle.pk)


@transaction.atomic
def close_cycle(*, cycle: ReportingCycle, by) -> ReportingCycle:
    _require_staff(by)
    cycle = _lock_cycle(cycle)
    if not cycle.is_open:
        raise TransitionNotAllowed("This cycle is already closed.")
    cycle.is_open = False
    cycle.save(update_fields=["is_open"])
    return cycle


@transaction.atomic
def reopen_cycle(*, cycle: ReportingCycle, by) -> ReportingCycle:
    _require_staff(by)
    cycle = _lock_cycle(cycle)
    if cycle.is_open:
        raise TransitionNotAllowed("This cycle is already open.")
    cycle.is_open = True
    cycle.save(update_fields=["is_open"])
    return cycle


# --- Which recommendations an organization answers -------------------------------------


def recommendations_for(cycle: ReportingCycle, organization) -> tuple[list[Recommendation], bool]:
    """The cycle's recommendations that concern the organization's roles, and whether roles chose
    them (False: the organization has no roles recorded, so it answers every recommendation)."""
    recs = Recommendation.objects.of_edition(cycle.edition).select_related("section")
    role_ids = list(organization.roles.values_list("pk", flat=True))
    if role_ids:
        recs = recs.filter(roles__in=role_ids).distinct()
    return list(recs.order_by("section__order", "order", "key")), bool(role_ids)


def evidence_choices(organization):
    """The cases a statement may cite: the organization's own published cases, never another's."""
    return CaseStudy.objects.of_organization(organization).published().order_by("title")


# --- Assessments ------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    assessment: SelfAssessment
    is_new: bool


@transaction.atomic
def start_assessment(*, cycle: ReportingCycle, organization, by=None) -> Started:
    """The organization's assessment for the cycle, with one statement per recommendation that
    concerns it; the existing one, untouched, if it has one."""
    if by is not None and not (by.is_staff or _is_member(by, organization)):
        raise PermissionDenied("Only members of the organization may start its self-assessment.")
    cycle = _lock_cycle(cycle)
    existing = SelfAssessment.objects.filter(cycle=cycle, organization=organization).first()
    if existing is not None:
        return Started(existing, is_new=False)
    if not cycle.is_open:
        raise TransitionNotAllowed("This cycle is closed: it takes no new self-assessments.")
    assessment = SelfAssessment.objects.create(cycle=cycle, organization=organization)
    recs, _ = recommendations_for(cycle, organization)
    Statement.objects.bulk_create([Statement(assessment=assessment, recommendation=rec) for rec in recs])
    return Started(assessment, is_new=True)


def _lock(assessment) -> SelfAssessment:
    return (
        SelfAssessment.objects.select_for_update()
        .select_related("cycle", "organization")
        .get(pk=assessment.pk)
    )


def _require_editable(assessment: SelfAssessment) -> None:
    if not assessment.cycle.is_open:
        raise TransitionNotAllowed("This cycle is closed: its self-assessments can no longer be changed.")
    if assessment.status not in SelfAssessment.SUPPORTER_EDITABLE:
        raise TransitionNotAllowed(
            f"This self-assessment is {assessment.get_status_display().lower()}: "
            "it can be changed again only if PAI editors ask for changes."
        )


def _clean_row(row: dict, allowed_cases: set[int]) -> dict:
    """One statement's values, checked again here: services never trust a form alone."""
    status = row.get("status") or ""
    if status and status not in Statement.Status.values:
        raise ValidationError(f"“{status}” is not a status a statement can have.")
    for name, limit in (("justification", TEXT_MAX), ("planned_measure", TEXT_MAX)):
        if len(row.get(name) or "") > limit:
            raise ValidationError(f"The {name.replace('_', ' ')} is longer than {limit} characters.")
    if len(row.get("feedback_text") or "") > FEEDBACK_MAX:
        raise ValidationError(f"Feedback is longer than {FEEDBACK_MAX} characters.")
    kind = row.get("feedback_kind") or Feedback.Kind.OTHER
    if kind not in Feedback.Kind.values:
        raise ValidationError(f"“{kind}” is not a kind of feedback.")
    evidence = {int(pk) for pk in row.get("evidence") or []}
    if evidence - allowed_cases:
        raise ValidationError("Evidence can only be your organization's own published case studies.")
    return {
        "status": status,
        "justification": (row.get("justification") or "").strip(),
        "planned_measure": (row.get("planned_measure") or "").strip(),
        "planned_by": row.get("planned_by"),
        "evidence": evidence,
        "feedback_kind": kind,
        "feedback_text": (row.get("feedback_text") or "").strip(),
    }


@transaction.atomic
def save_assessment(*, assessment: SelfAssessment, data: dict[int, dict], version: int | None, by):
    """Save the statements (``data`` maps recommendation pk to its row), unless someone else
    saved since ``version`` (EditConflict). Rows for recommendations not in it are left alone."""
    assessment = _lock(assessment)
    _require_member(by, assessment.organization)
    _require_editable(assessment)
    if assessment.version != version:
        raise EditConflict(assessment)
    allowed = set(evidence_choices(assessment.organization).values_list("pk", flat=True))
    statements = {s.recommendation_id: s for s in assessment.statements.select_related("recommendation")}
    cleaned = {}
    for rec_pk, row in data.items():
        if rec_pk not in statements:
            raise ValidationError("That recommendation is not part of this self-assessment.")
        cleaned[rec_pk] = _clean_row(row, allowed)
    for rec_pk, row in cleaned.items():
        statement = statements[rec_pk]
        statement.status = row["status"]
        statement.justification = row["justification"]
        statement.planned_measure = row["planned_measure"]
        statement.planned_by = row["planned_by"]
        statement._history_user = by
        statement.save()
        if set(statement.evidence_cases.values_list("pk", flat=True)) != row["evidence"]:
            statement.evidence_cases.set(row["evidence"])
        _save_feedback(statement, row["feedback_kind"], row["feedback_text"], assessment.organization)
    assessment.version += 1
    assessment._history_user = by
    assessment._change_reason = f"Saved by {by.get_username()}"
    assessment.save()
    return assessment


def supporter_feedback(statement: Statement) -> Feedback | None:
    """The feedback the organization filed with this statement (one per statement)."""
    return statement.feedback.filter(organization=statement.assessment.organization).order_by("pk").first()


def _save_feedback(statement: Statement, kind: str, text: str, organization) -> None:
    feedback = supporter_feedback(statement)
    if not text:
        # Cleared by its author: feedback editors have not yet tagged is theirs to withdraw.
        if feedback is not None and feedback.tagged_by_id is None:
            feedback.delete()
        return
    if feedback is None:
        feedback = Feedback.objects.create(
            kind=kind, text=text, organization=organization, statement=statement, tagged_by=None
        )
        feedback.recommendations.set([statement.recommendation_id])
    elif (feedback.kind, feedback.text) != (kind, text):
        feedback.kind, feedback.text = kind, text
        feedback.save(update_fields=["kind", "text"])


def missing_for_review(assessment: SelfAssessment) -> dict[int, dict[str, str]]:
    """What each statement lacks before the assessment can be submitted, by recommendation pk."""
    missing: dict[int, dict[str, str]] = {}
    for statement in assessment.statements.all():
        problems = {}
        if not statement.status:
            problems["status"] = "Choose a status."
        if not statement.justification:
            problems["justification"] = "Give a sentence of justification."
        if statement.status == Statement.Status.PLANNED:
            if not statement.planned_measure:
                problems["planned_measure"] = "Say what you plan to do."
            if not statement.planned_by:
                problems["planned_by"] = "Say by when."
        if problems:
            missing[statement.recommendation_id] = problems
    return missing


@transaction.atomic
def submit_assessment(*, assessment: SelfAssessment, by) -> SelfAssessment:
    assessment = _lock(assessment)
    _require_member(by, assessment.organization)
    _require_editable(assessment)
    missing = missing_for_review(assessment)
    if missing:
        raise NotReadyForReview(missing)
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment._history_user = by
    assessment._change_reason = f"Submitted by {by.get_username()}"
    assessment.save()
    notifications.notify_editors(assessment, headline="Self-assessment submitted")
    return assessment


@transaction.atomic
def publish_assessment(*, assessment: SelfAssessment, by, note: str = "") -> SelfAssessment:
    _require_staff(by)
    assessment = _lock(assessment)
    if assessment.status != Status.SUBMITTED:
        raise TransitionNotAllowed(
            f"Only a submitted self-assessment can be published; this one is "
            f"{assessment.get_status_display().lower()}."
        )
    assessment.status = Status.PUBLISHED
    assessment.published_at = timezone.now()
    assessment.reviewer = by
    assessment.review_note = ""
    assessment._history_user = by
    assessment._change_reason = f"Published by {by.get_username()}"
    assessment.save()
    notifications.notify_supporters(assessment, headline="Self-assessment published", message=note)
    return assessment


@transaction.atomic
def request_changes(*, assessment: SelfAssessment, by, note: str) -> SelfAssessment:
    _require_staff(by)
    note = (note or "").strip()
    if not note:
        raise ValidationError("Say what should change: the supporter reads this note.")
    if len(note) > NOTE_MAX:
        raise ValidationError(f"The note is longer than {NOTE_MAX} characters.")
    assessment = _lock(assessment)
    if assessment.status != Status.SUBMITTED:
        raise TransitionNotAllowed(
            f"Changes can be requested only on a submitted self-assessment; this one is "
            f"{assessment.get_status_display().lower()}."
        )
    assessment.status = Status.CHANGES_REQUESTED
    assessment.review_note = note
    assessment.reviewer = by
    assessment._history_user = by
    assessment._change_reason = f"Changes requested by {by.get_username()}"
    assessment.save()
    notifications.notify_supporters(
        assessment, headline="Changes requested on your self-assessment", message=note
    )
    return assessment
