"""Filtering published cases by query parameters: one implementation for the
list page, its CSV/JSON exports and the read API.

Parameters (all optional, each repeatable): ``role``, ``principle``, ``org``,
``cohort``, ``rec`` (recommendation key) and ``tag`` (topic tag slug); plus
``q`` (search) and ``sort`` (newest, oldest, title, relevance).

Several values of one parameter are alternatives (OR: ``role=builder&role=creator``
is builders or creators); different parameters must all hold (AND). Unknown
values are dropped and reported in ``messages`` (and, per parameter, in
``unknown``) so callers can show or reject them.

    case_filter = CaseFilter(request.GET)
    case_filter.queryset   # filtered, searched, sorted published cases
    case_filter.active     # [ActiveFilter(param, value, label, remove_url), ...]
    case_filter.messages   # ["Unknown role “x” was ignored.", ...]
    case_filter.facets()   # counts per value, for the list page
    case_filter.ordered_ids()  # the list page's case ids, in order

The queryset serves the exports, the API and the analysis pages; the list page
filters, counts and orders with the in-memory facet index instead
(casebase.cases.facetindex), which gives the same answers without a scan of the
link tables per facet.
"""

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import F
from taggit.models import Tag

from casebase.cases import facetindex, search
from casebase.cases.facetindex import rec_label
from casebase.cases.models import (
    APPLYING_STATUSES,
    Application,
    CaseStudy,
    Cohort,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
)
from casebase.framework.models import Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization

FACET_PARAMS = ("role", "principle", "org", "cohort", "rec", "tag")
FACET_LABELS = {
    "role": "Stakeholder role",
    "principle": "Principle",
    "org": "Organization",
    "cohort": "Cohort",
    "rec": "Recommendation",
    "tag": "Topic",
}
# Cases without a publication date come last either way, on every database.
# Newest first is also the facet index's own order (its bit positions).
SORTS = {
    "newest": facetindex.NEWEST,
    "oldest": (F("published_on").asc(nulls_last=True), "id"),
    "title": ("title", "id"),
    "relevance": ("-rank", *facetindex.NEWEST),
}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "oldest": "Oldest", "title": "Title (A–Z)"}
MAX_VALUES = 20  # per parameter; more are ignored
MAX_VALUE_LENGTH = 100
TOPIC_FACET_SIZE = 25  # the most used topic tags, plus any selected one


@dataclass(frozen=True)
class ActiveFilter:
    param: str
    value: str
    label: str
    remove_url: str

    @property
    def facet_label(self) -> str:
        return FACET_LABELS.get(self.param, self.param)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int
    active: bool
    url: str  # toggles this value


@dataclass(frozen=True)
class Facet:
    param: str
    label: str
    choices: list[Choice]


def _clean_value(value: str) -> str:
    value = "".join(ch for ch in value if ch.isprintable()).strip().lower()
    return value[:MAX_VALUE_LENGTH]


def _quote(value: str) -> str:
    return f"“{value[:60]}{'…' if len(value) > 60 else ''}”"


class CaseFilter:
    def __init__(self, params, base_queryset=None):
        self.params = params
        # The facet index covers exactly the published cases: only then can it be used.
        self.indexed = base_queryset is None
        self.base = base_queryset if base_queryset is not None else CaseStudy.objects.published()
        self.messages: list[str] = []
        self.unknown: dict[str, list[str]] = {}
        raw_q = params.get("q", "") or ""
        self.q = search.clean_query(raw_q)
        if len(" ".join(raw_q.split())) > search.MAX_QUERY_LENGTH:
            self.messages.append(
                f"Your search was shortened to its first {search.MAX_QUERY_LENGTH} characters."
            )
        # param -> {value: label}, in the order given; only values that exist.
        self.selected: dict[str, dict[str, str]] = {}
        for param in FACET_PARAMS:
            values = self._values(param)
            if values:
                self.selected[param] = self._known(param, values)
        self.sort = self._sort()
        self.search_mode = ""  # "", "match" or "fuzzy" once the queryset is built

    # --- parsing -----------------------------------------------------------------

    def _values(self, param: str) -> list[str]:
        values = []
        for raw in self.params.getlist(param):
            value = _clean_value(raw)
            if value and value not in values:
                values.append(value)
        if len(values) > MAX_VALUES:
            self.messages.append(f"Only the first {MAX_VALUES} values of “{param}” were used.")
            values = values[:MAX_VALUES]
        return values

    def _known(self, param: str, values: list[str]) -> dict[str, str]:
        labels = dict(self._label_rows(param, values))
        for value in values:
            if value not in labels:
                self.unknown.setdefault(param, []).append(value)
                self.messages.append(
                    f"No {FACET_LABELS[param].lower()} matches {_quote(value)}; that filter was ignored."
                )
        return {value: labels[value] for value in values if value in labels}

    def _label_rows(self, param: str, values: list[str]):
        if param == "role":
            return StakeholderRole.objects.filter(slug__in=values).values_list("slug", "name")
        if param == "principle":
            return Principle.objects.filter(slug__in=values).values_list("slug", "name")
        if param == "org":
            return Organization.objects.filter(slug__in=values).values_list("slug", "name")
        if param == "cohort":
            return Cohort.objects.filter(slug__in=values).values_list("slug", "name")
        if param == "tag":
            return Tag.objects.filter(slug__in=values).values_list("slug", "name")
        # rec: newest edition last, so its title wins.
        rows = Recommendation.objects.filter(key__in=values).order_by("edition__published_on")
        return [
            (key, rec_label(key, number, title))
            for key, number, title in rows.values_list("key", "official_number", "title")
        ]

    def _sort(self) -> str:
        sort = _clean_value(self.params.get("sort", "") or "")
        if sort and sort not in SORTS:
            self.unknown.setdefault("sort", []).append(sort)
            self.messages.append(f"Unknown sort order {_quote(sort)}; showing the default order.")
            sort = ""
        if sort == "relevance" and not self.q:
            sort = ""
        return sort or ("relevance" if self.q else "newest")

    # --- querying ----------------------------------------------------------------

    def _filtered(self):
        """Base cases with every selected filter applied (no search, no order)."""
        qs = self.base
        for param, selected in self.selected.items():
            if not selected:
                continue
            values = list(selected)
            if param == "role":
                qs = qs.filter(
                    pk__in=TaggedRole.objects.filter(tag__slug__in=values).values("content_object_id")
                )
            elif param == "principle":
                qs = qs.filter(
                    pk__in=TaggedPrinciple.objects.filter(tag__slug__in=values).values("content_object_id")
                )
            elif param == "tag":
                qs = qs.filter(
                    pk__in=TaggedTopic.objects.filter(tag__slug__in=values).values("content_object_id")
                )
            elif param == "org":
                qs = qs.filter(organization__slug__in=values)
            elif param == "cohort":
                qs = qs.filter(cohort__slug__in=values)
            elif param == "rec":
                qs = qs.filter(
                    pk__in=Application.objects.filter(
                        recommendation__key__in=values, status__in=APPLYING_STATUSES
                    ).values("case_id")
                )
        return qs

    @cached_property
    def queryset(self):
        """The filtered (and searched) published cases, in the chosen order."""
        qs = self._filtered()
        if self.q:
            self.search_mode = "match"
            matched = qs.search(self.q)
            if not matched.exists():
                fuzzy = qs.fuzzy_search(self.q)
                if fuzzy.exists():
                    self._use_fuzzy()
                    matched = fuzzy
            qs = matched
        return qs.order_by(*SORTS[self.sort])

    def _use_fuzzy(self) -> None:
        self.search_mode = "fuzzy"
        message = (
            f"Nothing contains {_quote(self.q)}. Showing cases whose title or "
            "organization looks similar: did you mean one of these?"
        )
        if message not in self.messages:
            self.messages.append(message)

    # --- the facet index (list page) ---------------------------------------------

    @cached_property
    def index(self) -> facetindex.FacetIndex:
        assert self.indexed, "the facet index covers the published cases only"
        return facetindex.current()

    def _mask(self, exclude: str | None = None) -> int:
        """Published cases with every selected filter except ``exclude`` (no search), as a bitmask."""
        mask = self.index.everything
        for param, selected in self.selected.items():
            if param != exclude and selected:
                mask &= self.index.any_of(param, selected)
        return mask

    @cached_property
    def _hits(self) -> tuple[dict[int, float], int] | None:
        """The search's hits (id -> rank) and their bitmask, in the search mode the filters allow.

        As for the queryset: a full-text match within the filtered cases, else
        the near misses ("did you mean"). None without a search.
        """
        if not self.q:
            return None
        filtered = self._mask()
        self.search_mode = "match"
        hits = facetindex.search_hits(self.q)
        mask = self.index.mask_of_ids(hits)
        if not mask & filtered:
            fuzzy = facetindex.fuzzy_hits(self.q)
            fuzzy_mask = self.index.mask_of_ids(fuzzy)
            if fuzzy_mask & filtered:
                self._use_fuzzy()
                hits, mask = fuzzy, fuzzy_mask
        return hits, mask

    def _within(self, exclude: str | None = None) -> int:
        mask = self._mask(exclude)
        if self._hits is not None:
            mask &= self._hits[1]
        return mask

    def ordered_ids(self) -> list[int]:
        """Ids of the filtered (and searched) published cases, in the chosen order."""
        positions = self.index.positions(self._within(), "newest" if self.sort == "relevance" else self.sort)
        ids = self.index.ids
        if self.sort == "relevance":
            ranks = self._hits[0]
            # A stable sort: equal ranks keep the newest-first order, as SORTS["relevance"] says.
            positions.sort(key=lambda p: -ranks[ids[p]])
        return [ids[p] for p in positions]

    # --- presentation ------------------------------------------------------------

    def _pairs(self, selected: dict[str, list[str]], **extra) -> list[tuple[str, str]]:
        pairs = []
        if self.q:
            pairs.append(("q", self.q))
        for param in FACET_PARAMS:
            pairs += [(param, value) for value in selected.get(param, [])]
        default_sort = "relevance" if self.q else "newest"
        if self.sort != default_sort:
            pairs.append(("sort", self.sort))
        for key, value in extra.items():
            pairs = [(k, v) for k, v in pairs if k != key]
            if value:
                pairs.append((key, value))
        return pairs

    def url(self, selected=None, **extra) -> str:
        """A query string for the current state with changes (page is always dropped)."""
        if selected is None:
            selected = {param: list(values) for param, values in self.selected.items()}
        pairs = self._pairs(selected, **extra)
        return "?" + urlencode(pairs) if pairs else "?"

    def _toggled(self, param: str, value: str) -> dict[str, list[str]]:
        selected = {p: list(v) for p, v in self.selected.items()}
        values = selected.setdefault(param, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        return selected

    @property
    def active(self) -> list[ActiveFilter]:
        return [
            ActiveFilter(param, value, label, self.url(self._toggled(param, value)))
            for param, selected in self.selected.items()
            for value, label in selected.items()
        ]

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or any(self.selected.values()))

    def clear_url(self) -> str:
        """Remove every facet filter, keep the search."""
        return self.url(selected={})

    def sort_options(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, url, current) for each sort order that makes sense now."""
        options = [s for s in SORT_LABELS if s != "relevance" or self.q]
        return [(s, SORT_LABELS[s], self.url(sort=s), s == self.sort) for s in options]

    def facets(self) -> list[Facet]:
        """Each facet's values with their counts.

        A facet's counts apply every other filter and the search, but not the
        facet's own values: the number beside a value is how many cases you get
        by choosing that value (alone) within this facet. Values no case has
        are left out, unless selected; topics show the TOPIC_FACET_SIZE most used.
        """
        facets = []
        for param in FACET_PARAMS:
            within = self._within(exclude=param)
            rows = [
                (value, label, self.index.count(param, value, within))
                for value, label in self.index.labels.get(param, {}).items()
            ]
            rows = [row for row in rows if row[2]]
            if param == "tag":
                rows = sorted(rows, key=lambda row: (-row[2], row[1].lower()))[:TOPIC_FACET_SIZE]
            selected = self.selected.get(param, {})
            seen = {row[0] for row in rows}
            rows += [(value, label, 0) for value, label in selected.items() if value not in seen]
            facets.append(
                Facet(
                    param,
                    FACET_LABELS[param],
                    [
                        Choice(value, label, n, value in selected, self.url(self._toggled(param, value)))
                        for value, label, n in rows
                    ],
                )
            )
        return facets
