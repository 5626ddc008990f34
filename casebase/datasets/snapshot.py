"""A dated snapshot of all published data, with a data dictionary, and its loader.

Records refer to each other by their stable keys and slugs, never by database
ids, so a snapshot loaded into an empty Casebase and exported again is
identical to the original.
"""

import datetime
import json
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Prefetch

from casebase.analysis import citations
from casebase.analysis.models import Analysis, Finding
from casebase.cases import writing
from casebase.cases.models import Application, CaseStudy, Cohort, TemplateSection
from casebase.framework.models import Edition, Principle, Recommendation, Section, StakeholderRole
from casebase.organizations.models import Organization

FORMAT_VERSION = 1


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _parse_date(value):
    return datetime.date.fromisoformat(value) if value else None


TABLES = {
    "editions": (Edition, "Yearly editions of the Framework; exactly one is current.", {}),
    "roles": (StakeholderRole, "Stakeholder roles (a controlled vocabulary).", {}),
    "principles": (Principle, "Principles and cross-cutting themes (a controlled vocabulary).", {}),
    "sections": (
        Section,
        "Sections of an edition; distributor channels are sub-sections.",
        {"edition": "Slug of the edition.", "parent": "Key of the parent section, or null."},
    ),
    "recommendations": (
        Recommendation,
        "Practices the Framework recommends. `key` is stable across editions.",
        {
            "edition": "Slug of the edition.",
            "section": "Key of the section within the edition.",
            "principles": "Slugs of the principles it concerns.",
            "roles": "Slugs of the stakeholder roles it addresses.",
            "previous": "The same recommendation in an earlier edition as [edition, key], or null.",
            "official_number": "The Framework's own number; null until staff verify it. Never invented.",
        },
    ),
    "organizations": (
        Organization,
        "Supporters and other participants.",
        {"roles": "Slugs of the stakeholder roles the organization plays."},
    ),
    "cohorts": (Cohort, "Sets of cases PAI released together.", {}),
    "template_sections": (TemplateSection, "The numbered sections of PAI's case template.", {}),
    "cases": (
        CaseStudy,
        "Published case studies only.",
        {
            "organization": "Slug of the organization.",
            "cohort": "Slug of the cohort, or null.",
            "edition": "Slug of the edition the case reported against, or null.",
            "sections": "The case body: a list of {heading, prompt, response} (response in markdown).",
            "roles": "Slugs of the stakeholder roles tagged on the case.",
            "principles": "Slugs of the principles tagged on the case.",
            "tags": "Free topic tags.",
            "applications": "How the case relates to recommendations: see `applications`.",
        },
    ),
    "applications": (
        Application,
        "Nested in each case: one per recommendation the case relates to.",
        {
            "recommendation": "Key of the recommendation.",
            "recommendation_edition": "Slug of the recommendation's edition.",
            "status": "implemented, partial, considered (considered and not adopted) or not_applicable.",
        },
    ),
    "analyses": (
        Analysis,
        "Published staff-written syntheses across cases.",
        {"findings": "The analysis's findings: see `findings`."},
    ),
    "findings": (
        Finding,
        "Nested in each analysis: its claims.",
        {
            "cases": "Slugs of the published cases the finding draws on.",
            "recommendations": "The recommendations it draws on as [edition, key].",
        },
    ),
}

FIELDS = {
    "editions": ["slug", "title", "published_on", "is_current", "source_url", "notes"],
    "roles": ["slug", "name", "order", "description"],
    "principles": ["slug", "name", "kind", "order", "description"],
    "sections": ["edition", "key", "parent", "order", "title", "short_title", "description"],
    "recommendations": [
        "edition", "key", "section", "official_number", "order", "title", "text", "principles", "roles",
        "previous", "verification", "verification_note", "source_url",
    ],
    "organizations": [
        "slug", "name", "kind", "kind_detail", "roles", "roles_confidence", "is_supporter", "joined_on",
        "joined_label", "website", "description", "verification", "verification_note", "source_url",
    ],
    "cohorts": ["slug", "name", "released_on", "description"],
    "template_sections": ["order", "heading", "prompt", "is_active"],
    "cases": [
        "slug", "organization", "title", "framing_question", "takeaways", "summary", "summary_confidence",
        "sections", "cohort", "published_on", "edition", "source_url", "source_url_confidence",
        "modalities", "disclosure_types", "completeness", "verification", "verification_note",
        "roles", "principles", "tags", "applications",
    ],
    "applications": [
        "recommendation", "recommendation_edition", "status", "justification", "excerpt", "asserted_by",
        "confidence",
    ],
    "analyses": [
        "slug", "title", "author", "summary", "body", "published_on", "date_label", "source_url",
        "confidence", "order", "findings",
    ],
    "findings": [
        "order", "title", "body", "confidence", "is_pai_wording", "draws_on_note", "cases", "recommendations",
    ],
}  # fmt: skip

CONFIDENCE_NOTE = (
    "Confidence values: confirmed and corroborated are facts; recalled (shown as 'unverified') and "
    "inference (shown as 'inferred') are not yet checked against the official source; not_established "
    "means unknown."
)


def data_dictionary() -> dict:
    out = {}
    for table, (model, description, overrides) in TABLES.items():
        fields = {}
        for name in FIELDS[table]:
            if name in overrides:
                fields[name] = overrides[name]
                continue
            try:
                field = model._meta.get_field(name)
            except Exception:  # a derived field named only in overrides
                fields[name] = ""
                continue
            text = str(field.help_text or field.verbose_name)
            if getattr(field, "choices", None):
                text += " One of: " + ", ".join(str(value) for value, _ in field.choices) + "."
            fields[name] = text
        out[table] = {"description": description, "fields": fields}
    out["_notes"] = {"confidence": CONFIDENCE_NOTE, "dates": "ISO 8601 (YYYY-MM-DD); null when unknown."}
    return out


def _slugs(manager) -> list[str]:
    return sorted(t.slug for t in manager.all())


def _cases():
    applications = Application.objects.select_related("recommendation__edition").order_by(
        "recommendation__edition__slug", "recommendation__key"
    )
    return (
        CaseStudy.objects.published()
        # Derived from fields the snapshot carries; not in it.
        .defer("body_html", "body_text", "summary_html", "search_text", "tag_snapshot")
        .select_related("organization", "cohort", "edition")
        .prefetch_related("roles", "principles", "tags", Prefetch("applications", queryset=applications))
        .order_by("slug")
    )


def _case_row(c: CaseStudy) -> dict:
    return {
        "slug": c.slug, "organization": c.organization.slug, "title": c.title,
        "framing_question": c.framing_question, "takeaways": c.takeaways, "summary": c.summary,
        "summary_confidence": c.summary_confidence, "sections": c.sections,
        "cohort": c.cohort.slug if c.cohort else None, "published_on": _date(c.published_on),
        "edition": c.edition.slug if c.edition else None, "source_url": c.source_url,
        "source_url_confidence": c.source_url_confidence, "modalities": c.modalities,
        "disclosure_types": c.disclosure_types, "completeness": c.completeness,
        "verification": c.verification, "verification_note": c.verification_note,
        "roles": _slugs(c.roles), "principles": _slugs(c.principles),
        "tags": sorted(t.name for t in c.tags.all()),
        "applications": [
            {"recommendation": a.recommendation.key, "recommendation_edition": a.recommendation.edition.slug,
             "status": a.status, "justification": a.justification, "excerpt": a.excerpt,
             "asserted_by": a.asserted_by, "confidence": a.confidence}
            for a in c.applications.all()
        ],
    }  # fmt: skip


def _tables() -> dict:
    """Every table but the cases (None), as plain JSON-ready data."""
    editions = list(Edition.objects.order_by("slug"))
    sections = Section.objects.select_related("edition", "parent").order_by("edition__slug", "order", "key")
    recommendations = (
        Recommendation.objects.select_related("edition", "section", "previous__edition")
        .prefetch_related("principles", "roles")
        .order_by("edition__slug", "key")
    )
    findings = Finding.objects.prefetch_related(
        Prefetch("cases", queryset=CaseStudy.objects.published().order_by("slug")),
        Prefetch("recommendations", queryset=Recommendation.objects.select_related("edition")),
    ).order_by("order", "title")
    analyses = (
        Analysis.objects.published()
        .prefetch_related(Prefetch("findings", queryset=findings))
        .order_by("slug")
    )
    return {
        "editions": [
            {"slug": e.slug, "title": e.title, "published_on": _date(e.published_on), "is_current": e.is_current,
             "source_url": e.source_url, "notes": e.notes}
            for e in editions
        ],
        "roles": [
            {"slug": r.slug, "name": r.name, "order": r.order, "description": r.description}
            for r in StakeholderRole.objects.order_by("slug")
        ],
        "principles": [
            {"slug": p.slug, "name": p.name, "kind": p.kind, "order": p.order, "description": p.description}
            for p in Principle.objects.order_by("slug")
        ],
        "sections": [
            {"edition": s.edition.slug, "key": s.key, "parent": s.parent.key if s.parent else None,
             "order": s.order, "title": s.title, "short_title": s.short_title, "description": s.description}
            for s in sections
        ],
        "recommendations": [
            {"edition": r.edition.slug, "key": r.key, "section": r.section.key,
             "official_number": r.official_number, "order": r.order, "title": r.title, "text": r.text,
             "principles": _slugs(r.principles), "roles": _slugs(r.roles),
             "previous": [r.previous.edition.slug, r.previous.key] if r.previous else None,
             "verification": r.verification, "verification_note": r.verification_note,
             "source_url": r.source_url}
            for r in recommendations
        ],
        "organizations": [
            {"slug": o.slug, "name": o.name, "kind": o.kind, "kind_detail": o.kind_detail,
             "roles": _slugs(o.roles), "roles_confidence": o.roles_confidence, "is_supporter": o.is_supporter,
             "joined_on": _date(o.joined_on), "joined_label": o.joined_label, "website": o.website,
             "description": o.description, "verification": o.verification,
             "verification_note": o.verification_note, "source_url": o.source_url}
            for o in Organization.objects.prefetch_related("roles").order_by("slug")
        ],
        "cohorts": [
            {"slug": c.slug, "name": c.name, "released_on": _date(c.released_on), "description": c.description}
            for c in Cohort.objects.order_by("slug")
        ],
        "template_sections": [
            {"order": t.order, "heading": t.heading, "prompt": t.prompt, "is_active": t.is_active}
            for t in TemplateSection.objects.order_by("order")
        ],
        "cases": None,  # filled by build(), streamed by stream()
        "analyses": [
            {"slug": a.slug, "title": a.title, "author": a.author, "summary": a.summary, "body": a.body,
             "published_on": _date(a.published_on), "date_label": a.date_label, "source_url": a.source_url,
             "confidence": a.confidence, "order": a.order,
             "findings": [
                 {"order": f.order, "title": f.title, "body": f.body, "confidence": f.confidence,
                  "is_pai_wording": f.is_pai_wording, "draws_on_note": f.draws_on_note,
                  "cases": [c.slug for c in f.cases.all()],
                  "recommendations": sorted([r.edition.slug, r.key] for r in f.recommendations.all())}
                 for f in a.findings.all()
             ]}
            for a in analyses
        ],
    }  # fmt: skip


def _header(date: datetime.date, counts: dict[str, int]) -> dict:
    citation = citations.for_snapshot(date)
    citation.accessed = date
    return {
        "snapshot": {
            "name": "Casebase: Responsible Practices for Synthetic Media case studies",
            "date": date.isoformat(),
            "format_version": FORMAT_VERSION,
            "published_only": True,
            "counts": counts,
            "citation": {"bibtex": citation.bibtex(), "ris": citation.ris(), "csl_json": [citation.csl()]},
            "load_with": "python manage.py load_snapshot <file> (into an empty database)",
        },
        "data_dictionary": data_dictionary(),
    }


def build(date: datetime.date) -> dict:
    """Everything published, as plain JSON-ready data, dated ``date``."""
    data = _tables()
    data["cases"] = [_case_row(c) for c in _cases()]
    return {**_header(date, {name: len(rows) for name, rows in data.items()}), "data": data}


STREAM_CHUNK = 200


def _nested(value, depth: int) -> str:
    """``value`` as dumps() writes it ``depth`` levels deep (indent=1)."""
    return json.dumps(value, indent=1, ensure_ascii=False).replace("\n", "\n" + " " * depth)


def stream(date: datetime.date) -> Iterator[str]:
    """The text of dumps(build(date)), a case at a time: memory does not grow with the cases.

    The cases are read in chunks of STREAM_CHUNK; only the small tables are
    held whole.
    """
    data = _tables()
    cases = _cases()
    counts = {name: cases.count() if rows is None else len(rows) for name, rows in data.items()}
    head = _header(date, counts)
    yield "{\n"
    for key, value in head.items():
        yield f" {json.dumps(key)}: {_nested(value, 1)},\n"
    yield ' "data": {\n'
    for index, (name, rows) in enumerate(data.items()):
        end = ",\n" if index < len(data) - 1 else "\n"
        if rows is not None:
            yield f"  {json.dumps(name)}: {_nested(rows, 2)}{end}"
            continue
        opened = False
        for case in cases.iterator(chunk_size=STREAM_CHUNK):
            yield (",\n   " if opened else f"  {json.dumps(name)}: [\n   ") + _nested(_case_row(case), 3)
            opened = True
        yield ("\n  ]" if opened else f"  {json.dumps(name)}: []") + end
    yield " }\n}\n"


def dumps(snapshot: dict) -> str:
    return json.dumps(snapshot, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


class NotEmpty(Exception):
    pass


def is_empty() -> bool:
    return not (
        Edition.objects.exists()
        or Organization.objects.exists()
        or CaseStudy.objects.exists()
        or Analysis.objects.exists()
    )


@transaction.atomic
def load(snapshot: dict) -> dict[str, int]:
    """Create every record of ``snapshot`` in an empty database."""
    if not is_empty():
        raise NotEmpty("The database already holds Casebase records; load a snapshot only into an empty one.")
    data = snapshot["data"]
    editions = {}
    for e in data["editions"]:
        editions[e["slug"]] = Edition.objects.create(**(e | {"published_on": _parse_date(e["published_on"])}))
    roles = {r["slug"]: StakeholderRole.objects.create(**r) for r in data["roles"]}
    principles = {p["slug"]: Principle.objects.create(**p) for p in data["principles"]}
    sections = {}
    for s in data["sections"]:
        sections[(s["edition"], s["key"])] = Section.objects.create(
            **(s | {"edition": editions[s["edition"]], "parent": sections.get((s["edition"], s["parent"]))})
        )
    recs = {}
    previous = []
    for r in data["recommendations"]:
        fields = {k: v for k, v in r.items() if k not in ("principles", "roles", "previous")}
        rec = Recommendation.objects.create(
            **(
                fields
                | {"edition": editions[r["edition"]], "section": sections[(r["edition"], r["section"])]}
            )
        )
        rec.principles.set([principles[p] for p in r["principles"]])
        rec.roles.set([roles[x] for x in r["roles"]])
        recs[(r["edition"], r["key"])] = rec
        if r["previous"]:
            previous.append((rec, tuple(r["previous"])))
    for rec, key in previous:
        rec.previous = recs[key]
        rec.save(update_fields=["previous"])
    orgs = {}
    for o in data["organizations"]:
        org = Organization.objects.create(
            **({k: v for k, v in o.items() if k != "roles"} | {"joined_on": _parse_date(o["joined_on"])})
        )
        org.roles.set([roles[x] for x in o["roles"]])
        orgs[o["slug"]] = org
    cohorts = {
        c["slug"]: Cohort.objects.create(**(c | {"released_on": _parse_date(c["released_on"])}))
        for c in data["cohorts"]
    }
    for t in data["template_sections"]:
        TemplateSection.objects.create(**t)
    cases = {}
    for c in data["cases"]:
        fields = {k: v for k, v in c.items() if k not in ("roles", "principles", "tags", "applications")}
        cases[c["slug"]] = writing.save_case(
            CaseStudy(),
            fields=fields
            | {
                "organization": orgs[c["organization"]],
                "cohort": cohorts.get(c["cohort"]),
                "edition": editions.get(c["edition"]),
                "published_on": _parse_date(c["published_on"]),
                "is_published": True,
            },
            roles=c["roles"],
            principles=c["principles"],
            tags=c["tags"],
            applications=[
                writing.ApplicationData(
                    recs[(a["recommendation_edition"], a["recommendation"])],
                    {k: v for k, v in a.items() if k not in ("recommendation", "recommendation_edition")},
                )
                for a in c["applications"]
            ],
            reason="Loaded from a snapshot",
        )
    for a in data["analyses"]:
        fields = {k: v for k, v in a.items() if k != "findings"}
        analysis = Analysis.objects.create(
            **(fields | {"published_on": _parse_date(a["published_on"]), "status": Analysis.Status.PUBLISHED})
        )
        for f in a["findings"]:
            fields = {k: v for k, v in f.items() if k not in ("cases", "recommendations")}
            finding = Finding.objects.create(analysis=analysis, **fields)
            finding.cases.set([cases[s] for s in f["cases"]])
            finding.recommendations.set([recs[tuple(k)] for k in f["recommendations"]])
    return {name: len(rows) for name, rows in data.items()}
