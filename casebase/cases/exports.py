"""Case data out: the /cases/ list as CSV or JSON, and the case x recommendation table.

The cases are those a CaseFilter selects, in its order. Both stream: rows are
read a chunk at a time and written as they come, so memory stays flat however
many cases match.
"""

import csv
import json
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from casebase.cases.filters import CaseFilter, OrderedCases
from casebase.cases.models import Application, CaseCredit, CaseStudy
from casebase.core.dates import as_iso
from casebase.core.evidence import precedence
from casebase.core.siteurl import site_url

CHUNK_SIZE = 500

CASE_COLUMNS = [
    ("slug", "Stable identifier of the case; its page is /cases/<slug>/."),
    ("url", "Address of the case page."),
    ("title", "Title of the case study."),
    ("title_grade", "How sure Casebase is that this is the case's title (see the grade vocabulary)."),
    ("organization", "Slug of the lead organization."),
    ("organization_grade", "How sure Casebase is that the lead organization wrote the case."),
    ("organization_name", "Name of the lead organization."),
    ("organization_kind", "industry, media, civil_society, academia or pai."),
    ("credited", "Every organization credited with the case as slug:grade, separated by ';'."),
    ("cohort", "Slug of the set of cases it was released with (2024-03, 2024-11, 2025)."),
    ("published_on", "Publication date (ISO 8601) at the precision known: YYYY-MM-DD, YYYY-MM or YYYY."),
    ("published_grade", "How sure Casebase is of the publication date."),
    ("edition", "Framework edition the case reported against."),
    ("completeness", "stub, partial or complete."),
    ("grade", "How sure Casebase is of the record as a whole."),
    (
        "voice",
        "Whose record it is: supporter (the organization itself), pai (PAI staff), editors (Casebase).",
    ),
    ("source_url", "Where the record's facts come from."),
    ("checked_on", "When that source was last checked (ISO 8601)."),
    ("summary_grade", "How sure Casebase is of its summary of the case."),
    ("official_url", "PAI's own page for the case, when known."),
    ("official_url_grade", "How sure Casebase is of that address."),
    (
        "roles",
        "Stakeholder roles played in the case as slug:grade, separated by ';' (under the evidence setting).",
    ),
    (
        "principles",
        "Principles the case concerns as slug:grade, separated by ';' (under the evidence setting).",
    ),
    ("tags", "Free topic tags, separated by ';'."),
    ("modalities", "Media modalities: audio, visual, multimodal; separated by ';'."),
    ("disclosure_types", "Disclosure types discussed: direct, indirect; separated by ';'."),
]
APPLICATIONS_COLUMN = (
    "applications",
    "Codings of the case against recommendations as key:status:voice:grade, separated by ';' (under the "
    "evidence setting and voices). Statuses: implemented, partial, considered (considered, not adopted), "
    "not_applicable. Voices: supporter, pai, editors.",
)
GRADES_NOTE = (
    "Grades: confirmed and corroborated are shown as fact; recalled (shown as 'unverified') and inferred are "
    "not yet checked against a source; refuted facts are never exported."
)


HEAVY_FIELDS = (
    "sections",
    "body_html",
    "body_text",
    "summary_html",
    "search_text",
    "takeaways",
    "tag_snapshot",
    "framing_question",
)


class _Echo:
    """A file-like object whose write() returns what it was given, for csv.writer."""

    def write(self, value):
        return value


APPLICATION_ORDER = ("recommendation__section__order", "recommendation__order", "recommendation__key")


def _export_queryset(applications: bool = True) -> QuerySet:
    queryset = (
        CaseStudy.objects
        # The body and its derived copies are most of a row and no export column:
        # leaving them in the database keeps the export fast and its memory small.
        .defer(*HEAVY_FIELDS).select_related("organization", "cohort", "edition")
    )
    if not applications:
        return queryset.prefetch_related(
            Prefetch(
                "credits",
                queryset=CaseCredit.objects.select_related("organization").order_by("organization__slug"),
            )
        )
    applications = Application.objects.select_related("recommendation").only(
        "case_id", "status", "justification", "excerpt", "voice", "grade", "source_url", "locator",
        "evidence_note", "checked_on", "checked_by", "field_sources",
        "recommendation__key", "recommendation__section_id", "recommendation__order",
    ).order_by(*APPLICATION_ORDER, "voice")  # fmt: skip
    queryset = queryset.prefetch_related(
        Prefetch(
            "credits",
            queryset=CaseCredit.objects.select_related("organization").order_by("organization__slug"),
        )
    )
    return queryset.prefetch_related(Prefetch("applications", queryset=applications))


def _attach_statuses(cases: list[CaseStudy], case_filter: CaseFilter) -> None:
    """Set ``case.statuses``: its (recommendation key, status, voice, grade) codings that count under the
    filter's evidence setting and voices, for the chunk in one query.

    The CSV exports need nothing else of an application; reading these as plain
    values instead of application and recommendation objects halves their time.
    """
    by_id = {case.pk: case for case in cases}
    for case in cases:
        case.statuses = []
    rows = (
        Application.objects.filter(case_id__in=list(by_id), grade__in=case_filter.lens.grades)
        .order_by(*APPLICATION_ORDER, "voice")
        .values_list("case_id", "recommendation__key", "status", "voice", "grade")
    )
    if case_filter.voices:
        rows = rows.filter(voice__in=case_filter.voices)
    for case_id, key, status, voice, grade in rows:
        by_id[case_id].statuses.append((key, status, voice, grade))


def _export_cases(case_filter: CaseFilter, applications: bool = True, sort: str | None = None):
    """The filter's published cases for export, read CHUNK_SIZE at a time, in its order.

    With ``applications=False`` the cases carry ``statuses`` (key, status) pairs
    instead of their prefetched applications.
    """
    cases = OrderedCases(case_filter.ids(sort), _export_queryset(applications))
    for chunk in cases.chunks(CHUNK_SIZE):  # tags attached by OrderedCases
        if not applications:
            _attach_statuses(chunk, case_filter)
        yield from chunk


def _claims(links, grades) -> list[str]:
    return sorted(f"{link.tag.slug}:{link.grade}" for link in links if link.grade in grades)


def _case_fields(case: CaseStudy, grades) -> dict:
    record = case.provenance()
    return {
        "slug": case.slug,
        "url": site_url() + case.get_absolute_url(),
        "title": case.title,
        "title_grade": case.provenance("title").grade,
        "organization": case.organization.slug,
        "organization_grade": case.provenance("organization").grade,
        "organization_name": case.organization.name,
        "organization_kind": case.organization.kind,
        "credited": [f"{c.organization.slug}:{c.grade}" for c in case.credits.all() if c.grade in grades],
        "cohort": case.cohort.slug if case.cohort else "",
        "published_on": as_iso(case.published_on, case.published_precision),
        "published_grade": case.provenance("published_on").grade if case.published_on else "",
        "edition": case.edition.slug if case.edition else "",
        "completeness": case.completeness,
        "grade": record.grade,
        "voice": record.voice,
        "source_url": record.source_url,
        "checked_on": record.checked_on.isoformat() if record.checked_on else "",
        "summary_grade": case.provenance("summary").grade,
        "official_url": case.official_url,
        "official_url_grade": case.provenance("official_url").grade if case.official_url else "",
        "roles": _claims(case.role_links.all(), grades),
        "principles": _claims(case.principle_links.all(), grades),
        "tags": sorted(t.name for t in case.tags.all()),
        "modalities": list(case.modalities or []),
        "disclosure_types": list(case.disclosure_types or []),
    }


def _flat(value) -> str:
    return ";".join(value) if isinstance(value, list) else str(value)


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is read as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_rows(case_filter: CaseFilter) -> Iterator[list]:
    yield [name for name, _ in CASE_COLUMNS] + [APPLICATIONS_COLUMN[0]]
    grades = case_filter.lens.grades
    for case in _export_cases(case_filter, applications=False):
        fields = _case_fields(case, grades)
        apps = ";".join(":".join(coding) for coding in case.statuses)
        yield [safe_cell(_flat(fields[name])) for name, _ in CASE_COLUMNS] + [apps]


def case_json(case: CaseStudy, case_filter: CaseFilter) -> dict:
    grades = case_filter.lens.grades
    data = _case_fields(case, grades)
    data["summary"] = case.summary
    data["facts"] = {fact.field: fact.provenance.as_json() for fact in case.facts()}
    data["applications"] = [
        {
            "recommendation": a.recommendation.key,
            "status": a.status,
            "voice": a.voice,
            "grade": a.grade,
            "justification": a.justification,
            "excerpt": a.excerpt,
            "provenance": a.provenance().as_json(),
        }
        for a in case.applications.all()
        if a.grade in grades and (not case_filter.voices or a.voice in case_filter.voices)
    ]
    return data


def _json_chunks(case_filter: CaseFilter, filters: dict) -> Iterator[str]:
    head = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "filters": filters,
        "evidence": case_filter.evidence,
        "voices": case_filter.voices,
        "grades": GRADES_NOTE,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
    first = True
    for case in _export_cases(case_filter):
        yield ("" if first else ",") + "\n" + json.dumps(case_json(case, case_filter), ensure_ascii=False)
        first = False
    yield "\n]}\n"


def stream_csv(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filters_of(request) -> dict:
    return {k: request.GET.getlist(k) for k in request.GET if k not in ("format", "page", "sort")}


def cases_response(request, case_filter: CaseFilter, fmt: str):
    """The /cases/ result as data: ``fmt`` is "csv" or "json". Only published cases are ever written."""
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        return stream_csv(_csv_rows(case_filter), f"casebase-cases-{stamp}.csv")
    if fmt == "json":
        response = StreamingHttpResponse(
            _json_chunks(case_filter, _filters_of(request)), content_type="application/json"
        )
        response["Content-Disposition"] = f'inline; filename="casebase-cases-{stamp}.json"'
        return response
    return HttpResponseBadRequest("Unknown format: use format=csv or format=json.")


# --- case x recommendation --------------------------------------------------------------

WIDE_CASE_COLUMNS = [
    "slug", "title", "title_grade", "organization", "organization_grade", "organization_kind", "cohort",
    "published_on", "completeness", "grade", "roles", "principles",
]  # fmt: skip


def case_recommendation_rows(case_filter: CaseFilter, rec_keys: list[str]) -> Iterator[list]:
    """One row per case; per recommendation, the status ('' when not coded) of its surest coding under the
    filter's evidence setting and voices, that coding's grade, and every voice that coded it.

    Cases come grouped by organization, as the matrix shows them.
    """
    yield WIDE_CASE_COLUMNS + [f"{k}{suffix}" for k in rec_keys for suffix in ("", "__grade", "__voices")]
    grades = case_filter.lens.grades
    for case in _export_cases(case_filter, applications=False, sort="organization"):
        fields = _case_fields(case, grades)
        codings: dict[str, list[tuple]] = {}
        for key, status, voice, grade in case.statuses:
            codings.setdefault(key, []).append((status, voice, grade))
        cells = []
        for key in rec_keys:
            found = sorted(codings.get(key, []), key=lambda c: precedence(c[2], c[1]))
            cells += [found[0][0], found[0][2], ";".join(c[1] for c in found)] if found else ["", "", ""]
        yield [safe_cell(_flat(fields[c])) for c in WIDE_CASE_COLUMNS] + cells


def case_recommendation_response(case_filter: CaseFilter, edition) -> StreamingHttpResponse:
    rec_keys = (
        list(edition.recommendations.order_by("section__order", "order", "key").values_list("key", flat=True))
        if edition
        else []
    )
    stamp = timezone.localdate().isoformat()
    return stream_csv(
        case_recommendation_rows(case_filter, rec_keys), f"casebase-case-by-recommendation-{stamp}.csv"
    )
