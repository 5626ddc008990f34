"""Workflow writes: every step of a submission's life, each in one transaction.

Views call these keyword-only functions and nothing else writes workflow
state. Each function checks who may do it, locks the submission row, checks
the state machine, writes, records a ReviewEvent and queues the email to the
other party (sent only if the transaction commits).
"""

from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from casebase.accounts import following
from casebase.cases import writing
from casebase.cases.models import Application, CaseStudy, Cohort
from casebase.core.dates import Precision
from casebase.core.evidence import Grade, Provenance, Voice
from casebase.core.siteurl import site_url
from casebase.framework.models import Edition, Recommendation
from casebase.submissions import notifications
from casebase.submissions.content import content_from_case, missing_for_review, normalize
from casebase.submissions.models import Comment, ReviewEvent, Status, Submission

SUPPORTER, EDITOR = "supporter", "editor"


class TransitionNotAllowed(Exception):
    """The state machine has no such step from the submission's current status, for this actor."""


class EditConflict(Exception):
    """Someone saved the working copy after this editor loaded it."""

    def __init__(self, submission: Submission):
        super().__init__("The case was changed by someone else while you were editing.")
        self.submission = submission


class NotReadyForReview(ValidationError):
    """The working copy lacks parts the template requires; ``missing`` says which."""

    def __init__(self, missing: list[tuple[str, str]]):
        super().__init__([message for _, message in missing])
        self.missing = missing


class NotReadyToPublish(ValidationError):
    """The case lacks what a published case must have; ``missing`` lists (key, label) pairs."""

    def __init__(self, missing: list[tuple[str, str]]):
        labels = "; ".join(label for _, label in missing)
        super().__init__(f"Not published. Still missing: {labels}.")
        self.missing = missing


@dataclass(frozen=True)
class Step:
    sources: frozenset
    target: str
    actors: frozenset


def _step(sources, target, *actors) -> Step:
    return Step(frozenset(sources), target, frozenset(actors))


# The state machine: action -> (from which statuses, to which status, who may take it).
TRANSITIONS: dict[str, Step] = {
    "submit": _step([Status.DRAFT, Status.CHANGES_REQUESTED], Status.SUBMITTED, SUPPORTER, EDITOR),
    "start_review": _step([Status.SUBMITTED], Status.IN_REVIEW, EDITOR),
    "request_changes": _step(
        [Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED], Status.CHANGES_REQUESTED, EDITOR
    ),
    "approve": _step([Status.SUBMITTED, Status.IN_REVIEW], Status.APPROVED, EDITOR),
    "publish": _step([Status.APPROVED], Status.PUBLISHED, EDITOR),
    "reject": _step(
        [Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED],
        Status.REJECTED,
        EDITOR,
    ),
    "withdraw": _step(
        [Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED],
        Status.WITHDRAWN,
        SUPPORTER,
    ),
    "reopen": _step([Status.WITHDRAWN], Status.DRAFT, SUPPORTER, EDITOR),
    # A published case gets a new revision; so does one whose proposed revision was rejected.
    "start_revision": _step([Status.PUBLISHED, Status.REJECTED], Status.DRAFT, SUPPORTER, EDITOR),
}


def role_of(user, organization) -> str | None:
    """'editor' for PAI staff, 'supporter' for a member of the organization, else None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    if user.is_staff:
        return EDITOR
    membership = getattr(user, "membership", None)
    if membership is not None and membership.organization_id == organization.pk:
        return SUPPORTER
    return None


def allowed_actions(submission: Submission, user) -> set[str]:
    """The transitions this user may take now (for showing buttons; services re-check)."""
    role = role_of(user, submission.organization)
    actions = {
        name
        for name, step in TRANSITIONS.items()
        if role in step.actors and submission.status in step.sources
    }
    if "start_revision" in actions and submission.status == Status.REJECTED:
        if not submission.case.is_published:
            actions.discard("start_revision")
    return actions


def _require_role(user, organization, *roles) -> str:
    role = role_of(user, organization)
    if role not in roles:
        raise PermissionDenied("Not allowed.")
    return role


def _lock(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("case", "organization").get(pk=submission.pk)


def _transition(submission: Submission, action: str, *, by, message: str = "") -> Submission:
    """Move a locked submission along the state machine and record it. Caller holds the transaction."""
    step = TRANSITIONS[action]
    role = role_of(by, submission.organization)
    if role not in step.actors:
        raise PermissionDenied(f"You may not {action.replace('_', ' ')} this case.")
    if submission.status not in step.sources:
        raise TransitionNotAllowed(
            f"A case that is {submission.get_status_display().lower()} cannot be {action.replace('_', ' ')}."
        )
    source = submission.status
    submission.status = step.target
    if step.target == Status.SUBMITTED:
        submission.submitted_at = timezone.now()
    submission._change_reason = f"{action.replace('_', ' ').capitalize()} by {by.get_username()}"
    submission._history_user = by
    submission.save()
    ReviewEvent.objects.create(
        submission=submission,
        revision=submission.revision,
        kind=ReviewEvent.Kind.TRANSITION,
        actor=by,
        from_status=source,
        to_status=step.target,
        message=message,
        is_public=step.target == Status.PUBLISHED,
    )
    return submission


def _unique_slug(organization, title: str) -> str:
    base = slugify(f"{organization.slug} {title}")[:100].strip("-") or organization.slug
    slug, n = base, 2
    while CaseStudy.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


# --- Writing the working copy ---------------------------------------------------------


@dataclass(frozen=True)
class Created:
    """What create_draft did: the draft, and whether this call made it (False: the token's own)."""

    submission: Submission
    is_new: bool


@transaction.atomic
def create_draft(*, organization, content: dict, by, token=None) -> Submission:
    """A new case study, unpublished, with its first working copy."""
    return create_draft_once(organization=organization, content=content, by=by, token=token).submission


@transaction.atomic
def create_draft_once(*, organization, content: dict, by, token=None) -> Created:
    """A new draft, or, when ``token`` (the new-case form's one-time token) already made one,
    that draft untouched: a double click or a reload must not make a second case."""
    _require_role(by, organization, SUPPORTER, EDITOR)
    if token is not None:
        existing = _created_with(organization, token)
        if existing is not None:
            return Created(existing, is_new=False)
        try:
            # A savepoint, so that losing the race to a simultaneous request with the same
            # token (the unique index) leaves this transaction usable to fetch the winner.
            with transaction.atomic():
                return Created(_create_draft(organization, content, by, token), is_new=True)
        except IntegrityError:
            existing = _created_with(organization, token)
            if existing is not None:
                return Created(existing, is_new=False)
            # Another organization's token (copied, not this form's own): it makes nothing shared.
            token = None
    return Created(_create_draft(organization, content, by, None), is_new=True)


def _created_with(organization, token) -> Submission | None:
    return (
        Submission.objects.select_related("case", "organization")
        .filter(organization=organization, creation_token=token)
        .first()
    )


def _create_draft(organization, content: dict, by, token) -> Submission:
    content = normalize(content)
    title = content["title"].strip() or "Untitled case"
    case = CaseStudy.objects.create(
        organization=organization,
        title=title[:250],
        slug=_unique_slug(organization, title),
        edition=Edition.objects.current(),
    )
    submission = Submission(
        case=case, organization=organization, content=content, created_by=by, creation_token=token
    )
    submission._change_reason = f"Created by {by.get_username()}"
    submission._history_user = by
    submission.save()
    ReviewEvent.objects.create(
        submission=submission,
        revision=submission.revision,
        kind=ReviewEvent.Kind.CREATED,
        actor=by,
        to_status=Status.DRAFT,
    )
    return submission


@transaction.atomic
def discard_draft(*, submission: Submission, by) -> None:
    """Throw away a draft the organization never sent to the editors and never published:
    the case record goes with it (comments and events too). Anything that reached the
    editors or the public stays, withdrawn at most."""
    _require_role(by, submission.organization, SUPPORTER)
    submission = _lock(submission)
    if not submission.supporter_can_discard():
        raise TransitionNotAllowed(
            "Only a draft that was never submitted can be discarded; withdraw this case instead."
        )
    submission.case.delete()


@transaction.atomic
def save_draft(*, submission: Submission, content: dict, expected_version: int, by) -> Submission:
    """Save the working copy, unless someone else saved since ``expected_version`` (EditConflict)."""
    role = _require_role(by, submission.organization, SUPPORTER, EDITOR)
    submission = _lock(submission)
    editable = submission.supporter_can_edit() if role == SUPPORTER else submission.editor_can_edit()
    if not editable:
        raise TransitionNotAllowed(
            f"A case that is {submission.get_status_display().lower()} cannot be edited now."
        )
    if submission.version != expected_version:
        raise EditConflict(submission)
    submission.content = normalize(content)
    submission.version += 1
    submission._change_reason = f"Saved by {by.get_username()}"
    submission._history_user = by
    submission.save()
    case = submission.case
    title = submission.content["title"].strip()
    if not case.is_published and title and case.title != title[:250]:
        case.title = title[:250]
        case.save(update_fields=["title", "updated_at"])
    return submission


@transaction.atomic
def restore_version(*, submission: Submission, history_id: int, by) -> Submission:
    """Put an earlier version's content back into the working copy (a new version; nothing erased)."""
    _require_role(by, submission.organization, EDITOR)
    submission = _lock(submission)
    if not submission.editor_can_edit():
        raise TransitionNotAllowed(
            "Start a revision first: a published, withdrawn or rejected case cannot be changed."
        )
    record = submission.history.filter(history_id=history_id).first()
    if record is None:
        raise ValidationError("No such version of this case.")
    submission.content = normalize(record.content)
    submission.version += 1
    when = timezone.localtime(record.history_date).strftime("%d %b %Y %H:%M")
    submission._change_reason = f"Restored the version of {when} ({by.get_username()})"
    submission._history_user = by
    submission.save()
    ReviewEvent.objects.create(
        submission=submission,
        revision=submission.revision,
        kind=ReviewEvent.Kind.RESTORED,
        actor=by,
        message=f"Restored the version saved {when}.",
    )
    return submission


# --- Supporter steps -------------------------------------------------------------------


@transaction.atomic
def submit(*, submission: Submission, by) -> Submission:
    """Send the working copy to the editors; it must be complete (NotReadyForReview otherwise)."""
    _require_role(by, submission.organization, SUPPORTER, EDITOR)
    submission = _lock(submission)
    missing = missing_for_review(submission.content)
    if missing and submission.status in TRANSITIONS["submit"].sources:
        raise NotReadyForReview(missing)
    resubmission = submission.status == Status.CHANGES_REQUESTED
    _transition(submission, "submit", by=by)
    notifications.notify_editors(
        submission, headline="Resubmitted for review" if resubmission else "Submitted for review"
    )
    return submission


@transaction.atomic
def withdraw(*, submission: Submission, by, reason: str = "") -> Submission:
    submission = _lock(submission)
    was_with_editors = submission.status != Status.DRAFT
    _transition(submission, "withdraw", by=by, message=reason)
    if was_with_editors:
        notifications.notify_editors(submission, headline="Withdrawn by the supporter", message=reason)
    return submission


@transaction.atomic
def reopen(*, submission: Submission, by) -> Submission:
    """Take a withdrawn case back to draft."""
    submission = _lock(submission)
    return _transition(submission, "reopen", by=by)


@transaction.atomic
def start_revision(*, case: CaseStudy, by) -> Submission:
    """Propose changes to a published case: a new working copy, copied from the live case.

    The published case stays as it is until this revision is published.
    """
    _require_role(by, case.organization, SUPPORTER, EDITOR)
    case = CaseStudy.objects.select_for_update().get(pk=case.pk)
    if not case.is_published:
        raise TransitionNotAllowed("Only a published case can be revised.")
    submission = Submission.objects.select_for_update().filter(case=case).first()
    if submission is None:
        # A case published before the workflow existed (loaded from the official texts).
        submission = Submission.objects.create(
            case=case,
            organization=case.organization,
            status=Status.PUBLISHED,
            content=content_from_case(case),
            created_by=by,
            revision=1,
        )
    submission.revision += 1
    submission.content = content_from_case(case)
    submission.version += 1
    submission.assignee = None
    submission.submitted_at = None
    _transition(submission, "start_revision", by=by)
    return submission


# --- Editor steps ----------------------------------------------------------------------


def _assign(submission: Submission, *, assignee, by) -> Submission:
    if not (assignee and assignee.is_staff and assignee.is_active):
        raise ValidationError("Only an active editor can be assigned.")
    if submission.status not in Submission.ACTIVE_STATUSES:
        raise TransitionNotAllowed("Only a case that has been submitted can be assigned.")
    submission.assignee = assignee
    submission._change_reason = f"Assigned to {assignee.get_username()} by {by.get_username()}"
    submission._history_user = by
    submission.save()
    ReviewEvent.objects.create(
        submission=submission,
        revision=submission.revision,
        kind=ReviewEvent.Kind.ASSIGNED,
        actor=by,
        assignee=assignee,
    )
    if submission.status == Status.SUBMITTED:
        _transition(submission, "start_review", by=by)
    return submission


@transaction.atomic
def claim(*, submission: Submission, by) -> Submission:
    """The editor takes the submission; a submitted case goes into review."""
    _require_role(by, submission.organization, EDITOR)
    return _assign(_lock(submission), assignee=by, by=by)


@transaction.atomic
def assign(*, submission: Submission, assignee, by) -> Submission:
    _require_role(by, submission.organization, EDITOR)
    submission = _assign(_lock(submission), assignee=assignee, by=by)
    if assignee != by:
        notifications.notify_editors(submission, headline="Assigned to you")
    return submission


@transaction.atomic
def request_changes(*, submission: Submission, by, message: str) -> Submission:
    submission = _lock(submission)
    _transition(submission, "request_changes", by=by, message=message)
    notifications.notify_supporters(submission, headline="Changes requested", message=message)
    return submission


@transaction.atomic
def approve(*, submission: Submission, by, message: str = "") -> Submission:
    submission = _lock(submission)
    _transition(submission, "approve", by=by, message=message)
    notifications.notify_supporters(submission, headline="Approved for publication", message=message)
    return submission


@transaction.atomic
def reject(*, submission: Submission, by, reason: str) -> Submission:
    if not reason.strip():
        raise ValidationError("Give the supporter a reason for the rejection.")
    submission = _lock(submission)
    _transition(submission, "reject", by=by, message=reason)
    notifications.notify_supporters(submission, headline="Not accepted", message=reason)
    return submission


# What a public case must have before it goes out: readers cite it, filter it by cohort and
# role, and follow it to PAI's own page, so none of these may be left for later. A first
# publication needs a cohort (its date is set that day); a revision keeps the original date
# people cite, so an earlier publication date stands in for the cohort. PAI's page for the case
# may not exist yet: the editor then says so explicitly rather than leaving it blank unnoticed.
PUBLICATION_REQUIREMENTS = (
    ("title", "a title"),
    ("summary", "a summary"),
    ("sections", "at least one answered section of the case template"),
    ("organization", "the organization the case is about"),
    ("roles", "at least one stakeholder role"),
    ("cohort", "a cohort (or the date of an earlier publication)"),
    ("official_url", "PAI's page for the case, or the acknowledgement that PAI has no page for it yet"),
)


def publication_checklist(
    submission: Submission, *, cohort: Cohort | None = None, official_url: str = "", no_official_page=False
) -> list[tuple[str, str, bool]]:
    """Each requirement of a published case as (key, label, met), from the working copy, the
    case as it stands and what the editor gives with the publish action."""
    content = normalize(submission.content)
    case = submission.case
    met = {
        "title": bool(content["title"].strip()),
        "summary": bool(content["summary"].strip()),
        "sections": any(section["response"].strip() for section in content["sections"]),
        "organization": submission.organization_id is not None,
        "roles": bool(content["roles"]),
        "cohort": bool(cohort or case.cohort_id or case.published_on),
        "official_url": bool(official_url.strip() or case.official_url or no_official_page),
    }
    return [(key, label, met[key]) for key, label in PUBLICATION_REQUIREMENTS]


@transaction.atomic
def publish(
    *,
    submission: Submission,
    by,
    cohort: Cohort | None = None,
    note: str = "",
    official_url: str = "",
    no_official_page: bool = False,
) -> Submission:
    """Make the approved working copy the public case, if it has what a published case must have
    (NotReadyToPublish, listing what is missing, otherwise).

    The first publication sets ``published_on``; a revision keeps the original
    date (people cite it) and shows as "last updated" with its note in the
    public change log.
    """
    # Who may publish is settled before what is missing: a supporter learns nothing from a refusal.
    _require_role(by, submission.organization, EDITOR)
    submission = _lock(submission)
    content = normalize(submission.content)
    if submission.status in TRANSITIONS["publish"].sources:
        missing = [
            (key, label)
            for key, label, met in publication_checklist(
                submission, cohort=cohort, official_url=official_url, no_official_page=no_official_page
            )
            if not met
        ]
        if missing:
            raise NotReadyToPublish(missing)
    # A working copy saved before tags were checked at the door may hold a tag the
    # tag table cannot store: refuse with the reason, leaving the case as it was.
    problems = writing.topic_tag_problems(content["tags"])
    if problems:
        raise ValidationError(["Not published: edit the topic tags first.", *problems])
    _transition(submission, "publish", by=by, message=note)
    case = CaseStudy.objects.select_for_update().get(pk=submission.case_id)
    edition = case.edition or Edition.objects.current()
    fields = {
        "title": content["title"].strip()[:250] or case.title,
        "framing_question": content["framing_question"],
        "takeaways": [t for t in content["takeaways"] if t.strip()],
        "summary": content["summary"],
        "sections": content["sections"],
        "modalities": content["modalities"],
        "disclosure_types": content["disclosure_types"],
        "is_published": True,
        "published_on": case.published_on or timezone.localdate(),
        "edition": edition,
        "version": case.version + 1,
    }
    if cohort is not None:
        fields["cohort"] = cohort
    official_url = official_url.strip()
    if official_url:
        fields["official_url"] = official_url
    # What was published is the organization's own word about itself, seen in its submission.
    claim = Provenance(
        grade=Grade.CONFIRMED,
        voice=Voice.SUPPORTER,
        source_url=site_url() + case.get_absolute_url(),
        checked_on=timezone.localdate(),
        checked_by=by.get_username(),
        note=f"The organization's own submission (revision {submission.revision}), published by PAI editors.",
    )
    field_sources = dict(case.field_sources or {})
    for name in SUPPORTER_FIELDS:
        field_sources[name] = claim.as_json()
    # The organization a member submits for is known to PAI, not just claimed.
    field_sources["organization"] = replace(
        claim, voice=Voice.PAI, note="The submitting member's organization."
    ).as_json()
    if official_url:
        field_sources["official_url"] = replace(
            claim, voice=Voice.PAI, source_url=official_url, note="PAI's own page, given when publishing."
        ).as_json()
    published_on = fields["published_on"]
    first_publication = case.published_on is None
    if case.published_on is None:
        fields["published_precision"] = Precision.DAY
        field_sources["published_on"] = replace(
            claim, voice=Voice.PAI, note="Published on Casebase that day."
        ).as_json()
    writing.save_case(
        case,
        fields=fields,
        field_sources=field_sources,
        roles=[writing.TagClaim(slug, claim) for slug in content["roles"]],
        principles=[writing.TagClaim(slug, claim) for slug in content["principles"]],
        tags=content["tags"],
        applications=_applications(content, edition, claim),
        voices=[Voice.SUPPORTER],
        reason=f"Published revision {submission.revision}",
        by=by,
    )
    # The publication event records the grade and voice of what was published.
    event = submission.events.filter(to_status=Status.PUBLISHED).order_by("-created_at", "-pk").first()
    event.evidence = {
        "published_on": published_on.isoformat(),
        # Kept so the record shows a missing PAI page was a decision, not an oversight.
        "no_official_page": bool(no_official_page and not case.official_url),
        "facts": {
            fact.field: {"grade": fact.provenance.grade, "voice": fact.provenance.voice}
            for fact in case.facts()
        },
        "codings": [
            {"recommendation": a.recommendation.key, "voice": a.voice, "grade": a.grade}
            for a in case.applications.select_related("recommendation")
        ],
    }
    event.save(update_fields=["evidence"])
    submission.case = case
    notifications.notify_supporters(submission, headline="Published", message=note)
    if first_publication:
        # A revision is no new case: its followers heard of it when it was first published.
        following.announce(case)
    return submission


# The case fields a supporter writes: on publication each is the organization's own claim.
SUPPORTER_FIELDS = ("title", "framing_question", "takeaways", "summary", "sections")


def _applications(content: dict, edition, claim: Provenance) -> list[writing.ApplicationData]:
    """The working copy's applications: the organization's own codings of its case (its voice only;
    PAI staff's and Casebase editors' codings of the same case stand beside them untouched)."""
    recommendations = {
        r.key: r
        for r in Recommendation.objects.filter(
            edition=edition, key__in=[a["recommendation"] for a in content["applications"]]
        )
    }
    items = []
    for item in content["applications"]:
        recommendation = recommendations.get(item["recommendation"])
        if recommendation is None:
            continue
        fields = {
            "status": item["status"] or Application.Status.IMPLEMENTED,
            "justification": item["justification"],
            "excerpt": item["excerpt"],
        } | writing.provenance_columns(claim)
        items.append(writing.ApplicationData(recommendation, fields))
    return items


# --- Comments --------------------------------------------------------------------------


@transaction.atomic
def add_comment(*, submission: Submission, by, body: str, internal: bool = False, parent=None) -> Comment:
    """A comment or a reply. Supporters' comments are never internal, and they cannot see internal threads."""
    role = _require_role(by, submission.organization, SUPPORTER, EDITOR)
    if not body.strip():
        raise ValidationError("Write a comment first.")
    if role == SUPPORTER:
        internal = False
    if parent is not None:
        if parent.submission_id != submission.pk:
            raise ValidationError("That comment belongs to another case.")
        if parent.internal and role == SUPPORTER:
            raise PermissionDenied("Not allowed.")
        while parent.parent_id:  # threads are one level deep: replies hang off the first comment
            parent = parent.parent
        internal = parent.internal
    comment = Comment.objects.create(
        submission=submission,
        revision=submission.revision,
        parent=parent,
        author=by,
        author_is_staff=role == EDITOR,
        internal=internal,
        body=body,
    )
    if role == SUPPORTER:
        notifications.notify_editors(submission, headline="New comment from the supporter", message=body)
    elif not internal:
        notifications.notify_supporters(submission, headline="New comment from PAI editors", message=body)
    return comment
