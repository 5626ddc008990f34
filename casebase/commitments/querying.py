"""What the public reads of the yearly review: supporters' published statements, under the evidence control.

Only ``Statement.objects.public()`` (statements of published self-assessments, with an
answer) is ever read here. A statement is the organization's own word about itself, never
a verified fact, so the evidence control (``casebase.core.evidence.Evidence``) decides
which statements *count*:

- ``evidence=all`` (the default): every public statement counts, shown and exported as
  self-reported (voice ``supporter``);
- ``evidence=confirmed``: a statement counts only when it is *backed*: at least one of its
  evidence cases is published and applies the same recommendation (by key, in any edition)
  with a confirmed or corroborated coding. A supporter's word alone is not confirmed evidence.

Pages, exports and the API all select through ``public_statements`` and ``counted``, so a
number on a page is the number of rows its link exports.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from casebase.cases.models import Application, CaseStudy
from casebase.commitments.models import ReportingCycle, Statement
from casebase.core.evidence import FACT_GRADES, Evidence, Voice
from casebase.core.params import clean_key
from casebase.organizations.models import Organization

STATUS_VALUES = tuple(Statement.Status.values)
STATUS_LABELS = dict(Statement.Status.choices)
VOICE = Voice.SUPPORTER  # every statement is the organization's own word


def backed():
    """Whether a statement has confirmed evidence: one of its cases, published, applies its
    recommendation's key with a confirmed or corroborated coding (one subquery, any edition)."""
    return Exists(
        Application.objects.filter(
            case__is_published=True,
            case__statements=OuterRef("pk"),
            recommendation__key=OuterRef("recommendation__key"),
            grade__in=FACT_GRADES,
            status__in=Application.APPLYING,
        )
    )


def public_statements() -> QuerySet:
    """Every public statement with what pages and exports show of it, read in three queries
    (the statements with their cycle, organization and recommendation; their published
    evidence cases), each annotated ``is_backed``."""
    return (
        Statement.objects.public()
        .annotate(is_backed=backed())
        .select_related(
            "assessment__cycle__edition",
            "assessment__organization",
            "recommendation__edition",
            "recommendation__section",
        )
        .prefetch_related(
            # Only published cases are ever shown: a statement may cite a case still in review.
            Prefetch(
                "evidence_cases",
                queryset=CaseStudy.objects.published().only("pk", "slug", "title").order_by("title", "slug"),
                to_attr="public_cases",
            )
        )
        .order_by(
            "assessment__cycle__opens_on",
            "assessment__cycle__pk",
            "assessment__organization__name",
            "recommendation__section__order",
            "recommendation__order",
            "recommendation__key",
        )
    )


def counted(statements: QuerySet, evidence: str) -> QuerySet:
    """The statements that count under the evidence setting (see the module's docstring)."""
    if Evidence.of(evidence) == Evidence.CONFIRMED:
        return statements.filter(is_backed=True)
    return statements


class BadFilter(ValueError):
    """A filter value that names nothing it could (a status not among the statuses)."""


def filtered(
    statements: QuerySet,
    *,
    cycle: str = "",
    status: str = "",
    organization: str = "",
    recommendation: str = "",
) -> QuerySet:
    """Narrow by cycle slug, status, organization slug and recommendation key (cleaned here).

    A slug or key that names nothing selects nothing; a status outside the vocabulary is
    refused (``BadFilter``): it can only be a mistake, and an empty answer would hide it."""
    cycle, status = clean_key(cycle), clean_key(status)
    organization, recommendation = clean_key(organization), clean_key(recommendation)
    if status and status not in STATUS_VALUES:
        # The value is not repeated back: it is whatever someone typed into an address.
        raise BadFilter(f"Unknown status: use one of {', '.join(STATUS_VALUES)}.")
    if cycle:
        statements = statements.filter(assessment__cycle__slug=cycle)
    if status:
        statements = statements.filter(status=status)
    if organization:
        statements = statements.filter(assessment__organization__slug=organization)
    if recommendation:
        statements = statements.filter(recommendation__key=recommendation)
    return statements


# --- the recommendation page ------------------------------------------------------------


@dataclass
class Row:
    """One organization (or recommendation) across the cycles: a statement or None per cycle."""

    subject: object
    cells: list
    url: str = ""


@dataclass
class DueMeasure:
    statement: Statement
    later: Statement | None  # the organization's first later statement on the recommendation, if any

    @property
    def practised_later(self) -> bool:
        return self.later is not None and self.later.status == Statement.Status.PRACTISED


@dataclass
class Commitments:
    """The "Commitments" section of a recommendation or organization page."""

    evidence: str
    cycles: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    uncounted: int = 0  # public statements left out under evidence=confirmed
    moved: list = field(default_factory=list)  # organizations that moved from planned to practised
    counts: list = field(default_factory=list)  # per cycle: (cycle, [(status, label, n, url)])
    cases: list = field(default_factory=list)  # (case, [statements citing it])
    due: list = field(default_factory=list)
    export_base: str = ""  # the section's export address without its extension

    @property
    def is_confirmed_only(self) -> bool:
        return self.evidence == Evidence.CONFIRMED

    @property
    def downloads(self) -> list[tuple[str, str]]:
        return [("CSV", self.export_url("csv")), ("JSON", self.export_url("json"))]

    def export_url(self, ext: str, **filters) -> str:
        params = {k: v for k, v in filters.items() if v}
        if self.is_confirmed_only:
            params["evidence"] = Evidence.CONFIRMED
        return f"{self.export_base}{ext}" + ("?" + urlencode(params) if params else "")


def _export_base(url_name: str, subject: str) -> str:
    """The export's address up to its extension ("/recommendations/<key>/commitments.")."""
    return reverse(url_name, args=[subject, "csv"])[: -len("csv")]


def _cycles_of(statements: list[Statement]) -> list[ReportingCycle]:
    cycles = {s.assessment.cycle_id: s.assessment.cycle for s in statements}
    return sorted(cycles.values(), key=lambda c: (c.opens_on, c.pk))


def _section(everything: list[Statement], evidence: str, export_base: str, row_of) -> Commitments:
    """What both pages show: the columns (every cycle with a public statement, whatever the
    evidence setting, so switching it never moves columns), one row per ``row_of(statement)``
    (a key and the row's subject), and per cycle the count of each status, linked."""
    statements = [s for s in everything if s.is_backed or evidence == Evidence.ALL]
    out = Commitments(evidence=evidence, export_base=export_base)
    out.cycles = _cycles_of(everything)
    out.uncounted = len(everything) - len(statements)
    column = {cycle.pk: i for i, cycle in enumerate(out.cycles)}
    rows: dict = {}
    for statement in statements:
        key, subject = row_of(statement)
        row = rows.setdefault(key, Row(subject, [None] * len(out.cycles), subject.get_absolute_url()))
        row.cells[column[statement.assessment.cycle_id]] = statement
    out.rows = list(rows.values())
    for cycle in out.cycles:
        numbers = []
        for status, label in Statement.Status.choices:
            n = sum(1 for s in statements if s.assessment.cycle_id == cycle.pk and s.status == status)
            numbers.append((status, label, n, out.export_url("json", cycle=cycle.slug, status=status)))
        out.counts.append((cycle, numbers))
    citing: dict[int, tuple] = {}
    for statement in statements:
        for case in statement.public_cases:
            citing.setdefault(case.pk, (case, []))[1].append(statement)
    out.cases = sorted(citing.values(), key=lambda entry: (entry[0].title.lower(), entry[0].slug))
    return out


def recommendation_commitments(key: str, *, evidence: str) -> Commitments:
    """The timeline of supporters' statements on a recommendation key: one row per organization.

    Keys are stable across editions, so cycles run against different editions line up."""
    out = _section(
        list(public_statements().filter(recommendation__key=key)),
        Evidence.of(evidence),
        _export_base("framework:recommendation_commitments", key),
        lambda statement: (statement.assessment.organization_id, statement.assessment.organization),
    )
    out.rows.sort(key=lambda row: (row.subject.name.lower(), row.subject.slug))
    for row in out.rows:
        answered = [cell for cell in row.cells if cell is not None]
        planned_at = next((i for i, s in enumerate(answered) if s.status == Statement.Status.PLANNED), None)
        if planned_at is not None and any(
            s.status == Statement.Status.PRACTISED for s in answered[planned_at + 1 :]
        ):
            out.moved.append(row.subject)
    out.due = _due(out.rows)
    return out


PLANNING = frozenset({Statement.Status.PLANNED, Statement.Status.PARTLY})


def _due(rows: list[Row], today: datetime.date | None = None) -> list[DueMeasure]:
    """Planned measures whose date has come, each with the organization's later statement on it
    (the first practised one, else the next one)."""
    today = today or timezone.localdate()
    due = []
    for row in rows:
        answered = [cell for cell in row.cells if cell is not None]
        for i, statement in enumerate(answered):
            # A measure counts as planned only beside a status that plans more (planned or partly):
            # one left over on a practised or declined statement is not a commitment.
            if (
                statement.status in PLANNING
                and statement.planned_measure
                and statement.planned_by
                and statement.planned_by <= today
            ):
                later = answered[i + 1 :]
                practised = next((s for s in later if s.status == Statement.Status.PRACTISED), None)
                due.append(DueMeasure(statement, practised or (later[0] if later else None)))
    return sorted(due, key=lambda d: (d.statement.planned_by, d.statement.assessment.organization.name))


# --- the organization page --------------------------------------------------------------


def organization_commitments(organization: Organization, *, evidence: str) -> Commitments:
    """An organization's statuses: one row per recommendation key, one column per cycle."""
    everything = list(public_statements().filter(assessment__organization=organization))
    # A row is named by the newest edition's wording of its key among the statements.
    newest = {}
    for statement in sorted(
        everything, key=lambda s: s.recommendation.edition.published_on or datetime.date.min
    ):
        newest[statement.recommendation.key] = statement.recommendation
    out = _section(
        everything,
        Evidence.of(evidence),
        _export_base("organizations:commitments", organization.slug),
        lambda statement: (statement.recommendation.key, newest[statement.recommendation.key]),
    )
    out.rows.sort(key=lambda row: (row.subject.section.order, row.subject.order, row.subject.key))
    out.due = _due(out.rows)
    return out
