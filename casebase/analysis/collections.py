"""Published analyses in readers' collections: the writes of ``cases.collections`` (same bounds,
same note) for the analyses' items, on a collection the caller found as its owner's
(``cases.collections.own``)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from casebase.analysis.models import Analysis, CollectedAnalysis
from casebase.cases import collections
from casebase.cases.models import Collection


@transaction.atomic
def add_analysis(*, collection: Collection, analysis: Analysis, note: str = "") -> CollectedAnalysis:
    """Put a published analysis in the collection (again: its note is replaced if one is given)."""
    note = collections.clean_note(note)
    if not analysis.is_published:
        raise ValidationError("Only published analyses can be collected.")
    return collections.add_item(
        collection=collection, items=CollectedAnalysis.objects, noun="analyses", note=note, analysis=analysis
    )


def _item(collection: Collection, analysis_id: int):
    return CollectedAnalysis.objects.filter(collection=collection, analysis_id=analysis_id)


@transaction.atomic
def set_note(*, collection: Collection, analysis_id: int, note: str) -> bool:
    return collections.set_item_note(collection=collection, item=_item(collection, analysis_id), note=note)


@transaction.atomic
def remove_analysis(*, collection: Collection, analysis_id: int) -> bool:
    return collections.remove_item(collection=collection, item=_item(collection, analysis_id))
