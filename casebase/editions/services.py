"""Drafting the next edition, recording each change, publishing it with its crosswalk.

Views call these keyword-only functions and nothing else writes editions. Each runs in one
transaction and refuses, with ``EditionError`` (a message for a person), what would break
the crosswalk's promise: every recommendation of the earlier edition appears in it exactly
once, as "same" or under the one change that concerns it.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from casebase.commitments.models import Feedback
from casebase.core.dates import Precision
from casebase.core.evidence import Grade, Voice
from casebase.editions.models import REASON_MAX, EditionChange
from casebase.framework.models import Edition, Recommendation, Section

Kind = EditionChange.Kind
SAME = "same"
# The crosswalk's vocabulary, per recommendation of the earlier edition.
CROSSWALK_KINDS = [
    (SAME, "Same"),
    (Kind.RENAMED, "Renamed"),
    (Kind.CHANGED, "Changed"),
    (Kind.SPLIT, "Split"),
    (Kind.MERGED, "Merged"),
    (Kind.RETIRED, "Retired"),
]
MAX_PARTS = 6  # a split into more than this is a new section, not a split
MAX_MERGED = 10


class EditionError(Exception):
    """A change the draft cannot take, with a message for the person who asked for it."""


# --- reading ------------------------------------------------------------------------------


def drafts():
    return Edition.objects.filter(is_draft=True)


def feedback_for(recommendations):
    """The feedback staff may cite for a change: what is tagged to the recommendations it concerns."""
    return (
        Feedback.objects.filter(recommendations__in=list(recommendations))
        .select_related("case", "statement__assessment", "organization")
        .distinct()
        .order_by("-created_at", "-pk")
    )


def touched(edition) -> set[int]:
    """The draft's recommendations some change already produced or concerns (through its copy)."""
    changes = EditionChange.objects.filter(edition=edition)
    produced = set(changes.values_list("new_recommendations", flat=True))
    old = set(changes.values_list("old_recommendations", flat=True))
    carried = set(
        Recommendation.objects.filter(edition=edition, predecessors__in=old).values_list("pk", flat=True)
    )
    return {pk for pk in produced | carried if pk}


@dataclass
class Entry:
    """One recommendation of the earlier edition in the crosswalk: where it went, and why."""

    old: Recommendation
    kind: str
    successors: list = field(default_factory=list)
    change: EditionChange | None = None

    @property
    def kind_label(self) -> str:
        return dict(CROSSWALK_KINDS)[self.kind]


def crosswalk(edition) -> list[Entry]:
    """Every recommendation of ``edition.based_on``, once, with its successors in ``edition``.

    Untouched ones are "same" (carried over by the copy); the others take the kind of the
    one change that concerns them. Raises ``EditionError`` if a recommendation would appear
    twice or not at all (publishing refuses such a draft)."""
    if edition.based_on_id is None:
        return []
    olds = list(
        Recommendation.objects.filter(edition_id=edition.based_on_id)
        .select_related("section")
        .order_by("section__order", "order", "key")
    )
    changes = list(
        EditionChange.objects.filter(edition=edition)
        .exclude(kind=Kind.ADDED)
        .prefetch_related("old_recommendations", "new_recommendations", "feedback")
    )
    by_old: dict[int, EditionChange] = {}
    for change in changes:
        for old in change.old_recommendations.all():
            if old.pk in by_old:
                raise EditionError(f"“{old.key}” is concerned by two changes.")
            by_old[old.pk] = change
    carried: dict[int, list] = {}
    for new in (
        Recommendation.objects.filter(edition=edition, predecessors__isnull=False)
        .select_related("section")
        .prefetch_related("predecessors")
        .order_by("section__order", "order", "key")
    ):
        for old in new.predecessors.all():
            carried.setdefault(old.pk, []).append(new)
    entries = []
    for old in olds:
        change = by_old.get(old.pk)
        if change is None:
            successors = carried.get(old.pk, [])
            if len(successors) != 1:
                raise EditionError(f"“{old.key}” has no recorded change and is not carried over once.")
            entries.append(Entry(old=old, kind=SAME, successors=successors))
        else:
            successors = sorted(change.new_recommendations.all(), key=lambda r: (r.order, r.key))
            entries.append(Entry(old=old, kind=change.kind, successors=successors, change=change))
    return entries


# --- writing ------------------------------------------------------------------------------


def _staff_wrote(rec, edition, *fields):
    """Text staff wrote for a draft is PAI's own, sourced to the edition it was drafted for."""
    for name in fields:
        rec.set_provenance(
            name,
            grade=Grade.CONFIRMED,
            voice=Voice.PAI,
            source_url="",
            checked_on=timezone.localdate(),
            locator=f"Drafted by PAI staff for the {edition.slug} edition",
            note="",
        )


def _copy(instance, **overrides):
    values = {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if not f.primary_key
    }
    values.update(overrides)
    return type(instance)(**values)


@transaction.atomic
def draft_next_edition(*, slug: str, title: str, by) -> Edition:
    """A draft copy of the current edition: its sections, and its recommendations with their
    principles and roles, each carried over from (``previous``) the one it copies."""
    current = Edition.objects.current()
    if current is None:
        raise EditionError("There is no current edition to draft from.")
    if Edition.objects.filter(slug=slug).exists():
        raise EditionError("An edition with this slug already exists.")
    if drafts().exists():
        raise EditionError("A draft edition already exists: finish or discard it first.")
    draft = Edition.objects.create(
        slug=slug,
        title=title,
        is_draft=True,
        based_on=current,
        grade=Grade.CONFIRMED,
        voice=Voice.PAI,
        locator=f"Drafted by PAI staff from the {current.slug} edition",
    )
    sections = {}
    # Parents first, so a channel's copy can point at its parent's copy.
    for section in sorted(current.sections.all(), key=lambda s: (s.parent_id is not None, s.order, s.pk)):
        copy = _copy(
            section,
            edition_id=draft.pk,
            parent_id=sections[section.parent_id].pk if section.parent_id else None,
        )
        copy.save()
        sections[section.pk] = copy
    for rec in current.recommendations.prefetch_related("principles", "roles"):
        copy = _copy(rec, edition_id=draft.pk, section_id=sections[rec.section_id].pk, previous_id=rec.pk)
        copy.save()
        copy.principles.set(rec.principles.all())
        copy.roles.set(rec.roles.all())
        copy.predecessors.set([rec])
    return draft


def _locked_draft(edition) -> Edition:
    draft = Edition.objects.select_for_update().get(pk=edition.pk)
    if not draft.is_draft:
        raise EditionError("This edition is published: it can no longer change.")
    return draft


def _untouched(draft, recs):
    done = touched(draft)
    for rec in recs:
        if rec.edition_id != draft.pk:
            raise EditionError("That recommendation is not in this draft.")
        if rec.pk in done:
            raise EditionError(
                f"“{rec.key}” was already changed in this draft: one change per recommendation."
            )


def _check_keys(draft, keys, freed=()):
    taken = set(
        Recommendation.objects.filter(edition=draft)
        .exclude(pk__in=[r.pk for r in freed])
        .values_list("key", flat=True)
    )
    if len(set(keys)) != len(keys):
        raise EditionError("Each new recommendation needs a key of its own.")
    if clash := sorted(set(keys) & taken):
        raise EditionError(f"This edition already has a recommendation with the key “{clash[0]}”.")
    # Pages, timelines, ?rec= and clause mappings join editions by key: a key an earlier edition
    # gave another recommendation (a retired one, say) would inherit its cases and statements.
    # Only a key this change carries on (a split part or a merge keeping its own) may recur.
    if reused := sorted(
        Recommendation.objects.exclude(edition=draft)
        .filter(key__in=keys)
        .exclude(key__in=[r.key for r in freed])
        .values_list("key", flat=True)
        .distinct()
    ):
        raise EditionError(
            f"The key “{reused[0]}” belonged to another recommendation in an earlier edition: "
            "choose a new one, so that cases and statements coded against it stay with it."
        )


def _record(draft, kind, *, old, new, reason, feedback, by) -> EditionChange:
    reason = (reason or "").strip()
    if not reason:
        raise EditionError("Give the reason for the change.")
    if len(reason) > REASON_MAX:
        raise EditionError(f"The reason is limited to {REASON_MAX} characters.")
    allowed = set(feedback_for(old).values_list("pk", flat=True)) if old else set()
    chosen = list(feedback or [])
    if any(f.pk not in allowed for f in chosen):
        raise EditionError("Cite only feedback tagged to the recommendations the change concerns.")
    change = EditionChange.objects.create(edition=draft, kind=kind, reason=reason, created_by=by)
    change.old_recommendations.set(old)
    change.new_recommendations.set(new)
    change.feedback.set(chosen)
    return change


def _olds(recs) -> list[Recommendation]:
    return [old for rec in recs for old in rec.predecessors.all()]


@transaction.atomic
def change_recommendation(*, edition, recommendation, title, text, reason, feedback=(), by) -> EditionChange:
    """Rename (a new title, the same text) or change (new text) one carried-over recommendation."""
    draft = _locked_draft(edition)
    _untouched(draft, [recommendation])
    old = _olds([recommendation])
    if title == recommendation.title and text == recommendation.text:
        raise EditionError("Nothing changed: edit the title or the text.")
    kind = Kind.RENAMED if text == recommendation.text else Kind.CHANGED
    changed = [
        name for name, value in (("title", title), ("text", text)) if getattr(recommendation, name) != value
    ]
    recommendation.title, recommendation.text = title, text
    _staff_wrote(recommendation, draft, *changed)
    recommendation.save()
    return _record(draft, kind, old=old, new=[recommendation], reason=reason, feedback=feedback, by=by)


def _new_rec(draft, *, section, key, title, text, order, olds, principles, roles):
    rec = Recommendation(
        edition=draft,
        section=section,
        key=key,
        title=title,
        text=text,
        order=order,
        previous=olds[0] if olds else None,
        grade=Grade.CONFIRMED,
        voice=Voice.PAI,
        locator=f"Drafted by PAI staff for the {draft.slug} edition",
    )
    _staff_wrote(rec, draft, "title", "text")
    rec.save()
    rec.predecessors.set(olds)
    rec.principles.set(principles)
    rec.roles.set(roles)
    return rec


@transaction.atomic
def split_recommendation(*, edition, recommendation, parts, reason, feedback=(), by) -> EditionChange:
    """One carried-over recommendation becomes two or more, each with a key of its own
    (``parts``: dicts of key, title, text), keeping its section, principles and roles."""
    draft = _locked_draft(edition)
    _untouched(draft, [recommendation])
    if not 2 <= len(parts) <= MAX_PARTS:
        raise EditionError(f"A split makes between 2 and {MAX_PARTS} recommendations.")
    _check_keys(draft, [p["key"] for p in parts], freed=[recommendation])
    old = _olds([recommendation])
    section, order = recommendation.section, recommendation.order
    principles, roles = list(recommendation.principles.all()), list(recommendation.roles.all())
    recommendation.delete()
    new = [
        _new_rec(
            draft,
            section=section,
            key=part["key"],
            title=part["title"],
            text=part["text"],
            order=order,
            olds=old,
            principles=principles,
            roles=roles,
        )
        for part in parts
    ]
    return _record(draft, Kind.SPLIT, old=old, new=new, reason=reason, feedback=feedback, by=by)


@transaction.atomic
def merge_recommendations(
    *, edition, recommendations, key, title, text, reason, feedback=(), by
) -> EditionChange:
    """Two or more carried-over recommendations become one, in the first one's section, with
    every principle and role of them all."""
    draft = _locked_draft(edition)
    recs = sorted(recommendations, key=lambda r: (r.section.order, r.order, r.key))
    if not 2 <= len(recs) <= MAX_MERGED:
        raise EditionError(f"A merge takes between 2 and {MAX_MERGED} recommendations.")
    _untouched(draft, recs)
    _check_keys(draft, [key], freed=recs)
    old = _olds(recs)
    principles = {p for r in recs for p in r.principles.all()}
    roles = {role for r in recs for role in r.roles.all()}
    section, order = recs[0].section, recs[0].order
    for rec in recs:
        rec.delete()
    rec = _new_rec(
        draft,
        section=section,
        key=key,
        title=title,
        text=text,
        order=order,
        olds=old,
        principles=principles,
        roles=roles,
    )
    return _record(draft, Kind.MERGED, old=old, new=[rec], reason=reason, feedback=feedback, by=by)


@transaction.atomic
def add_recommendation(*, edition, section, key, title, text, reason, feedback=(), by) -> EditionChange:
    """A recommendation the earlier edition did not have, last in its section."""
    draft = _locked_draft(edition)
    if section.edition_id != draft.pk:
        raise EditionError("That section is not in this draft.")
    _check_keys(draft, [key])
    last = (
        Recommendation.objects.filter(section=section)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
    )
    rec = _new_rec(
        draft,
        section=section,
        key=key,
        title=title,
        text=text,
        order=(last or 0) + 1,
        olds=[],
        principles=[],
        roles=[],
    )
    return _record(draft, Kind.ADDED, old=[], new=[rec], reason=reason, feedback=(), by=by)


@transaction.atomic
def retire_recommendation(*, edition, recommendation, reason, feedback=(), by) -> EditionChange:
    """A carried-over recommendation the next edition drops."""
    draft = _locked_draft(edition)
    _untouched(draft, [recommendation])
    old = _olds([recommendation])
    recommendation.delete()
    return _record(draft, Kind.RETIRED, old=old, new=[], reason=reason, feedback=feedback, by=by)


@transaction.atomic
def discard_draft(*, edition, by) -> None:
    """Throw a draft away, with its changes: nothing of it was ever public."""
    draft = _locked_draft(edition)
    Recommendation.objects.filter(edition=draft).delete()
    Section.objects.filter(edition=draft, parent__isnull=False).delete()
    Section.objects.filter(edition=draft).delete()
    draft.delete()


@transaction.atomic
def publish_edition(*, edition, by) -> Edition:
    """The draft becomes the current edition (the one it was drafted from stays, no longer
    current), with today's date; its crosswalk is public from now on. Refused if the crosswalk
    would lose a recommendation of the earlier edition."""
    draft = _locked_draft(edition)
    entries = crosswalk(draft)
    olds = Recommendation.objects.filter(edition_id=draft.based_on_id).count()
    if len(entries) != olds or len({e.old.pk for e in entries}) != olds:
        raise EditionError("The crosswalk does not account for every recommendation of the earlier edition.")
    # Saved one by one (not update()) so the edition's history records that it stopped being current.
    for previous in Edition.objects.select_for_update().filter(is_current=True):
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    draft.is_draft = False
    draft.is_current = True
    draft.published_on = timezone.localdate()
    draft.published_precision = Precision.DAY
    draft.save()
    return draft
