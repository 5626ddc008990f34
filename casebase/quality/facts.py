"""Every fact the site shows, with its provenance, read from every sourced model.

A *fact* here is one field of a record (a case's title, a recommendation's text) or a
record that is itself a fact (a coding, a role on a case, a credit, a finding). Staff
pages count them by grade and voice and list the ones to check; the public pages show
them (casebase.core.evidence says how). What is shown publicly is what is counted here:
published cases and analyses and what hangs off them, the Framework, organizations.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from casebase.analysis.models import Analysis, Finding
from casebase.cases.models import (
    Application,
    CaseCredit,
    CaseStudy,
    Cohort,
    TaggedPrinciple,
    TaggedRole,
    TemplateSection,
)
from casebase.core.evidence import SHOWN_GRADES, Grade, Provenance, Voice
from casebase.framework.models import (
    Clause,
    ClauseMapping,
    Edition,
    Instrument,
    Principle,
    Recommendation,
    Section,
    StakeholderRole,
)
from casebase.organizations.models import Organization

# A check older than this is stale: pages move, and a source that said it then may not now.
STALE_AFTER = datetime.timedelta(days=365)
WORKLIST_BUDGET = 50  # rows on one page of the worklist (each a form)


@dataclass(frozen=True)
class Kind:
    """A sourced model as staff see it: its public records and how to name one."""

    key: str
    label: str
    model: type
    # The records whose facts are public, with what naming them needs.
    public: object
    # Record fields (field -> label), or "" when the record itself is the fact.
    per_field: bool = True

    def records(self):
        return self.public()


def _cases():
    return CaseStudy.objects.published().select_related("organization")


KINDS = [
    Kind("edition", "Framework edition", Edition, lambda: Edition.objects.all()),
    Kind("section", "Framework section", Section, lambda: Section.objects.select_related("edition")),
    Kind("recommendation", "Recommendation", Recommendation, lambda: Recommendation.objects.all()),
    Kind("instrument", "Other instrument", Instrument, lambda: Instrument.objects.all()),
    Kind(
        "clause", "Clause of another instrument", Clause, lambda: Clause.objects.select_related("instrument")
    ),
    Kind(
        "clause-mapping",
        "Recommendation mapped to a clause of another instrument",
        ClauseMapping,
        lambda: ClauseMapping.objects.select_related("clause__instrument"),
        per_field=False,
    ),
    Kind("role", "Stakeholder role", StakeholderRole, lambda: StakeholderRole.objects.all()),
    Kind("principle", "Principle", Principle, lambda: Principle.objects.all()),
    Kind(
        "organization", "Organization", Organization, lambda: Organization.objects.prefetch_related("roles")
    ),
    Kind("cohort", "Cohort", Cohort, lambda: Cohort.objects.all()),
    Kind("template", "Case template section", TemplateSection, lambda: TemplateSection.objects.all()),
    Kind("case", "Case", CaseStudy, _cases),
    Kind(
        "credit",
        "Organization credited with a case",
        CaseCredit,
        lambda: CaseCredit.objects.filter(case__is_published=True).select_related("case", "organization"),
        per_field=False,
    ),
    Kind(
        "case-role",
        "Role on a case",
        TaggedRole,
        lambda: TaggedRole.objects.filter(content_object__is_published=True).select_related(
            "content_object", "tag"
        ),
        per_field=False,
    ),
    Kind(
        "case-principle",
        "Principle on a case",
        TaggedPrinciple,
        lambda: TaggedPrinciple.objects.filter(content_object__is_published=True).select_related(
            "content_object", "tag"
        ),
        per_field=False,
    ),
    Kind(
        "coding",
        "Coding of a case against a recommendation",
        Application,
        lambda: Application.objects.of_published_cases().select_related("case", "recommendation"),
        per_field=False,
    ),
    Kind("analysis", "Analysis", Analysis, lambda: Analysis.objects.published()),
    Kind(
        "finding",
        "Finding",
        Finding,
        lambda: Finding.objects.filter(analysis__in=Analysis.objects.published()).select_related("analysis"),
    ),
]
BY_KEY = {kind.key: kind for kind in KINDS}


@dataclass
class Item:
    """One fact: which record and field, what it says, and its provenance."""

    kind: Kind
    record: object
    field: str  # "" for a record that is itself the fact
    label: str
    value: str
    provenance: Provenance
    # Readers' open suggestions about this fact (casebase.corrections), set by attach_suggestions.
    suggestions: list = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int, str]:
        """The fact as a suggestion names it: (kind, record id, field)."""
        return (self.kind.key, self.record.pk, self.field)

    @property
    def name(self) -> str:
        """The record as staff recognise it (a coding names its case and recommendation)."""
        record = self.record
        if isinstance(record, Application):
            return f"{record.case.title} × {record.recommendation.key} ({record.get_voice_display()})"
        if isinstance(record, (TaggedRole, TaggedPrinciple)):
            return f"{record.content_object.title}: {record.tag.name}"
        if isinstance(record, CaseCredit):
            return f"{record.case.title}: {record.organization.name} ({record.get_role_display()})"
        return str(record)

    @property
    def case_pk(self) -> int | None:
        """The case this fact is about (its own field, or a coding, role or credit on it), if any."""
        for owner in (
            self.record,
            getattr(self.record, "case", None),
            getattr(self.record, "content_object", None),
        ):
            if isinstance(owner, CaseStudy):
                return owner.pk
        return None

    @property
    def public_url(self) -> str:
        for candidate in (
            self.record,
            getattr(self.record, "case", None),
            getattr(self.record, "content_object", None),
        ):
            if candidate is not None and hasattr(candidate, "get_absolute_url"):
                return candidate.get_absolute_url()
        return ""

    @property
    def admin_url(self) -> str:
        """The record's admin page, or its case's where it is edited inline (credits, tags)."""
        for owner in (
            self.record,
            getattr(self.record, "case", None),
            getattr(self.record, "content_object", None),
        ):
            if owner is None:
                continue
            meta = owner._meta
            try:
                return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[owner.pk])
            except NoReverseMatch:
                continue
        return ""

    @property
    def is_stale(self) -> bool:
        checked = self.provenance.checked_on
        return self.provenance.is_fact and (checked is None or timezone.localdate() - checked > STALE_AFTER)

    @property
    def suggested_source(self) -> str:
        """Where to check it: its own source, or its record's, or its case's."""
        if self.provenance.source_url:
            return self.provenance.source_url
        for owner in (
            self.record,
            getattr(self.record, "case", None),
            getattr(self.record, "content_object", None),
        ):
            if owner is not None and getattr(owner, "source_url", ""):
                return owner.source_url
        return ""


def _text(value) -> str:
    if hasattr(value, "all"):
        return ", ".join(str(v) for v in value.all())
    if isinstance(value, list):
        return "; ".join(str(v.get("response", v) if isinstance(v, dict) else v) for v in value)
    return "" if value is None else str(value)


def items(kinds=KINDS):
    """Every shown fact (refuted ones are kept for staff but are not facts the site shows)."""
    for kind in kinds:
        for record in kind.records():
            if kind.per_field:
                for fact in record.facts():
                    yield Item(kind, record, fact.field, fact.label, _text(fact.value), fact.provenance)
            else:
                provenance = record.provenance()
                label = kind.label
                value = getattr(record, "status", "") or str(record)
                yield Item(kind, record, "", label, _text(value), provenance)


@dataclass
class Summary:
    by_grade: dict[str, int]
    by_voice: dict[str, int]
    by_kind: list[tuple[Kind, list[int]]]  # counts in Grade order
    unsourced: int
    stale: int
    total: int

    @property
    def grade_totals(self) -> list[int]:
        return [self.by_grade[grade] for grade in Grade.values]


def summarise(all_items: list[Item]) -> Summary:
    by_grade = {grade: 0 for grade in Grade.values}
    by_voice = {voice: 0 for voice in Voice.values}
    per_kind: dict[str, dict[str, int]] = {kind.key: {grade: 0 for grade in Grade.values} for kind in KINDS}
    unsourced = stale = 0
    for item in all_items:
        by_grade[item.provenance.grade] += 1
        by_voice[item.provenance.voice] += 1
        per_kind[item.kind.key][item.provenance.grade] += 1
        unsourced += item.provenance.grade in SHOWN_GRADES and not item.provenance.source_url
        stale += item.is_stale
    return Summary(
        by_grade,
        by_voice,
        [(kind, list(per_kind[kind.key].values())) for kind in KINDS if any(per_kind[kind.key].values())],
        unsourced,
        stale,
        len(all_items),
    )


# What the worklist can show: each a test on an item.
LISTS = {
    "check": ("Unverified or inferred", lambda item: item.provenance.needs_check),
    "unsourced": ("Shown without a source address", lambda item: not item.provenance.source_url),
    "stale": ("Confirmed, but not checked in the last year", lambda item: item.is_stale),
    "supporter": (
        "In the organization's own voice only",
        lambda item: item.provenance.voice == Voice.SUPPORTER,
    ),
    "suggested": ("With a reader's suggested correction", lambda item: bool(item.suggestions)),
}


def attach_suggestions(all_items: list[Item], suggestions) -> None:
    """Put each open suggestion beside the fact it concerns."""
    by_key: dict[tuple, list] = {}
    for suggestion in suggestions:
        by_key.setdefault(suggestion.worklist_key, []).append(suggestion)
    for item in all_items:
        item.suggestions = by_key.get(item.key, [])


def find(kind_key: str, pk: int, field: str):
    """The record (and field) a confirmation names, or None if it names nothing we know."""
    kind = BY_KEY.get(kind_key)
    if kind is None:
        return None, None
    record = kind.records().filter(pk=pk).first()
    if record is None:
        return None, None
    if kind.per_field and field not in record.SOURCED_FIELDS:
        return None, None
    if not kind.per_field and field:
        return None, None
    return kind, record
