"""Case studies, their cohorts, the case template and applications (case x recommendation)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TaggedItemBase

from casebase.core.choices import Confidence, VerificationFields, confidence_flag
from casebase.core.markdown import MarkdownModelMixin, render_markdown
from casebase.framework.models import Edition, Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization


class Cohort(models.Model):
    """A set of cases PAI released together (March 2024, November 2024, 2025)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    released_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["released_on", "slug"]

    def __str__(self):
        return self.name


class TemplateSection(models.Model):
    """One numbered section of PAI's case template: a heading and the prompt supporters answer.

    Editors change these records (not code) when next year's template changes.
    """

    order = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=200)
    prompt = models.TextField()
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return f"{self.order}. {self.heading}"


def case_is_public(case_id) -> bool:
    return CaseStudy.objects.filter(pk=case_id, status=CaseStudy.Status.PUBLISHED).exists()


class CaseLink:
    """A row tying something to a case: public pages show it only if the case is published."""

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        return case_is_public(self.content_object_id)


class TaggedRole(CaseLink, ItemBase):
    content_object = models.ForeignKey("CaseStudy", on_delete=models.CASCADE)
    tag = models.ForeignKey(StakeholderRole, on_delete=models.CASCADE, related_name="tagged_cases")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_case_role")]


class TaggedPrinciple(CaseLink, ItemBase):
    content_object = models.ForeignKey("CaseStudy", on_delete=models.CASCADE)
    tag = models.ForeignKey(Principle, on_delete=models.CASCADE, related_name="tagged_cases")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_case_principle")
        ]


class TaggedTopic(CaseLink, TaggedItemBase):
    """Free topic tags (taggit's own Tag model)."""

    content_object = models.ForeignKey("CaseStudy", on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_case_topic")]


# An application with one of these statuses counts as the case "applying" the
# recommendation (framework counts, the rec filter, the home page). "Not
# applicable" is recorded and shown on the recommendation page, but not counted.
APPLYING_STATUSES = ("implemented", "partial", "considered")


class CaseStudyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=CaseStudy.Status.PUBLISHED)

    def search(self, q: str):
        """Cases matching ``q``, annotated with ``rank`` (higher is better).

        PostgreSQL: full-text search (web-search syntax) over the stored search
        vector. SQLite: every word must appear in one of the same fields.
        See casebase.cases.search.
        """
        from casebase.cases import search

        return search.search(self, q)

    def fuzzy_search(self, q: str):
        """Cases whose title or organization name looks like ``q`` (PostgreSQL trigrams).

        An empty queryset on other databases.
        """
        from casebase.cases import search

        return search.fuzzy_search(self, q)

    def of_organization(self, organization):
        return self.filter(organization=organization)

    def needing_verification(self):
        from casebase.core.choices import NEEDS_VERIFICATION

        return self.filter(
            models.Q(verification__in=NEEDS_VERIFICATION)
            | models.Q(summary_confidence__in=NEEDS_VERIFICATION)
            | models.Q(completeness=CaseStudy.Completeness.STUB)
        )

    def for_listing(self):
        """What list pages need, in a fixed number of queries."""
        return self.select_related("organization", "cohort", "edition").prefetch_related(
            "roles", "principles", "tags"
        )


class CaseStudy(VerificationFields, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REJECTED = "rejected", "Rejected"

    class Completeness(models.TextChoices):
        STUB = "stub", "Stub"
        PARTIAL = "partial", "Partial"
        COMPLETE = "complete", "Complete"

    class Modality(models.TextChoices):
        AUDIO = "audio", "Audio"
        VISUAL = "visual", "Visual"
        MULTIMODAL = "multimodal", "Multimodal"

    class DisclosureType(models.TextChoices):
        DIRECT = "direct", "Direct (audience-facing)"
        INDIRECT = "indirect", "Indirect (embedded)"

    slug = models.SlugField(unique=True, max_length=120)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=250)
    framing_question = models.TextField(blank=True)
    takeaways = models.JSONField(default=list, blank=True, help_text="Three short takeaway sentences.")
    summary = models.TextField(blank=True)
    summary_html = models.TextField(blank=True, editable=False)
    summary_confidence = models.CharField(
        max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    # The body follows the case template: a list of {"heading", "prompt", "response"}
    # (response in markdown). body_html and body_text are derived on save.
    sections = models.JSONField(default=list, blank=True)
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    published_on = models.DateField(null=True, blank=True, db_index=True)
    edition = models.ForeignKey(
        Edition, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    source_url_confidence = models.CharField(
        max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    modalities = models.JSONField(default=list, blank=True)
    disclosure_types = models.JSONField(default=list, blank=True)
    completeness = models.CharField(
        max_length=10, choices=Completeness.choices, default=Completeness.COMPLETE, db_index=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Optimistic concurrency: a save carries the version it started from.
    version = models.PositiveIntegerField(default=1)
    # django-simple-history cannot follow taggit; tag names are copied here on
    # every tag change so each historical version records them.
    tag_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    # Denormalised text for search: organization name, takeaways and tag names.
    # Kept current on save and by signals when tags or names change (signals.py);
    # PostgreSQL folds it into the stored search vector with weight B.
    search_text = models.TextField(blank=True, editable=False)

    roles = TaggableManager(
        through=TaggedRole, related_name="cases", blank=True, verbose_name="stakeholder roles"
    )
    principles = TaggableManager(
        through=TaggedPrinciple, related_name="cases", blank=True, verbose_name="principles"
    )
    tags = TaggableManager(through=TaggedTopic, related_name="cases", blank=True, verbose_name="topic tags")

    objects = CaseStudyQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_html", "body_text", "summary_html", "search_text"])

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name_plural = "case studies"
        # The list page's default order (newest first, undated last) has its own
        # index on PostgreSQL: migration 0004 (SQLite cannot index NULLS LAST).
        indexes = [models.Index(fields=["status", "-published_on"], name="case_status_pub")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.slug])

    def render_derived(self) -> None:
        """Render markdown once, on save: summary, and the body from its template sections."""
        self.summary_html = render_markdown(self.summary)
        parts_md, parts_text = [], []
        for number, section in enumerate(self.sections or [], start=1):
            heading = (section.get("heading") or "").strip()
            response = (section.get("response") or "").strip()
            if not (heading or response):
                continue
            parts_md.append(f"## {number}. {heading}\n\n{response}")
            parts_text.append(f"{heading}\n{response}")
        self.body_html = render_markdown("\n\n".join(parts_md))
        self.body_text = "\n\n".join(parts_text)
        self.search_text = self.build_search_text()

    def build_search_text(self) -> str:
        """Organization name, takeaways and tag names: the weight-B extras of the search vector."""
        parts = [self.organization.name] if self.organization_id else []
        parts += [str(t) for t in (self.takeaways or []) if t]
        if self.pk:
            parts += TaggedTopic.objects.filter(content_object_id=self.pk).values_list("tag__name", flat=True)
            parts += TaggedRole.objects.filter(content_object_id=self.pk).values_list("tag__name", flat=True)
            parts += TaggedPrinciple.objects.filter(content_object_id=self.pk).values_list(
                "tag__name", flat=True
            )
        return "\n".join(parts)

    def save(self, *args, **kwargs):
        self.render_derived()
        # Whether the stored record was public before this save: unpublishing changes public pages.
        self._was_published = self.pk is not None and case_is_public(self.pk)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {
                "summary_html",
                "body_html",
                "body_text",
                "search_text",
            }
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._was_published = case_is_public(self.pk)
        return super().delete(*args, **kwargs)

    def affects_public_pages(self) -> bool:
        """Whether a change to this case (or its tags) shows on public pages (casebase.core.pagecache)."""
        return self.status == self.Status.PUBLISHED or getattr(self, "_was_published", False)

    def snapshot_tags(self) -> None:
        """Copy current tags into tag_snapshot and save, so history records them."""
        self.tag_snapshot = {
            "roles": sorted(t.slug for t in self.roles.all()),
            "principles": sorted(t.slug for t in self.principles.all()),
            "tags": sorted(t.name for t in self.tags.all()),
        }
        self.save(update_fields=["tag_snapshot", "updated_at"])

    @property
    def summary_flag(self) -> str:
        return confidence_flag(self.summary_confidence)

    @property
    def source_url_flag(self) -> str:
        return confidence_flag(self.source_url_confidence)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_stub(self) -> bool:
        return self.completeness == self.Completeness.STUB

    def get_modalities_display(self) -> list[str]:
        return [self.Modality(m).label for m in self.modalities if m in self.Modality.values]

    def get_disclosure_types_display(self) -> list[str]:
        return [
            self.DisclosureType(d).label for d in self.disclosure_types if d in self.DisclosureType.values
        ]


class Application(MarkdownModelMixin, models.Model):
    """How a case relates to a recommendation, why we say so, and who says so."""

    class Status(models.TextChoices):
        IMPLEMENTED = "implemented", "Implemented"
        PARTIAL = "partial", "Partially implemented"
        CONSIDERED = "considered", "Considered, not adopted"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    class AssertedBy(models.TextChoices):
        SUPPORTER = "supporter", "Asserted by the supporter"
        STAFF = "staff", "Coded by PAI staff"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="applications")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.IMPLEMENTED, db_index=True
    )
    justification = models.TextField(blank=True)
    justification_html = models.TextField(blank=True, editable=False)
    excerpt = models.TextField(blank=True, help_text="A passage from the case body that shows it.")
    asserted_by = models.CharField(max_length=20, choices=AssertedBy.choices, default=AssertedBy.SUPPORTER)
    confidence = models.CharField(max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED)
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    MARKDOWN_FIELDS = {"justification": "justification_html"}
    history = HistoricalRecords(excluded_fields=["justification_html"])

    class Meta:
        ordering = ["recommendation__section__order", "recommendation__order"]
        constraints = [models.UniqueConstraint(fields=["case", "recommendation"], name="unique_application")]
        # Counting cases per recommendation and status (facet index, recommendation pages)
        # reads this index alone, not the rows with their justifications.
        indexes = [
            models.Index(fields=["recommendation", "status", "case"], name="application_rec_status_case")
        ]

    def __str__(self):
        return f"{self.case} / {self.recommendation.key}: {self.get_status_display()}"

    def affects_public_pages(self) -> bool:
        """Only a published case's applications show on public pages (casebase.core.pagecache)."""
        return case_is_public(self.case_id)

    @property
    def confidence_flag(self) -> str:
        return confidence_flag(self.confidence)
