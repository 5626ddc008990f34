"""The Framework's yearly review as data.

Staff open a ``ReportingCycle`` against one edition. Each supporter files one
``SelfAssessment`` per cycle: a ``Statement`` per recommendation that concerns
its stakeholder roles (a status, a sentence of justification, an optional
planned measure with a date, and its own case studies as evidence). A
self-assessment is the supporter's own voice; it is public only once an editor
publishes it. ``Feedback`` on the Framework comes from case-template answers or
from statements, and editors tag it to recommendations; ``DossierNote`` is an
editor's note in a recommendation's review dossier (staff only).
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from casebase.cases.models import CaseStudy, case_is_public
from casebase.framework.models import Edition, Recommendation
from casebase.organizations.models import Organization


class ReportingCycleQuerySet(models.QuerySet):
    def open(self):
        return self.filter(is_open=True)

    def with_counts(self):
        """Each cycle with how many supporters' assessments stand where (drafts include those
        sent back for changes); "not started" is supporters minus assessments of supporters."""
        statuses = SelfAssessment.Status
        of_supporters = models.Q(assessments__organization__is_supporter=True)

        def count(*states):
            return models.Count(
                "assessments", filter=of_supporters & models.Q(assessments__status__in=states)
            )

        return self.annotate(
            drafts=count(statuses.DRAFT, statuses.CHANGES_REQUESTED),
            submitted=count(statuses.SUBMITTED),
            published=count(statuses.PUBLISHED),
            started=models.Count("assessments", filter=of_supporters),
        )


class ReportingCycle(models.Model):
    """One round of the yearly review (e.g. "2025 review"), assessed against one edition."""

    slug = models.SlugField(unique=True, max_length=80, help_text="Used in addresses, e.g. 2025-review.")
    title = models.CharField(max_length=200)
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="cycles")
    opens_on = models.DateField()
    deadline = models.DateField()
    # Staff close a cycle; a closed cycle takes no new drafts or submissions.
    is_open = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportingCycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]

    def __str__(self):
        return self.title


class SelfAssessmentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=SelfAssessment.Status.PUBLISHED)

    def for_queue(self):
        """Submitted first, oldest submission first; then the rest, most recently changed first."""
        waiting = models.Case(
            models.When(status=SelfAssessment.Status.SUBMITTED, then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return self.select_related("cycle", "organization").order_by(
            waiting, models.F("submitted_at").asc(nulls_last=True), "-updated_at", "pk"
        )


class SelfAssessment(models.Model):
    """One supporter's report for one cycle: its own statements, reviewed before they are public."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"

    SUPPORTER_EDITABLE = (Status.DRAFT, Status.CHANGES_REQUESTED)

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="assessments")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="self_assessments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Optimistic concurrency, as for case working copies: a save carries the version it started from.
    version = models.PositiveIntegerField(default=1)
    review_note = models.TextField(blank=True, help_text="The editor's request for changes.")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = SelfAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organization"], name="one_assessment_per_cycle")
        ]

    def __str__(self):
        return f"{self.organization} – {self.cycle}"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        # A draft, a submission or a request for changes shows on no public page: saving one
        # keeps every cached page (a supporter saves a draft many times in a cycle).
        return self.is_public


def assessment_is_public(assessment_id) -> bool:
    return SelfAssessment.objects.filter(pk=assessment_id, status=SelfAssessment.Status.PUBLISHED).exists()


class StatementQuerySet(models.QuerySet):
    def public(self):
        """Statements of published self-assessments, with an answer."""
        return self.filter(assessment__status=SelfAssessment.Status.PUBLISHED).exclude(status="")


class Statement(models.Model):
    """A supporter's status on one recommendation in one cycle, in its own words."""

    class Status(models.TextChoices):
        PRACTISED = "practised", "Practised"
        PARTLY = "partly", "Partly practised"
        PLANNED = "planned", "Planned"
        DECLINED = "declined", "Considered and declined"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="statements")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="statements")
    # Blank while a draft leaves it unanswered; a submitted assessment answers every statement.
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    justification = models.TextField(blank=True)
    planned_measure = models.TextField(blank=True)
    planned_by = models.DateField(null=True, blank=True, help_text="When the planned measure is due.")
    evidence_cases = models.ManyToManyField(CaseStudy, blank=True, related_name="statements")
    history = HistoricalRecords(m2m_fields=[evidence_cases])

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "recommendation__section__order", "recommendation__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "recommendation"], name="one_statement_per_rec")
        ]

    def __str__(self):
        return f"{self.assessment}: {self.recommendation.key}"

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        return assessment_is_public(self.assessment_id)


class Feedback(models.Model):
    """A remark on the Framework itself, from a case-template answer or a self-assessment."""

    class Kind(models.TextChoices):
        UNCLEAR = "unclear", "Unclear wording"
        MISSING = "missing", "Missing practice"
        CONFLICTING = "conflicting", "Conflicting advice"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    text = models.TextField(help_text="The remark, quoted or summarised from its source.")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="framework_feedback"
    )
    case = models.ForeignKey(
        CaseStudy, null=True, blank=True, on_delete=models.CASCADE, related_name="framework_feedback"
    )
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    # Tagged by editors (or by the supporter, for feedback filed with a statement).
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="feedback")
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[recommendations])

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(statement__isnull=False),
                name="feedback_has_a_source",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        """Only feedback from a public source is quoted on public pages (an edition's changes)."""
        if self.case_id and case_is_public(self.case_id):
            return True
        return (
            bool(self.statement_id)
            and Statement.objects.filter(
                pk=self.statement_id, assessment__status=SelfAssessment.Status.PUBLISHED
            ).exists()
        )


class DossierNote(models.Model):
    """An editor's note in a recommendation's review dossier (staff only)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="dossier_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        return False  # staff only
