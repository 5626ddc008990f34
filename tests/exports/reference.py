"""The exports as first written: read as model instances, field by field, kept as the tests' reference.

The exports themselves read plain rows a chunk at a time (casebase.cases.exports,
casebase.datasets.snapshot); what they write must stay, byte for byte, what these
straightforward readers write from the same data. Slow (a model instance per case,
application, tag link and credit, and a provenance object per fact) but plainly right.
"""

from django.db.models import Prefetch

from casebase.cases.filters import CaseFilter
from casebase.cases.models import Application, CaseCredit, CaseStudy, TaggedPrinciple, TaggedRole
from casebase.core.dates import as_iso
from casebase.core.evidence import Provenance
from casebase.core.siteurl import site_url

# The fields of Provenance, in the order its JSON lists them, written out here on purpose.
PROVENANCE_KEYS = ("grade", "voice", "source_url", "checked_on", "checked_by", "locator", "note")


def provenance_json(provenance: Provenance) -> dict:
    out = {key: getattr(provenance, key) for key in PROVENANCE_KEYS}
    out["checked_on"] = provenance.checked_on.isoformat() if provenance.checked_on else None
    return out


def _read(ids: list[int], application_order: tuple[str, ...]) -> list[CaseStudy]:
    """These cases, in this order, with all they relate to prefetched (orders the database decides,
    in its collation, as the exports always let it)."""
    by_id = (
        CaseStudy.objects.select_related("organization", "cohort", "edition")
        .prefetch_related(
            "tags",
            Prefetch("role_links", queryset=TaggedRole.objects.select_related("tag")),
            Prefetch("principle_links", queryset=TaggedPrinciple.objects.select_related("tag")),
            Prefetch(
                "credits",
                queryset=CaseCredit.objects.select_related("organization").order_by("organization__slug"),
            ),
            Prefetch(
                "applications",
                queryset=Application.objects.select_related("recommendation__edition").order_by(
                    *application_order
                ),
            ),
        )
        .in_bulk(ids)
    )
    return [by_id[pk] for pk in ids if pk in by_id]


def _cases(case_filter: CaseFilter) -> list[CaseStudy]:
    """Every case the filter selects, in its order."""
    order = ("recommendation__section__order", "recommendation__order", "recommendation__key", "voice")
    return _read(case_filter.ids(), order)


def _counted_applications(case: CaseStudy, case_filter: CaseFilter) -> list[Application]:
    grades, voices = case_filter.lens.grades, case_filter.voices
    return [a for a in case.applications.all() if a.grade in grades and (not voices or a.voice in voices)]


def _graded(links, grades) -> list[str]:
    return sorted(f"{link.tag.slug}:{link.grade}" for link in links if link.grade in grades)


def case_fields(case: CaseStudy, grades) -> dict:
    record = case.provenance()
    credits = case.credits.all()
    return {
        "slug": case.slug,
        "url": site_url() + case.get_absolute_url(),
        "title": case.title,
        "title_grade": case.provenance("title").grade,
        "organization": case.organization.slug,
        "organization_grade": case.provenance("organization").grade,
        "organization_name": case.organization.name,
        "organization_kind": case.organization.kind,
        "credited": [f"{c.organization.slug}:{c.grade}" for c in credits if c.grade in grades],
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
        "roles": _graded(case.role_links.all(), grades),
        "principles": _graded(case.principle_links.all(), grades),
        "tags": sorted(t.name for t in case.tags.all()),
        "modalities": list(case.modalities or []),
        "disclosure_types": list(case.disclosure_types or []),
    }


def csv_rows(case_filter: CaseFilter, columns: list[str]) -> list[list[str]]:
    """The /cases/ CSV as rows of cells (spreadsheet formulas neutralised as the export does)."""
    from casebase.cases.exports import safe_cell

    rows = [[*columns, "applications"]]
    for case in _cases(case_filter):
        fields = case_fields(case, case_filter.lens.grades)
        cells = [";".join(v) if isinstance(v, list) else str(v) for v in (fields[c] for c in columns)]
        codings = ";".join(
            f"{a.recommendation.key}:{a.status}:{a.voice}:{a.grade}"
            for a in _counted_applications(case, case_filter)
        )
        rows.append([safe_cell(cell) for cell in cells] + [codings])
    return rows


# The sourced fields the JSON export reports facts of: the case's own, less the long texts it leaves out.
JSON_FACT_FIELDS = ("title", "organization", "authors", "summary", "published_on", "official_url")


def json_results(case_filter: CaseFilter) -> list[dict]:
    """The /cases/ JSON export's ``results``."""
    out = []
    for case in _cases(case_filter):
        data = case_fields(case, case_filter.lens.grades)
        data["summary"] = case.summary
        data["facts"] = {
            name: provenance_json(case.provenance(name))
            for name in JSON_FACT_FIELDS
            if getattr(case, name) not in (None, "", [], {})
        }
        data["applications"] = [
            {
                "recommendation": a.recommendation.key,
                "status": a.status,
                "voice": a.voice,
                "grade": a.grade,
                "justification": a.justification,
                "excerpt": a.excerpt,
                "provenance": provenance_json(a.provenance()),
            }
            for a in _counted_applications(case, case_filter)
        ]
        out.append(data)
    return out


def _claims(links) -> list[dict]:
    claims = [{"slug": link.tag.slug, "provenance": provenance_json(link.provenance())} for link in links]
    return sorted(claims, key=lambda claim: claim["slug"])


def snapshot_cases() -> list[dict]:
    """The snapshot's ``cases`` table: every published case, by slug."""
    ids = list(CaseStudy.objects.published().order_by("slug").values_list("pk", flat=True))
    rows = []
    for case in _read(ids, ("recommendation__edition__slug", "recommendation__key", "voice")):
        rows.append(
            {
                "slug": case.slug,
                "organization": case.organization.slug,
                "credits": [
                    {
                        "organization": c.organization.slug,
                        "role": c.role,
                        "provenance": provenance_json(c.provenance()),
                    }
                    for c in case.credits.all()
                    if c.organization_id != case.organization_id
                ],
                "title": case.title,
                "authors": case.authors,
                "framing_question": case.framing_question,
                "takeaways": case.takeaways,
                "summary": case.summary,
                "sections": case.sections,
                "cohort": case.cohort.slug if case.cohort else None,
                "published_on": as_iso(case.published_on, case.published_precision) or None,
                "edition": case.edition.slug if case.edition else None,
                "official_url": case.official_url,
                "modalities": case.modalities,
                "disclosure_types": case.disclosure_types,
                "completeness": case.completeness,
                "roles": _claims(case.role_links.all()),
                "principles": _claims(case.principle_links.all()),
                "tags": sorted(t.name for t in case.tags.all()),
                "applications": [
                    {
                        "recommendation": a.recommendation.key,
                        "recommendation_edition": a.recommendation.edition.slug,
                        "status": a.status,
                        "justification": a.justification,
                        "excerpt": a.excerpt,
                        "provenance": provenance_json(a.provenance()),
                    }
                    for a in case.applications.all()
                ],
                "provenance": provenance_json(case.provenance()),
                "field_sources": dict(case.field_sources or {}),
            }
        )
    return rows


def case_recommendation_rows(case_filter: CaseFilter, rec_keys: list[str], columns: list[str]) -> list[list]:
    """The matrix CSV: per recommendation, the surest counted coding's status and grade, and every voice."""
    from casebase.cases.exports import safe_cell

    grade_order = ("confirmed", "corroborated", "recalled", "inferred", "refuted")
    voice_order = ("supporter", "pai", "editors")
    rows = [columns + [f"{k}{suffix}" for k in rec_keys for suffix in ("", "__grade", "__voices")]]
    order = ("recommendation__section__order", "recommendation__order", "recommendation__key", "voice")
    for case in _read(case_filter.ids("organization"), order):
        fields = case_fields(case, case_filter.lens.grades)
        cells = [
            safe_cell(";".join(v) if isinstance(v, list) else str(v)) for v in (fields[c] for c in columns)
        ]
        for key in rec_keys:
            found = [a for a in _counted_applications(case, case_filter) if a.recommendation.key == key]
            found.sort(key=lambda a: (grade_order.index(a.grade), voice_order.index(a.voice)))
            cells += (
                [found[0].status, found[0].grade, ";".join(a.voice for a in found)] if found else ["", "", ""]
            )
        rows.append(cells)
    return rows
