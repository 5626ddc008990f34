"""Which page a suggestion is about, and the facts on it a reader can point at.

A suggestion names its page by path (``/cases/<slug>/``, ``/recommendations/<key>/``,
an ``/analysis/`` page) and a fact by a key the form offers: ``title``, ``summary``,
``role:<slug>``, ``principle:<slug>``, ``credit:<organization slug>``,
``coding:<recommendation key>:<voice>``, ``text``, or ``figure`` on an analysis page.
Only public pages and the facts they show can be named: a draft or unpublished case is
not a page anyone can correct.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from casebase.cases.models import CaseStudy
from casebase.framework.models import Recommendation

PATH_BUDGET = 300
# The analysis pages readers see as HTML (downloads and citations are not pages to correct).
ANALYSIS_PAGES = {
    "analysis:index": "Cross-case analysis",
    "analysis:matrix": "The matrix: recommendations × cases",
    "analysis:application": "One coding in the matrix",
    "analysis:gaps": "The gap map",
    "analysis:crosstabs": "Cross-tabs",
    "analysis:cooccurrence": "Co-occurrence",
    "analysis:agreement": "Agreement between voices",
    "analysis:compare": "Case comparison",
    "analysis:together": "Recommendations practised together",
    "analysis:analyses": "Staff analyses",
    "analysis:analysis": "A staff analysis",
    "datasets:data": "Data and citation",
}
# The fields of a case readers may correct as text (the rest are facts of their own below).
CASE_TEXT_FIELDS = ("title", "framing_question", "summary")
RECOMMENDATION_TEXT_FIELDS = ("title", "text")
FIGURE = "figure"


class PageProblem(Exception):
    """The page named cannot be corrected; ``status`` is the answer to give (400 or 404)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Target:
    """One fact a reader can point at: the form's key, how it reads, and where it is stored."""

    key: str
    label: str
    kind: str  # as the verification worklist names it (casebase.quality.facts), or "analysis-page"
    pk: int | None
    field: str
    value: str

    @property
    def is_text(self) -> bool:
        """A field whose value the editor rewrites (the others are kept, recoded or withdrawn)."""
        return self.kind in ("case", "recommendation")


@dataclass
class Page:
    path: str
    title: str
    kind: str  # "case", "recommendation" or "analysis"
    case: CaseStudy | None = None
    record: object = None
    targets: list[Target] = field(default_factory=list)

    def target(self, key: str) -> Target | None:
        return next((t for t in self.targets if t.key == key), None)


def clean_path(value) -> str:
    """The page's path and query as a local address, or '' if it is not one."""
    value = str(value or "").strip()
    if not value or len(value) > 4 * PATH_BUDGET or not value.isprintable() or "\\" in value:
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return ""
    if len(parts.path) > PATH_BUDGET:
        return ""
    full = parts.path + (f"?{parts.query}" if parts.query else "")
    # A page's filters are context for the editor, not part of the fact: a long query is dropped.
    return full if len(full) <= PATH_BUDGET else parts.path


def _case_targets(case: CaseStudy) -> list[Target]:
    targets = [
        Target(name, label, "case", case.pk, name, str(getattr(case, name) or ""))
        for name, label in CaseStudy.SOURCED_FIELDS.items()
        if name in CASE_TEXT_FIELDS and getattr(case, name)
    ]
    for link in case.role_links.select_related("tag").order_by("tag__order"):
        if link.provenance().is_shown:
            targets.append(
                Target(
                    f"role:{link.tag.slug}", f"Role: {link.tag.name}", "case-role", link.pk, "", link.tag.name
                )
            )
    for link in case.principle_links.select_related("tag").order_by("tag__order"):
        if link.provenance().is_shown:
            targets.append(
                Target(
                    f"principle:{link.tag.slug}",
                    f"Principle: {link.tag.name}",
                    "case-principle",
                    link.pk,
                    "",
                    link.tag.name,
                )
            )
    for credit in case.credits.select_related("organization").order_by("organization__name"):
        if credit.organization_id != case.organization_id and credit.provenance().is_shown:
            name = credit.organization.name
            targets.append(
                Target(
                    f"credit:{credit.organization.slug}", f"Credited: {name}", "credit", credit.pk, "", name
                )
            )
    codings = (
        case.applications.shown().select_related("recommendation").order_by("recommendation__key", "voice")
    )
    for coding in codings:
        rec = coding.recommendation
        targets.append(
            Target(
                f"coding:{rec.key}:{coding.voice}",
                f"Recommendation {rec.reader_label}, as coded by {coding.get_voice_display()}",
                "coding",
                coding.pk,
                "",
                coding.get_status_display(),
            )
        )
    return targets


def page_for(value) -> Page:
    """The page a suggestion names, with its facts; PageProblem if it names none anyone may correct."""
    path = clean_path(value)
    if not path:
        raise PageProblem("Say which page of Casebase the correction is about (its address on this site).")
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        raise PageProblem("Casebase has no page at that address.", status=404) from None
    if match.view_name == "cases:detail":
        case = CaseStudy.objects.select_related("organization").filter(slug=match.kwargs["slug"]).first()
        if case is None or not case.is_published:
            raise PageProblem("No published case has this address.", status=404)
        return Page(path, case.title, "case", case=case, record=case, targets=_case_targets(case))
    if match.view_name == "framework:recommendation":
        rec = (
            Recommendation.objects.public()
            .filter(key=match.kwargs["key"])
            .order_by("-edition__is_current", "-edition__published_on", "-edition__slug")
            .first()
        )
        if rec is None:
            raise PageProblem("No recommendation has this key.", status=404)
        targets = [
            Target(name, label, "recommendation", rec.pk, name, str(getattr(rec, name) or ""))
            for name, label in Recommendation.SOURCED_FIELDS.items()
            if name in RECOMMENDATION_TEXT_FIELDS
        ]
        return Page(path, rec.reader_label, "recommendation", record=rec, targets=targets)
    if match.view_name in ANALYSIS_PAGES:
        title = ANALYSIS_PAGES[match.view_name]
        if slug := match.kwargs.get("slug"):
            title = f"{title}: {slug}"
        target = Target(FIGURE, "A figure or statement on this page", "analysis-page", None, FIGURE, "")
        return Page(path, title, "analysis", targets=[target])
    raise PageProblem(
        "Corrections can be suggested for case, recommendation and analysis pages only.", status=404
    )
