"""Readers' collections: writes, each under transaction.atomic and bounded.

Who may write is the owner only; every lookup is by (owner, id), so another reader's
collection is simply not found (the views answer 404, whether it exists or not).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from casebase.cases.models import CaseStudy, Collection, CollectionItem
from casebase.core import pagecache
from casebase.core.params import clean_text

NAME_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 2000
MAX_COLLECTIONS = 50  # per reader
MAX_ITEMS = 500  # per collection


def own(owner, pk) -> Collection | None:
    """The owner's collection ``pk``; None for anyone else's or none at all."""
    try:
        return Collection.objects.filter(owner=owner).get(pk=int(pk))
    except (Collection.DoesNotExist, TypeError, ValueError, OverflowError):
        return None


def _name(name: str) -> str:
    cleaned = clean_text(name, limit=10 * NAME_MAX_LENGTH)
    if not cleaned:
        raise ValidationError("Give the collection a name.")
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ValidationError(f"A collection's name has at most {NAME_MAX_LENGTH} characters.")
    return cleaned


def clean_note(note: str) -> str:
    """A note as kept: plain text of at most NOTE_MAX_LENGTH characters."""
    note = (note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(f"A note has at most {NOTE_MAX_LENGTH} characters.")
    return note


@transaction.atomic
def create(*, owner, name: str) -> Collection:
    name = _name(name)
    if Collection.objects.filter(owner=owner).count() >= MAX_COLLECTIONS:
        raise ValidationError(f"You have {MAX_COLLECTIONS} collections already; delete one first.")
    return Collection.objects.create(owner=owner, name=name)


@transaction.atomic
def add_case(*, collection: Collection, case: CaseStudy, note: str = "") -> CollectionItem:
    """Put a published case in the collection (again: its note is replaced if one is given)."""
    note = clean_note(note)
    if not case.is_published:
        raise ValidationError("Only published cases can be collected.")
    return add_item(collection=collection, items=CollectionItem.objects, noun="cases", note=note, case=case)


def add_item(*, collection: Collection, items, noun: str, note: str, **target):
    """Put ``target`` (a case, or in another app an analysis) in the collection through the
    manager of its items, once; saved again, it takes the new note if one is given."""
    note = clean_note(note)
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    item = items.filter(collection=collection, **target).first()
    if item is not None:
        if note:
            item.note = note
            item.save(update_fields=["note"])
        return item
    if items.filter(collection=collection).count() >= MAX_ITEMS:
        raise ValidationError(f"A collection holds at most {MAX_ITEMS} {noun}.")
    item = items.create(collection=collection, note=note, **target)
    collection.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def set_note(*, collection: Collection, case_id: int, note: str) -> bool:
    return set_item_note(
        collection=collection,
        item=CollectionItem.objects.filter(collection=collection, case_id=case_id),
        note=note,
    )


def set_item_note(*, collection: Collection, item, note: str) -> bool:
    """Change the note of ``item`` (a queryset of at most one item of ``collection``)."""
    note = clean_note(note)
    updated = item.update(note=note)
    if updated and collection.is_public:
        pagecache.changed()  # an update() sends no signal
    return bool(updated)


@transaction.atomic
def remove_case(*, collection: Collection, case_id: int) -> bool:
    return remove_item(
        collection=collection, item=CollectionItem.objects.filter(collection=collection, case_id=case_id)
    )


def remove_item(*, collection: Collection, item) -> bool:
    """Take ``item`` (a queryset of at most one item of ``collection``) out of it."""
    deleted, _ = item.delete()
    if deleted and collection.is_public:
        pagecache.changed()
    return bool(deleted)


@transaction.atomic
def update(*, collection: Collection, name: str, is_public: bool) -> Collection:
    name = _name(name)
    was_public = collection.is_public
    collection.name, collection.is_public = name, is_public
    collection.save(update_fields=["name", "is_public", "updated_at"])
    if was_public and not is_public:
        pagecache.changed()  # cached public pages that showed it must not any more
    return collection


@transaction.atomic
def delete(*, collection: Collection) -> None:
    collection.delete()
