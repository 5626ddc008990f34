"""Build, from a working copy, what the case page shows, without saving anything.

The preview is the public case page filled from the working copy: every fact
in it is the organization's own word (its voice), not yet reviewed; it is not
dated as published until it is; and its related cases are those a published
version would have.
"""

from dataclasses import dataclass

from django.utils.text import slugify
from taggit.models import Tag

from casebase.cases.models import Application, CaseStudy
from casebase.cases.querysets import Coding, case_sources, related_to, wording_of
from casebase.core.evidence import Grade, Provenance, Voice
from casebase.core.markdown import render_markdown_cached
from casebase.framework.models import Edition, Principle, Recommendation, StakeholderRole
from casebase.submissions.content import normalize

# What the working copy says is the organization's own word, not yet reviewed by anyone at PAI:
# unverified (recalled), never "confirmed", until an editor has looked at it.
CLAIM = Provenance(
    grade=Grade.RECALLED,
    voice=Voice.SUPPORTER,
    note="The organization's own claim in its working copy, not yet reviewed by PAI.",
)


class _Listed:
    """Stands in for a related manager in templates: ``case.roles.all`` gives the preview's list."""

    def __init__(self, items):
        self._items = list(items)

    def all(self):
        return self._items


@dataclass(frozen=True)
class _Topic:
    name: str

    @property
    def slug(self) -> str:
        return slugify(self.name)


@dataclass(frozen=True)
class _Link:
    """A role or principle of the working copy, as the case page shows a link with its provenance."""

    tag: object
    grade: str = CLAIM.grade

    def provenance(self) -> Provenance:
        return CLAIM


class PreviewCase:
    """An unsaved CaseStudy dressed as the published record, tags included, for the public template."""

    def __init__(self, case: CaseStudy, *, roles, principles, tags):
        self._case = case
        self.roles = _Listed(roles)
        self.principles = _Listed(principles)
        self.tags = _Listed(_Topic(t) for t in tags)
        self.role_links = _Listed(_Link(r) for r in roles)
        self.principle_links = _Listed(_Link(p) for p in principles)

    def __getattr__(self, name):
        return getattr(self._case, name)


def preview_context(submission, base: str) -> dict:
    """Context for the public case template (cases/detail.html) showing the working copy."""
    content = normalize(submission.content)
    live = submission.case
    case = CaseStudy(
        pk=live.pk,
        slug=live.slug,
        organization=submission.organization,
        title=content["title"],
        framing_question=content["framing_question"],
        takeaways=[t for t in content["takeaways"] if t.strip()],
        summary=content["summary"],
        sections=content["sections"],
        modalities=content["modalities"],
        disclosure_types=content["disclosure_types"],
        cohort=live.cohort,
        edition=live.edition,
        # A case is dated when it is published, not before (a revision keeps its first date).
        published_on=live.published_on,
        published_precision=live.published_precision,
        official_url=live.official_url,
        is_published=True,
        completeness=live.completeness,
        field_sources=live.field_sources,
        updated_at=live.updated_at,
    )
    case.set_provenance(None, **CLAIM.__dict__)
    for name in ("title", "framing_question", "takeaways", "summary", "sections"):
        case.set_provenance(name, **CLAIM.__dict__)
    # Which organization submits is known to PAI (the member's own), not just claimed.
    case.set_provenance(
        "organization", grade=Grade.CONFIRMED, voice=Voice.PAI, note="The submitting member's organization."
    )
    # Rendered once per version of the text, not on every view of the preview.
    case.render_derived(render=render_markdown_cached)
    edition = live.edition or Edition.objects.current()
    recs = {
        r.key: r
        for r in Recommendation.objects.filter(
            edition=edition, key__in=[a["recommendation"] for a in content["applications"]]
        ).select_related("section")
    }
    codings = []
    for item in content["applications"]:
        rec = recs.get(item["recommendation"])
        if rec is None:
            continue
        application = Application(
            recommendation=rec,
            status=item["status"] or Application.Status.IMPLEMENTED,
            justification=item["justification"],
            excerpt=item["excerpt"],
            voice=Voice.SUPPORTER,
            grade=CLAIM.grade,
            evidence_note=CLAIM.note,
        )
        application.render_markdown_fields(render=render_markdown_cached)
        codings.append(Coding(rec, [application]))
    codings.sort(key=lambda group: (group.recommendation.section.order, group.recommendation.order))
    roles = [_Link(r) for r in StakeholderRole.objects.filter(slug__in=content["roles"]).order_by("order")]
    principles = [
        _Link(p) for p in Principle.objects.filter(slug__in=content["principles"]).order_by("order")
    ]
    preview = PreviewCase(
        case, roles=[r.tag for r in roles], principles=[p.tag for p in principles], tags=content["tags"]
    )
    sources, unsourced = case_sources(case, codings, roles, principles, credits=[])
    tag_slugs = list(Tag.objects.filter(name__in=content["tags"]).values_list("slug", flat=True))
    applying = [group.recommendation.key for group in codings if group.codings[0].is_applying]
    return {
        "preview_base": "cases/detail.html",
        # The template says "not yet published" rather than "not established" for a draft.
        "preview": True,
        "submission": submission,
        "base": base,
        "case": preview,
        "codings": codings,
        "applying_count": len(applying),
        "roles": roles,
        "principles": principles,
        "co_authors": [],
        "sources": sources,
        "unsourced": unsourced,
        "refuted": None,
        "related": related_to(
            {
                "rec": applying,
                "tag": tag_slugs,
                "role": [link.tag.slug for link in roles],
                "principle": [link.tag.slug for link in principles],
            },
            exclude=[live.pk],
            texts=[wording_of(case)],
        ),
        "crumbs": [],
    }
