"""An in-memory index of the published cases: the store behind the one filter engine.

Every question "which published cases have these values, and how many" (the
case list, its facet counts, the exports, the API, the feed, the Framework and
organization pages, every analysis count) is answered from here, through
casebase.cases.filters.CaseFilter. Counted in SQL, each count scans the link
tables (73,000 applications at 20,000 cases), and a search repeats its
full-text match per facet: seconds for the first reader after each change.

Each facet value (a role, a principle, an organization, a cohort, a topic tag,
a recommendation with a status) is a bitmask over the published cases, bit p
being the p-th case in the newest-first order (NEWEST). Filtering is AND/OR of
masks and counting is ``int.bit_count()``: microseconds for any combination.

Facts have grades and voices (casebase.core.evidence): a role, principle or
organization credit is kept per grade, and a coding per status, voice and grade,
so one index answers under either evidence setting and for any voices (a
``Lens``). Refuted facts are never indexed.

What counts as published is CaseStudy.objects.published(); what counts as
applying a recommendation is Application.APPLYING, and which grades count is
Evidence.grades(): all applied here in Python to what was read, none restated.

The index is built in a fixed number of queries (about 0.2 s at 20,000 cases),
kept in the cache under the content version that casebase.core.pagecache starts
after every content change, and memoised per process, so it is rebuilt once per
change, not per request. Full-text search hits (the mask of the published cases
matching a query, and their relevance order) and the orders other than
newest-first are cached the same way, per content version.
"""

import hashlib
import threading
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import CharField, F, Value, Window
from django.db.models.functions import Concat, RowNumber
from taggit.models import Tag

from casebase.cases import search
from casebase.cases.models import (
    Application,
    CaseCredit,
    CaseStudy,
    Cohort,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
)
from casebase.core import pagecache
from casebase.core.evidence import SHOWN_GRADES, Evidence
from casebase.framework.models import ClauseMapping, Principle, Recommendation, StakeholderRole, reader_label
from casebase.organizations.models import Organization

# Change when the index's shape changes, so no process reads an older pickle.
FORMAT = 5
SECONDS = 600  # bounds memory only: a new content version makes an entry unused
# The one newest-first order of published cases, and the order of the bits. A case
# whose date is not established is taken as the newest we know of (PAI's latest set).
# Oldest first is exactly its reverse.
NEWEST = (F("published_on").desc(nulls_first=True), F("id").desc())
# Orders read from the database when a reader asks for them (positions, cached per version).
ORDERS = {
    "title": ("title", "id"),
    # The matrix's columns: grouped by (lead) organization, then by cohort.
    "organization": ("organization__name", F("cohort__released_on").asc(nulls_last=True), "title", "id"),
}


def _mask(positions, size: int) -> int:
    """A bitmask with the given bits set, built in one pass (ints are immutable)."""
    bits = bytearray((size + 8) // 8)
    for p in positions:
        bits[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(bits, "little")


def bits_of(mask: int) -> list[int]:
    """The set bits of ``mask``, lowest first."""
    return [p for p, bit in enumerate(bin(mask)[:1:-1]) if bit == "1"]


@dataclass
class FacetIndex:
    ids: list[int]  # published case ids, newest first: bit p is ids[p]
    # evidence setting -> param -> value -> mask, for role, principle, org, cohort and tag
    masks: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # param -> value -> label, in display order (rec included)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # recommendation id -> (status, voice, grade) -> mask: every shown coding
    codings: dict[int, dict[tuple[str, str, str], int]] = field(default_factory=dict)
    # recommendation id -> key, and key -> ids (a key may name a recommendation in several editions)
    rec_keys: dict[int, str] = field(default_factory=dict)
    # clause slug -> (recommendation key, the mapping's grade) for every shown mapping: a clause
    # selects the cases applying any recommendation mapped to it by a mapping that counts
    clause_recs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def everything(self) -> int:
        return (1 << len(self.ids)) - 1

    @cached_property
    def position(self) -> dict[int, int]:
        return {case_id: p for p, case_id in enumerate(self.ids)}

    @cached_property
    def rec_ids(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for rec_id, key in self.rec_keys.items():
            out.setdefault(key, []).append(rec_id)
        return out

    def mask_of_ids(self, ids) -> int:
        position = self.position
        return _mask([position[i] for i in ids if i in position], len(self.ids))

    def positions(self, mask: int, sort: str = "newest", limit: int | None = None) -> list[int]:
        """The set bits of ``mask`` in the order of ``sort`` (newest, oldest, or one of ORDERS),
        the first ``limit`` of them if given."""
        if sort in ORDERS:
            # One bit test per case in that order: on the mask's binary digits (lowest first),
            # not ``mask >> p``, which copies the whole mask for each case.
            digits = bin(mask)[:1:-1]
            size = len(digits)
            out = []
            for p in order_positions(self, sort):
                if p < size and digits[p] == "1":
                    out.append(p)
                    if len(out) == limit:
                        break
            return out
        newest = bits_of(mask)
        return (newest[::-1] if sort == "oldest" else newest)[:limit]

    def lens(self, evidence: str = Evidence.ALL, voices=None) -> "Lens":
        return Lens(self, Evidence.of(evidence), frozenset(voices) if voices else None)


@dataclass
class Lens:
    """The index seen under one evidence setting, and for some voices' codings (None: all)."""

    index: FacetIndex
    evidence: str
    voices: frozenset | None = None
    _applying: dict = field(default_factory=dict, repr=False)

    @property
    def grades(self) -> frozenset:
        return Evidence.grades(self.evidence)

    @property
    def labels(self) -> dict[str, dict[str, str]]:
        return self.index.labels

    def _counts(self, voice: str, grade: str) -> bool:
        return grade in self.grades and (self.voices is None or voice in self.voices)

    def applying(self, rec_id: int) -> int:
        """Published cases that, by a coding that counts here, apply this recommendation."""
        if rec_id not in self._applying:
            out = 0
            for (status, voice, grade), mask in self.index.codings.get(rec_id, {}).items():
                if status in Application.APPLYING and self._counts(voice, grade):
                    out |= mask
            self._applying[rec_id] = out
        return self._applying[rec_id]

    def with_status(self, rec_id: int, status: str) -> int:
        out = 0
        for (coded, voice, grade), mask in self.index.codings.get(rec_id, {}).items():
            if coded == status and self._counts(voice, grade):
                out |= mask
        return out

    def coding_grades(self, rec_ids, within: int) -> dict[str, int]:
        """How many applying codings of these recommendations, within ``within``, there are of
        each grade that counts here: the split every count page shows."""
        counts = {grade: 0 for grade in SHOWN_GRADES if grade in self.grades}
        for rec_id in rec_ids:
            for (status, voice, grade), mask in self.index.codings.get(rec_id, {}).items():
                if status in Application.APPLYING and self._counts(voice, grade):
                    counts[grade] += (mask & within).bit_count()
        return counts

    def mask(self, param: str, value: str) -> int:
        if param == "clause":
            out = 0
            for key, grade in self.index.clause_recs.get(value, ()):
                if grade in self.grades:
                    out |= self.mask("rec", key)
            return out
        if param == "rec":
            out = 0
            for rec_id in self.index.rec_ids.get(value, ()):
                out |= self.applying(rec_id)
            return out
        return self.index.masks.get(self.evidence, {}).get(param, {}).get(value, 0)

    def any_of(self, param: str, values) -> int:
        out = 0
        for value in values:
            out |= self.mask(param, value)
        return out

    def count(self, param: str, value: str, within: int | None = None) -> int:
        mask = self.mask(param, value)
        return (mask if within is None else mask & within).bit_count()


# facet -> its rows as (g1, g2, cid): a value, what grades it (or "" for ungraded topic tags) and a
# case id. Codings group by recommendation, and by status, voice and grade joined in g2.
def _sources():
    return {
        "role": TaggedRole.objects.values(g1=F("tag_id"), g2=F("grade"), cid=F("content_object_id")),
        "principle": TaggedPrinciple.objects.values(
            g1=F("tag_id"), g2=F("grade"), cid=F("content_object_id")
        ),
        "tag": TaggedTopic.objects.values(g1=F("tag_id"), g2=Value(""), cid=F("content_object_id")),
        "org": CaseCredit.objects.values(g1=F("organization_id"), g2=F("grade"), cid=F("case_id")),
        "rec": Application.objects.values(
            g1=F("recommendation_id"),
            g2=Concat(F("status"), Value(":"), F("voice"), Value(":"), F("grade"), output_field=CharField()),
            cid=F("case_id"),
        ),
    }


def _read_positions(connection) -> dict[str, dict[tuple, list[int]]]:
    """facet -> (value id, grade or coding group or '') -> positions of its published cases, newest first.

    One statement, so one consistent view of the data: the database numbers
    the published cases in the NEWEST order once (the ordered queryset of
    published cases below), joins each source's rows to the numbers and
    aggregates them, one row per value.
    """
    postgres = connection.vendor == "postgresql"
    numbered = (
        CaseStudy.objects.using(connection.alias)
        .published()
        .annotate(pos=Window(RowNumber(), order_by=list(NEWEST)))
        .order_by()
        .values_list("id", "pos")
    )
    numbered_sql, params = numbered.query.sql_with_params()
    params = list(params)
    agg = "array_agg(p.pos - 1)" if postgres else "group_concat(p.pos - 1)"
    parts = []
    for facet, rows in _sources().items():
        sql, source_params = rows.using(connection.alias).order_by().query.sql_with_params()
        parts.append(
            f"SELECT %s, t.g1, t.g2, {agg} FROM ({sql}) t JOIN p ON p.id = t.cid GROUP BY t.g1, t.g2"
        )
        params += [facet, *source_params]
    statement = (
        f"WITH p (id, pos) AS {'MATERIALIZED ' if postgres else ''}({numbered_sql}) "
        + " UNION ALL ".join(parts)
    )
    out: dict[str, dict[tuple, list[int]]] = {facet: {} for facet in _sources()}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for facet, value_id, group, positions in cursor.fetchall():
            if not postgres:
                positions = [int(p) for p in str(positions).split(",")]
            out[facet][(value_id, group or "")] = positions
    return out


def build() -> FacetIndex:
    """Read the published cases and their facet values: two queries and the small tables of labels,
    in one transaction that sees one state of the data (REPEATABLE READ on PostgreSQL)."""
    connection = connections[router.db_for_read(CaseStudy)]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=connection.alias):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _build(connection)


def _build(connection) -> FacetIndex:
    rows = list(
        CaseStudy.objects.using(connection.alias).published().order_by(*NEWEST).values_list("id", "cohort_id")
    )
    size = len(rows)
    read = _read_positions(connection)
    index = FacetIndex(ids=[r[0] for r in rows])
    cohorts: dict[int, list[int]] = {}
    for p, (_, cohort_id) in enumerate(rows):
        if cohort_id is not None:
            cohorts.setdefault(cohort_id, []).append(p)

    def graded(facet: str, evidence: str) -> dict:
        """value id -> positions of the cases whose fact counts under ``evidence`` (topics: all)."""
        grades = Evidence.grades(evidence)
        out: dict[int, list[int]] = {}
        for (value_id, grade), found in read[facet].items():
            if grade == "" or grade in grades:
                out.setdefault(value_id, []).extend(found)
        return out

    vocabularies = (
        ("role", StakeholderRole.objects.order_by("order", "name")),
        ("principle", Principle.objects.order_by("order", "name")),
        ("tag", Tag.objects.order_by("name")),
        ("org", Organization.objects.order_by("name", "slug")),
        ("cohort", Cohort.objects.order_by(F("released_on").asc(nulls_last=True), "slug")),
    )
    for param, values in vocabularies:
        values = list(values.values_list("pk", "slug", "name"))
        everywhere = graded(param, Evidence.ALL) if param != "cohort" else cohorts
        index.labels[param] = {slug: name for pk, slug, name in values if pk in everywhere}
        for evidence in Evidence.values:
            by_id = graded(param, evidence) if param != "cohort" else cohorts
            index.masks.setdefault(evidence, {})[param] = {
                slug: _mask(sorted(set(by_id[pk])), size) for pk, slug, _ in values if pk in by_id
            }

    for (rec_id, group), positions in read["rec"].items():
        status, voice, grade = group.split(":")
        if grade in SHOWN_GRADES:  # refuted codings are never counted
            index.codings.setdefault(rec_id, {})[(status, voice, grade)] = _mask(positions, size)
    recs = {
        r.pk: {
            "pk": r.pk,
            "key": r.key,
            "title": r.title,
            # Only a confirmed number is shown to readers, as on the recommendation's own page.
            "official_number": r.confirmed_number,
            "order": r.order,
            "section_order": r.section_order,
        }
        for r in Recommendation.objects.filter(pk__in=list(index.codings)).annotate(
            section_order=F("section__order")
        )
    }
    index.rec_keys = {pk: r["key"] for pk, r in recs.items()}
    index.labels["rec"] = dict(rec_labels(recs.values()))
    clause_labels: dict[str, str] = {}
    for mapping in ClauseMapping.objects.filter(
        grade__in=SHOWN_GRADES, clause__grade__in=SHOWN_GRADES, clause__instrument__grade__in=SHOWN_GRADES
    ).select_related("clause__instrument"):
        clause = mapping.clause
        clause_labels[clause.slug] = clause.label
        index.clause_recs.setdefault(clause.slug, []).append((mapping.recommendation_key, mapping.grade))
    index.labels["clause"] = dict(sorted(clause_labels.items(), key=lambda item: item[1].lower()))
    return index


def rec_labels(recs) -> list[tuple[str, str]]:
    """(key, label) of these recommendations, one per key, in the Framework's order.

    Where a key has a recommendation in several editions, the label takes the
    highest number and title among them and the order the lowest section and
    position.
    """
    by_key: dict[str, list[dict]] = {}
    for rec in recs:
        by_key.setdefault(rec["key"], []).append(rec)

    def order(key):
        versions = by_key[key]
        return (min(v["section_order"] for v in versions), min(v["order"] for v in versions), key)

    labels = []
    for key in sorted(by_key, key=order):
        versions = by_key[key]
        numbers = [v["official_number"] for v in versions if v["official_number"] is not None]
        labels.append((key, rec_label(key, max(numbers, default=None), max(v["title"] for v in versions))))
    return labels


def rec_label(key: str, number: int | None, title: str) -> str:
    """A recommendation as readers read it (framework.models.reader_label); the key is not shown."""
    return reader_label(number, title)


def order_positions(index: FacetIndex, sort: str) -> list[int]:
    """Positions in one of ORDERS, as the database sorts (its collation): read when a reader asks."""
    position = index.position

    def read():
        published = CaseStudy.objects.published().order_by(*ORDERS[sort])
        return [position[i] for i in published.values_list("id", flat=True) if i in position]

    return cached(f"order-{sort}", "", read)


_memo = threading.local()


def current() -> FacetIndex:
    """The index for the current content version: memoised, else from the cache, else built."""
    key = f"facet-index:{FORMAT}:{pagecache.content_version()}"
    memo = getattr(_memo, "entry", None)
    if memo and memo[0] == key:
        return memo[1]
    index = cache.get(key)
    if index is None:
        index = build()
        cache.set(key, index, SECONDS)
    _memo.entry = (key, index)
    return index


def cached(kind: str, q: str, compute):
    """``compute()``'s value for this query, kept per content version like the index."""
    digest = hashlib.sha256(q.encode()).hexdigest()[:32]
    key = f"facet-search:{FORMAT}:{kind}:{pagecache.content_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, SECONDS)
    return value


@dataclass(frozen=True)
class Hits:
    """A search's published cases: their bitmask, and their positions in relevance order (rank
    descending, equal ranks newest first), worked out once per query and content version."""

    mask: int
    order: list[int]

    @classmethod
    def of(cls, index: FacetIndex, ranks: dict[int, float]) -> "Hits":
        position = index.position
        found = {position[case_id]: rank for case_id, rank in ranks.items() if case_id in position}
        # Newest first, then by rank, highest first: a stable sort keeps equal ranks newest first.
        return cls(_mask(found, index.size), sorted(sorted(found), key=found.__getitem__, reverse=True))

    def positions(self, mask: int) -> list[int]:
        """The positions of ``mask`` among the hits, in relevance order."""
        digits = bin(mask)[:1:-1]
        size = len(digits)
        return [p for p in self.order if p < size and digits[p] == "1"]


def search_hits(q: str) -> Hits:
    """The published cases matching ``q`` (full-text, or the simple match), with their order."""

    def compute():
        using = router.db_for_read(CaseStudy)
        if connections[using].vendor == "postgresql":
            ranks = search.ranks(q, using)  # the search table alone; what is published is the index's
        else:
            ranks = dict(CaseStudy.objects.published().search(q).values_list("id", "rank"))
        return Hits.of(current(), ranks)

    return cached("match", q, compute)


def fuzzy_hits(q: str) -> Hits:
    """Published cases whose title or organization looks like ``q``, most similar first."""
    return cached(
        "fuzzy",
        q,
        lambda: Hits.of(
            current(), dict(CaseStudy.objects.published().fuzzy_search(q).values_list("id", "rank"))
        ),
    )
