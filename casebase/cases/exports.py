"""Case data out: the /cases/ list as CSV or JSON, and the case x recommendation table.

The cases are those a CaseFilter selects, in its order. Both stream: rows are
read a chunk at a time and written as they come, so memory stays flat however
many cases match.
"""

import csv
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from casebase.cases.filters import CaseFilter, OrderedCases
from casebase.cases.models import Application, CaseStudy

CHUNK_SIZE = 500

CASE_COLUMNS = [
    ("slug", "Stable identifier of the case; its page is /cases/<slug>/."),
    ("url", "Address of the case page."),
    ("title", "Title of the case study."),
    ("organization", "Slug of the organization that wrote the case."),
    ("organization_name", "Name of the organization."),
    ("organization_kind", "industry, media, civil_society, academia or pai."),
    ("cohort", "Slug of the set of cases it was released with (2024-03, 2024-11, 2025)."),
    ("published_on", "Publication date (ISO 8601); the first of the month when only the month is known."),
    ("edition", "Framework edition the case reported against."),
    ("completeness", "stub, partial or complete."),
    ("verification", "How sure Casebase is of the record: confirmed, corroborated, recalled, inference."),
    ("roles", "Stakeholder roles played in the case, separated by ';'."),
    ("principles", "Principles the case concerns, separated by ';'."),
    ("tags", "Free topic tags, separated by ';'."),
    ("modalities", "Media modalities: audio, visual, multimodal; separated by ';'."),
    ("disclosure_types", "Disclosure types discussed: direct, indirect; separated by ';'."),
    ("source_url", "Official page of the case study."),
]
APPLICATIONS_COLUMN = (
    "applications",
    "Recommendations the case relates to, as key:status pairs separated by ';'. Statuses: implemented, "
    "partial, considered (considered, not adopted), not_applicable.",
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
    "verification_note",
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
        return queryset
    applications = Application.objects.select_related("recommendation").only(
        "case_id", "status", "justification", "excerpt", "asserted_by", "confidence",
        "recommendation__key", "recommendation__section_id", "recommendation__order",
    ).order_by(*APPLICATION_ORDER)  # fmt: skip
    return queryset.prefetch_related(Prefetch("applications", queryset=applications))


def _attach_statuses(cases: list[CaseStudy]) -> None:
    """Set ``case.statuses``: its (recommendation key, status) pairs, for the chunk in one query.

    The CSV exports need nothing else of an application; reading these as plain
    values instead of application and recommendation objects halves their time.
    """
    by_id = {case.pk: case for case in cases}
    for case in cases:
        case.statuses = []
    rows = (
        Application.objects.filter(case_id__in=list(by_id))
        .order_by(*APPLICATION_ORDER)
        .values_list("case_id", "recommendation__key", "status")
    )
    for case_id, key, status in rows:
        by_id[case_id].statuses.append((key, status))


def _export_cases(case_filter: CaseFilter, applications: bool = True, sort: str | None = None):
    """The filter's published cases for export, read CHUNK_SIZE at a time, in its order.

    With ``applications=False`` the cases carry ``statuses`` (key, status) pairs
    instead of their prefetched applications.
    """
    cases = OrderedCases(case_filter.ids(sort), _export_queryset(applications))
    for chunk in cases.chunks(CHUNK_SIZE):  # tags attached by OrderedCases
        if not applications:
            _attach_statuses(chunk)
        yield from chunk


def _case_fields(case: CaseStudy) -> dict:
    return {
        "slug": case.slug,
        "url": settings.SITE_URL + case.get_absolute_url(),
        "title": case.title,
        "organization": case.organization.slug,
        "organization_name": case.organization.name,
        "organization_kind": case.organization.kind,
        "cohort": case.cohort.slug if case.cohort else "",
        "published_on": case.published_on.isoformat() if case.published_on else "",
        "edition": case.edition.slug if case.edition else "",
        "completeness": case.completeness,
        "verification": case.verification,
        "roles": sorted(t.slug for t in case.roles.all()),
        "principles": sorted(t.slug for t in case.principles.all()),
        "tags": sorted(t.name for t in case.tags.all()),
        "modalities": list(case.modalities or []),
        "disclosure_types": list(case.disclosure_types or []),
        "source_url": case.source_url,
    }


def _flat(value) -> str:
    return ";".join(value) if isinstance(value, list) else str(value)


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is read as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_rows(case_filter: CaseFilter) -> Iterator[list]:
    yield [name for name, _ in CASE_COLUMNS] + [APPLICATIONS_COLUMN[0]]
    for case in _export_cases(case_filter, applications=False):
        fields = _case_fields(case)
        apps = ";".join(f"{key}:{status}" for key, status in case.statuses)
        yield [_safe_cell(_flat(fields[name])) for name, _ in CASE_COLUMNS] + [apps]


def case_json(case: CaseStudy) -> dict:
    data = _case_fields(case)
    data["summary"] = case.summary
    data["summary_confidence"] = case.summary_confidence
    data["applications"] = [
        {
            "recommendation": a.recommendation.key,
            "status": a.status,
            "justification": a.justification,
            "excerpt": a.excerpt,
            "asserted_by": a.asserted_by,
            "confidence": a.confidence,
        }
        for a in case.applications.all()
    ]
    return data


def _json_chunks(case_filter: CaseFilter, filters: dict) -> Iterator[str]:
    head = {"generated_at": timezone.now().isoformat(timespec="seconds"), "filters": filters}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
    first = True
    for case in _export_cases(case_filter):
        yield ("" if first else ",") + "\n" + json.dumps(case_json(case), ensure_ascii=False)
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
    "slug", "title", "organization", "organization_kind", "cohort", "published_on",
    "completeness", "verification", "roles", "principles",
]  # fmt: skip


def case_recommendation_rows(case_filter: CaseFilter, rec_keys: list[str]) -> Iterator[list]:
    """One row per case, one column per recommendation holding its status ('' when not coded).

    Cases come grouped by organization, as the matrix shows them.
    """
    yield WIDE_CASE_COLUMNS + rec_keys
    for case in _export_cases(case_filter, applications=False, sort="organization"):
        fields = _case_fields(case)
        statuses = dict(case.statuses)
        yield [_safe_cell(_flat(fields[c])) for c in WIDE_CASE_COLUMNS] + [
            statuses.get(k, "") for k in rec_keys
        ]


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
