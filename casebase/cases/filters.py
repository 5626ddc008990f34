"""Which published cases match a set of parameters, and in which order: the one definition.

Every page and output that selects cases by the /cases/ parameters goes
through CaseFilter: the case list and its facets, its CSV/JSON exports, the
API, the Atom feed, the organization and Framework pages, and every count of
the analysis pages. It reads the facet index (casebase.cases.facetindex), so a
selection is a bitmask over the published cases and a count is a popcount; only
the rows a page shows are read from the database (OrderedCases).

Parameters (all optional, each repeatable): ``role``, ``principle``, ``org``,
``cohort``, ``rec`` (recommendation key), ``tag`` (topic tag slug) and ``clause`` (the slug of a
clause of another instrument: the cases applying any recommendation mapped to it, by a mapping
whose grade counts under ``evidence``); plus
``q`` (search), ``sort`` (newest, oldest, title, relevance), ``evidence``
(``all``, the default: confirmed and unconfirmed facts; ``confirmed``: only facts
confirmed or corroborated; refuted facts never count) and ``voice`` (repeatable:
count only codings in these voices: ``supporter``, ``pai``, ``editors``).

Several values of one parameter are alternatives (OR: ``role=builder&role=creator``
is builders or creators); different parameters must all hold (AND). A case
matches ``rec`` when it applies the recommendation (Application.APPLYING).
Unknown values are dropped and reported in ``messages`` (and, per parameter, in
``unknown``) so callers can show or reject them.

    case_filter = CaseFilter(request.GET)
    case_filter.cases()      # the matching published cases, in order (a lazy sequence)
    case_filter.count        # how many
    case_filter.mask()       # as a bitmask of the facet index, for counting
    case_filter.lens         # the index under this evidence setting and these voices
    case_filter.facets()     # counts per value, for the list page
    case_filter.active       # [ActiveFilter(param, value, label, remove_url), ...]
    case_filter.messages     # ["No role matches “x”; that filter was ignored.", ...]
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import QuerySet
from taggit.models import Tag

from casebase.cases import facetindex, search
from casebase.cases.models import TAG_KINDS, CaseStudy, Cohort, Collection, attach_tags
from casebase.core.evidence import SHOWN_GRADES, Evidence, Voice
from casebase.core.params import MAX_VALUES, clean_key, clean_keys, values_of
from casebase.framework.models import Clause, Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization

FACET_PARAMS = ("role", "principle", "org", "cohort", "rec", "tag", "clause")
FACET_LABELS = {
    "role": "Stakeholder role",
    "principle": "Principle",
    "org": "Organization",
    "cohort": "Cohort",
    "rec": "Recommendation",
    "tag": "Topic",
    "clause": "Related rule",
    "collection": "Collection",
}
SORTS = ("newest", "oldest", "title", "relevance")
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "oldest": "Oldest", "title": "Title (A–Z)"}
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


def _quote(value: str) -> str:
    return f"“{value[:60]}{'…' if len(value) > 60 else ''}”"


class OrderedCases(Sequence):
    """Published cases with these ids, in this order, read from the database only when sliced.

    Serves Django's and DRF's paginators (len, count(), slices) and exports
    (``chunks()``). ``queryset`` says what to read of each case (the tags are
    attached with attach_tags); it is always restricted to published cases, so
    even an out-of-date index lists nothing that is no longer public.
    """

    ordered = True  # Django's Paginator warns about unordered object lists

    def __init__(self, ids: list[int], queryset: QuerySet | None = None, *, tags: bool = True):
        self.ids = ids
        self.queryset = queryset if queryset is not None else CaseStudy.objects.for_listing()
        # A caller that shows no tags (a picker of titles) skips reading them: three queries and
        # an object per link, for every case read.
        self.tags = tags

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.fetch(self.ids[index])
        return self.fetch([self.ids[index]])[0]

    def fetch(self, ids: list[int]) -> list[CaseStudy]:
        if not ids:
            return []
        by_id = self.queryset.published().in_bulk(ids)
        cases = [by_id[case_id] for case_id in ids if case_id in by_id]
        if self.tags and not set(TAG_KINDS) & set(self.queryset._prefetch_related_lookups):
            attach_tags(cases)
        return cases

    def chunks(self, size: int):
        """The cases a chunk at a time, for streaming."""
        for start in range(0, len(self.ids), size):
            yield self.fetch(self.ids[start : start + size])


class CaseFilter:
    """The published cases that a set of parameters selects (see the module's docstring).

    ``only`` limits which facet parameters are read (the analysis pages offer
    some); ``params`` is a QueryDict or a dict of lists.
    """

    def __init__(
        self,
        params: Mapping,
        *,
        only: tuple[str, ...] = FACET_PARAMS,
        carry: Sequence[tuple[str, str]] = (),
        viewer=None,
    ):
        self.params = params
        # Pairs that are no filter but must survive a click on one (the cases chosen for
        # comparison, on the list page): kept in every url() unless asked not to.
        self.carry = list(carry)
        self.messages: list[str] = []
        self.unknown: dict[str, list[str]] = {}
        raw_q = " ".join(values_of(params, "q")[:1])
        self.q = search.clean_query(raw_q)
        if len(" ".join(raw_q.split())) > search.MAX_QUERY_LENGTH:
            self.messages.append(
                f"Your search was shortened to its first {search.MAX_QUERY_LENGTH} characters."
            )
        if search.query_terms(self.q)[1]:
            self.messages.append(f"Your search used only its first {search.MAX_TERMS} words or phrases.")
        # param -> {value: label}, in the order given; only values that exist.
        self.selected: dict[str, dict[str, str]] = {}
        for param in FACET_PARAMS:
            if param not in only:
                continue
            values, cut = clean_keys(values_of(params, param))
            if cut:
                self.messages.append(f"Only the first {MAX_VALUES} values of “{param}” were used.")
            if values:
                self.selected[param] = self._known(param, values)
        # ``collection``: the cases of one collection, public or the viewer's own.
        self.collection = self._collection(viewer)
        self.sort = self._sort()
        self.evidence = self._evidence()
        self.voices = self._voices()
        self.search_mode = ""  # "", "match" or "fuzzy" once the search has run

    # --- parsing -----------------------------------------------------------------

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
        if param == "clause":
            rows = Clause.objects.filter(slug__in=values, grade__in=SHOWN_GRADES).select_related("instrument")
            return [(clause.slug, clause.label) for clause in rows]
        # rec: newest edition last, so its title wins.
        rows = Recommendation.objects.public().filter(key__in=values).order_by("edition__published_on")
        return [(rec.key, rec.reader_label) for rec in rows]

    def _collection(self, viewer) -> Collection | None:
        raw = clean_key(" ".join(values_of(self.params, "collection")[:1]))
        if not raw:
            return None
        found = None
        if raw.isdigit() and len(raw) < 12:
            found = Collection.objects.visible_to(viewer).filter(pk=int(raw)).first()
        if found is None:
            # Another reader's private collection is told apart from none at all by nobody.
            self.unknown["collection"] = [raw]
            self.messages.append(f"No collection matches {_quote(raw)}; that filter was ignored.")
        return found

    @cached_property
    def collection_ids(self) -> list[int] | None:
        if self.collection is None:
            return None
        return list(self.collection.items.values_list("case_id", flat=True))

    def _sort(self) -> str:
        sort = clean_key(" ".join(values_of(self.params, "sort")[:1]))
        if sort and sort not in SORTS:
            self.unknown.setdefault("sort", []).append(sort)
            self.messages.append(f"Unknown sort order {_quote(sort)}; showing the default order.")
            sort = ""
        if sort == "relevance" and not self.q:
            sort = ""
        return sort or ("relevance" if self.q else "newest")

    def _evidence(self) -> str:
        raw = clean_key(" ".join(values_of(self.params, "evidence")[:1]))
        if raw and raw not in Evidence.values:
            self.unknown.setdefault("evidence", []).append(raw)
            self.messages.append(
                f"Unknown evidence setting {_quote(raw)}; counting confirmed and unconfirmed facts."
            )
        return Evidence.of(raw)

    def _voices(self) -> list[str]:
        values, _ = clean_keys(values_of(self.params, "voice"))
        for value in values:
            if value not in Voice.values:
                self.unknown.setdefault("voice", []).append(value)
                self.messages.append(f"No voice is called {_quote(value)}; that filter was ignored.")
        return [v for v in Voice.values if v in values]

    # --- selecting ---------------------------------------------------------------

    @cached_property
    def index(self) -> facetindex.FacetIndex:
        return facetindex.current()

    @cached_property
    def lens(self) -> facetindex.Lens:
        """The index under this filter's evidence setting and voices."""
        return self.index.lens(self.evidence, self.voices)

    def _filters_mask(self, exclude=()) -> int:
        mask = self.index.everything
        if self.collection_ids is not None:
            mask &= self.index.mask_of_ids(self.collection_ids)
        for param, selected in self.selected.items():
            if param not in exclude and selected:
                mask &= self.lens.any_of(param, selected)
        return mask

    @cached_property
    def _hits(self) -> facetindex.Hits | None:
        """The search's hits: a full-text match within the filtered cases, else the near misses
        ("did you mean"). None without a search."""
        if not self.q:
            return None
        filtered = self._filters_mask()
        self.search_mode = "match"
        hits = facetindex.search_hits(self.q)
        if not hits.mask & filtered:
            fuzzy = facetindex.fuzzy_hits(self.q)
            if fuzzy.mask & filtered:
                self._use_fuzzy()
                hits = fuzzy
        return hits

    def _use_fuzzy(self) -> None:
        self.search_mode = "fuzzy"
        message = (
            f"Nothing contains {_quote(self.q)}. Showing cases whose title or "
            "organization looks similar: did you mean one of these?"
        )
        if message not in self.messages:
            self.messages.append(message)

    def mask(self, exclude=()) -> int:
        """The matching published cases as a bitmask of the facet index, leaving out the
        parameters in ``exclude`` (a chart counting its own dimension leaves it out)."""
        mask = self._filters_mask(exclude)
        if self._hits is not None:
            mask &= self._hits.mask
        return mask

    @cached_property
    def count(self) -> int:
        return self.mask().bit_count()

    def ids(self, sort: str | None = None) -> list[int]:
        """Ids of the matching published cases, in ``sort`` (default: the chosen order)."""
        sort = sort or self.sort
        if sort == "relevance":
            # Equal ranks keep the newest-first order.
            return [self.index.ids[p] for p in self._hits.positions(self.mask())]
        return [self.index.ids[p] for p in self.index.positions(self.mask(), sort)]

    def cases(
        self, queryset: QuerySet | None = None, sort: str | None = None, *, tags: bool = True
    ) -> OrderedCases:
        """The matching published cases in order, read lazily (see OrderedCases)."""
        return OrderedCases(self.ids(sort), queryset, tags=tags)

    # --- presentation ------------------------------------------------------------

    def _pairs(self, selected: dict[str, list[str]], **extra) -> list[tuple[str, str]]:
        pairs = []
        if self.q:
            pairs.append(("q", self.q))
        if self.collection is not None and selected.get("collection", True):
            pairs.append(("collection", str(self.collection.pk)))
        for param in FACET_PARAMS:
            pairs += [(param, value) for value in selected.get(param, [])]
        default_sort = "relevance" if self.q else "newest"
        if self.sort != default_sort:
            pairs.append(("sort", self.sort))
        if self.evidence != Evidence.ALL:
            pairs.append(("evidence", self.evidence))
        pairs += [("voice", voice) for voice in self.voices]
        for key, value in extra.items():
            pairs = [(k, v) for k, v in pairs if k != key]
            if value:
                pairs.append((key, value))
        return pairs

    def url(self, selected=None, *, carry: bool = True, **extra) -> str:
        """A query string for the current state with changes (page is always dropped); ``carry``
        False leaves out the carried pairs (for an export or a feed of the same cases)."""
        if selected is None:
            selected = {param: list(values) for param, values in self.selected.items()}
        pairs = self._pairs(selected, **extra) + (self.carry if carry else [])
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
        active = [
            ActiveFilter(param, value, label, self.url(self._toggled(param, value)))
            for param, selected in self.selected.items()
            for value, label in selected.items()
        ]
        if self.collection is not None:
            without = {p: list(v) for p, v in self.selected.items()} | {"collection": False}
            active.insert(
                0,
                ActiveFilter("collection", str(self.collection.pk), self.collection.name, self.url(without)),
            )
        return active

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.collection or any(self.selected.values()))

    @property
    def is_confirmed_only(self) -> bool:
        return self.evidence == Evidence.CONFIRMED

    @property
    def other_evidence_query(self) -> str:
        """This view's query string under the other evidence setting."""
        return self.url(evidence="" if self.is_confirmed_only else Evidence.CONFIRMED)

    def clear_url(self) -> str:
        """Remove every facet filter, keep the search."""
        return self.url(selected={})

    def sort_options(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, url, current) for each sort order that makes sense now."""
        options = [s for s in SORT_LABELS if s != "relevance" or self.q]
        return [(s, SORT_LABELS[s], self.url(sort=s), s == self.sort) for s in options]

    def facets(self) -> list[Facet]:
        """Each facet's values with their counts.

        The number beside a value is what its link lists. A value not chosen
        adds itself to the facet's chosen values (values of one facet are
        OR-ed), so its number is how many cases the list shows once it is
        added: every other filter and the search, and this value or any value
        already chosen here. A chosen value's number is how many of the cases
        shown have it. Values no case has (within the other filters) are left
        out, unless selected; topics show the TOPIC_FACET_SIZE most used.
        """
        facets = []
        for param in FACET_PARAMS:
            within = self.mask(exclude=(param,))
            selected = self.selected.get(param, {})
            chosen = self.lens.any_of(param, selected) if selected else 0
            rows = []
            for value, label in self.index.labels.get(param, {}).items():
                own = self.lens.mask(param, value) & within
                if not own:
                    continue
                shown = own if value in selected else (own | chosen) & within
                rows.append((value, label, own.bit_count(), shown.bit_count()))
            if param == "tag":
                rows = sorted(rows, key=lambda row: (-row[2], row[1].lower()))[:TOPIC_FACET_SIZE]
            rows = [(value, label, shown) for value, label, _, shown in rows]
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
