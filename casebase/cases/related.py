"""Related cases, counted on the facet index, each with why it is related.

A case is related to another when it applies one of the same recommendations
or shares a topic tag; among those, the most related share the most, weighted
(WEIGHTS: a recommendation applied by both says more than a topic, a topic more
than a stakeholder role or a principle, which thousands of cases share). Ties go
to more shared recommendations, then to the newest (facetindex.NEWEST).

Counted in SQL, this was a union over every case sharing any recommendation or
tag, grouped and sorted: 65-80 ms of a case page at 20,000 cases, growing with
the bank. Here every shared value is a bitmask of the facet index
(casebase.cases.facetindex), built once per content version, so the result is
always that of the published content (a publish, edit or unpublish starts a new
version) and costs microseconds: the weighted overlap of every published case at
once is a sum of masks kept as bit planes (a carry-save counter over big ints),
and the best cases are read off the planes from the top bit down. Only the few
cases shown are read from the database.

The same function answers for a collection (its cases as a whole: the values of all of
them, each counted as many times as cases have it; see related_to).

On PostgreSQL the wording counts too: the best cases by the facets (a bounded number, never
every case; see CANDIDATES) are compared by trigram similarity of their titles and summaries,
in one query, and those worded much alike move up and say "similar wording". On SQLite that
step is left out and the facets alone decide.
"""

from collections import Counter as Tally
from collections.abc import Iterable, Sequence

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections, router
from django.db.models import TextField, Value
from django.db.models.functions import Concat, Greatest, Left, Length

from casebase.cases import facetindex
from casebase.cases.models import CaseStudy, attach_tags
from casebase.core.evidence import Evidence

# What sharing one value of each kind weighs. Recommendations and topics make a case
# related at all; roles and principles only rank the related ones.
WEIGHTS = {"rec": 3, "tag": 2, "principle": 1, "role": 1}
RELATING = ("rec", "tag")
NOUNS = {
    "rec": ("recommendation", "recommendations"),
    "tag": ("topic", "topics"),
    "principle": ("principle", "principles"),
    "role": ("stakeholder role", "stakeholder roles"),
}
NAMED = 3  # values named in a reason before "and N more"

# Similar wording (PostgreSQL only). The best cases by the facets are compared with the case by
# pg_trgm similarity of their titles and summaries; at WORDING_THRESHOLD or above, the similarity
# times WORDING_WEIGHT is added to the score (near-identical wording counts nearly as much as a
# topic, less than a recommendation) and the reason says "similar wording". The real cases'
# closest pair is at 0.40 (two stubs opening with the same sentence): below the threshold.
#
# The work is bounded by the pairs compared, never every case: a case page compares its
# CANDIDATES best; a collection compares its first TEXTS_MAX cases (the nearest counting) with
# fewer candidates, WORDING_PAIRS pairs in all. Only the first WORDING_CHARS characters are
# compared: pg_trgm builds both texts' trigrams on every call, so the cost grows with their
# length (50 whole synthetic summaries took 8 ms, their openings 3). A text shorter than
# WORDING_MIN_LENGTH (a stub's title alone) is not judged: "Case A" and "Case B" are more alike
# by trigrams than two real summaries of the same practice.
CANDIDATES = 50
TEXTS_MAX = 5
WORDING_PAIRS = 50
WORDING_CHARS = 300
WORDING_MIN_LENGTH = 80
WORDING_THRESHOLD = 0.5
WORDING_WEIGHT = 2


class Counter:
    """A count per bit position of many masks, as bit planes: planes[j] holds bit j of each count."""

    def __init__(self):
        self.planes: list[int] = []

    def add(self, mask: int, weight: int = 1) -> None:
        for j in range(weight.bit_length()):
            if weight >> j & 1:
                self._add_at(mask, j)

    def _add_at(self, carry: int, j: int) -> None:
        while carry:
            while j >= len(self.planes):  # a weight's lowest bit may be above every plane so far
                self.planes.append(0)
            self.planes[j], carry = self.planes[j] ^ carry, self.planes[j] & carry
            j += 1

    def best(self, pool: int) -> int:
        """The positions of ``pool`` with the highest count."""
        for plane in reversed(self.planes):
            if pool & plane:
                pool &= plane
        return pool


def related_to(
    shared: dict[str, list[str]],
    *,
    exclude: Iterable[int] = (),
    texts: Sequence[str] = (),
    limit: int = 5,
) -> list[CaseStudy]:
    """The published cases most related to one case, or to several as a whole, most related first.

    ``shared`` holds the values of the case or cases (``rec``: keys of the recommendations
    applied; ``tag``, ``role``, ``principle``: slugs). A value listed n times weighs n times:
    for a collection each of its cases lists its own values once, so a topic three of them
    share counts three times, and a case sharing it relates to three of them (the score is the
    sum of what it shares with each). For one case every value is listed once. ``exclude``:
    cases never shown (the case itself, a collection's own cases). ``texts``: the title and
    summary of the case or cases, for similar wording (see ``wording``; PostgreSQL only).

    Each has ``shared`` (param -> labels of the values it shares), ``overlap`` (the
    weighted score of those values), ``shared_recs`` and ``shared_tags`` (how many),
    ``similarity`` (of its wording, or None) and ``reason`` (a sentence saying why it is related).
    """
    index = facetindex.current()
    lens = index.lens(Evidence.ALL)
    times = {param: Tally(shared.get(param, ())) for param in WEIGHTS}
    masks = {param: {value: lens.mask(param, value) for value in sorted(times[param])} for param in WEIGHTS}
    candidates = 0
    for param in RELATING:
        for mask in masks[param].values():
            candidates |= mask
    for case_id in exclude:
        if case_id in index.position:
            candidates &= ~(1 << index.position[case_id])
    score, recs = Counter(), Counter()
    for param, weight in WEIGHTS.items():
        for value, mask in masks[param].items():
            score.add(mask & candidates, weight * times[param][value])
    for mask in masks["rec"].values():
        recs.add(mask & candidates)

    texts = [text[:WORDING_CHARS] for text in texts if len(text.strip()) >= WORDING_MIN_LENGTH][:TEXTS_MAX]
    compare_wording = bool(texts) and connections[router.db_for_read(CaseStudy)].vendor == "postgresql"
    pool = max(limit, min(CANDIDATES, WORDING_PAIRS // len(texts))) if compare_wording else limit
    chosen = _best(score, recs, candidates, pool)
    overlap = {
        p: sum(
            WEIGHTS[param] * times[param][value]
            for param in WEIGHTS
            for value, mask in masks[param].items()
            if mask >> p & 1
        )
        for p in chosen
    }
    similarity = wording([index.ids[p] for p in chosen], texts) if compare_wording else {}

    def lift(p: int) -> float:
        found = similarity.get(index.ids[p], 0.0)
        return WORDING_WEIGHT * found if found >= WORDING_THRESHOLD else 0.0

    if similarity:
        # Stable: cases equal in all but wording keep the facet order (recommendations, newest).
        chosen = sorted(chosen, key=lambda p: -(overlap[p] + lift(p)))[:limit]
    ids = [index.ids[p] for p in chosen]
    found = CaseStudy.objects.published().filter(pk__in=ids).for_listing().in_bulk()
    attach_tags(list(found.values()))
    out = []
    for p, case_id in zip(chosen, ids, strict=True):
        case = found.get(case_id)
        if case is None:  # unpublished since the index was built: its next version drops it
            continue
        case.shared = {
            param: [
                index.labels.get(param, {}).get(value, value)
                for value, mask in masks[param].items()
                if mask >> p & 1
            ]
            for param in WEIGHTS
        }
        case.shared_recs, case.shared_tags = len(case.shared["rec"]), len(case.shared["tag"])
        case.overlap = overlap[p]
        case.similarity = similarity.get(case_id)
        case.reason = reason(case.shared, similar_wording=bool(lift(p)))
        out.append(case)
    return out


def _best(score: Counter, recs: Counter, candidates: int, limit: int) -> list[int]:
    """The positions of the ``limit`` best candidates: highest score, then most shared
    recommendations, then newest."""
    chosen: list[int] = []
    while candidates and len(chosen) < limit:
        top = recs.best(score.best(candidates))
        while top and len(chosen) < limit:
            lowest = top & -top  # the newest of the tie
            chosen.append(lowest.bit_length() - 1)
            top ^= lowest
            candidates ^= lowest
    return chosen


def wording(ids: list[int], texts: Sequence[str]) -> dict[int, float]:
    """How alike the title and summary (their first WORDING_CHARS characters) of each of these
    cases (at most CANDIDATES) and the nearest of ``texts`` are: pg_trgm's similarity, 0 to 1,
    and 0 for a case with too little text. One query over these rows only."""
    if not ids or not texts:
        return {}
    own = Left(Concat("title", Value(" "), "summary", output_field=TextField()), WORDING_CHARS)
    alike = [TrigramSimilarity(own, Value(text)) for text in texts]
    rows = (
        CaseStudy.objects.filter(pk__in=ids[:CANDIDATES])
        .annotate(alike=alike[0] if len(alike) == 1 else Greatest(*alike), length=Length(own))
        .values_list("pk", "alike", "length")
    )
    return {pk: float(alike or 0.0) if length >= WORDING_MIN_LENGTH else 0.0 for pk, alike, length in rows}


def reason(shared: dict[str, list[str]], *, similar_wording: bool = False) -> str:
    """“Shares 3 recommendations (A, B and C) and the topic consent.”, and “… and similar
    wording.” when its title and summary read much like the case's."""
    parts = []
    for param in WEIGHTS:
        labels = shared.get(param, [])
        if not labels:
            continue
        one, many = NOUNS[param]
        if len(labels) == 1:
            parts.append(f"the {one} {labels[0]}")
            continue
        named = labels[:NAMED]
        rest = len(labels) - len(named)
        listed = (
            ", ".join(named[:-1]) + f" and {named[-1]}"
            if not rest
            else ", ".join(named) + f" and {rest} more"
        )
        parts.append(f"{len(labels)} {many} ({listed})" if param == "rec" else f"the {many} {listed}")
    if similar_wording:
        parts.append("similar wording")
    if not parts:
        return ""
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Shares {text}."
