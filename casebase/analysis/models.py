"""Staff-written analyses across cases, and the findings that cite them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from casebase.cases.models import CaseStudy, Collection
from casebase.core.dates import precision_field
from casebase.core.evidence import Sourced
from casebase.core.markdown import MarkdownModelMixin
from casebase.framework.models import Recommendation


class AnalysisQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Analysis.Status.PUBLISHED)


class Analysis(MarkdownModelMixin, Sourced, models.Model):
    """A synthesis across cases. Its voice says whose it is: PAI's own published analysis,
    or one written by Casebase editors (cited to them, not to PAI)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(unique=True, max_length=120)
    title = models.CharField(max_length=250)
    author = models.CharField(max_length=200, help_text="Person or organization cited as author.")
    summary = models.TextField(blank=True, help_text="One paragraph, plain text.")
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    published_on = models.DateField(null=True, blank=True)
    published_precision = precision_field()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    MARKDOWN_FIELDS = {"body": "body_html"}
    SOURCED_FIELDS = {"title": "Title", "author": "Author", "published_on": "Published", "summary": "Summary"}
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
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Finding(MarkdownModelMixin, Sourced, models.Model):
    """One claim of an analysis, linked to the cases and recommendations it draws on.

    Its voice is PAI's when it restates PAI's published wording (quoted in ``locator``),
    the editors' when Casebase drew it."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="findings")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    draws_on_note = models.CharField(
        max_length=300, blank=True, help_text="How the source names what it draws on, kept verbatim."
    )
    cases = models.ManyToManyField(CaseStudy, blank=True, related_name="findings")
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="findings")

    MARKDOWN_FIELDS = {"body": "body_html"}
    SOURCED_FIELDS = {"title": "Finding", "body": "Explanation"}
    history = HistoricalRecords(excluded_fields=["body_html"], m2m_fields=[cases, recommendations])

    class Meta:
        ordering = ["analysis", "order", "id"]

    def __str__(self):
        return self.title


class CollectedAnalysisQuerySet(models.QuerySet):
    def published(self):
        """Only what readers may see: an analysis unpublished since it was saved drops out."""
        return self.filter(analysis__status=Analysis.Status.PUBLISHED)


class CollectedAnalysis(models.Model):
    """A published analysis kept in a reader's collection, with a note: the analyses' side of
    ``cases.CollectionItem`` (here, since cases knows nothing of analyses)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="analyses")
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = CollectedAnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "analysis"], name="an_analysis_once_per_collection")
        ]

    def __str__(self):
        return f"analysis {self.analysis_id} in {self.collection_id}"

    def affects_public_pages(self) -> bool:
        return Collection.objects.filter(pk=self.collection_id, is_public=True).exists()
