"""Records as plain JSON and back: the one format of fixtures/ and of the dated snapshot.

A record that carries provenance (casebase.core.evidence.Sourced) is written as
its own fields plus ``"provenance"`` (the record's) and ``"field_sources"``
(each field's where it differs, and ``"_refuted"``); a date as ISO 8601 at its
precision ("2024-11-19", "2024-03", "2025"). Reading and writing go through the
same functions, so a snapshot loaded and exported again is the same file.
"""

import datetime

from casebase.core.dates import as_iso, parse_iso
from casebase.core.evidence import Provenance


def provenance_in(data: dict | None) -> Provenance:
    return Provenance.from_json(data or {})


def provenance_out(provenance: Provenance) -> dict:
    return provenance.as_json()


def sourced_in(entry: dict) -> dict:
    """The Sourced columns of a record from its JSON ("provenance", "field_sources")."""
    provenance = provenance_in(entry.get("provenance"))
    return {
        "grade": provenance.grade,
        "voice": provenance.voice,
        "source_url": provenance.source_url,
        "checked_on": provenance.checked_on,
        "checked_by": provenance.checked_by,
        "locator": provenance.locator,
        "evidence_note": provenance.note,
        # Kept as given: a field's entry names only what differs from the record's provenance.
        "field_sources": dict(entry.get("field_sources") or {}),
    }


def sourced_out(record) -> dict:
    """A Sourced record's provenance as JSON."""
    return {
        "provenance": provenance_out(record.provenance()),
        "field_sources": dict(record.field_sources or {}),
    }


def date_in(value) -> tuple[datetime.date | None, str]:
    return parse_iso(value)


def date_out(date, precision) -> str | None:
    return as_iso(date, precision) or None
