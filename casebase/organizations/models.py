from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from casebase.core.dates import precision_field
from casebase.core.evidence import Sourced
from casebase.core.markdown import MarkdownModelMixin
from casebase.framework.models import StakeholderRole


class OrganizationQuerySet(models.QuerySet):
    def supporters(self):
        return self.filter(is_supporter=True)


class Organization(MarkdownModelMixin, Sourced, models.Model):
    class Kind(models.TextChoices):
        INDUSTRY = "industry", "Industry"
        MEDIA = "media", "Media"
        CIVIL_SOCIETY = "civil_society", "Civil society"
        ACADEMIA = "academia", "Academia"
        PAI = "pai", "Partnership on AI"

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    kind_detail = models.CharField(max_length=120, blank=True, help_text="e.g. synthetic-media startup")
    # The Framework does not assign roles to supporters: how sure we are is the "roles" provenance.
    roles = models.ManyToManyField(StakeholderRole, blank=True, related_name="organizations")
    is_supporter = models.BooleanField(default=True, help_text="A Framework supporter.")
    joined_on = models.DateField(
        null=True, blank=True, help_text="First day of the month or year if only that is known."
    )
    joined_precision = precision_field()
    joined_label = models.CharField(
        max_length=120,
        blank=True,
        help_text="How the joining date is known, e.g. 'February 2023 (launch partner)'.",
    )
    website = models.URLField(blank=True, max_length=300)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)

    MARKDOWN_FIELDS = {"description": "description_html"}
    SOURCED_FIELDS = {
        "name": "Name",
        "kind": "Kind",
        "is_supporter": "Framework supporter",
        "joined_on": "Joined",
        "roles": "Stakeholder roles",
        "website": "Website",
        "description": "About",
    }
    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[roles])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:detail", args=[self.slug])
