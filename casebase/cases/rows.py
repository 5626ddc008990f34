"""Published cases and what hangs off them as plain rows, a chunk at a time: what the exports read.

An export writes every case it selects, thousands a second. A model instance per
case, per coding, per tag link and per credit (with a queryset per relation and a
provenance object per fact) cost most of its time; these readers give plain
values instead, one query per table per chunk of cases, so the number of queries
grows with the chunks, not the cases, and memory with the chunk, not the bank.
"""

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet

from casebase.cases.models import CaseStudy


def chunked(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def cases(ids: Sequence[int], fields: Sequence[str]) -> list[dict]:
    """The published cases with these ids, in this order, as ``{"pk": ..., field: value}`` (one query).

    A case unpublished since its id was read is left out: no export writes what is not public.
    """
    rows = {row["pk"]: row for row in CaseStudy.objects.published().filter(pk__in=ids).values("pk", *fields)}
    return [rows[pk] for pk in ids if pk in rows]


def by_case(rows: QuerySet) -> dict[int, list[tuple]]:
    """A values_list() whose first value is a case id, grouped by it, rest of each row kept in its order."""
    out: dict[int, list[tuple]] = {}
    for case_id, *rest in rows:
        out.setdefault(case_id, []).append(rest)
    return out
