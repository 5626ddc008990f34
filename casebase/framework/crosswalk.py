"""Where a recommendation of an earlier edition went in the current one.

A case's applications point at the recommendation of the edition it was coded against, and
stay there (history is never rewritten). Pages show them against the current edition too,
by following ``predecessors`` (and the older ``previous`` link) from edition to edition.
Drafts are never followed: a draft edition is not public.
"""

from dataclasses import dataclass, field

from casebase.framework.models import Edition, Recommendation

MAX_HOPS = 20  # editions are yearly; a chain longer than this is a data error, not history


@dataclass
class Later:
    """A recommendation's successors in the current edition, or the edition that retired it."""

    edition: Edition
    successors: list[Recommendation] = field(default_factory=list)
    retired_in: Edition | None = None

    @property
    def is_retired(self) -> bool:
        return not self.successors


def _successor_map() -> tuple[dict[int, list[Recommendation]], dict[int, Edition]]:
    """Each public recommendation's successors in the next public edition, read in two queries."""
    recs = {
        r.pk: r
        for r in Recommendation.objects.public()
        .select_related("edition", "section")
        .order_by("section__order", "order", "key")
    }
    children: dict[int, list[Recommendation]] = {}
    links = {(r.previous_id, r.pk) for r in recs.values() if r.previous_id}
    links |= set(
        Recommendation.predecessors.through.objects.filter(
            from_recommendation__in=list(recs), to_recommendation__in=list(recs)
        ).values_list("to_recommendation_id", "from_recommendation_id")
    )
    for old, new in sorted(
        links, key=lambda link: (recs[link[1]].section.order, recs[link[1]].order, link[1])
    ):
        if old in recs and new in recs and recs[old].edition_id != recs[new].edition_id:
            children.setdefault(old, []).append(recs[new])
    following = {e.based_on_id: e for e in Edition.objects.public().filter(based_on__isnull=False)}
    return children, following


def later_versions(recommendations) -> dict[int, Later]:
    """For each given recommendation of an edition older than the current one: its successors
    in the current edition (through every edition between), or where it was retired."""
    current = Edition.objects.current()
    older = [r for r in recommendations if current and r.edition_id != current.pk]
    if not older:
        return {}
    children, following = _successor_map()
    found = {}
    for rec in older:
        frontier, edition, retired_in = [rec], rec.edition_id, None
        for _ in range(MAX_HOPS):
            nxt = following.get(edition)
            if nxt is None:
                break
            frontier = list({r.pk: r for old in frontier for r in children.get(old.pk, [])}.values())
            edition = nxt.pk
            if not frontier:
                retired_in = nxt
                break
        if edition == current.pk or retired_in:
            found[rec.pk] = Later(edition=current, successors=frontier, retired_in=retired_in)
    return found
