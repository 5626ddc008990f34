"""Read helpers shared by the public pages: a case with what its page shows, its sources, related cases."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from casebase.cases.models import (
    Application,
    CaseCredit,
    CaseStudy,
    TaggedPrinciple,
    TaggedRole,
)
from casebase.cases.related import related_to
from casebase.core.evidence import SHOWN_GRADES, Provenance, Voice


def case_detail_queryset():
    applications = Application.objects.select_related(
        "recommendation__section", "recommendation__edition"
    ).order_by("recommendation__section__order", "recommendation__order", "recommendation__key", "voice")
    return CaseStudy.objects.select_related("organization", "cohort", "edition").prefetch_related(
        "tags",
        Prefetch("applications", queryset=applications),
        Prefetch("role_links", queryset=TaggedRole.objects.select_related("tag").order_by("tag__order")),
        Prefetch(
            "principle_links", queryset=TaggedPrinciple.objects.select_related("tag").order_by("tag__order")
        ),
        Prefetch("credits", queryset=CaseCredit.objects.select_related("organization")),
    )


@dataclass
class Coding:
    """One recommendation a case relates to, with every voice's coding of it side by side."""

    recommendation: object
    codings: list = field(default_factory=list)
    # Where the recommendation went in the current edition, when a newer one exists
    # (casebase.framework.crosswalk.Later); the coding itself stays on the recommendation it names.
    later: object = None

    @property
    def voices(self) -> set[str]:
        return {c.voice for c in self.codings}

    @property
    def agree(self) -> bool | None:
        """With two or more voices: whether they give the same status."""
        if len(self.codings) < 2:
            return None
        return len({c.status for c in self.codings}) == 1


def codings_by_recommendation(case, *, refuted: bool = False) -> list[Coding]:
    """The case's applications grouped by recommendation, voices in a fixed order (the
    organization, PAI staff, Casebase editors). Refuted codings only when asked (for staff)."""
    order = {voice: i for i, voice in enumerate(Voice.values)}
    groups: dict[int, Coding] = {}
    for application in case.applications.all():
        if (application.grade in SHOWN_GRADES) != (not refuted):
            continue
        groups.setdefault(application.recommendation_id, Coding(application.recommendation)).codings.append(
            application
        )
    for group in groups.values():
        group.codings.sort(key=lambda a: order.get(a.voice, 9))
    return list(groups.values())


@dataclass
class Source:
    """A source a case page rests on, with the facts it supports."""

    url: str
    facts: list[tuple[str, Provenance]] = field(default_factory=list)

    @property
    def last_checked(self):
        dates = [p.checked_on for _, p in self.facts if p.checked_on]
        return max(dates) if dates else None


def case_sources(
    case, codings: list[Coding], roles, principles, credits=None
) -> tuple[list[Source], list[tuple[str, Provenance]]]:
    """Every source behind the facts the case page shows, each with what it supports, and the
    facts no source states (Casebase editors' own readings), for the page's Sources section."""
    credits = case.credits.all() if credits is None else credits
    facts = [(fact.label, fact.provenance) for fact in case.facts() if fact.provenance.is_shown]
    facts += [(f"Credit: {c.organization.name}", c.provenance()) for c in credits if c.provenance().is_shown]
    facts += [(f"Stakeholder role: {link.tag.name}", link.provenance()) for link in roles]
    facts += [(f"Principle: {link.tag.name}", link.provenance()) for link in principles]
    for group in codings:
        for coding in group.codings:
            facts.append(
                (
                    f"{group.recommendation.reader_label}: {coding.get_status_display()} ({coding.get_voice_display()})",
                    coding.provenance(),
                )
            )
    sources: dict[str, Source] = {}
    unsourced = []
    for label, provenance in facts:
        if provenance.source_url:
            sources.setdefault(provenance.source_url, Source(provenance.source_url)).facts.append(
                (label, provenance)
            )
        else:
            unsourced.append((label, provenance))
    return list(sources.values()), unsourced


def values_for_related(case) -> dict[str, list[str]]:
    """What ``case`` is related by (see casebase.cases.related), from its prefetched applications,
    tags, roles and principles: each value once."""
    shown = SHOWN_GRADES
    return {
        "rec": sorted(
            {a.recommendation.key for a in case.applications.all() if a.is_applying and a.grade in shown}
        ),
        "tag": sorted({t.slug for t in case.tags.all()}),
        "role": sorted({link.tag.slug for link in case.role_links.all() if link.grade in shown}),
        "principle": sorted({link.tag.slug for link in case.principle_links.all() if link.grade in shown}),
    }


def wording_of(case) -> str:
    return f"{case.title} {case.summary}"


def related_cases(case, limit: int = 5):
    """Published cases most related to ``case`` (from its prefetched applications, tags, roles and
    principles), each with why: see casebase.cases.related."""
    return related_to(values_for_related(case), exclude=[case.pk], texts=[wording_of(case)], limit=limit)


def cases_like(cases, limit: int = 5):
    """Published cases most related to ``cases`` as a whole (a collection's), none of them, each
    with why: the same related_to, given every case's values (a value as many times as cases
    have it)."""
    ids = [case.pk for case in cases]
    if not ids:
        return []
    loaded = (
        CaseStudy.objects.filter(pk__in=ids)
        .only("pk", "title", "summary")
        .prefetch_related(
            "tags",
            Prefetch("applications", queryset=Application.objects.select_related("recommendation")),
            Prefetch("role_links", queryset=TaggedRole.objects.select_related("tag")),
            Prefetch("principle_links", queryset=TaggedPrinciple.objects.select_related("tag")),
        )
        .in_bulk()
    )
    ordered = [loaded[pk] for pk in ids if pk in loaded]
    shared: dict[str, list[str]] = {}
    for case in ordered:
        for param, values in values_for_related(case).items():
            shared.setdefault(param, []).extend(values)
    return related_to(shared, exclude=ids, texts=[wording_of(case) for case in ordered], limit=limit)
