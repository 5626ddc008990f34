"""The Framework: editions, sections, stakeholder roles, principles, recommendations."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords
from taggit.models import TagBase

from casebase.core.dates import precision_field
from casebase.core.evidence import FACT_GRADES, SHOWN_GRADES, UNCONFIRMED_GRADES, Evidence, Grade, Sourced
from casebase.core.markdown import MarkdownModelMixin


def edition_is_public(edition_id) -> bool:
    return Edition.objects.filter(pk=edition_id, is_draft=False).exists()


class EditionQuerySet(models.QuerySet):
    def public(self):
        """Editions anyone may see: a draft edition is staff's work in progress, never public."""
        return self.filter(is_draft=False)

    def current(self) -> "Edition | None":
        # A draft is never current, nor the fallback (its published_on is empty, and an
        # empty date sorts first in a descending order on PostgreSQL).
        public = self.public()
        return public.filter(is_current=True).first() or public.order_by("-published_on").first()


class Edition(MarkdownModelMixin, Sourced, models.Model):
    """One yearly edition of the Framework. Exactly one is current."""

    slug = models.SlugField(unique=True, help_text="Its address: /framework/2023/ for the slug 2023.")
    title = models.CharField(max_length=200)
    published_on = models.DateField(null=True, blank=True)
    published_precision = precision_field()
    is_current = models.BooleanField(default=False)
    # Staff draft the next edition as a copy of the current one (casebase.editions); until it
    # is published it appears on no public page, list, API, export or snapshot.
    is_draft = models.BooleanField(default=False, db_index=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="later_editions",
        help_text="The edition this one was drafted from: its crosswalk and diff run against it.",
    )
    # What is known of the edition's size, so pages never present a partial list as the whole.
    practice_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many practices the edition has, as far as is known."
    )
    practice_count_is_minimum = models.BooleanField(
        default=False,
        help_text="The edition has at least practice_count practices (the exact number is not known).",
    )
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True, editable=False)

    MARKDOWN_FIELDS = {"notes": "notes_html"}
    SOURCED_FIELDS = {"title": "Title", "published_on": "Published", "practice_count": "Number of practices"}
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

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        # Staff drafting the next edition change no public page until they publish it.
        return not self.is_draft

    def get_absolute_url(self):
        return reverse("framework:edition", args=[self.slug])


class Section(MarkdownModelMixin, Sourced, models.Model):
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
    SOURCED_FIELDS = {"title": "Title", "description": "Description"}
    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "order"]
        constraints = [models.UniqueConstraint(fields=["edition", "key"], name="unique_section_key")]

    def __str__(self):
        return self.short_title or self.title

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        return edition_is_public(self.edition_id)


class StakeholderRole(Sourced, TagBase):
    """A controlled tag: builder, creator, distributor (first/third-party), civil society."""

    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    SOURCED_FIELDS = {"name": "Name", "description": "Description"}

    class Meta:
        ordering = ["order", "name"]

    def get_absolute_url(self):
        return reverse("cases:list") + f"?role={self.slug}"


class Principle(Sourced, TagBase):
    """A controlled tag: consent, disclosure, transparency, cross-cutting themes."""

    class Kind(models.TextChoices):
        CORE = "core", "Core concept"
        CROSS_CUTTING = "cross_cutting", "Cross-cutting theme"
        VALUE = "value", "Value"

    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORE)
    order = models.PositiveSmallIntegerField(default=0)

    SOURCED_FIELDS = {"name": "Name", "description": "Description"}

    class Meta:
        ordering = ["order", "name"]

    def get_absolute_url(self):
        return reverse("cases:list") + f"?principle={self.slug}"


class RecommendationQuerySet(models.QuerySet):
    def of_edition(self, edition):
        return self.filter(edition=edition)

    def public(self):
        """Recommendations of public editions only (never a draft's)."""
        return self.filter(edition__is_draft=False)

    def needing_verification(self):
        return self.filter(grade__in=UNCONFIRMED_GRADES)


def reader_label(number: int | None, title: str) -> str:
    """What a person reads as a recommendation's name, everywhere: "No. 20: Educate platform
    users…" once its official number is confirmed, else its title. The key (``distributors-4``)
    is for machines: addresses, the API, data columns."""
    return f"No. {number}: {title}" if number else title


class Recommendation(MarkdownModelMixin, Sourced, models.Model):
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
    # Every recommendation of the earlier edition this one carries on: one for a recommendation
    # kept, renamed, changed or split off; several for a merge (``previous`` holds only one).
    predecessors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="carried_into",
        help_text="The recommendations of the earlier edition this one carries on (crosswalk).",
    )

    MARKDOWN_FIELDS = {"text": "text_html"}
    SOURCED_FIELDS = {"official_number": "Official number", "title": "Title", "text": "Text"}
    objects = RecommendationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[principles, roles])

    class Meta:
        ordering = ["section__order", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["edition", "key"], name="unique_rec_key")]

    def __str__(self):
        return self.reader_label

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        return edition_is_public(self.edition_id)

    @property
    def confirmed_number(self) -> int | None:
        """The official number, once confirmed: never one that is only recalled or inferred."""
        if self.official_number and self.provenance("official_number").grade in FACT_GRADES:
            return self.official_number
        return None

    @property
    def number_label(self) -> str:
        """ "No. 20" once the number is confirmed, else nothing (pages then show the title alone)."""
        return f"No. {self.confirmed_number}" if self.confirmed_number else ""

    @property
    def reader_label(self) -> str:
        return reader_label(self.confirmed_number, self.title)

    @property
    def label(self) -> str:
        """The API's short label: the official number once confirmed, else the key."""
        return self.number_label or self.key

    def get_absolute_url(self):
        return reverse("framework:recommendation", args=[self.key])


# --- Other instruments: the rules supporters answer to, and the crosswalk to them ---------------

TEXT_LIMIT = 2000  # a summary or a note typed into the admin: a paragraph, not a document


class Instrument(Sourced, models.Model):
    """A law, code, standard or guidance outside the Framework (the EU AI Act, C2PA's specification...)."""

    slug = models.SlugField(max_length=80, unique=True, help_text="Stable, e.g. eu-ai-act.")
    name = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True, help_text="The instrument's own text.")
    order = models.PositiveSmallIntegerField(default=0)

    SOURCED_FIELDS = {"name": "Name", "publisher": "Publisher", "url": "Address"}
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Clause(Sourced, models.Model):
    """One article, commitment or section of an instrument, summarised in Casebase's own words."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="clauses")
    # Unique across instruments, so one value names it in an address (/cases/?clause=<slug>).
    slug = models.SlugField(max_length=100, unique=True, help_text="Stable, e.g. eu-ai-act-art-50-2.")
    reference = models.CharField(
        max_length=100, help_text="As the instrument numbers it, e.g. Article 50(2)."
    )
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True, help_text="Where the clause's text stands.")
    summary = models.TextField(
        blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)], help_text="In Casebase's own words."
    )
    order = models.PositiveSmallIntegerField(default=0)

    SOURCED_FIELDS = {"reference": "Reference", "title": "Title", "summary": "Summary"}
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument__order", "instrument__name", "order", "reference"]

    def __str__(self):
        return f"{self.instrument.name}: {self.reference}"

    @property
    def label(self) -> str:
        """What the case list's filter shows: the clause, then its instrument."""
        return f"{self.reference}, {self.instrument.name}"

    def get_absolute_url(self):
        return reverse("cases:list") + f"?clause={self.slug}"


class ClauseMappingQuerySet(models.QuerySet):
    def shown_for(self, key: str, evidence: str):
        """The mappings of a recommendation key a reader sees under an evidence setting: the mapping's
        grade counts there, and neither its clause nor its instrument is refuted."""
        return (
            self.filter(recommendation_key=key, grade__in=Evidence.grades(evidence))
            .filter(clause__grade__in=SHOWN_GRADES, clause__instrument__grade__in=SHOWN_GRADES)
            .select_related("clause__instrument")
            .order_by(
                "clause__instrument__order", "clause__instrument__name", "clause__order", "clause__reference"
            )
        )


class ClauseMapping(Sourced, models.Model):
    """That a recommendation relates to a clause of another instrument: an editorial judgement unless a
    source states it, so it carries its own grade, voice and source like every other fact.

    It names the recommendation by its stable key, not by one edition's row: a key outlives editions
    (the next edition keeps it for the same practice), so the crosswalk to other instruments need not
    be redone each year, and it selects cases exactly as ``?rec=<key>`` does (in every edition)."""

    class Relation(models.TextChoices):
        ADDRESSES = "addresses", "Addresses"
        PARTLY = "partly_addresses", "Partly addresses"
        RELATED = "related", "Related"

    recommendation_key = models.SlugField(
        max_length=80, db_index=True, help_text="Stable key, e.g. builders-2."
    )
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="mappings")
    relation = models.CharField(max_length=20, choices=Relation.choices, default=Relation.RELATED)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)])
    # A mapping is the editors' inference until a source states it.
    grade = models.CharField(max_length=20, choices=Grade.choices, default=Grade.INFERRED, db_index=True)

    SOURCED_FIELDS = {"relation": "Relation"}
    objects = ClauseMappingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation_key", "clause"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation_key", "clause"], name="unique_clause_mapping")
        ]

    def __str__(self):
        return f"{self.recommendation_key} → {self.clause}"

    @property
    def relation_phrase(self) -> str:
        """The relation inside a sentence: "This recommendation partly addresses the rule"."""
        return {self.Relation.RELATED: "relates to"}.get(self.relation, self.get_relation_display().lower())

    def clean(self):
        super().clean()
        if (
            self.recommendation_key
            and not Recommendation.objects.filter(key=self.recommendation_key).exists()
        ):
            raise ValidationError({"recommendation_key": "No recommendation has this key in any edition."})
