"""Published cases and what hangs off them as plain rows, a chunk at a time: what the exports read.

An export writes every case it selects, thousands a second. A model instance per
case, per coding, per tag link and per credit (with a queryset per relation and a
provenance object per fact) cost most of its time; these readers give plain
values instead, one query per table per chunk of cases, so the number of queries
grows with the chunks, not the cases, and memory with the chunk, not the bank.
"""

from collections.abc import Iterator, Sequence

from django.db import connections, router
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from casebase.cases.models import CaseStudy


def chunked(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def among(model, field_name: str, ids: Sequence[int]):
    """A filter: ``model.field_name`` is one of ``ids``.

    On PostgreSQL the ids go as one array literal (``= ANY('{1,2,3}'::bigint[])``): an IN list
    is one parameter per id, each prepared by Django and bound by the driver, and a Python list
    is dumped by the driver element by element; either cost as much as reading the rows.
    """
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        return Q(**{f"{field_name}__in": ids})
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field_name).column)}"
    array = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    return RawSQL(f"{column} = ANY(%s::bigint[])", [array], output_field=BooleanField())


def cases(ids: Sequence[int], fields: Sequence[str]) -> list[dict]:
    """The published cases with these ids, in this order, as ``{"pk": ..., field: value}`` (one query).

    A case unpublished since its id was read is left out: no export writes what is not public.
    """
    found = CaseStudy.objects.published().filter(among(CaseStudy, "id", ids)).values("pk", *fields)
    rows = {row["pk"]: row for row in found}
    return [rows[pk] for pk in ids if pk in rows]


def by_case(rows: QuerySet) -> dict[int, list[tuple]]:
    """A values_list() whose first value is a case id, grouped by it, rest of each row kept in its order."""
    out: dict[int, list[tuple]] = {}
    for case_id, *rest in rows:
        out.setdefault(case_id, []).append(rest)
    return out
