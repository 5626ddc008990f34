"""Staff-written analyses across cases, and the findings that cite them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from casebase.cases.models import CaseStudy
from casebase.core.choices import Confidence, confidence_flag
from casebase.core.markdown import MarkdownModelMixin
from casebase.framework.models import Recommendation


class AnalysisQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Analysis.Status.PUBLISHED)


class Analysis(MarkdownModelMixin, models.Model):
    """A synthesis across cases, e.g. PAI's March 2024 themes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(unique=True, max_length=120)
    title = models.CharField(max_length=250)
    author = models.CharField(
        max_length=200, default="Partnership on AI", help_text="Person or organization cited as author."
    )
    summary = models.TextField(blank=True, help_text="One paragraph, plain text.")
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    published_on = models.DateField(null=True, blank=True)
    date_label = models.CharField(
        max_length=120, blank=True, help_text="How the date is known, e.g. 'March 2024 (to the month)'."
    )
    source_url = models.URLField(blank=True, max_length=500)
    confidence = models.CharField(max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    MARKDOWN_FIELDS = {"body": "body_html"}
    objects = AnalysisQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_html"])

    class Meta:
        ordering = ["order", "-published_on", "title"]
        verbose_name_plural = "analyses"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("analysis:analysis", args=[self.slug])

    @property
    def confidence_flag(self) -> str:
        return confidence_flag(self.confidence)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Finding(MarkdownModelMixin, models.Model):
    """One claim of an analysis, linked to the cases and recommendations it draws on."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="findings")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    confidence = models.CharField(max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED)
    is_pai_wording = models.BooleanField(
        default=False, help_text="True when the finding restates PAI's own published theme."
    )
    draws_on_note = models.CharField(
        max_length=300, blank=True, help_text="How the source names what it draws on, kept verbatim."
    )
    cases = models.ManyToManyField(CaseStudy, blank=True, related_name="findings")
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="findings")

    MARKDOWN_FIELDS = {"body": "body_html"}
    history = HistoricalRecords(excluded_fields=["body_html"], m2m_fields=[cases, recommendations])

    class Meta:
        ordering = ["analysis", "order", "id"]

    def __str__(self):
        return self.title

    @property
    def confidence_flag(self) -> str:
        return confidence_flag(self.confidence)
