"""Build, from a working copy, the objects the case page shows, without saving anything."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

from casebase.cases.models import Application, CaseStudy
from casebase.framework.models import Edition, Principle, Recommendation, StakeholderRole
from casebase.submissions.content import normalize


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


class PreviewCase:
    """An unsaved CaseStudy dressed as the published record, tags included, for the public template."""

    def __init__(self, case: CaseStudy, *, roles, principles, tags):
        self._case = case
        self.roles = _Listed(roles)
        self.principles = _Listed(principles)
        self.tags = _Listed(_Topic(t) for t in tags)

    def __getattr__(self, name):
        return getattr(self._case, name)


@dataclass
class CasePreview:
    case: CaseStudy
    applications: list[Application]
    roles: list
    principles: list
    tags: list[str]


def build_preview(submission) -> CasePreview:
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
        published_on=live.published_on or timezone.localdate(),
        # Shown as readers will see it once published.
        is_published=True,
        completeness=live.completeness,
        verification=live.verification,
        verification_note=live.verification_note,
        source_url=live.source_url,
        source_url_confidence=live.source_url_confidence,
        summary_confidence=live.summary_confidence,
        updated_at=timezone.now(),
    )
    case.render_derived()
    edition = live.edition or Edition.objects.current()
    recs = {
        r.key: r
        for r in Recommendation.objects.filter(
            edition=edition, key__in=[a["recommendation"] for a in content["applications"]]
        ).select_related("section")
    }
    applications = []
    for item in content["applications"]:
        rec = recs.get(item["recommendation"])
        if rec is None:
            continue
        application = Application(
            recommendation=rec,
            status=item["status"] or Application.Status.IMPLEMENTED,
            justification=item["justification"],
            excerpt=item["excerpt"],
            asserted_by=Application.AssertedBy.SUPPORTER,
        )
        application.render_markdown_fields()
        applications.append(application)
    applications.sort(key=lambda a: (a.recommendation.section.order, a.recommendation.order))
    roles = list(StakeholderRole.objects.filter(slug__in=content["roles"]).order_by("order"))
    principles = list(Principle.objects.filter(slug__in=content["principles"]).order_by("order"))
    return CasePreview(
        case=PreviewCase(case, roles=roles, principles=principles, tags=content["tags"]),
        applications=applications,
        roles=roles,
        principles=principles,
        tags=content["tags"],
    )


def preview_context(submission, base: str) -> dict:
    """Context for the public case template (cases/detail.html) showing the working copy."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    from casebase.cases.models import Application as _Application

    preview = build_preview(submission)
    try:
        get_template("cases/detail.html")
        preview_base = "cases/detail.html"
    except TemplateDoesNotExist:  # the public case page is not there: a plain rendering
        preview_base = "submissions/preview_fallback.html"
    applying = {_Application.Status.IMPLEMENTED, _Application.Status.PARTIAL, _Application.Status.CONSIDERED}
    return {
        "preview_base": preview_base,
        "submission": submission,
        "base": base,
        "case": preview.case,
        "applications": preview.applications,
        "applying_count": sum(a.status in applying for a in preview.applications),
        "related": [],
        "crumbs": [],
    }
