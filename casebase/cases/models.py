"""Case studies, their cohorts, the case template and applications (case x recommendation)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TaggedItemBase

from casebase.cases import search
from casebase.core.dates import precision_field
from casebase.core.evidence import SHOWN_GRADES, UNCONFIRMED_GRADES, Grade, Sourced, Voice
from casebase.core.markdown import MarkdownModelMixin, render_markdown
from casebase.framework.models import Edition, Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization


class Cohort(Sourced, models.Model):
    """A set of cases PAI released together (March 2024, November 2024, 2025)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    released_on = models.DateField(null=True, blank=True)
    released_precision = precision_field()
    description = models.TextField(blank=True)

    SOURCED_FIELDS = {"name": "Name", "released_on": "Released", "description": "About"}

    class Meta:
        ordering = ["released_on", "slug"]

    def __str__(self):
        return self.name


class TemplateSection(Sourced, models.Model):
    """One numbered section of the case template: a heading and the prompt supporters answer.

    Editors change these records (not code) when next year's template changes. Whether
    a heading and prompt are PAI's own wording is their provenance.
    """

    order = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=200)
    prompt = models.TextField()
    is_active = models.BooleanField(default=True)

    SOURCED_FIELDS = {"heading": "Heading", "prompt": "Prompt"}
    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return f"{self.order}. {self.heading}"


def case_is_public(case_id) -> bool:
    return CaseStudy.objects.filter(pk=case_id, is_published=True).exists()


class CaseLink:
    """A row tying something to a case: public pages show it only if the case is published."""

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        return case_is_public(self.content_object_id)


class TaggedRole(CaseLink, Sourced, ItemBase):
    """A case plays this stakeholder role: a fact with its own provenance."""

    content_object = models.ForeignKey("CaseStudy", on_delete=models.CASCADE, related_name="role_links")
    tag = models.ForeignKey(StakeholderRole, on_delete=models.CASCADE, related_name="tagged_cases")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_case_role")]


class TaggedPrinciple(CaseLink, Sourced, ItemBase):
    """A case concerns this principle: a fact with its own provenance."""

    content_object = models.ForeignKey("CaseStudy", on_delete=models.CASCADE, related_name="principle_links")
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


class CaseCredit(CaseLink, Sourced, models.Model):
    """An organization credited with a case: its lead, or a co-author. Each credit is a fact with
    its provenance, so a speculative author is flagged wherever it is shown or counted."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        CO_AUTHOR = "co_author", "Co-author"

    case = models.ForeignKey("CaseStudy", on_delete=models.CASCADE, related_name="credits")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="case_credits")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CO_AUTHOR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "organization"], name="unique_case_credit")]
        ordering = ["-role", "organization__name"]

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()}) on {self.case}"

    @property
    def content_object_id(self):  # CaseLink reads the case's id under this name
        return self.case_id


def compose_search_text(organization_name: str, takeaways, tag_names) -> str:
    """The weight-B extras of the search vector: organization name, takeaways, tag names.

    The one recipe for ``CaseStudy.search_text``, whoever computes it (a save,
    the case writer, the signals that follow renamed tags and organizations).
    """
    parts = [organization_name] if organization_name else []
    parts += [str(t) for t in (takeaways or []) if t]
    parts += list(tag_names)
    return "\n".join(parts)


class CaseStudyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def search(self, q: str):
        """Cases matching ``q``, annotated with ``rank`` (higher is better).

        PostgreSQL: full-text search (web-search syntax) over the stored search
        vector. SQLite: every word must appear in one of the same fields.
        See casebase.cases.search.
        """
        return search.search(self, q)

    def fuzzy_search(self, q: str):
        """Cases whose title or organization name looks like ``q`` (PostgreSQL trigrams).

        An empty queryset on other databases.
        """
        return search.fuzzy_search(self, q)

    def of_organization(self, organization):
        return self.filter(organization=organization)

    def needing_verification(self):
        return self.filter(
            models.Q(grade__in=UNCONFIRMED_GRADES) | models.Q(completeness=CaseStudy.Completeness.STUB)
        )

    def for_listing(self):
        """What list pages need of each case but its tags (attach_tags reads those)."""
        return self.select_related("organization", "cohort", "edition")


TAG_KINDS = ("roles", "principles", "tags")
# The links whose provenance matters (a role or principle on a case is a fact), by kind.
LINK_KINDS = {"roles": "role_links", "principles": "principle_links"}


def _prefetched(model, items: list):
    queryset = model._default_manager.none()
    queryset._result_cache, queryset._prefetch_done = items, True
    return queryset


def attach_tags(cases: list) -> list:
    """Read the cases' roles, principles and topic tags: one query per kind for them all.

    taggit's own prefetch builds a filtered queryset per case and per kind
    before discarding it: most of a list page's time went there. The tags are
    stored where prefetch_related stores them, so ``case.roles.all()`` reads
    them without a query, and so are the role and principle links with their
    provenance (``case.role_links.all()``). A refuted role or principle is
    never among ``case.roles`` or ``case.principles``: nothing shows it.
    """
    if not cases:
        return cases
    by_id = {case.pk: case for case in cases}
    for name, through in zip(TAG_KINDS, (TaggedRole, TaggedPrinciple, TaggedTopic), strict=True):
        tags: dict[int, list] = {pk: [] for pk in by_id}
        links: dict[int, list] = {pk: [] for pk in by_id}
        shared: dict[int, object] = {}  # one instance per tag, shared by every case
        rows = through.objects.filter(content_object_id__in=list(by_id)).select_related("tag").order_by("pk")
        for row in rows:
            row.tag = shared.setdefault(row.tag_id, row.tag)
            links[row.content_object_id].append(row)
            if getattr(row, "grade", None) not in (Grade.REFUTED,):
                tags[row.content_object_id].append(row.tag)
        for pk, case in by_id.items():
            cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
            cache[name] = _prefetched(through.tag_model(), tags[pk])
            if name in LINK_KINDS:
                cache[LINK_KINDS[name]] = _prefetched(through, links[pk])
    return cases


class CaseStudy(Sourced, models.Model):
    """A case study as readers see it once published.

    Whether it is public is ``is_published``, set only by publishing (the
    workflow's publish step, or loading published records). Where a case stands
    in review is its working copy's business (casebase.submissions), not this
    record's.
    """

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
    authors = models.JSONField(default=list, blank=True, help_text="Named people credited with the case.")
    # The body follows the case template: a list of {"heading", "prompt", "response"}
    # (response in markdown). body_html and body_text are derived on save.
    sections = models.JSONField(default=list, blank=True)
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    published_on = models.DateField(null=True, blank=True, db_index=True)
    published_precision = precision_field()
    edition = models.ForeignKey(
        Edition, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # PAI's own page for the case, when one is known (its provenance says whether it was seen).
    official_url = models.URLField(blank=True, max_length=500)
    modalities = models.JSONField(default=list, blank=True)
    disclosure_types = models.JSONField(default=list, blank=True)
    completeness = models.CharField(
        max_length=10, choices=Completeness.choices, default=Completeness.COMPLETE, db_index=True
    )
    is_published = models.BooleanField(
        default=False, db_index=True, help_text="Public: on the site, in exports and in the API."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Optimistic concurrency: a save carries the version it started from.
    version = models.PositiveIntegerField(default=1)
    # django-simple-history cannot follow taggit; tag names are copied here on
    # every tag change so each historical version records them.
    tag_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    # Denormalised text for search: organization name, takeaways and tag names
    # (compose_search_text). Kept current by the case writer (casebase.cases.writing)
    # and by signals when tags or names change (signals.py); PostgreSQL folds it
    # into the stored search vectors (cases_casesearch, migration 0009) with weight B.
    search_text = models.TextField(blank=True, editable=False)

    roles = TaggableManager(
        through=TaggedRole, related_name="cases", blank=True, verbose_name="stakeholder roles"
    )
    principles = TaggableManager(
        through=TaggedPrinciple, related_name="cases", blank=True, verbose_name="principles"
    )
    tags = TaggableManager(through=TaggedTopic, related_name="cases", blank=True, verbose_name="topic tags")

    # Every organization credited with the case, the lead (``organization``) included.
    credited = models.ManyToManyField(
        Organization, through="CaseCredit", related_name="credited_cases", blank=True
    )

    SOURCED_FIELDS = {
        "title": "Title",
        "organization": "Organization",
        "authors": "Authors",
        "framing_question": "Framing question",
        "takeaways": "Takeaways",
        "summary": "Summary",
        "published_on": "Published",
        "official_url": "PAI's page for the case",
        "sections": "The case text",
    }
    objects = CaseStudyQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_html", "body_text", "summary_html", "search_text"])

    class Meta:
        # No default ordering: every list asks for its order (the one newest-first order
        # is casebase.cases.facetindex.NEWEST), and no query pays for a sort it does not need.
        verbose_name_plural = "case studies"
        # The facet index reads the published cases newest first with their
        # organization and cohort: on PostgreSQL from one covering index
        # (migration 0006); SQLite cannot order NULLs in an index.
        indexes = [models.Index(fields=["is_published", "-published_on"], name="case_published_on")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.slug])

    def facts_to_verify(self) -> set[str]:
        """Which verification worklists this published case is on: "supporter" when a fact rests
        on the organization's own word only, "check" when one is recalled or inferred.

        Its fields and codings are read; the roles and principles tagged on it are on the
        worklist too, and the worklist itself lists every one.
        """
        if not self.is_published:
            return set()
        provenances = [fact.provenance for fact in self.facts()]
        provenances += [application.provenance() for application in self.applications.all()]
        lists = set()
        if any(p.voice == Voice.SUPPORTER and p.is_shown for p in provenances):
            lists.add("supporter")
        if any(p.needs_check for p in provenances):
            lists.add("check")
        return lists

    # Fields whose rendered or derived copies save() keeps current.
    MARKDOWN_SOURCES = ("summary", "sections")
    SEARCH_SOURCES = ("organization_id", "takeaways")

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        case = super().from_db(db, field_names, values, **kwargs)
        # What was stored, so that save() re-renders only what changed and knows
        # whether the public record changes (casebase.core.pagecache).
        case._loaded = dict(zip(field_names, values, strict=True))
        return case

    def _changed_since_load(self, names) -> bool:
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            return True
        return any(name not in loaded or loaded[name] != getattr(self, name) for name in names)

    def render_derived(self, render=render_markdown) -> None:
        """Render markdown: the summary, and the body from its template sections.

        ``render`` is the renderer (a preview passes the cached one).
        """
        self.summary_html = render(self.summary)
        parts_md, parts_text = [], []
        for number, section in enumerate(self.sections or [], start=1):
            heading = (section.get("heading") or "").strip()
            response = (section.get("response") or "").strip()
            if not (heading or response):
                continue
            parts_md.append(f"## {number}. {heading}\n\n{response}")
            parts_text.append(f"{heading}\n{response}")
        self.body_html = render("\n\n".join(parts_md))
        self.body_text = "\n\n".join(parts_text)

    def tag_names(self) -> list[str]:
        """Names of the case's topic tags, roles and principles, as stored (search_text's tail)."""
        if self.pk is None:
            return []
        names = []
        for through in (TaggedTopic, TaggedRole, TaggedPrinciple):
            names += through.objects.filter(content_object_id=self.pk).values_list("tag__name", flat=True)
        return names

    def save(self, *args, **kwargs):
        """Save, keeping the derived fields current: only what changed is re-rendered or recomputed.

        A save that names ``update_fields`` derives only from those; one that
        changes neither the markdown nor the search sources costs no rendering
        and no extra query.
        """
        update_fields = kwargs.get("update_fields")
        named = set(update_fields) if update_fields is not None else None
        derived = set()
        markdown = [f for f in self.MARKDOWN_SOURCES if named is None or f in named]
        if markdown and self._changed_since_load(markdown):
            self.render_derived()
            derived |= {"summary_html", "body_html", "body_text"}
        sources = [
            f for f in self.SEARCH_SOURCES if named is None or f.removesuffix("_id") in named or f in named
        ]
        if sources and self._changed_since_load(sources):
            name = self.organization.name if self.organization_id else ""
            self.search_text = compose_search_text(name, self.takeaways, self.tag_names())
            derived.add("search_text")
        if named is not None:
            kwargs["update_fields"] = named | derived
        super().save(*args, **kwargs)
        self._loaded = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    @property
    def was_published(self) -> bool:
        """Whether the stored record was public when it was read (False for a new record)."""
        loaded = getattr(self, "_loaded", None)
        return bool(loaded and loaded.get("is_published"))

    def affects_public_pages(self) -> bool:
        """Whether a change to this case (or its tags) shows on public pages (casebase.core.pagecache)."""
        return self.is_published or self.was_published

    def current_tags(self) -> dict[str, list[str]]:
        """The case's tags as stored, in the shape of ``tag_snapshot``."""
        return {
            "roles": sorted(t.slug for t in self.roles.all()),
            "principles": sorted(t.slug for t in self.principles.all()),
            "tags": sorted(t.name for t in self.tags.all()),
        }

    @property
    def is_stub(self) -> bool:
        return self.completeness == self.Completeness.STUB

    def get_modalities_display(self) -> list[str]:
        return [self.Modality(m).label for m in self.modalities if m in self.Modality.values]

    def get_disclosure_types_display(self) -> list[str]:
        return [
            self.DisclosureType(d).label for d in self.disclosure_types if d in self.DisclosureType.values
        ]


class ApplicationQuerySet(models.QuerySet):
    def applying(self):
        """Applications that count as the case applying the recommendation (Application.APPLYING)."""
        return self.filter(status__in=Application.APPLYING)

    def of_published_cases(self):
        return self.filter(case__is_published=True)

    def shown(self):
        """Codings readers may see and count: every grade but refuted."""
        return self.filter(grade__in=SHOWN_GRADES)


class Application(MarkdownModelMixin, Sourced, models.Model):
    """How a case relates to a recommendation, why, and who says so (its voice): a coding.

    Each voice codes a case once per recommendation, so the organization's own claim,
    PAI staff's reading and an editor's coding stand side by side.
    """

    class Status(models.TextChoices):
        IMPLEMENTED = "implemented", "Implemented"
        PARTIAL = "partial", "Partially implemented"
        CONSIDERED = "considered", "Considered, not adopted"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    # An application with one of these statuses counts as the case applying (addressing)
    # the recommendation: the rec filter, every count and the related cases. "Not
    # applicable" is recorded and shown on the recommendation page, but not counted.
    APPLYING = (Status.IMPLEMENTED, Status.PARTIAL, Status.CONSIDERED)

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="applications")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.IMPLEMENTED, db_index=True
    )
    justification = models.TextField(blank=True)
    justification_html = models.TextField(blank=True, editable=False)
    excerpt = models.TextField(blank=True, help_text="A passage from the case body that shows it.")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    MARKDOWN_FIELDS = {"justification": "justification_html"}
    objects = ApplicationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["justification_html"])

    class Meta:
        ordering = ["recommendation__section__order", "recommendation__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "recommendation", "voice"], name="unique_application_voice"
            )
        ]
        # Counting cases per recommendation and status (facet index, recommendation pages)
        # reads this index alone, not the rows with their justifications.
        indexes = [
            models.Index(fields=["recommendation", "status", "case"], name="application_rec_status_case")
        ]

    def __str__(self):
        return f"{self.case} / {self.recommendation.key}: {self.get_status_display()} ({self.get_voice_display()})"

    def affects_public_pages(self) -> bool:
        """Only a published case's applications show on public pages (casebase.core.pagecache)."""
        return case_is_public(self.case_id)

    @property
    def is_applying(self) -> bool:
        return self.status in self.APPLYING


class CollectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The public collections, and the signed-in user's own (private ones included)."""
        if user is not None and user.is_authenticated:
            return self.filter(models.Q(is_public=True) | models.Q(owner=user))
        return self.filter(is_public=True)


class Collection(models.Model):
    """A reader's named set of published cases, each with a note: private unless made public,
    when its permalink (and ``collection=<id>`` on /cases/) works for everyone."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    name = models.CharField(max_length=200)
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CollectionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("collections:detail", args=[self.pk])

    def affects_public_pages(self) -> bool:
        # A private collection shows on no public page; a public one may (collection=<id>).
        return self.is_public


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "case"], name="a_case_once_per_collection")
        ]

    def __str__(self):
        return f"{self.case_id} in {self.collection_id}"

    def affects_public_pages(self) -> bool:
        return Collection.objects.filter(pk=self.collection_id, is_public=True).exists()
