"""Which published cases a set of /cases/ query parameters selects.

The analysis pages, the exports and the API read the same parameters as the
/cases/ list (``role``, ``principle``, ``org``, ``cohort``, ``rec``, ``tag``,
``q``) and select cases with the same code, casebase.cases.filters.CaseFilter,
so every number on a chart links to exactly the list it counts: values of one
parameter are alternatives (OR), different parameters must all hold (AND),
unknown values are ignored.

A case *addresses* a recommendation when it has an application to it with
one of APPLYING_STATUSES (implemented, partial, considered): the same
definition as the ``rec`` filter.
"""

from collections.abc import Mapping

from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict

from casebase.cases.filters import CaseFilter
from casebase.cases.models import APPLYING_STATUSES, Application

FILTER_PARAMS = ("role", "principle", "org", "cohort", "rec", "tag", "q")
MAX_VALUES = 10
MAX_VALUE_LENGTH = 100
ADDRESSING_STATUSES = APPLYING_STATUSES


def clean_params(params: Mapping) -> dict[str, list[str]]:
    """The filter parameters present in ``params`` (a QueryDict or a dict of lists), tidied."""
    cleaned: dict[str, list[str]] = {}
    for name in FILTER_PARAMS:
        if hasattr(params, "getlist"):
            values = params.getlist(name)
        else:
            raw = params.get(name, [])
            values = [raw] if isinstance(raw, str) else list(raw)
        tidy = []
        for value in values:
            value = "".join(ch for ch in str(value) if ch.isprintable()).strip()
            value = value if name == "q" else value.lower()
            value = value[:MAX_VALUE_LENGTH]
            if value and value not in tidy:
                tidy.append(value)
        if tidy:
            cleaned[name] = tidy[:MAX_VALUES]
    return cleaned


def to_querydict(params: Mapping[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, list(values))
    return query


def published_cases(params: Mapping[str, list[str]] | None = None) -> QuerySet:
    """Published cases selected by the parameters, exactly as /cases/ selects them (unordered)."""
    return CaseFilter(to_querydict(params or {})).queryset.order_by()


def addresses(recommendation_key: str):
    """An Exists() true for cases addressing the recommendation with this key."""
    return Exists(
        Application.objects.filter(
            case=OuterRef("pk"), recommendation__key=recommendation_key, status__in=APPLYING_STATUSES
        )
    )


def addressing_all(queryset: QuerySet, keys: list[str]) -> QuerySet:
    """Cases that address every one of the recommendations (AND, unlike ``rec``'s OR)."""
    for key in keys:
        queryset = queryset.filter(addresses(key))
    return queryset
