"""Cross-case aggregates: the numbers of the analysis pages (read-only selectors).

Every count here is a number of published cases, selected by the one filter
engine (casebase.cases.filters.CaseFilter) with the same parameters as /cases/,
and counted on the facet index's bitmasks: no count scans the database. A case
*addresses* a recommendation when it applies it (Application.APPLYING), as the
``rec`` filter says. Each cell carries the /cases/ address of the cases it
counts, built from the same parameters the count was computed with.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse

from casebase.cases.filters import CaseFilter, OrderedCases
from casebase.cases.models import Application, CaseStudy, Cohort
from casebase.core.evidence import Evidence, Grade, Voice, flag_of, precedence
from casebase.core.params import clean_keys, clean_text, values_of
from casebase.framework.models import Edition, Principle, Recommendation, StakeholderRole

# The /cases/ parameters an analysis view carries into the lists its numbers link to:
# the filters, and the evidence setting and voices the numbers were counted under.
FILTER_PARAMS = (
    "role", "principle", "org", "cohort", "rec", "tag", "clause", "q", "evidence", "voice", "collection",
)  # fmt: skip


@dataclass
class Axis:
    key: str
    label: str
    group: str = ""
    href: str = ""
    title: str = ""
    pk: int | None = None  # a recommendation's id (one edition's)


def clean_params(params, names=FILTER_PARAMS) -> dict[str, list[str]]:
    """The filter parameters present in ``params`` (a QueryDict or a dict of lists), cleaned
    the one way (casebase.core.params); ``q`` keeps its case."""
    cleaned: dict[str, list[str]] = {}
    for name in names:
        raw = values_of(params, name)
        if name == "q":
            values = [clean_text(raw[0])] if raw and clean_text(raw[0]) else []
        elif name == "evidence":
            values = [Evidence.CONFIRMED] if raw and Evidence.of(raw[0]) == Evidence.CONFIRMED else []
        else:
            values, _ = clean_keys(raw)
        if values:
            cleaned[name] = values
    return cleaned


@dataclass
class Cell:
    count: int
    href: str
    relevant: bool = True
    gap_href: str = ""

    @property
    def is_gap(self) -> bool:
        return self.relevant and self.count == 0 and bool(self.gap_href)


@dataclass
class Chart:
    """A grid of counts: rows x columns. Rendered as SVG, as a table and as CSV from the same data."""

    slug: str
    title: str
    description: str
    row_label: str
    col_label: str
    rows: list[Axis]
    cols: list[Axis]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    row_totals: dict[str, Cell] = field(default_factory=dict)
    total_label: str = ""

    def cell(self, row: str, col: str) -> Cell | None:
        return self.cells.get((row, col))

    @property
    def max_count(self) -> int:
        return max((c.count for c in self.cells.values()), default=0)

    def grid(self):
        """Rows with their cells in column order, for templates."""
        for row in self.rows:
            yield row, [self.cells.get((row.key, col.key)) for col in self.cols], self.row_totals.get(row.key)


def cases_url(params: dict[str, list[str]], **extra: str | list[str]) -> str:
    """The /cases/ address listing the cases behind a count."""
    merged = {k: list(v) for k, v in params.items() if k in FILTER_PARAMS}
    for name, value in extra.items():
        values = value if isinstance(value, list) else [value]
        current = merged.setdefault(name, [])
        current.extend(v for v in values if v not in current)
    return reverse("cases:list") + "?" + urlencode(merged, doseq=True)


def together_url(params: dict[str, list[str]], *keys: str) -> str:
    """The cases addressing all the recommendations: /cases/'s ``rec`` means any of them."""
    merged = {k: list(v) for k, v in params.items() if k in FILTER_PARAMS and k != "rec"}
    merged["rec"] = list(keys)
    return reverse("analysis:together") + "?" + urlencode(merged, doseq=True)


def submit_url(**params: str) -> str:
    # The new-case form, with the recommendation, role or principle filled in.
    return "/submit/new/?" + urlencode(params)


SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")


def is_slug(value: str | None) -> bool:
    """Only slug-shaped values reach the database (PostgreSQL refuses NUL bytes, for one)."""
    return bool(value and SLUG_RE.match(value))


def choose_edition(slug: str | None) -> Edition | None:
    if is_slug(slug):
        edition = Edition.objects.public().filter(slug=slug).first()
        if edition:
            return edition
    return Edition.objects.current()


def recommendation_axes(edition: Edition | None) -> list[Axis]:
    if edition is None:
        return []
    recs = (
        Recommendation.objects.of_edition(edition)
        .select_related("section", "section__parent")
        .order_by("section__order", "order", "key")
    )
    return [
        Axis(
            key=r.key,
            label=r.reader_label,
            group=str(r.section),
            href=r.get_absolute_url(),
            title=r.reader_label,
            pk=r.pk,
        )
        for r in recs
    ]


def role_axes() -> list[Axis]:
    return [
        Axis(key=r.slug, label=r.name, href=cases_url({}, role=r.slug)) for r in StakeholderRole.objects.all()
    ]


def principle_axes() -> list[Axis]:
    return [
        Axis(key=p.slug, label=p.name, href=cases_url({}, principle=p.slug)) for p in Principle.objects.all()
    ]


def cohort_axes() -> list[Axis]:
    # Oldest first; a cohort whose release date is not established yet is the latest.
    cohorts = Cohort.objects.order_by(F("released_on").asc(nulls_last=True), "slug")
    return [Axis(key=c.slug, label=c.name, href=cases_url({}, cohort=c.slug)) for c in cohorts]


def split(params: dict[str, list[str]], *dimensions: str):
    """Separate a chart's own dimensions from the other filters.

    A chart of roles counts every role column on its own, so a role filter
    chooses which columns to show rather than narrowing the cases counted; the
    link of each cell then carries one value per dimension, and /cases/ lists
    exactly the cases counted.
    """
    rest = {k: v for k, v in params.items() if k not in dimensions}
    chosen = {k: v for k, v in params.items() if k in dimensions}
    return rest, chosen


def only(axes: list[Axis], values: list[str] | None) -> list[Axis]:
    if not values:
        return axes
    kept = [a for a in axes if a.key in values]
    return kept or axes


# --- Gap map ---------------------------------------------------------------------------


def recommendation_role_chart(params: dict[str, list[str]], edition: Edition | None) -> Chart:
    params, chosen = split(params, "rec", "role")
    selection = CaseFilter(params)
    base, lens = selection.mask(), selection.lens
    rows = only(recommendation_axes(edition), chosen.get("rec"))
    cols = only(role_axes(), chosen.get("role"))
    addressed = set(
        Recommendation.objects.of_edition(edition)
        .filter(roles__isnull=False)
        .values_list("key", "roles__slug")
    )
    chart = Chart(
        slug="recommendation-role",
        title="Cases per recommendation and stakeholder role",
        description=(
            "Each number counts the published cases that address the recommendation and are tagged "
            "with the role. Outlined cells are gaps: the recommendation addresses that role but no "
            "case reports it yet."
        ),
        row_label="Recommendation",
        col_label="Stakeholder role",
        rows=rows,
        cols=cols,
        total_label="All roles",
    )
    for row in rows:
        addressing = lens.applying(row.pk) & base
        for col in cols:
            relevant = (row.key, col.key) in addressed
            chart.cells[(row.key, col.key)] = Cell(
                count=(addressing & lens.mask("role", col.key)).bit_count(),
                href=cases_url(params, rec=row.key, role=col.key),
                relevant=relevant,
                gap_href=submit_url(rec=row.key, role=col.key) if relevant else "",
            )
        chart.row_totals[row.key] = Cell(count=addressing.bit_count(), href=cases_url(params, rec=row.key))
    return chart


def _tag_grid(params, *, rows_param, rows, cols_param, cols) -> tuple[dict, dict]:
    """Counts of cases with both values (rows x cols) and with the row's value, among the
    cases the other filters select: ({(row, col): n}, {row: n})."""
    selection = CaseFilter(params)
    base, lens = selection.mask(), selection.lens
    counts, totals = {}, {}
    for row in rows:
        within = lens.mask(rows_param, row.key) & base
        totals[row.key] = within.bit_count()
        for col in cols:
            counts[(row.key, col.key)] = (within & lens.mask(cols_param, col.key)).bit_count()
    return counts, totals


def principle_role_chart(params: dict[str, list[str]], *, slug="principle-role", title=None) -> Chart:
    params, chosen = split(params, "principle", "role")
    rows = only(principle_axes(), chosen.get("principle"))
    cols = only(role_axes(), chosen.get("role"))
    counts, totals = _tag_grid(params, rows_param="principle", rows=rows, cols_param="role", cols=cols)
    chart = Chart(
        slug=slug,
        title=title or "Cases per principle and stakeholder role",
        description="Each number counts the published cases tagged with both the principle and the role.",
        row_label="Principle",
        col_label="Stakeholder role",
        rows=rows,
        cols=cols,
        total_label="All roles",
    )
    for row in rows:
        for col in cols:
            chart.cells[(row.key, col.key)] = Cell(
                count=counts[(row.key, col.key)],
                href=cases_url(params, principle=row.key, role=col.key),
                gap_href=submit_url(principle=row.key, role=col.key),
            )
        chart.row_totals[row.key] = Cell(count=totals[row.key], href=cases_url(params, principle=row.key))
    return chart


# --- Cross-tabs over time ----------------------------------------------------------------


def _by_cohort(params, rows: list[Axis], param: str, slug: str, title: str, what: str) -> Chart:
    params, chosen = split(params, param, "cohort")
    rows = only(rows, chosen.get(param))
    cols = only(cohort_axes(), chosen.get("cohort"))
    counts, _ = _tag_grid(params, rows_param=param, rows=rows, cols_param="cohort", cols=cols)
    chart = Chart(
        slug=slug,
        title=title,
        description=f"Each number counts the published cases of the cohort tagged with the {what}.",
        row_label=what.capitalize(),
        col_label="Cohort",
        rows=rows,
        cols=cols,
    )
    for row in rows:
        for col in cols:
            chart.cells[(row.key, col.key)] = Cell(
                count=counts[(row.key, col.key)],
                href=cases_url(params, **{param: row.key, "cohort": col.key}),
            )
    return chart


def principle_cohort_chart(params) -> Chart:
    return _by_cohort(
        params,
        principle_axes(),
        "principle",
        "principle-cohort",
        "Cases per principle, by cohort",
        "principle",
    )


def role_cohort_chart(params) -> Chart:
    return _by_cohort(
        params,
        role_axes(),
        "role",
        "role-cohort",
        "Cases per stakeholder role, by cohort",
        "stakeholder role",
    )


def recommendation_cohort_chart(params, edition: Edition | None) -> Chart:
    params, chosen = split(params, "rec", "cohort")
    rows = only(recommendation_axes(edition), chosen.get("rec"))
    cols = only(cohort_axes(), chosen.get("cohort"))
    selection = CaseFilter(params)
    base, lens = selection.mask(), selection.lens
    chart = Chart(
        slug="recommendation-cohort",
        title="Cases per recommendation, by cohort",
        description="Each number counts the published cases of the cohort that address the recommendation.",
        row_label="Recommendation",
        col_label="Cohort",
        rows=rows,
        cols=cols,
    )
    for row in rows:
        addressing = lens.applying(row.pk) & base
        for col in cols:
            chart.cells[(row.key, col.key)] = Cell(
                count=(addressing & lens.mask("cohort", col.key)).bit_count(),
                href=cases_url(params, rec=row.key, cohort=col.key),
            )
    return chart


def cohort_totals_chart(params) -> Chart:
    params, chosen = split(params, "cohort")
    cols = only(cohort_axes(), chosen.get("cohort"))
    selection = CaseFilter(params)
    base, lens = selection.mask(), selection.lens
    row = Axis(key="cases", label="Published cases")
    chart = Chart(
        slug="cohort-totals",
        title="Published cases per cohort",
        description="How many published cases each cohort holds.",
        row_label="",
        col_label="Cohort",
        rows=[row],
        cols=cols,
    )
    for col in cols:
        chart.cells[("cases", col.key)] = Cell(
            count=(lens.mask("cohort", col.key) & base).bit_count(), href=cases_url(params, cohort=col.key)
        )
    return chart


# --- Co-occurrence -----------------------------------------------------------------------


def cooccurrence_chart(params, edition: Edition | None) -> Chart:
    params, chosen = split(params, "rec")
    rows = only(recommendation_axes(edition), chosen.get("rec"))
    selection = CaseFilter(params)
    base, lens = selection.mask(), selection.lens
    addressing = {row.key: lens.applying(row.pk) & base for row in rows}
    counts = {(a.key, b.key): (addressing[a.key] & addressing[b.key]).bit_count() for a in rows for b in rows}
    chart = Chart(
        slug="cooccurrence",
        title="Recommendations addressed together",
        description=(
            "Each number counts the published cases that address both recommendations. "
            "The diagonal counts the cases addressing the recommendation at all."
        ),
        row_label="Recommendation",
        col_label="Recommendation",
        rows=rows,
        # The same label on both axes: a person reads them, the key is only in the links.
        cols=rows,
    )
    for row in rows:
        for col in rows:
            chart.cells[(row.key, col.key)] = Cell(
                count=counts.get((row.key, col.key), 0),
                href=cases_url(params, rec=row.key)
                if row.key == col.key
                else together_url(params, row.key, col.key),
                relevant=row.key != col.key,
            )
    return chart


def top_pairs(chart: Chart, limit: int = 15) -> list[tuple[Axis, Axis, Cell]]:
    """The most frequent pairs, read from the co-occurrence grid."""
    by_key = {a.key: a for a in chart.rows}
    pairs = [(by_key[a], by_key[b], cell) for (a, b), cell in chart.cells.items() if a < b and cell.count > 0]
    pairs.sort(key=lambda p: (-p[2].count, p[0].key, p[1].key))
    return pairs[:limit]


# --- Matrix ------------------------------------------------------------------------------

MATRIX_PAGE_SIZE = 40


@dataclass
class MatrixCell:
    """A case x recommendation cell: the codings that count here, led by the surest one."""

    codings: list[dict]

    @classmethod
    def of(cls, codings: list[dict]) -> "MatrixCell":
        return cls(sorted(codings, key=lambda c: precedence(c["grade"], c["voice"])))

    @property
    def lead(self) -> dict:
        return self.codings[0]

    @property
    def status(self) -> str:
        return self.lead["status"]

    @property
    def grade(self) -> str:
        return self.lead["grade"]

    @property
    def flag(self) -> str:
        return flag_of(self.grade)

    @property
    def justification(self) -> str:
        return self.lead["justification"]

    @property
    def voices(self) -> list[str]:
        return [Voice(c["voice"]).label for c in self.codings]

    @property
    def disagree(self) -> bool:
        return len({c["status"] for c in self.codings}) > 1


@dataclass
class Matrix:
    edition: Edition | None
    rows: list[Axis]
    cases: list[CaseStudy]
    statuses: dict[tuple[int, str], MatrixCell]
    totals: dict[str, Cell]
    page: int
    pages: int
    case_count: int

    def grid(self):
        for row in self.rows:
            yield (
                row,
                [(case, self.statuses.get((case.pk, row.key))) for case in self.cases],
                self.totals[row.key],
            )

    def column_groups(self):
        """Consecutive columns sharing an organization, for the grouped header."""
        groups: list[list] = []
        for case in self.cases:
            if groups and groups[-1][0] == case.organization:
                groups[-1][1] += 1
            else:
                groups.append([case.organization, 1])
        return groups


def matrix(params: dict[str, list[str]], edition: Edition | None, page: int = 1) -> Matrix:
    rows = recommendation_axes(edition)
    selection = CaseFilter(params)
    base, lens = selection.mask(), selection.lens
    ids = selection.ids(sort="organization")
    case_count = len(ids)
    pages = max(1, -(-case_count // MATRIX_PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * MATRIX_PAGE_SIZE
    cases = OrderedCases(ids, CaseStudy.objects.select_related("organization", "cohort"))[
        start : start + MATRIX_PAGE_SIZE
    ]
    codings = (
        Application.objects.filter(case__in=[c.pk for c in cases], recommendation__edition=edition)
        .filter(grade__in=lens.grades)
        .values("case_id", "recommendation__key", "status", "grade", "voice", "justification")
    )
    if selection.voices:
        codings = codings.filter(voice__in=selection.voices)
    grouped: dict[tuple[int, str], list[dict]] = {}
    for coding in codings:
        grouped.setdefault((coding["case_id"], coding["recommendation__key"]), []).append(coding)
    statuses = {key: MatrixCell.of(found) for key, found in grouped.items()}
    totals = {
        r.key: Cell(count=(lens.applying(r.pk) & base).bit_count(), href=cases_url(params, rec=r.key))
        for r in rows
    }
    return Matrix(edition, rows, cases, statuses, totals, page, pages, case_count)


def addressing_all(params: dict[str, list[str]], keys: list[str]) -> OrderedCases:
    """Published cases that address every one of the recommendations (AND, unlike ``rec``'s OR),
    among those the other parameters select, newest first."""
    selection = CaseFilter({k: v for k, v in params.items() if k != "rec"})
    mask = selection.mask()
    for key in keys:
        mask &= selection.lens.mask("rec", key)
    return OrderedCases(
        [selection.index.ids[p] for p in selection.index.positions(mask)],
        CaseStudy.objects.select_related("organization", "cohort"),
    )


# --- Compare -----------------------------------------------------------------------------


def compare(slugs: list[str], edition: Edition | None):
    """Up to four published cases and their codings aligned by recommendation: each cell holds every
    voice's coding of that case (refuted ones never), surest first."""
    cases = list(
        CaseStudy.objects.published()
        .filter(slug__in=slugs[:4])
        .select_related("organization", "cohort")
        .prefetch_related("roles", "principles")
    )
    order = {s: i for i, s in enumerate(slugs)}
    cases.sort(key=lambda c: order.get(c.slug, 99))
    codings = (
        Application.objects.shown()
        .filter(case__in=cases)
        .select_related("recommendation", "recommendation__section")
        .order_by("recommendation__section__order", "recommendation__order", "recommendation__key")
    )
    by_rec: dict[str, dict] = {}
    recs = {}
    for coding in codings:
        recs.setdefault(coding.recommendation.key, coding.recommendation)
        by_rec.setdefault(coding.recommendation.key, {}).setdefault(coding.case_id, []).append(coding)
    for cells in by_rec.values():
        for found in cells.values():
            found.sort(key=lambda c: precedence(c.grade, c.voice))
    rows = [(recs[key], [by_rec[key].get(c.pk, []) for c in cases]) for key in recs]
    shared = sum(1 for _, cells in rows if all(cells))
    return cases, rows, shared


# --- What the numbers rest on ------------------------------------------------------------


@dataclass
class EvidenceSplit:
    """The codings behind a page's numbers, by grade, and the setting they were counted under."""

    evidence: str
    voices: list[str]
    grades: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.grades.values())

    @property
    def parts(self) -> list[tuple[str, int]]:
        return [(Grade(grade).label.lower(), n) for grade, n in self.grades.items()]

    @property
    def confirmed_only(self) -> bool:
        return self.evidence == Evidence.CONFIRMED


def evidence_split(params: dict[str, list[str]], edition: Edition | None) -> EvidenceSplit:
    """How many of the applying codings the page counts are confirmed, corroborated,
    unverified or inferred, among the cases its filters select."""
    selection = CaseFilter(params)
    rec_ids = [axis.pk for axis in recommendation_axes(edition)]
    order = [Grade.CONFIRMED, Grade.CORROBORATED, Grade.RECALLED, Grade.INFERRED]
    counted = selection.lens.coding_grades(rec_ids, selection.mask())
    return EvidenceSplit(
        selection.evidence, selection.voices, {grade: counted[grade] for grade in order if grade in counted}
    )
