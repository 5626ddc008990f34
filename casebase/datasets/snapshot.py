"""A dated snapshot of all published data, with a data dictionary, and its loader.

Records refer to each other by their stable keys and slugs, never by database
ids, so a snapshot loaded into an empty Casebase and exported again is
identical to the original.
"""

import datetime
import json
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Prefetch, Q

from casebase.analysis import citations
from casebase.analysis.models import Analysis, Finding
from casebase.cases import rows, writing
from casebase.cases.models import (
    Application,
    CaseCredit,
    CaseStudy,
    Cohort,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
    TemplateSection,
)
from casebase.commitments.models import Feedback, ReportingCycle, SelfAssessment, Statement
from casebase.core.evidence import Grade, Voice, record_json
from casebase.datasets.records import (
    date_in,
    date_out,
    provenance_in,
    sourced_in,
    sourced_out,
)
from casebase.editions.models import EditionChange
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

# 3: reporting cycles, published self-assessments with their statements, feedback from public
# sources, editions' changes (their crosswalks), other instruments and the mappings to them.
FORMAT_VERSION = 3


def _precise(record, field: str, precision_field: str) -> str | None:
    return date_out(getattr(record, field), getattr(record, precision_field))


TABLES = {
    "editions": (
        Edition,
        "Yearly editions of the Framework; exactly one is current. Drafts are never included.",
        {"based_on": "Slug of the edition it was drafted from (its crosswalk runs against it), or null."},
    ),
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
            "predecessors": "Every recommendation of the earlier edition it carries on, as [edition, key] "
            "pairs (several for a merge).",
            "official_number": "The Framework's own number; null until staff verify it. Never invented.",
        },
    ),
    "organizations": (
        Organization,
        "Supporters and other participants.",
        {"roles": "Slugs of the stakeholder roles the organization plays."},
    ),
    "cohorts": (Cohort, "Sets of cases PAI released together.", {}),
    "template_sections": (TemplateSection, "The numbered sections of the case template.", {}),
    "instruments": (Instrument, "Laws, codes, standards and guidance outside the Framework.", {}),
    "clauses": (
        Clause,
        "Articles, commitments or sections of other instruments, summarised in Casebase's own words.",
        {"instrument": "Slug of the instrument."},
    ),
    "clause_mappings": (
        ClauseMapping,
        "That a recommendation relates to a clause: an editorial inference unless its provenance says otherwise.",
        {
            "recommendation": "Key of the recommendation (stable across editions: the mapping holds in each).",
            "clause": "Slug of the clause.",
        },
    ),
    "cases": (
        CaseStudy,
        "Published case studies only.",
        {
            "organization": "Slug of the lead organization (its attribution's provenance: field_sources.organization).",
            "credits": "Other organizations credited with the case: [{organization, role, provenance}].",
            "cohort": "Slug of the cohort, or null.",
            "edition": "Slug of the edition the case reported against, or null.",
            "sections": "The case body: a list of {heading, prompt, response} (response in markdown).",
            "roles": "Stakeholder roles tagged on the case: [{slug, provenance}].",
            "principles": "Principles tagged on the case: [{slug, provenance}].",
            "tags": "Free topic tags.",
            "applications": "How the case relates to recommendations: see `applications`.",
        },
    ),
    "applications": (
        Application,
        "Nested in each case: one per recommendation and voice (the organization itself, PAI staff, "
        "Casebase editors).",
        {
            "recommendation": "Key of the recommendation.",
            "recommendation_edition": "Slug of the recommendation's edition.",
            "status": "implemented, partial, considered (considered and not adopted) or not_applicable.",
        },
    ),
    "analyses": (
        Analysis,
        "Published syntheses across cases, with their byline's voice.",
        {"findings": "The analysis's findings: see `findings`."},
    ),
    "edition_changes": (
        None,
        "Each change of an edition against the one it was drafted from; with the recommendations' "
        "predecessors they make its crosswalk (a recommendation no change concerns is carried over the same).",
        {
            "edition": "Slug of the edition.",
            "kind": "renamed, changed, split, merged, added or retired.",
            "old": "The earlier edition's recommendations it concerns, as [edition, key] pairs.",
            "new": "This edition's recommendations it produced, as [edition, key] pairs.",
            "reason": "Why, according to PAI staff.",
            "feedback": "The feedback that prompted it, where its source is public (see `feedback`): "
            "[{case, statement, kind, text}], naming a row of the feedback table.",
        },
    ),
    "findings": (
        Finding,
        "Nested in each analysis: its claims.",
        {
            "cases": "Slugs of the published cases the finding draws on.",
            "recommendations": "The recommendations it draws on as [edition, key].",
        },
    ),
    "cycles": (
        ReportingCycle,
        "Reporting cycles of the yearly review: each asks supporters for a self-assessment against one edition.",
        {"edition": "Slug of the edition the cycle assesses against."},
    ),
    "self_assessments": (
        SelfAssessment,
        "Published self-assessments only: a supporter's statements for one cycle, in its own voice "
        "(the organization itself), reviewed by PAI editors before publication.",
        {
            "cycle": "Slug of the cycle.",
            "organization": "Slug of the organization whose statements these are.",
            "statements": "Its statements: see `statements`.",
        },
    ),
    "statements": (
        Statement,
        "Nested in each self-assessment: the organization's status on one recommendation, in its own words.",
        {
            "recommendation": "The recommendation as [edition, key].",
            "evidence": "Slugs of the organization's published cases it cites as evidence.",
        },
    ),
    "feedback": (
        Feedback,
        "Feedback on the Framework whose source is public: a published case's words, or a statement of a "
        "published self-assessment. Editors' dossier notes are staff only and never exported.",
        {
            "organization": "Slug of the organization whose words these are, or null.",
            "case": "Slug of the published case it comes from, or null.",
            "statement": "The statement it comes from as [cycle slug, organization slug, [edition, key]], or null.",
            "recommendations": "The recommendations editors tagged it to, as [edition, key].",
            "tagged_at": "When it was last tagged (ISO 8601), or null while untagged.",
        },
    ),
}

SOURCED = ["provenance", "field_sources"]
# A Sourced record's provenance columns, in the order record_json() takes them.
SOURCED_COLUMNS = ("grade", "voice", "source_url", "checked_on", "checked_by", "locator", "evidence_note")
FIELDS = {
    "edition_changes": ["edition", "kind", "old", "new", "reason", "feedback"],
    "editions": ["slug", "title", "published_on", "is_current", "based_on", "practice_count", "practice_count_is_minimum", "notes", *SOURCED],
    "roles": ["slug", "name", "order", "description", *SOURCED],
    "principles": ["slug", "name", "kind", "order", "description", *SOURCED],
    "sections": ["edition", "key", "parent", "order", "title", "short_title", "description", *SOURCED],
    "recommendations": [
        "edition", "key", "section", "official_number", "order", "title", "text", "principles", "roles",
        "previous", "predecessors", *SOURCED,
    ],
    "organizations": [
        "slug", "name", "kind", "kind_detail", "roles", "is_supporter", "joined_on", "joined_label", "website",
        "description", *SOURCED,
    ],
    "cohorts": ["slug", "name", "released_on", "description", *SOURCED],
    "template_sections": ["order", "heading", "prompt", "is_active", *SOURCED],
    "instruments": ["slug", "name", "publisher", "url", "order", *SOURCED],
    "clauses": ["instrument", "slug", "reference", "title", "url", "summary", "order", *SOURCED],
    "clause_mappings": ["recommendation", "clause", "relation", "note", *SOURCED],
    "cases": [
        "slug", "organization", "credits", "title", "authors", "framing_question", "takeaways", "summary",
        "sections", "cohort", "published_on", "edition", "official_url", "modalities", "disclosure_types",
        "completeness", "roles", "principles", "tags", "applications", *SOURCED,
    ],
    "applications": ["recommendation", "recommendation_edition", "status", "justification", "excerpt", "provenance"],
    "analyses": ["slug", "title", "author", "summary", "body", "published_on", "order", "findings", *SOURCED],
    "findings": ["order", "title", "body", "draws_on_note", "cases", "recommendations", *SOURCED],
    "cycles": ["slug", "title", "edition", "opens_on", "deadline", "is_open"],
    "self_assessments": ["cycle", "organization", "submitted_at", "published_at", "statements"],
    "statements": ["recommendation", "status", "justification", "planned_measure", "planned_by", "evidence"],
    "feedback": ["kind", "text", "organization", "case", "statement", "recommendations", "tagged_at"],
}  # fmt: skip

NOTES = {
    "provenance": (
        "Where a fact comes from, how sure Casebase is of it and whose voice it is: {grade, voice, source_url, "
        "checked_on, checked_by, locator (a short quote or where in the source), note}. grade: "
        + ", ".join(f"{v} ({label})" for v, label in Grade.choices)
        + ". confirmed and corroborated are shown as fact; recalled and inferred are flagged and not yet checked "
        "against the source; refuted facts are kept for the record and never shown or counted. voice: "
        + ", ".join(f"{v} ({label})" for v, label in Voice.choices)
        + "."
    ),
    "field_sources": (
        "field -> provenance where a field's differs from the record's (keys it leaves out are the record's); "
        "_refuted lists what was shown before and has been corrected: {field, value, refuted_by, note}."
    ),
    "dates": "ISO 8601 at the precision known: YYYY-MM-DD, YYYY-MM (month only) or YYYY (year only); null when unknown.",
}


def data_dictionary() -> dict:
    out = {}
    for table, (model, description, overrides) in TABLES.items():
        fields = {}
        for name in FIELDS[table]:
            if name in overrides:
                fields[name] = overrides[name]
                continue
            if name in NOTES:
                fields[name] = "See _notes."
                continue
            field = model._meta.get_field(name)
            text = str(field.help_text or field.verbose_name)
            if getattr(field, "choices", None):
                text += " One of: " + ", ".join(str(value) for value, _ in field.choices) + "."
            fields[name] = text
        out[table] = {"description": description, "fields": fields}
    out["_notes"] = NOTES
    return out


def _slugs(manager) -> list[str]:
    return sorted(t.slug for t in manager.all())


STREAM_CHUNK = 500
CASE_VALUES = (
    "slug", "organization_id", "organization__slug", "title", "authors", "framing_question", "takeaways",
    "summary", "sections", "cohort__slug", "published_on", "published_precision", "edition__slug",
    "official_url", "modalities", "disclosure_types", "completeness", "field_sources", *SOURCED_COLUMNS,
)  # fmt: skip


def _claims(links: list) -> list[dict]:
    """Role or principle links (slug, provenance columns) as [{slug, provenance}], by slug."""
    return sorted(
        ({"slug": slug, "provenance": record_json(*provenance)} for slug, *provenance in links),
        key=lambda claim: claim["slug"],
    )


def _case_rows() -> Iterator[dict]:
    """Every published case as the snapshot writes it, by slug, read STREAM_CHUNK cases at a time
    as plain values (one query per table per chunk; the rendered body and search text, derived from
    what the snapshot carries, are not read)."""
    ids = list(CaseStudy.objects.published().order_by("slug").values_list("pk", flat=True))
    for chunk in rows.chunked(ids, STREAM_CHUNK):
        cases = rows.cases(chunk, CASE_VALUES)
        chunk = [case["pk"] for case in cases]
        credits = rows.by_case(
            CaseCredit.objects.filter(rows.among(CaseCredit, "case", chunk))
            .order_by("organization__slug")
            .values_list("case_id", "organization_id", "organization__slug", "role", *SOURCED_COLUMNS)
        )
        roles, principles = (
            rows.by_case(
                model.objects.filter(rows.among(model, "content_object", chunk)).values_list(
                    "content_object_id", "tag__slug", *SOURCED_COLUMNS
                )
            )
            for model in (TaggedRole, TaggedPrinciple)
        )
        tags = rows.by_case(
            TaggedTopic.objects.filter(rows.among(TaggedTopic, "content_object", chunk)).values_list(
                "content_object_id", "tag__name"
            )
        )
        applications = rows.by_case(
            Application.objects.filter(rows.among(Application, "case", chunk))
            .order_by("recommendation__edition__slug", "recommendation__key", "voice")
            .values_list(
                "case_id", "recommendation__key", "recommendation__edition__slug", "status", "justification",
                "excerpt", *SOURCED_COLUMNS,
            )
        )  # fmt: skip
        for c in cases:
            pk = c["pk"]
            yield {
                "slug": c["slug"], "organization": c["organization__slug"],
                "credits": [
                    {"organization": slug, "role": role, "provenance": record_json(*provenance)}
                    for organization_id, slug, role, *provenance in credits.get(pk, ())
                    if organization_id != c["organization_id"]
                ],
                "title": c["title"], "authors": c["authors"], "framing_question": c["framing_question"],
                "takeaways": c["takeaways"], "summary": c["summary"], "sections": c["sections"],
                "cohort": c["cohort__slug"], "published_on": date_out(c["published_on"], c["published_precision"]),
                "edition": c["edition__slug"], "official_url": c["official_url"], "modalities": c["modalities"],
                "disclosure_types": c["disclosure_types"], "completeness": c["completeness"],
                "roles": _claims(roles.get(pk, [])), "principles": _claims(principles.get(pk, [])),
                "tags": sorted(name for (name,) in tags.get(pk, ())),
                "applications": [
                    {"recommendation": key, "recommendation_edition": edition, "status": status,
                     "justification": justification, "excerpt": excerpt, "provenance": record_json(*provenance)}
                    for key, edition, status, justification, excerpt, *provenance in applications.get(pk, ())
                ],
                "provenance": record_json(*(c[name] for name in SOURCED_COLUMNS)),
                "field_sources": dict(c["field_sources"] or {}),
            }  # fmt: skip


def public_feedback():
    """Feedback whose source anyone may read: a published case, or a published self-assessment."""
    return (
        Feedback.objects.filter(
            Q(case__is_published=True, statement__isnull=True)
            # A published statement's feedback that also names a case names a published one only.
            | (
                Q(statement__assessment__status=SelfAssessment.Status.PUBLISHED)
                & (Q(case__isnull=True) | Q(case__is_published=True))
            )
        )
        .select_related(
            "organization", "case", "statement__assessment__cycle", "statement__assessment__organization",
            "statement__recommendation__edition",
        )
        .prefetch_related(Prefetch("recommendations", queryset=Recommendation.objects.select_related("edition")))
    )  # fmt: skip


def _statement_ref(statement) -> list | None:
    if statement is None:
        return None
    rec = statement.recommendation
    return [
        statement.assessment.cycle.slug,
        statement.assessment.organization.slug,
        [rec.edition.slug, rec.key],
    ]


def _feedback_rows() -> list[dict]:
    rows_ = [
        {
            "kind": f.kind, "text": f.text, "organization": f.organization.slug if f.organization else None,
            "case": f.case.slug if f.case else None, "statement": _statement_ref(f.statement),
            "recommendations": sorted([r.edition.slug, r.key] for r in f.recommendations.all()),
            "tagged_at": f.tagged_at.isoformat() if f.tagged_at else None,
        }
        for f in public_feedback()
    ]  # fmt: skip
    # By their content, not their ids: a loaded snapshot exports in the same order.
    return sorted(rows_, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))


def _tables() -> dict:
    """Every table but the cases (None), as plain JSON-ready data."""
    # Drafts are staff's work in progress: never in a snapshot.
    editions = list(Edition.objects.public().select_related("based_on").order_by("slug"))
    sections = (
        Section.objects.filter(edition__is_draft=False)
        .select_related("edition", "parent")
        .order_by("edition__slug", "order", "key")
    )
    recommendations = (
        Recommendation.objects.public()
        .select_related("edition", "section", "previous__edition")
        .prefetch_related("principles", "roles", "predecessors__edition")
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
            {"slug": e.slug, "title": e.title, "published_on": _precise(e, "published_on", "published_precision"),
             "is_current": e.is_current, "based_on": e.based_on.slug if e.based_on else None,
             "practice_count": e.practice_count,
             "practice_count_is_minimum": e.practice_count_is_minimum, "notes": e.notes, **sourced_out(e)}
            for e in editions
        ],
        "roles": [
            {"slug": r.slug, "name": r.name, "order": r.order, "description": r.description, **sourced_out(r)}
            for r in StakeholderRole.objects.order_by("slug")
        ],
        "principles": [
            {"slug": p.slug, "name": p.name, "kind": p.kind, "order": p.order, "description": p.description,
             **sourced_out(p)}
            for p in Principle.objects.order_by("slug")
        ],
        "sections": [
            {"edition": s.edition.slug, "key": s.key, "parent": s.parent.key if s.parent else None,
             "order": s.order, "title": s.title, "short_title": s.short_title, "description": s.description,
             **sourced_out(s)}
            for s in sections
        ],
        "recommendations": [
            {"edition": r.edition.slug, "key": r.key, "section": r.section.key,
             "official_number": r.official_number, "order": r.order, "title": r.title, "text": r.text,
             "principles": _slugs(r.principles), "roles": _slugs(r.roles),
             "previous": [r.previous.edition.slug, r.previous.key] if r.previous else None,
             "predecessors": sorted([p.edition.slug, p.key] for p in r.predecessors.all()), **sourced_out(r)}
            for r in recommendations
        ],
        "organizations": [
            {"slug": o.slug, "name": o.name, "kind": o.kind, "kind_detail": o.kind_detail,
             "roles": _slugs(o.roles), "is_supporter": o.is_supporter,
             "joined_on": _precise(o, "joined_on", "joined_precision"), "joined_label": o.joined_label,
             "website": o.website, "description": o.description, **sourced_out(o)}
            for o in Organization.objects.prefetch_related("roles").order_by("slug")
        ],
        "cohorts": [
            {"slug": c.slug, "name": c.name, "released_on": _precise(c, "released_on", "released_precision"),
             "description": c.description, **sourced_out(c)}
            for c in Cohort.objects.order_by("slug")
        ],
        "template_sections": [
            {"order": t.order, "heading": t.heading, "prompt": t.prompt, "is_active": t.is_active, **sourced_out(t)}
            for t in TemplateSection.objects.order_by("order")
        ],
        "instruments": [
            {"slug": i.slug, "name": i.name, "publisher": i.publisher, "url": i.url, "order": i.order,
             **sourced_out(i)}
            for i in Instrument.objects.order_by("slug")
        ],
        "clauses": [
            {"instrument": c.instrument.slug, "slug": c.slug, "reference": c.reference, "title": c.title,
             "url": c.url, "summary": c.summary, "order": c.order, **sourced_out(c)}
            for c in Clause.objects.select_related("instrument").order_by("slug")
        ],
        "clause_mappings": [
            {"recommendation": m.recommendation_key, "clause": m.clause.slug, "relation": m.relation,
             "note": m.note, **sourced_out(m)}
            for m in ClauseMapping.objects.select_related("clause").order_by("recommendation_key", "clause__slug")
        ],
        "cases": None,  # filled by build(), streamed by stream()
        "analyses": [
            {"slug": a.slug, "title": a.title, "author": a.author, "summary": a.summary, "body": a.body,
             "published_on": _precise(a, "published_on", "published_precision"), "order": a.order,
             "findings": [
                 {"order": f.order, "title": f.title, "body": f.body, "draws_on_note": f.draws_on_note,
                  "cases": [c.slug for c in f.cases.all()],
                  "recommendations": sorted([r.edition.slug, r.key] for r in f.recommendations.all()),
                  **sourced_out(f)}
                 for f in a.findings.all()
             ], **sourced_out(a)}
            for a in analyses
        ],
        **_review_tables(),
        "feedback": _feedback_rows(),
        "edition_changes": _edition_changes(),
    }  # fmt: skip


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _review_tables() -> dict:
    """Cycles, and the self-assessments PAI editors have published (never a draft or one in review)."""
    statements = (
        Statement.objects.select_related("recommendation__edition")
        .prefetch_related(Prefetch("evidence_cases", queryset=CaseStudy.objects.published().order_by("slug")))
        .order_by("recommendation__edition__slug", "recommendation__key")
    )
    assessments = (
        SelfAssessment.objects.public()
        .select_related("cycle", "organization")
        .prefetch_related(Prefetch("statements", queryset=statements))
        .order_by("cycle__slug", "organization__slug")
    )
    return {
        "cycles": [
            {"slug": c.slug, "title": c.title, "edition": c.edition.slug, "opens_on": _iso(c.opens_on),
             "deadline": _iso(c.deadline), "is_open": c.is_open}
            for c in ReportingCycle.objects.select_related("edition").order_by("slug")
        ],
        "self_assessments": [
            {"cycle": a.cycle.slug, "organization": a.organization.slug, "submitted_at": _iso(a.submitted_at),
             "published_at": _iso(a.published_at),
             "statements": [
                 {"recommendation": [s.recommendation.edition.slug, s.recommendation.key], "status": s.status,
                  "justification": s.justification, "planned_measure": s.planned_measure,
                  "planned_by": _iso(s.planned_by), "evidence": [case.slug for case in s.evidence_cases.all()]}
                 for s in a.statements.all()
             ]}
            for a in assessments
        ],
    }  # fmt: skip


def _edition_changes() -> list[dict]:
    changes = (
        EditionChange.objects.filter(edition__is_draft=False)
        .select_related("edition")
        .prefetch_related(
            "old_recommendations__edition", "new_recommendations__edition", "feedback__case",
            "feedback__statement__assessment__cycle", "feedback__statement__assessment__organization",
            "feedback__statement__recommendation__edition",
        )
        .order_by("edition__slug", "kind", "reason", "pk")
    )  # fmt: skip
    public = set(public_feedback().values_list("pk", flat=True))
    return sorted(
        (
            {
                "edition": c.edition.slug,
                "kind": c.kind,
                "old": sorted([r.edition.slug, r.key] for r in c.old_recommendations.all()),
                "new": sorted([r.edition.slug, r.key] for r in c.new_recommendations.all()),
                "reason": c.reason,
                # Feedback has no stable key of its own: it goes by its source and words, as in
                # the feedback table (only feedback from a public source is in either).
                "feedback": sorted(
                    (
                        {
                            "case": f.case.slug if f.case else None,
                            "statement": _statement_ref(f.statement),
                            "kind": f.kind,
                            "text": f.text,
                        }
                        for f in c.feedback.all()
                        if f.pk in public
                    ),
                    key=lambda f: json.dumps(f, sort_keys=True, ensure_ascii=False),
                ),
            }  # fmt: skip
            for c in changes
        ),
        key=lambda c: (c["edition"], c["kind"], c["old"], c["new"]),
    )


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
    data["cases"] = list(_case_rows())
    return {**_header(date, {name: len(rows) for name, rows in data.items()}), "data": data}


def _nested(value, depth: int) -> str:
    """``value`` as dumps() writes it ``depth`` levels deep (indent=1)."""
    return json.dumps(value, indent=1, ensure_ascii=False).replace("\n", "\n" + " " * depth)


def stream(date: datetime.date) -> Iterator[str]:
    """The text of dumps(build(date)), a case at a time: memory does not grow with the cases.

    The cases are read in chunks of STREAM_CHUNK; only the small tables are
    held whole.
    """
    data = _tables()
    cases = CaseStudy.objects.published().count()
    counts = {name: cases if table is None else len(table) for name, table in data.items()}
    head = _header(date, counts)
    yield "{\n"
    for key, value in head.items():
        yield f" {json.dumps(key)}: {_nested(value, 1)},\n"
    yield ' "data": {\n'
    for index, (name, table) in enumerate(data.items()):
        end = ",\n" if index < len(data) - 1 else "\n"
        if table is not None:
            yield f"  {json.dumps(name)}: {_nested(table, 2)}{end}"
            continue
        opened = False
        for case in _case_rows():
            yield (",\n   " if opened else f"  {json.dumps(name)}: [\n   ") + _nested(case, 3)
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
        or Instrument.objects.exists()
        or ReportingCycle.objects.exists()
    )


def _fields(row: dict, *, without=(), dates=()) -> dict:
    """A row's own columns for a model: provenance unpacked, precise dates split, the rest as is."""
    out = {k: v for k, v in row.items() if k not in (*without, "provenance", "field_sources", *dates)}
    for name, precision in dates:
        out[name], out[precision] = date_in(row[name])
    return out | sourced_in(row)


@transaction.atomic
def load(snapshot: dict) -> dict[str, int]:
    """Create every record of ``snapshot`` in an empty database."""
    if not is_empty():
        raise NotEmpty("The database already holds Casebase records; load a snapshot only into an empty one.")
    data = snapshot["data"]
    editions = {
        e["slug"]: Edition.objects.create(
            **_fields(e, without=("based_on",), dates=[("published_on", "published_precision")])
        )
        for e in data["editions"]
    }
    for e in data["editions"]:
        if e.get("based_on"):
            editions[e["slug"]].based_on = editions[e["based_on"]]
            editions[e["slug"]].save(update_fields=["based_on"])
    roles = {r["slug"]: StakeholderRole.objects.create(**_fields(r)) for r in data["roles"]}
    principles = {p["slug"]: Principle.objects.create(**_fields(p)) for p in data["principles"]}
    sections = {}
    for s in data["sections"]:
        sections[(s["edition"], s["key"])] = Section.objects.create(
            **(
                _fields(s)
                | {"edition": editions[s["edition"]], "parent": sections.get((s["edition"], s["parent"]))}
            )
        )
    recs = {}
    previous = []
    for r in data["recommendations"]:
        rec = Recommendation.objects.create(
            **(
                _fields(r, without=("principles", "roles", "previous", "predecessors"))
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
    for r in data["recommendations"]:
        if r.get("predecessors"):
            recs[(r["edition"], r["key"])].predecessors.set([recs[tuple(k)] for k in r["predecessors"]])
    orgs = {}
    for o in data["organizations"]:
        org = Organization.objects.create(
            **_fields(o, without=("roles",), dates=[("joined_on", "joined_precision")])
        )
        org.roles.set([roles[x] for x in o["roles"]])
        orgs[o["slug"]] = org
    cohorts = {
        c["slug"]: Cohort.objects.create(**_fields(c, dates=[("released_on", "released_precision")]))
        for c in data["cohorts"]
    }
    for t in data["template_sections"]:
        TemplateSection.objects.create(**_fields(t))
    # Snapshots written before the crosswalk to other instruments have none of these tables.
    instruments = {i["slug"]: Instrument.objects.create(**_fields(i)) for i in data.get("instruments", [])}
    clauses = {
        c["slug"]: Clause.objects.create(**(_fields(c) | {"instrument": instruments[c["instrument"]]}))
        for c in data.get("clauses", [])
    }
    for m in data.get("clause_mappings", []):
        ClauseMapping.objects.create(
            **(_fields(m, without=("recommendation",)) | {"recommendation_key": m["recommendation"]})
            | {"clause": clauses[m["clause"]]}
        )
    cases = {}
    for c in data["cases"]:
        fields = _fields(
            c,
            without=("roles", "principles", "tags", "applications", "credits"),
            dates=[("published_on", "published_precision")],
        )
        provenance = provenance_in(c["provenance"])
        for name in ("grade", "voice", "source_url", "checked_on", "checked_by", "locator", "evidence_note"):
            fields.pop(name)
        field_sources = fields.pop("field_sources")
        cases[c["slug"]] = writing.save_case(
            CaseStudy(),
            fields=fields
            | {
                "organization": orgs[c["organization"]],
                "cohort": cohorts.get(c["cohort"]),
                "edition": editions.get(c["edition"]),
                "is_published": True,
            },
            provenance=provenance,
            field_sources=field_sources,
            credits=[
                writing.Credit(orgs[x["organization"]], provenance_in(x["provenance"]), x["role"])
                for x in c["credits"]
            ],
            roles=[writing.TagClaim(x["slug"], provenance_in(x["provenance"])) for x in c["roles"]],
            principles=[writing.TagClaim(x["slug"], provenance_in(x["provenance"])) for x in c["principles"]],
            tags=c["tags"],
            applications=[
                writing.ApplicationData(
                    recs[(a["recommendation_edition"], a["recommendation"])],
                    {k: a[k] for k in ("status", "justification", "excerpt")}
                    | {k: v for k, v in sourced_in(a).items() if k != "field_sources"},
                )
                for a in c["applications"]
            ],
            reason="Loaded from a snapshot",
        )
    for a in data["analyses"]:
        analysis = Analysis.objects.create(
            **(
                _fields(a, without=("findings",), dates=[("published_on", "published_precision")])
                | {"status": Analysis.Status.PUBLISHED}
            )
        )
        for f in a["findings"]:
            finding = Finding.objects.create(
                analysis=analysis, **_fields(f, without=("cases", "recommendations"))
            )
            finding.cases.set([cases[s] for s in f["cases"]])
            finding.recommendations.set([recs[tuple(k)] for k in f["recommendations"]])
    _load_review(data, editions=editions, orgs=orgs, recs=recs, cases=cases)
    _load_feedback(data.get("feedback", []), orgs=orgs, cases=cases, recs=recs)
    # After the feedback it may link to.
    _load_edition_changes(data.get("edition_changes", []), editions, recs)
    return {name: len(rows) for name, rows in data.items()}


def _statement_lookup(ref: list, prefix: str = "") -> Q:
    """The statement a snapshot names as [cycle slug, organization slug, [edition, key]]."""
    cycle, organization, (edition, key) = ref
    return Q(**{
        f"{prefix}assessment__cycle__slug": cycle, f"{prefix}assessment__organization__slug": organization,
        f"{prefix}recommendation__edition__slug": edition, f"{prefix}recommendation__key": key,
    })  # fmt: skip


def _load_feedback(rows_: list[dict], *, orgs: dict, cases: dict, recs: dict) -> None:
    """Feedback last: its sources (cases, and statements of the cycles loaded before it) exist by now."""
    for row in rows_:
        statement = None
        if row["statement"]:
            statement = Statement.objects.filter(_statement_lookup(row["statement"])).first()
            if statement is None:
                # Never dropped quietly: the whole load is rolled back and says which is missing.
                raise ValueError(f"Feedback names a statement the snapshot does not hold: {row['statement']}")
        feedback = Feedback.objects.create(
            kind=row["kind"],
            text=row["text"],
            organization=orgs.get(row["organization"]),
            case=cases.get(row["case"]),
            statement=statement,
            tagged_at=datetime.datetime.fromisoformat(row["tagged_at"]) if row["tagged_at"] else None,
        )
        feedback.recommendations.set([recs[tuple(k)] for k in row["recommendations"]])


def _load_review(data: dict, *, editions, orgs, recs, cases) -> None:
    """Cycles and published self-assessments (see _review_tables)."""
    day = datetime.date.fromisoformat
    moment = datetime.datetime.fromisoformat
    cycles = {
        c["slug"]: ReportingCycle.objects.create(
            slug=c["slug"], title=c["title"], edition=editions[c["edition"]], opens_on=day(c["opens_on"]),
            deadline=day(c["deadline"]), is_open=c["is_open"],
        )
        for c in data.get("cycles", [])
    }  # fmt: skip
    for a in data.get("self_assessments", []):
        assessment = SelfAssessment.objects.create(
            cycle=cycles[a["cycle"]],
            organization=orgs[a["organization"]],
            status=SelfAssessment.Status.PUBLISHED,
            submitted_at=moment(a["submitted_at"]) if a["submitted_at"] else None,
            published_at=moment(a["published_at"]) if a["published_at"] else None,
        )
        for s in a["statements"]:
            statement = Statement.objects.create(
                assessment=assessment,
                recommendation=recs[tuple(s["recommendation"])],
                status=s["status"],
                justification=s["justification"],
                planned_measure=s["planned_measure"],
                planned_by=day(s["planned_by"]) if s["planned_by"] else None,
            )
            statement.evidence_cases.set([cases[slug] for slug in s["evidence"]])


def _load_edition_changes(rows, editions, recs) -> None:
    for row in rows:
        change = EditionChange.objects.create(
            edition=editions[row["edition"]], kind=row["kind"], reason=row["reason"]
        )
        change.old_recommendations.set([recs[tuple(k)] for k in row["old"]])
        change.new_recommendations.set([recs[tuple(k)] for k in row["new"]])
        for f in row["feedback"]:
            found = Feedback.objects.filter(kind=f["kind"], text=f["text"])
            if f["case"]:
                found = found.filter(case__slug=f["case"])
            if f["statement"]:
                found = found.filter(_statement_lookup(f["statement"], prefix="statement__"))
            feedback = found.first()
            if feedback is None:
                # Never dropped quietly: the whole load is rolled back and says which is missing.
                raise ValueError(f"An edition change names feedback the snapshot does not hold: {f}")
            change.feedback.add(feedback)
