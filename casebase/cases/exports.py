"""Case data out: the /cases/ list as CSV or JSON, and the case x recommendation table.

The cases are those a CaseFilter selects, in its order. Both stream: rows are
read a chunk at a time and written as they come, so memory stays flat however
many cases match.
"""

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from casebase.cases import rows
from casebase.cases.filters import CaseFilter
from casebase.cases.models import (
    Application,
    CaseCredit,
    CaseStudy,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
)
from casebase.core.dates import as_iso
from casebase.core.evidence import field_grade, field_json, precedence, record_json
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
# The case's facts the JSON export gives the provenance of: those whose value it reads (the
# long texts are no column of it), as stored names (the organization's is its id).
FACT_FIELDS = [
    (name, CaseStudy._meta.get_field(name).attname)
    for name in CaseStudy.SOURCED_FIELDS
    if name not in HEAVY_FIELDS
]
CASE_VALUES = (
    "slug", "title", "organization_id", "organization__slug", "organization__name", "organization__kind",
    "cohort__slug", "published_on", "published_precision", "edition__slug", "completeness", "grade", "voice",
    "source_url", "checked_on", "field_sources", "official_url", "modalities", "disclosure_types",
)  # fmt: skip
JSON_CASE_VALUES = (
    *CASE_VALUES,
    *(attname for _, attname in FACT_FIELDS if attname not in CASE_VALUES),
    "checked_by", "locator", "evidence_note",
)  # fmt: skip
CODING_VALUES = ("recommendation__key", "status", "voice", "grade")
JSON_CODING_VALUES = (
    *CODING_VALUES, "justification", "excerpt", "source_url", "checked_on", "checked_by", "locator",
    "evidence_note",
)  # fmt: skip


class _Echo:
    """A file-like object whose write() returns what it was given, for csv.writer."""

    def write(self, value):
        return value


APPLICATION_ORDER = ("recommendation__section__order", "recommendation__order", "recommendation__key")
# What the case page's address looks like with a slug the URL pattern takes as it is.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _case_url() -> Callable[[str], str]:
    """slug -> the absolute address of the case page, without resolving the URL pattern per case."""
    base = site_url()
    head, _, tail = reverse("cases:detail", args=["slug"]).rpartition("slug")

    def url(slug: str) -> str:
        if SLUG.fullmatch(slug):
            return base + head + slug + tail
        return base + reverse("cases:detail", args=[slug])

    return url


def _export_rows(
    case_filter: CaseFilter, case_values=CASE_VALUES, coding_values=CODING_VALUES, sort: str | None = None
) -> Iterator[tuple[dict, dict, list]]:
    """(stored values, export fields, counted codings) of the filter's published cases, in its order.

    Read CHUNK_SIZE cases at a time as plain values: one query per table per chunk. The
    codings are ``coding_values`` of those that count under the filter's evidence setting and
    voices, in the Framework's order; the credits, roles and principles in the fields too.
    """
    grades = case_filter.lens.grades
    url = _case_url()
    for ids in rows.chunked(case_filter.ids(sort), CHUNK_SIZE):
        cases = rows.cases(ids, case_values)
        ids = [case["pk"] for case in cases]
        codings = Application.objects.filter(rows.among(Application, "case", ids), grade__in=grades)
        if case_filter.voices:
            codings = codings.filter(voice__in=case_filter.voices)
        codings = rows.by_case(
            codings.order_by(*APPLICATION_ORDER, "voice").values_list("case_id", *coding_values)
        )
        credits = rows.by_case(
            CaseCredit.objects.filter(rows.among(CaseCredit, "case", ids), grade__in=grades)
            .order_by("organization__slug")
            .values_list("case_id", "organization__slug", "grade")
        )
        roles, principles = (
            rows.by_case(
                model.objects.filter(rows.among(model, "content_object", ids), grade__in=grades).values_list(
                    "content_object_id", "tag__slug", "grade"
                )
            )
            for model in (TaggedRole, TaggedPrinciple)
        )
        tags = rows.by_case(
            TaggedTopic.objects.filter(rows.among(TaggedTopic, "content_object", ids)).values_list(
                "content_object_id", "tag__name"
            )
        )
        for case in cases:
            pk, grade, sources = case["pk"], case["grade"], case["field_sources"]
            fields = {
                "slug": case["slug"],
                "url": url(case["slug"]),
                "title": case["title"],
                "title_grade": field_grade(sources, "title", grade),
                "organization": case["organization__slug"],
                "organization_grade": field_grade(sources, "organization", grade),
                "organization_name": case["organization__name"],
                "organization_kind": case["organization__kind"],
                "credited": [f"{slug}:{graded}" for slug, graded in credits.get(pk, ())],
                "cohort": case["cohort__slug"] or "",
                "published_on": as_iso(case["published_on"], case["published_precision"]),
                "published_grade": field_grade(sources, "published_on", grade)
                if case["published_on"]
                else "",
                "edition": case["edition__slug"] or "",
                "completeness": case["completeness"],
                "grade": grade,
                "voice": case["voice"],
                "source_url": case["source_url"],
                "checked_on": case["checked_on"].isoformat() if case["checked_on"] else "",
                "summary_grade": field_grade(sources, "summary", grade),
                "official_url": case["official_url"],
                "official_url_grade": field_grade(sources, "official_url", grade)
                if case["official_url"]
                else "",
                "roles": sorted(f"{slug}:{graded}" for slug, graded in roles.get(pk, ())),
                "principles": sorted(f"{slug}:{graded}" for slug, graded in principles.get(pk, ())),
                "tags": sorted(name for (name,) in tags.get(pk, ())),
                "modalities": list(case["modalities"] or []),
                "disclosure_types": list(case["disclosure_types"] or []),
            }
            yield case, fields, codings.get(pk, [])


def _flat(value) -> str:
    return ";".join(value) if isinstance(value, list) else str(value)


FORMULA_STARTS = frozenset(("=", "+", "-", "@", "\t", "\r"))


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is read as text."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def _cells(fields: dict, names) -> list[str]:
    cells = [_flat(fields[name]) for name in names]
    return [("'" + cell if cell[:1] in FORMULA_STARTS else cell) for cell in cells]  # safe_cell, inlined


def _csv_rows(case_filter: CaseFilter) -> Iterator[list]:
    names = [name for name, _ in CASE_COLUMNS]
    yield names + [APPLICATIONS_COLUMN[0]]
    for _, fields, codings in _export_rows(case_filter):
        yield _cells(fields, names) + [";".join(":".join(coding) for coding in codings)]


def _case_json(case: dict, fields: dict, codings: list) -> dict:
    """One case of the JSON export: its fields, summary, facts' provenance and counted codings."""
    record = record_json(
        case["grade"], case["voice"], case["source_url"], case["checked_on"], case["checked_by"],
        case["locator"], case["evidence_note"],
    )  # fmt: skip
    sources = case["field_sources"] or {}
    fields["summary"] = case["summary"]
    fields["facts"] = {
        name: field_json(record, sources.get(name))
        for name, attname in FACT_FIELDS
        if case[attname] not in (None, "", [], {})
    }
    fields["applications"] = [
        {
            "recommendation": key,
            "status": status,
            "voice": voice,
            "grade": grade,
            "justification": justification,
            "excerpt": excerpt,
            "provenance": record_json(grade, voice, *provenance),
        }
        for key, status, voice, grade, justification, excerpt, *provenance in codings
    ]
    return fields


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
    for case, fields, codings in _export_rows(case_filter, JSON_CASE_VALUES, JSON_CODING_VALUES):
        yield (
            ("" if first else ",") + "\n" + json.dumps(_case_json(case, fields, codings), ensure_ascii=False)
        )
        first = False
    yield "\n]}\n"


LINES_PER_WRITE = 100


def _csv_text(table: Iterable[list]) -> Iterator[str]:
    """The rows as CSV text, LINES_PER_WRITE lines at a time (the response handles each piece
    it is given: a piece per line cost as much as writing the line)."""
    writer = csv.writer(_Echo())
    lines = []
    for row in table:
        lines.append(writer.writerow(row))
        if len(lines) == LINES_PER_WRITE:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def stream_csv(table: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_text(table), content_type="text/csv; charset=utf-8")
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
    for _, fields, statuses in _export_rows(case_filter, sort="organization"):
        codings: dict[str, list[tuple]] = {}
        for key, status, voice, grade in statuses:
            codings.setdefault(key, []).append((status, voice, grade))
        cells = []
        for key in rec_keys:
            found = sorted(codings.get(key, []), key=lambda c: precedence(c[2], c[1]))
            cells += [found[0][0], found[0][2], ";".join(c[1] for c in found)] if found else ["", "", ""]
        yield _cells(fields, WIDE_CASE_COLUMNS) + cells


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
