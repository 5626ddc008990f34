"""A case study's life in review: the working copy, its transitions and its comments.

Each case that goes through the workflow has one ``Submission``: the working
copy of the case (``content``, a JSON document in the shape of the case
template) and where it stands (``status``). The public ``CaseStudy`` only
changes when a submission is published, so a published case stays live while
a revision of it is drafted and reviewed. Every save of the working copy is a
version (django-simple-history); every transition is a ``ReviewEvent``; every
comment a ``Comment``.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from casebase.cases.models import CaseStudy
from casebase.core.markdown import MarkdownModelMixin
from casebase.organizations.models import Organization


class Status(models.TextChoices):
    """Where a working copy stands in review: the workflow's one record of state.

    The public record's own flag (CaseStudy.is_published) is set only by the
    publish step; a published case keeps it while a revision is in review.
    """

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REJECTED = "rejected", "Rejected"


class SubmissionQuerySet(models.QuerySet):
    def of_organization(self, organization):
        return self.filter(organization=organization)

    def active(self):
        """Waiting for someone: neither finished nor abandoned."""
        return self.filter(status__in=Submission.ACTIVE_STATUSES)

    def for_queue(self):
        return self.select_related("case", "case__cohort", "organization", "assignee").order_by(
            models.F("submitted_at").asc(nulls_last=True), "created_at", "pk"
        )


class Submission(models.Model):
    """The working copy of one case study and its place in the review workflow."""

    ACTIVE_STATUSES = [Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED]
    # States in which the supporter may change the working copy.
    SUPPORTER_EDITABLE = [Status.DRAFT, Status.CHANGES_REQUESTED]
    # Editors may change any copy that is not finished.
    EDITOR_EDITABLE = [
        Status.DRAFT,
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.CHANGES_REQUESTED,
        Status.APPROVED,
    ]

    case = models.OneToOneField(CaseStudy, on_delete=models.CASCADE, related_name="submission")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # 1 for the first publication; each revision proposed after publication adds one.
    revision = models.PositiveIntegerField(default=1)
    content = models.JSONField(default=dict, blank=True)
    # Optimistic concurrency: a save must carry the version it started from.
    version = models.PositiveIntegerField(default=1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_submissions",
        limit_choices_to={"is_staff": True},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The one-time token of the "new case" form that created this draft: the same form
    # posted again (a double click, a reload, Back then save) finds this draft instead of
    # creating a second one.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = SubmissionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"{self.title} (revision {self.revision}, {self.get_status_display().lower()})"

    @property
    def title(self) -> str:
        return (self.content or {}).get("title") or self.case.title or "Untitled case"

    def get_absolute_url(self):
        return reverse("submissions:detail", args=[self.pk])

    def get_review_url(self):
        return reverse("review:detail", args=[self.pk])

    @property
    def is_revision_of_published(self) -> bool:
        """The case is live; this working copy proposes changes to it."""
        return self.case.is_published and self.status != Status.PUBLISHED

    def supporter_can_edit(self) -> bool:
        return self.status in self.SUPPORTER_EDITABLE

    def editor_can_edit(self) -> bool:
        return self.status in self.EDITOR_EDITABLE

    @property
    def waiting_on(self) -> str:
        """Who has the next move, in words the supporter reads on the dashboard."""
        return {
            Status.DRAFT: "You: finish the draft and submit it",
            Status.SUBMITTED: "PAI editors: waiting for a reviewer",
            Status.IN_REVIEW: "PAI editors: in review",
            Status.CHANGES_REQUESTED: "You: answer the editors' comments and resubmit",
            Status.APPROVED: "PAI editors: approved, waiting for publication",
        }.get(self.status, "")

    @property
    def waiting_on_supporter(self) -> bool:
        return self.status in self.SUPPORTER_EDITABLE

    def supporter_can_discard(self) -> bool:
        """A draft that never reached the editors and was never public may be thrown away."""
        return (
            self.status in (Status.DRAFT, Status.WITHDRAWN)
            and self.submitted_at is None
            and self.revision == 1
            and not self.case.is_published
        )


class ReviewEvent(models.Model):
    """One step in a submission's life: who did what, when, and what they said."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        TRANSITION = "transition", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        RESTORED = "restored", "Version restored"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    revision = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A reason or note: the rejection reason, what changes are asked for, a public change note.
    message = models.TextField(blank=True)
    # Shown to readers in the public change log (publications only).
    is_public = models.BooleanField(default=False)
    # On publication: the provenance recorded for what was published (field -> grade and voice).
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.from_status} → {self.to_status}"

    @property
    def to_status_label(self) -> str:
        return Status(self.to_status).label if self.to_status else ""

    @property
    def from_status_label(self) -> str:
        return Status(self.from_status).label if self.from_status else ""


class CommentQuerySet(models.QuerySet):
    def visible_to_supporter(self):
        return self.filter(internal=False)


class Comment(MarkdownModelMixin, models.Model):
    """A comment on a submission, threaded by ``parent``; internal ones are for staff only."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    revision = models.PositiveIntegerField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_is_staff = models.BooleanField(default=False)
    internal = models.BooleanField(
        default=False, help_text="Internal comments are visible to PAI staff only."
    )
    body = models.TextField()
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    MARKDOWN_FIELDS = {"body": "body_html"}
    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment by {self.author} on {self.submission_id}"
