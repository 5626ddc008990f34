"""Feedback on the Framework, gathered and tagged, and each recommendation's review dossier.

Writes are keyword-only functions under ``transaction.atomic``, like the workflow's
(casebase/submissions/services.py); the views only call them. Reads for the worklist and
the dossiers are the selectors below, counted in the database a query per table, never
a query per recommendation.

Feedback comes from two places: the case template's feedback section (harvested here,
from published cases only) and statements of self-assessments (filed with the statement,
by the cycles' own services). Editors tag both kinds the same way.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Value, When
from django.utils import timezone

from casebase.cases.models import Application, CaseStudy, TemplateSection
from casebase.commitments.models import DossierNote, Feedback, Statement
from casebase.framework.models import Edition, Recommendation

# Bounds on what one person types or one harvest copies: a dossier is read, not archived.
TEXT_LIMIT = 2_000
NOTE_LIMIT = 5_000
MAX_RECOMMENDATIONS = 10
# The case template's feedback section is found by its heading, as the case form matches
# sections (next year's template is records, not code); this is the heading when no
# template record mentions feedback.
DEFAULT_FEEDBACK_HEADING = "feedback on the framework"
HARVEST_REASON = "Gathered from the case's answer on the Framework"

# Words that make a remark's kind obvious. A remark matching more than one kind (or none)
# stays "other" for an editor to decide: a wrong guess is worse than none.
KIND_HINTS = {
    Feedback.Kind.UNCLEAR: ("unclear", "ambiguous", "confusing", "vague", "hard to interpret"),
    Feedback.Kind.MISSING: ("missing", "does not cover", "doesn't cover", "no guidance", "not addressed"),
    Feedback.Kind.CONFLICTING: ("conflict", "contradict", "inconsistent with", "at odds"),
}


class FeedbackRefused(ValidationError):
    """What an editor asked for cannot be recorded; the message says why."""


# --- Harvesting from the case template ---------------------------------------------------


def feedback_headings() -> set[str]:
    """The headings (folded) of the template sections that ask for feedback on the Framework."""
    headings = {
        heading.strip().lower()
        for heading in TemplateSection.objects.values_list("heading", flat=True)
        if "feedback" in heading.lower()
    }
    return headings or {DEFAULT_FEEDBACK_HEADING}


def bounded(text: str, limit: int = TEXT_LIMIT) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def feedback_answer(sections, headings: set[str]) -> str:
    """A case's answer to the feedback section(s), bounded; empty when it gave none."""
    parts = []
    for section in sections if isinstance(sections, list) else []:
        if not isinstance(section, dict):
            continue
        heading = str(section.get("heading") or "").strip().lower()
        response = str(section.get("response") or "").strip()
        if heading in headings and response:
            parts.append(response)
    return bounded("\n\n".join(parts))


def guess_kind(text: str) -> str:
    lowered = text.lower()
    matches = [kind for kind, words in KIND_HINTS.items() if any(word in lowered for word in words)]
    return matches[0] if len(matches) == 1 else Feedback.Kind.OTHER


@transaction.atomic
def harvest_case_feedback(*, case, headings: set[str] | None = None) -> Feedback | None:
    """One untagged Feedback from a published case's feedback answer, unless it has it already.

    Idempotent: the case's harvested text is the key, so running it again (from the loader or
    the worklist's button) adds nothing; a revised answer, republished, is new feedback. Drafts
    are never read: their text is not public and may still change.
    """
    case = CaseStudy.objects.select_for_update().filter(pk=case.pk, is_published=True).first()
    if case is None:
        return None
    text = feedback_answer(case.sections, headings if headings is not None else feedback_headings())
    if not text or Feedback.objects.filter(case=case, statement__isnull=True, text=text).exists():
        return None
    feedback = Feedback(kind=guess_kind(text), text=text, organization_id=case.organization_id, case=case)
    feedback._change_reason = HARVEST_REASON
    feedback.save()
    return feedback


@dataclass
class Harvest:
    created: int = 0
    read: int = 0


def harvest_all() -> Harvest:
    """Harvest every published case with an answer; each case in a transaction of its own."""
    headings = feedback_headings()
    result = Harvest()
    cases = CaseStudy.objects.published().only("pk", "sections").order_by("pk")
    for case in cases.iterator(chunk_size=500):
        if not feedback_answer(case.sections, headings):
            continue
        result.read += 1
        if harvest_case_feedback(case=case, headings=headings) is not None:
            result.created += 1
    return result


# --- Tagging -------------------------------------------------------------------------------


def current_recommendations():
    edition = Edition.objects.current()
    if edition is None:
        return Recommendation.objects.none()
    return (
        Recommendation.objects.filter(edition=edition)
        .select_related("section")
        .order_by("section__order", "order", "key")
    )


def _resolve(keys) -> list[Recommendation]:
    """The current edition's recommendations named by ``keys``; refuses unknown ones and too many."""
    keys = list(dict.fromkeys(keys))
    if len(keys) > MAX_RECOMMENDATIONS:
        raise FeedbackRefused(f"Tag at most {MAX_RECOMMENDATIONS} recommendations to one remark.")
    found = {r.key: r for r in current_recommendations().filter(key__in=keys)}
    unknown = [k for k in keys if k not in found]
    if unknown:
        raise FeedbackRefused("Not recommendations of the current edition: " + ", ".join(unknown[:5]))
    return [found[k] for k in keys]


def _kind(kind: str) -> str:
    if kind not in Feedback.Kind.values:
        raise FeedbackRefused("Choose one of the kinds of feedback.")
    return kind


@transaction.atomic
def tag_feedback(*, feedback: Feedback, kind: str, recommendation_keys, by) -> Feedback:
    """Set a remark's kind and the recommendations it concerns, and who did so, when.

    An empty set of recommendations leaves the remark untagged (and back on top of the
    worklist), with no tagger recorded."""
    kind = _kind(kind)
    recommendations = _resolve(recommendation_keys)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.kind = kind
    feedback.tagged_by = by if recommendations else None
    feedback.tagged_at = timezone.now() if recommendations else None
    feedback._change_reason = "Tagged by an editor"
    feedback.save()
    feedback.recommendations.set(recommendations)
    return feedback


@transaction.atomic
def add_case_feedback(*, case, text: str, kind: str, recommendation_keys, by) -> Feedback:
    """An editor's excerpt from a published case, filed as feedback (and tagged, if they chose)."""
    text = (text or "").strip()
    if not text:
        raise FeedbackRefused("Paste the passage of the case that gives the feedback.")
    if len(text) > TEXT_LIMIT:
        raise FeedbackRefused(f"Keep the excerpt to {TEXT_LIMIT:,} characters.")
    kind = _kind(kind)
    recommendations = _resolve(recommendation_keys)
    if not CaseStudy.objects.filter(pk=case.pk, is_published=True).exists():
        raise FeedbackRefused("Only a published case can be a source of feedback.")
    feedback = Feedback(
        kind=kind,
        text=text,
        organization_id=case.organization_id,
        case=case,
        tagged_by=by if recommendations else None,
        tagged_at=timezone.now() if recommendations else None,
    )
    feedback._change_reason = "Added by an editor from the case"
    feedback.save()
    feedback.recommendations.set(recommendations)
    return feedback


@transaction.atomic
def add_dossier_note(*, recommendation: Recommendation, text: str, by) -> DossierNote:
    text = (text or "").strip()
    if not text:
        raise FeedbackRefused("Write the note.")
    if len(text) > NOTE_LIMIT:
        raise FeedbackRefused(f"Keep a note to {NOTE_LIMIT:,} characters.")
    return DossierNote.objects.create(recommendation=recommendation, author=by, text=text)


# --- The worklist ----------------------------------------------------------------------------

SOURCES = {"case": "A case study", "statement": "A self-assessment"}


def worklist(*, kind: str = "", tagged: str = "", source: str = ""):
    """Feedback for editors: untagged first, then newest first; filtered as asked."""
    items = (
        Feedback.objects.annotate(tag_count=Count("recommendations", distinct=True))
        .select_related(
            "organization",
            "case",
            "statement__assessment__cycle",
            "statement__assessment__organization",
            "statement__recommendation",
            "tagged_by",
        )
        .prefetch_related("recommendations")
    )
    if kind in Feedback.Kind.values:
        items = items.filter(kind=kind)
    if tagged == "yes":
        items = items.filter(tag_count__gt=0)
    elif tagged == "no":
        items = items.filter(tag_count=0)
    if source == "case":
        items = items.filter(statement__isnull=True)
    elif source == "statement":
        items = items.filter(statement__isnull=False)
    untagged_first = Case(When(tag_count=0, then=Value(0)), default=Value(1))
    return items.order_by(untagged_first, "-created_at", "-pk")


# --- Dossiers -------------------------------------------------------------------------------

GAPS = {
    "no_case": (
        "No case applies it",
        "No published case is coded as applying it (implemented, partly, or considered), "
        "in any voice, at any grade but refuted.",
    ),
    "no_practice": (
        "No supporter reports practising it",
        "No published self-assessment says it is practised or partly practised.",
    ),
    "unevidenced": (
        "Said to be practised, not evidenced",
        "A published self-assessment says it is practised (fully or partly), but no published case "
        "applies it and no such statement cites a published case as evidence.",
    ),
}
PRACTISING = (Statement.Status.PRACTISED, Statement.Status.PARTLY)


def applying_applications():
    """The codings that count as a published case applying a recommendation, as everywhere else."""
    return Application.objects.of_published_cases().applying().shown()


@dataclass
class DossierSummary:
    recommendation: Recommendation
    feedback: int = 0
    cases: int = 0
    statements: dict = field(default_factory=dict)  # public statements: status -> count
    evidenced_practice: bool = False

    @property
    def practising(self) -> int:
        return sum(self.statements.get(s, 0) for s in PRACTISING)

    @property
    def statement_list(self) -> list[tuple[str, int]]:
        """(label, count) in the statuses' own order, those with none left out."""
        return [
            (label, self.statements[value])
            for value, label in Statement.Status.choices
            if value in self.statements
        ]

    @property
    def gaps(self) -> list[str]:
        found = []
        if not self.cases:
            found.append("no_case")
        if not self.practising:
            found.append("no_practice")
        if self.practising and not self.cases and not self.evidenced_practice:
            found.append("unevidenced")
        return found

    @property
    def gap_labels(self) -> list[str]:
        return [GAPS[g][0] for g in self.gaps]


def _by_rec(rows) -> dict:
    return {key: n for key, n in rows}


def dossier_summaries(recommendations=None) -> list[DossierSummary]:
    """Every recommendation of the current edition (or those given) with its counts and gaps."""
    recs = list(recommendations if recommendations is not None else current_recommendations())
    # By key, as ?rec=<key> and the public timeline count: cases and statements coded against an
    # earlier edition count for the recommendation that carries its key on.
    keys = [r.key for r in recs]
    feedback = _by_rec(
        Feedback.recommendations.through.objects.filter(recommendation__key__in=keys)
        .values("recommendation__key")
        .annotate(n=Count("feedback_id", distinct=True))
        .values_list("recommendation__key", "n")
    )
    cases = _by_rec(
        applying_applications()
        .filter(recommendation__key__in=keys)
        .values("recommendation__key")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("recommendation__key", "n")
    )
    statements: dict[str, dict] = {}
    for key, status, n in (
        Statement.objects.public()
        .filter(recommendation__key__in=keys)
        .values("recommendation__key", "status")
        .annotate(n=Count("pk"))
        .values_list("recommendation__key", "status", "n")
    ):
        statements.setdefault(key, {})[status] = n
    evidenced = set(
        Statement.objects.public()
        .filter(recommendation__key__in=keys, status__in=PRACTISING, evidence_cases__is_published=True)
        .values_list("recommendation__key", flat=True)
    )
    return [
        DossierSummary(
            recommendation=r,
            feedback=feedback.get(r.key, 0),
            cases=cases.get(r.key, 0),
            statements=statements.get(r.key, {}),
            evidenced_practice=r.key in evidenced,
        )
        for r in recs
    ]


def dossier_recommendation(key: str) -> Recommendation | None:
    return current_recommendations().filter(key=key).first()


@dataclass
class Dossier:
    summary: DossierSummary
    feedback_by_kind: list  # [(kind label, [Feedback])]
    applications: list  # every coding of a published case, applying or not
    statements_by_cycle: list  # [(cycle, [Statement])], every statement, published or not
    notes: list


def dossier(recommendation: Recommendation) -> Dossier:
    summary = dossier_summaries([recommendation])[0]
    items = (
        Feedback.objects.filter(recommendations__key=recommendation.key)
        .distinct()
        .select_related(
            "organization",
            "case",
            "tagged_by",
            "statement__assessment__cycle",
            "statement__assessment__organization",
        )
        .prefetch_related("recommendations")
        .order_by("-created_at", "-pk")
    )
    grouped = {kind: [] for kind in Feedback.Kind.values}
    for item in items:
        grouped[item.kind].append(item)
    applications = list(
        Application.objects.of_published_cases()
        .filter(recommendation__key=recommendation.key)
        .select_related("case", "case__organization")
        .order_by("case__title", "voice")
    )
    statements = (
        Statement.objects.filter(recommendation__key=recommendation.key)
        .select_related("assessment__cycle", "assessment__organization")
        .prefetch_related("evidence_cases")
        .order_by("-assessment__cycle__opens_on", "assessment__cycle__pk", "assessment__organization__name")
    )
    by_cycle: dict = {}
    for statement in statements:
        by_cycle.setdefault(statement.assessment.cycle, []).append(statement)
    return Dossier(
        summary=summary,
        feedback_by_kind=[(Feedback.Kind(k).label, v) for k, v in grouped.items() if v],
        applications=applications,
        statements_by_cycle=list(by_cycle.items()),
        notes=list(
            DossierNote.objects.filter(recommendation__key=recommendation.key).select_related("author")
        ),
    )
