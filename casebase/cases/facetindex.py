"""An in-memory index of the published cases' facet values, for counting and filtering.

The case list's facet counts, its filters and the Framework's per-recommendation
counts are all "how many published cases have this value, among those with
those values". Counted in SQL, every count scans the link tables (73,000
applications at 20,000 cases), and a search repeats the full-text match once
per facet: seconds for the first reader after each content change.

Here each facet value (a role, a principle, an organization, a cohort, a
recommendation key, a topic tag) is a bitmask over the published cases, bit p
being the p-th case in the default order (newest first). Filtering is AND/OR of
masks and counting is ``int.bit_count()``: microseconds for any combination.

The index is built from the database in a fixed number of queries (about 0.2 s
at 20,000 cases), kept in the cache under the content version that
casebase.core.pagecache starts after every content change, and memoised per
process, so it is rebuilt once per change, not per request. Tests build it on
every use (no cache), unless FACET_INDEX_CACHE says otherwise.

Full-text search hits (id and rank of every published case matching a query)
are cached the same way per (content version, query), so one search costs one
full-text match whatever the filters, sort and page.
"""

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F
from taggit.models import Tag

from casebase.cases.models import (
    APPLYING_STATUSES,
    Application,
    CaseStudy,
    Cohort,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
)
from casebase.core import pagecache
from casebase.framework.models import Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization

# Change when the index's shape changes, so no process reads an older pickle.
FORMAT = 1
SECONDS = 600  # bounds memory only: a new content version makes an entry unused
# The case list's default order and the order of the bits; _read_positions says it in SQL.
NEWEST = (F("published_on").desc(nulls_last=True), "-id")


def _mask(positions: list[int], size: int) -> int:
    """A bitmask with the given bits set, built in one pass (ints are immutable)."""
    bits = bytearray((size + 8) // 8)
    for p in positions:
        bits[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(bits, "little")


@dataclass
class FacetIndex:
    ids: list[int]  # published case ids, newest first: bit p is ids[p]
    dates: list[date | None]
    masks: dict[str, dict[str, int]] = field(default_factory=dict)  # param -> value -> mask
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # param -> value -> label, display order

    @property
    def everything(self) -> int:
        return (1 << len(self.ids)) - 1

    @cached_property
    def position(self) -> dict[int, int]:
        return {case_id: p for p, case_id in enumerate(self.ids)}

    def any_of(self, param: str, values) -> int:
        masks = self.masks.get(param, {})
        out = 0
        for value in values:
            out |= masks.get(value, 0)
        return out

    def count(self, param: str, value: str, within: int | None = None) -> int:
        mask = self.masks.get(param, {}).get(value, 0)
        return (mask if within is None else mask & within).bit_count()

    def mask_of_ids(self, ids) -> int:
        position = self.position
        return _mask([position[i] for i in ids if i in position], len(self.ids))

    def positions(self, mask: int, sort: str = "newest") -> list[int]:
        """The set bits of ``mask`` in the order of ``sort`` (newest, oldest, title)."""
        bits = bin(mask)[:1:-1]  # bit p is character p
        if sort == "title":
            return [p for p in title_order(self) if p < len(bits) and bits[p] == "1"]
        newest = [p for p, bit in enumerate(bits) if bit == "1"]
        if sort == "oldest":
            # Dated cases oldest first, then undated ones by id (nulls last both ways).
            dated = [p for p in newest if self.dates[p] is not None]
            undated = [p for p in newest if self.dates[p] is None]
            return dated[::-1] + undated[::-1]
        return newest


# (facet, link table, its case column, its value column, condition): each facet's values are
# the value column's ids (tags, recommendations). Organization and cohort are the case's own.
LINKS = (
    ("role", TaggedRole._meta.db_table, "content_object_id", "tag_id", ""),
    ("principle", TaggedPrinciple._meta.db_table, "content_object_id", "tag_id", ""),
    ("tag", TaggedTopic._meta.db_table, "content_object_id", "tag_id", ""),
    (
        "rec",
        Application._meta.db_table,
        "case_id",
        "recommendation_id",
        "t.status IN ({})".format(", ".join(["%s"] * len(APPLYING_STATUSES))),
    ),
)


def _read_positions(connection) -> dict[str, dict[int, list[int]]]:
    """facet -> value id -> positions of its published cases in the newest-first order.

    One statement, so one consistent view of the data: the database numbers
    the published cases with the index's own ORDER BY once, joins each link
    table to the numbers and aggregates them, one row per facet value.
    """
    postgres = connection.vendor == "postgresql"
    agg = "array_agg(p.pos)" if postgres else "group_concat(p.pos)"
    parts, params = [], [CaseStudy.Status.PUBLISHED]
    for facet, table, case_column, value_column, condition in LINKS:
        parts.append(
            f"SELECT %s, t.{value_column}, {agg} FROM {table} t JOIN p ON p.id = t.{case_column}"
            f"{' WHERE ' + condition if condition else ''} GROUP BY t.{value_column}"
        )
        params += [facet, *(APPLYING_STATUSES if facet == "rec" else ())]
    sql = (
        f"WITH p AS {'MATERIALIZED ' if postgres else ''}(SELECT id, "
        f"ROW_NUMBER() OVER (ORDER BY published_on DESC NULLS LAST, id DESC) - 1 AS pos "
        f"FROM {CaseStudy._meta.db_table} WHERE status = %s) " + " UNION ALL ".join(parts)
    )
    out: dict[str, dict[int, list[int]]] = {facet: {} for facet, *_ in LINKS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value_id, positions in cursor.fetchall():
            if not postgres:
                positions = [int(p) for p in positions.split(",")]
            out[facet][value_id] = positions
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
        CaseStudy.objects.using(connection.alias)
        .published()
        .order_by(*NEWEST)
        .values_list("id", "published_on", "organization_id", "cohort_id")
    )
    positions = _read_positions(connection)
    for param, column in (("org", 2), ("cohort", 3)):
        positions[param] = {}
        for p, row in enumerate(rows):
            if row[column] is not None:
                positions[param].setdefault(row[column], []).append(p)
    size = len(rows)
    index = FacetIndex(ids=[r[0] for r in rows], dates=[r[1] for r in rows])

    def add(param: str, by_value_id: dict, labels) -> None:
        """by_value_id: value id -> positions; labels: (value id, value, label) in display order."""
        index.masks[param], index.labels[param] = {}, {}
        for value_id, value, label in labels:
            if value_id in by_value_id:
                index.masks[param][value] = _mask(by_value_id[value_id], size)
                index.labels[param][value] = label

    for param, tags in (
        ("role", StakeholderRole.objects.order_by("order", "name")),
        ("principle", Principle.objects.order_by("order", "name")),
        ("tag", Tag.objects.order_by("name")),
        ("org", Organization.objects.order_by("name", "slug")),
        ("cohort", Cohort.objects.order_by(F("released_on").asc(nulls_last=True), "slug")),
    ):
        add(param, positions[param], tags.values_list("pk", "slug", "name"))
    # A key may name a recommendation in several editions: its cases are those of any of them.
    recs = {
        r["pk"]: r
        for r in Recommendation.objects.filter(pk__in=list(positions["rec"])).values(
            "pk", "key", "title", "official_number", "order", section_order=F("section__order")
        )
    }
    by_key: dict[str, list[int]] = {}
    for rec_id, found in positions["rec"].items():
        by_key.setdefault(recs[rec_id]["key"], []).extend(found)
    add("rec", by_key, [(key, key, label) for key, label in rec_labels(recs.values())])
    return index


def rec_labels(recs) -> list[tuple[str, str]]:
    """(key, label) of these recommendations, one per key, in the Framework's order.

    Where a key has a recommendation in several editions, the label takes the
    highest number and title among them and the order the lowest section and
    position, as the SQL facet counts did.
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


def title_order(index: FacetIndex) -> list[int]:
    """Positions by title, as the database sorts them (its collation): read when a reader asks."""
    position = index.position

    def read():
        published = CaseStudy.objects.published().order_by("title", "id")
        return [position[i] for i in published.values_list("id", flat=True) if i in position]

    return cached("title-order", "", read)


def rec_label(key: str, number: int | None, title: str) -> str:
    return f"{f'No. {number}' if number else key}: {title}"


def _caching() -> bool:
    configured = getattr(settings, "FACET_INDEX_CACHE", None)
    if configured is None:
        return not getattr(settings, "TESTING", False)
    return configured


_memo = threading.local()


def current() -> FacetIndex:
    """The index for the current content version: memoised, else from the cache, else built."""
    if not _caching():
        return build()
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
    if not _caching():
        return compute()
    digest = hashlib.sha256(q.encode()).hexdigest()[:32]
    key = f"facet-search:{FORMAT}:{kind}:{pagecache.content_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, SECONDS)
    return value


def search_hits(q: str) -> dict[int, float]:
    """id -> rank of every published case matching ``q`` (full-text, or the simple match)."""
    return cached("match", q, lambda: dict(CaseStudy.objects.published().search(q).values_list("id", "rank")))


def fuzzy_hits(q: str) -> dict[int, float]:
    """id -> similarity of published cases whose title or organization looks like ``q``."""
    return cached(
        "fuzzy", q, lambda: dict(CaseStudy.objects.published().fuzzy_search(q).values_list("id", "rank"))
    )
