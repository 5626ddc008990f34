"""Where every fact comes from, how sure we are of it, and whose voice it is: one mechanism.

A fact a reader sees (a case's title, a framing question, a coding of a case
against a recommendation, a role tag, a recommendation's text, a finding...)
has a *provenance*:

- ``grade``: how sure we are (confirmed from the source, corroborated by a
  reliable secondary source, recalled but not checked, inferred, refuted);
- ``voice``: who asserts it (the organization about itself, PAI staff, Casebase
  editors);
- ``source_url``, ``checked_on``, ``checked_by``, ``locator`` (a short quote or
  where in the source), ``note``.

Records that *are* a fact (an application, a tag on a case, a finding) carry it in
their own columns; records whose fields are several facts (a case's title,
framing question, summary...) carry one provenance per field in
``field_sources``, falling back to the record's columns. Both through the
``Sourced`` model mixin and the ``Provenance`` value below. Refuted facts are kept
(staff see what refuted them) but never shown as fact and never counted.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models


class Grade(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    CORROBORATED = "corroborated", "Corroborated"
    RECALLED = "recalled", "Unverified"
    INFERRED = "inferred", "Inferred"
    REFUTED = "refuted", "Refuted"


# Shown as fact; flagged and on the staff worklist; never shown or counted.
FACT_GRADES = frozenset({Grade.CONFIRMED, Grade.CORROBORATED})
UNCONFIRMED_GRADES = frozenset({Grade.RECALLED, Grade.INFERRED})
SHOWN_GRADES = FACT_GRADES | UNCONFIRMED_GRADES


class Voice(models.TextChoices):
    SUPPORTER = "supporter", "The organization itself"
    PAI = "pai", "PAI staff"
    EDITORS = "editors", "Casebase editors"

    @classmethod
    def phrase(cls, value: str) -> str:
        """The voice inside a sentence ("According to PAI staff"): the label, proper names kept."""
        return {cls.SUPPORTER: "the organization itself"}.get(value, cls(value).label if value else "")


class Evidence(models.TextChoices):
    """The evidence control every count, list and export honours (the ``evidence`` parameter)."""

    ALL = "all", "Confirmed and unconfirmed evidence"
    CONFIRMED = "confirmed", "Confirmed evidence only"

    @classmethod
    def grades(cls, evidence: str) -> frozenset:
        """The grades that count under this setting (refuted never does)."""
        return FACT_GRADES if evidence == cls.CONFIRMED else SHOWN_GRADES

    @classmethod
    def of(cls, value) -> str:
        """A cleaned parameter value as a setting: anything but "confirmed" counts all shown grades."""
        return cls.CONFIRMED if str(value or "").strip().lower() == cls.CONFIRMED else cls.ALL


def precedence(grade: str, voice: str) -> tuple[int, int]:
    """Sort key for several codings of one thing: the surest grade first, then the organization's own
    voice, PAI staff's, Casebase editors'. The first leads where one status must stand for them all."""
    return (Grade.values.index(grade), Voice.values.index(voice))


def flag_of(grade: str) -> str:
    """The word a reader sees beside a fact: '' for fact, else 'unverified', 'inferred', 'refuted'."""
    if not grade or grade in FACT_GRADES:
        return ""
    return Grade(grade).label.lower()


@dataclass(frozen=True)
class Provenance:
    grade: str = Grade.CONFIRMED
    voice: str = Voice.EDITORS
    source_url: str = ""
    checked_on: datetime.date | None = None
    checked_by: str = ""
    locator: str = ""
    note: str = ""

    @property
    def flag(self) -> str:
        return flag_of(self.grade)

    @property
    def is_fact(self) -> bool:
        return self.grade in FACT_GRADES

    @property
    def is_shown(self) -> bool:
        return self.grade in SHOWN_GRADES

    @property
    def needs_check(self) -> bool:
        return self.grade in UNCONFIRMED_GRADES

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label if self.grade else ""

    @property
    def voice_label(self) -> str:
        return Voice(self.voice).label if self.voice else ""

    def as_json(self) -> dict:
        return record_json(
            self.grade, self.voice, self.source_url, self.checked_on, self.checked_by, self.locator, self.note
        )

    @classmethod
    def from_json(cls, data: dict, default: "Provenance | None" = None) -> "Provenance":
        """Read a stored provenance. Entries are validated on save (provenance_problems); a value
        that is not valid anyway (an older row) is ignored rather than shown or failing."""
        base = default or cls()
        if not isinstance(data, dict):
            return base
        known = {k: v for k, v in data.items() if not _problem(k, v)}
        if isinstance(known.get("checked_on"), str):
            known["checked_on"] = datetime.date.fromisoformat(known["checked_on"])
        return replace(base, **known)


_URL = URLValidator(schemes=["http", "https"])
# Read once: the enums' ``values`` build a new list on every call.
GRADE_VALUES = tuple(Grade.values)
VOICE_VALUES = tuple(Voice.values)
TEXT_BUDGET = 2000  # characters in one provenance's free text (checked_by, locator, note)


def _problem(key: str, value) -> str:
    """Why ``value`` cannot be a provenance's ``key``, or '' if it can."""
    if key not in Provenance.__dataclass_fields__:
        return f"unknown key “{key}”"
    if key == "grade" and value not in GRADE_VALUES:
        return "grade must be one of " + ", ".join(GRADE_VALUES)
    if key == "voice" and value not in VOICE_VALUES:
        return "voice must be one of " + ", ".join(VOICE_VALUES)
    if key == "checked_on":
        if value is None:
            return ""
        if not isinstance(value, (str, datetime.date)):
            return "checked_on must be a date (YYYY-MM-DD)"
        if isinstance(value, str):
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                return "checked_on must be a date (YYYY-MM-DD)"
    if key == "source_url" and value:
        try:
            _URL(value)
        except (ValidationError, TypeError):
            return "source_url must be an http(s) address"
    if key in ("checked_by", "locator", "note") and (not isinstance(value, str) or len(value) > TEXT_BUDGET):
        return f"{key} must be text of at most {TEXT_BUDGET} characters"
    return ""


def record_json(grade, voice, source_url, checked_on, checked_by, locator, note) -> dict:
    """A provenance as JSON (``Provenance.as_json``) straight from a record's columns.

    The exports read the columns as plain values, thousands of rows a second:
    this writes what the Provenance they make would write, without making it.
    """
    return {
        "grade": grade,
        "voice": voice,
        "source_url": source_url,
        "checked_on": checked_on.isoformat() if checked_on else None,
        "checked_by": checked_by,
        "locator": locator,
        "note": note,
    }


def field_json(record: dict, entry) -> dict:
    """A field's provenance as JSON from its record's (``record_json``) and its ``field_sources`` entry:
    what ``record.provenance(field).as_json()`` writes (invalid entries and keys ignored alike)."""
    if not entry or not isinstance(entry, dict):
        return record
    out = dict(record)
    for key, value in entry.items():
        if _problem(key, value):
            continue
        if key == "checked_on" and value is not None:
            value = (datetime.date.fromisoformat(value) if isinstance(value, str) else value).isoformat()
        out[key] = value
    return out


def field_grade(field_sources, field_name: str, record_grade: str) -> str:
    """``provenance(field_name).grade`` of a record from its stored values: the entry's valid grade, or
    the record's."""
    entry = (field_sources or {}).get(field_name)
    if not entry or not isinstance(entry, dict) or "grade" not in entry or _problem("grade", entry["grade"]):
        return record_grade
    return entry["grade"]


def provenance_problems(field_sources, fields) -> list[str]:
    """What is wrong with a record's ``field_sources`` (its keys must be among ``fields``)."""
    if not isinstance(field_sources, dict):
        return ["must be an object of field name to provenance"]
    problems = []
    for name, entry in field_sources.items():
        if name == "_refuted":
            if not isinstance(entry, list) or not all(isinstance(item, dict) for item in entry):
                problems.append("_refuted must be a list of objects")
            continue
        if name not in fields:
            problems.append(f"“{name}” is not a field whose source is recorded here")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{name}: must be an object")
            continue
        problems += [f"{name}: {why}" for key, value in entry.items() if (why := _problem(key, value))]
    return problems


@dataclass(frozen=True)
class Fact:
    """One fact of a record as a reader sees it: which field, its value, and its provenance."""

    field: str
    label: str
    value: object
    provenance: Provenance = field(default_factory=Provenance)


class Sourced(models.Model):
    """The provenance of a record (its columns) and of each of its fields (``field_sources``).

    A model lists in SOURCED_FIELDS the fields readers see as facts: field name ->
    label. ``provenance(field)`` is that field's provenance, or the record's.
    """

    grade = models.CharField(max_length=20, choices=Grade.choices, default=Grade.CONFIRMED, db_index=True)
    voice = models.CharField(max_length=20, choices=Voice.choices, default=Voice.EDITORS)
    source_url = models.URLField(blank=True, max_length=500, help_text="Where the fact was found.")
    checked_on = models.DateField(null=True, blank=True, help_text="When it was last checked there.")
    checked_by = models.CharField(max_length=150, blank=True)
    locator = models.TextField(blank=True, help_text="A short quote, or where in the source it stands.")
    evidence_note = models.TextField(blank=True, help_text="What is known of the source, or still to check.")
    # field -> provenance (as Provenance.as_json) where it differs from the record's;
    # "_refuted": [{"field", "value", "refuted_by", "note"}] keeps what was corrected.
    field_sources = models.JSONField(default=dict, blank=True)

    SOURCED_FIELDS: dict[str, str] = {}

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if problems := provenance_problems(self.field_sources, self.SOURCED_FIELDS):
            raise ValidationError({"field_sources": problems[:10]})

    @property
    def record_provenance(self) -> Provenance:
        return Provenance(
            grade=self.grade,
            voice=self.voice,
            source_url=self.source_url,
            checked_on=self.checked_on,
            checked_by=self.checked_by,
            locator=self.locator,
            note=self.evidence_note,
        )

    def provenance(self, field_name: str | None = None) -> Provenance:
        record = self.record_provenance
        if field_name is None:
            return record
        entry = (self.field_sources or {}).get(field_name)
        return Provenance.from_json(entry, default=record) if entry else record

    def set_provenance(self, field_name: str | None = None, **values) -> None:
        """Change the provenance of one field (or, without a field, of the record). Not saved."""
        if field_name is None:
            current = self.record_provenance
            updated = replace(current, **values)
            self.grade, self.voice, self.source_url = updated.grade, updated.voice, updated.source_url
            self.checked_on, self.checked_by, self.locator = (
                updated.checked_on,
                updated.checked_by,
                updated.locator,
            )
            self.evidence_note = updated.note
            return
        sources = dict(self.field_sources or {})
        sources[field_name] = replace(self.provenance(field_name), **values).as_json()
        self.field_sources = sources

    def refuted(self) -> list[dict]:
        """What was once shown here and has been refuted, with what refuted it (for staff)."""
        return list((self.field_sources or {}).get("_refuted", []))

    def facts(self) -> list[Fact]:
        """The record's facts that have a value, each with its provenance.

        A field the query deferred (a list leaves out the heavy case text) is
        left out too: the answer that omits the value omits its provenance, and
        reading it here would cost one query per record.
        """
        out = []
        deferred = self.get_deferred_fields()
        for name, label in self.SOURCED_FIELDS.items():
            if name in deferred:
                continue
            value = getattr(self, name, None)
            if value in (None, "", [], {}):
                continue
            out.append(Fact(name, label, value, self.provenance(name)))
        return out

    @property
    def flag(self) -> str:
        return self.record_provenance.flag


def grade_split(grades) -> dict[str, int]:
    """How many of these grades there are of each, in the order readers read them."""
    counts = {grade: 0 for grade in (Grade.CONFIRMED, Grade.CORROBORATED, Grade.RECALLED, Grade.INFERRED)}
    for grade in grades:
        if grade in counts:
            counts[grade] += 1
    return counts
