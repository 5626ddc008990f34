"""The Framework: editions, sections, stakeholder roles, principles, recommendations."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords
from taggit.models import TagBase

from casebase.core.choices import VerificationFields
from casebase.core.markdown import MarkdownModelMixin


class EditionQuerySet(models.QuerySet):
    def current(self) -> "Edition | None":
        return self.filter(is_current=True).first() or self.order_by("-published_on").first()


class Edition(MarkdownModelMixin, models.Model):
    """One yearly edition of the Framework. Exactly one is current."""

    slug = models.SlugField(unique=True, help_text="Used in /framework/<edition>/, e.g. 2023.")
    title = models.CharField(max_length=200)
    published_on = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=False)
    source_url = models.URLField(blank=True, max_length=500)
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True, editable=False)

    MARKDOWN_FIELDS = {"notes": "notes_html"}
    objects = EditionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_edition"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("framework:edition", args=[self.slug])


class Section(MarkdownModelMixin, models.Model):
    """A part of an edition. Distributor channels are sub-sections (parent = distributors)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    key = models.SlugField(help_text="Stable across editions, e.g. builders.")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=80, blank=True)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)

    MARKDOWN_FIELDS = {"description": "description_html"}
    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "order"]
        constraints = [models.UniqueConstraint(fields=["edition", "key"], name="unique_section_key")]

    def __str__(self):
        return self.short_title or self.title


class StakeholderRole(TagBase):
    """A controlled tag: builder, creator, distributor (first/third-party), civil society."""

    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def get_absolute_url(self):
        return reverse("cases:list") + f"?role={self.slug}"


class Principle(TagBase):
    """A controlled tag: consent, disclosure, transparency, cross-cutting themes."""

    class Kind(models.TextChoices):
        CORE = "core", "Core concept"
        CROSS_CUTTING = "cross_cutting", "Cross-cutting theme"
        VALUE = "value", "Value"

    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def get_absolute_url(self):
        return reverse("cases:list") + f"?principle={self.slug}"


class RecommendationQuerySet(models.QuerySet):
    def of_edition(self, edition):
        return self.filter(edition=edition)

    def needing_verification(self):
        from casebase.core.choices import NEEDS_VERIFICATION

        return self.filter(verification__in=NEEDS_VERIFICATION)


class Recommendation(MarkdownModelMixin, VerificationFields, models.Model):
    """A practice the Framework recommends.

    ``key`` is ours and stable across editions (the crosswalk): a case written
    against an older edition still resolves. ``official_number`` is shown only
    once staff have verified it; it is never invented.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="recommendations")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="recommendations")
    key = models.SlugField(max_length=80, help_text="Stable key, e.g. builders-2.")
    official_number = models.PositiveSmallIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    text_html = models.TextField(blank=True, editable=False)
    principles = models.ManyToManyField(Principle, blank=True, related_name="recommendations")
    roles = models.ManyToManyField(StakeholderRole, blank=True, related_name="recommendations")
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        help_text="The same recommendation in an earlier edition (crosswalk).",
    )

    MARKDOWN_FIELDS = {"text": "text_html"}
    objects = RecommendationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[principles, roles])

    class Meta:
        ordering = ["section__order", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["edition", "key"], name="unique_rec_key")]

    def __str__(self):
        return f"{self.label}: {self.title}"

    @property
    def label(self) -> str:
        """What readers see as the recommendation's number."""
        return f"No. {self.official_number}" if self.official_number else self.key

    def get_absolute_url(self):
        return reverse("framework:recommendation", args=[self.key])
