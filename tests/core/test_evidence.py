"""casebase.core.evidence: grades, voices, the evidence setting and each field's provenance."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from casebase.core.evidence import (
    Evidence,
    Grade,
    Provenance,
    Voice,
    field_grade,
    field_json,
    flag_of,
    precedence,
    provenance_problems,
    record_json,
)
from casebase.organizations.models import Organization

FIELDS = {"title": "Title", "summary": "Summary"}


def test_evidence_setting_counts_facts_only_or_every_shown_grade_and_never_refuted():
    assert Evidence.grades(Evidence.of("confirmed")) == {Grade.CONFIRMED, Grade.CORROBORATED}
    assert Evidence.grades(Evidence.of("")) == {
        Grade.CONFIRMED,
        Grade.CORROBORATED,
        Grade.RECALLED,
        Grade.INFERRED,
    }
    assert Evidence.of(" Confirmed ") == Evidence.CONFIRMED
    assert Evidence.of("<script>") == Evidence.ALL
    assert Grade.REFUTED not in Evidence.grades(Evidence.ALL)


def test_flags_and_precedence():
    assert flag_of(Grade.CONFIRMED) == flag_of(Grade.CORROBORATED) == ""
    assert flag_of(Grade.RECALLED) == "unverified" and flag_of(Grade.INFERRED) == "inferred"
    codings = [
        (Grade.INFERRED, Voice.EDITORS),
        (Grade.CONFIRMED, Voice.PAI),
        (Grade.CONFIRMED, Voice.SUPPORTER),
    ]
    assert sorted(codings, key=lambda c: precedence(*c))[0] == (Grade.CONFIRMED, Voice.SUPPORTER)


def test_provenance_round_trips_through_json():
    original = Provenance(
        Grade.CORROBORATED, Voice.PAI, "https://example.org/a", datetime.date(2025, 1, 2), "ed", "p. 3"
    )
    assert Provenance.from_json(original.as_json()) == original


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({"grade": "certain"}, "grade must be one of"),
        ({"voice": "<script>"}, "voice must be one of"),
        ({"checked_on": "yesterday"}, "checked_on must be a date"),
        ({"checked_on": 3}, "checked_on must be a date"),
        ({"source_url": "javascript:alert(1)"}, "source_url must be an http(s) address"),
        ({"note": "x" * 5000}, "note must be text of at most"),
        ({"colour": "red"}, "unknown key"),
    ],
)
def test_invalid_provenance_is_refused_with_the_reason(entry, why):
    problems = provenance_problems({"title": entry}, FIELDS)
    assert len(problems) == 1 and problems[0].startswith("title: ") and why in problems[0]


def test_unknown_fields_and_shapes_are_refused():
    assert provenance_problems({"secret": {}}, FIELDS) == [
        "“secret” is not a field whose source is recorded here"
    ]
    assert provenance_problems([], FIELDS) == ["must be an object of field name to provenance"]
    assert provenance_problems({"_refuted": "no"}, FIELDS) == ["_refuted must be a list of objects"]
    assert provenance_problems({"title": {"grade": "inferred", "note": "fine"}, "_refuted": []}, FIELDS) == []


@pytest.mark.django_db
def test_a_record_with_invalid_provenance_does_not_validate_and_old_bad_rows_still_read():
    org = Organization(name="Example", slug="example", field_sources={"name": {"grade": "sure"}})
    with pytest.raises(ValidationError) as raised:
        org.full_clean()
    assert "field_sources" in raised.value.message_dict
    # A row stored before validation existed is read with the bad value ignored, never a 500.
    assert org.provenance("name").grade == org.grade


ENTRIES = [
    None,
    {},
    "not an object",
    ["a", "list"],
    {"grade": "inferred"},
    {"grade": "bogus", "locator": "§ 2"},
    {"grade": ["unhashable"]},
    {"voice": "pai", "checked_on": "2024-02-03", "note": "From memory"},
    {"checked_on": "20240203"},
    {"checked_on": "not a date", "source_url": "ftp://nope"},
    {"checked_on": None, "source_url": "https://example.org/x", "checked_by": 5},
    {"unknown": 1, "grade": "refuted"},
]


@pytest.mark.parametrize("entry", ENTRIES)
def test_provenance_json_from_plain_values_is_what_the_provenance_writes(entry):
    """The exports write provenance from columns read as plain values (record_json, field_json,
    field_grade): exactly what a record's provenance() writes."""
    record = Provenance(
        grade="recalled", voice="supporter", source_url="https://example.org/", checked_on=datetime.date(2025, 1, 2),
        checked_by="An editor", locator="p. 3", note="Checked twice",
    )  # fmt: skip
    columns = record_json("recalled", "supporter", "https://example.org/", record.checked_on, "An editor",
                          "p. 3", "Checked twice")  # fmt: skip
    assert columns == record.as_json()
    expected = Provenance.from_json(entry, default=record) if entry else record
    assert field_json(columns, entry) == expected.as_json()
    assert list(field_json(columns, entry)) == list(expected.as_json())
    assert field_grade({"title": entry}, "title", "recalled") == expected.grade
    assert field_grade(None, "title", "inferred") == "inferred"
