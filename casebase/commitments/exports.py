"""Supporters' public statements out, as CSV or JSON: one row per statement, like every other export.

The rows are those ``querying`` selects for the page the export belongs to (a
recommendation's or an organization's), under the reader's evidence setting and the
``cycle`` and ``status`` filters the page's counts link with. Every row says whose
voice it is: ``supporter``, the organization's own words, never a verified fact.
"""

import json

from django.http import HttpResponse
from django.utils import timezone

from casebase.cases.exports import safe_cell, stream_csv
from casebase.commitments import querying
from casebase.core.evidence import Evidence
from casebase.core.siteurl import site_url

COLUMNS = [
    ("cycle", "Slug of the reporting cycle, e.g. 2025-review."),
    ("cycle_title", "Title of the reporting cycle."),
    ("organization", "Slug of the supporter organization; its page is /organizations/<slug>/."),
    ("organization_name", "Name of the supporter organization."),
    ("recommendation", "Stable key of the recommendation, the same across editions."),
    ("recommendation_label", "The recommendation as readers see it named (number once confirmed, title)."),
    ("status", "practised, partly, planned, declined (considered and declined) or not_applicable."),
    ("status_label", "The status in words."),
    ("justification", "The organization's sentence of justification, in its own words."),
    ("planned_measure", "The measure the organization plans, if any."),
    ("planned_by", "When the planned measure is due (ISO 8601), if given."),
    ("evidence_cases", "Addresses of the organization's published case studies it cites, separated by ';'."),
    ("voice", "Always supporter: the organization's own statement about itself, not verified by Casebase."),
    ("published_at", "When an editor published the self-assessment (ISO 8601)."),
]
NAMES = [name for name, _ in COLUMNS]
TEXT_COLUMNS = frozenset(
    {"cycle_title", "organization_name", "recommendation_label", "justification", "planned_measure"}
)
EVIDENCE_NOTE = (
    "Statements are the organizations' own words. evidence=all (the default): every published statement. "
    "evidence=confirmed: only statements citing a published case whose confirmed or corroborated coding "
    "applies the same recommendation."
)


def row(statement) -> dict:
    """One statement as export fields (plain values; lists for the evidence cases)."""
    assessment, rec = statement.assessment, statement.recommendation
    base = site_url()
    return {
        "cycle": assessment.cycle.slug,
        "cycle_title": assessment.cycle.title,
        "organization": assessment.organization.slug,
        "organization_name": assessment.organization.name,
        "recommendation": rec.key,
        "recommendation_label": rec.reader_label,
        "status": statement.status,
        "status_label": statement.get_status_display(),
        "justification": statement.justification,
        "planned_measure": statement.planned_measure,
        "planned_by": statement.planned_by.isoformat() if statement.planned_by else None,
        "evidence_cases": [base + case.get_absolute_url() for case in statement.public_cases],
        "voice": querying.VOICE.value,
        "published_at": assessment.published_at.isoformat() if assessment.published_at else None,
    }


def _csv_cells(fields: dict) -> list[str]:
    cells = []
    for name in NAMES:
        value = fields[name]
        if isinstance(value, list):
            value = ";".join(value)
        value = "" if value is None else str(value)
        # Anything a person typed may start like a formula: neutralised as the case exports do.
        cells.append(safe_cell(value) if name in TEXT_COLUMNS else value)
    return cells


def response(statements, *, ext: str, name: str, about: dict, evidence: str, filters: dict):
    """The statements as a download: ``ext`` is "csv" or "json"; ``name`` goes into the filename."""
    stamp = timezone.localdate().isoformat()
    filename = f"casebase-commitments-{name}-{stamp}"
    rows = [row(statement) for statement in statements]
    if ext == "csv":
        return stream_csv([NAMES] + [_csv_cells(fields) for fields in rows], f"{filename}.csv")
    data = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        **about,
        "filters": {k: v for k, v in filters.items() if v},
        "evidence": Evidence.of(evidence).value,
        "evidence_note": EVIDENCE_NOTE,
        "columns": dict(COLUMNS),
        "count": len(rows),
        "results": rows,
    }
    out = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    out["Content-Disposition"] = f'inline; filename="{filename}.json"'
    return out
