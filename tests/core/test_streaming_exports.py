"""Whole-database exports stream: the same bytes as building them in memory, read a chunk at a time."""

import datetime
import io

from django.core.management import call_command

from casebase.datasets import snapshot


def test_streamed_snapshot_is_identical_to_the_built_one(casebase_data, tmp_path):
    call_command("seed_synthetic", cases=12, seed=4, stdout=io.StringIO())
    day = datetime.date(2026, 1, 2)
    expected = snapshot.dumps(snapshot.build(day))

    assert "".join(snapshot.stream(day)) == expected
    out = tmp_path / "snapshot.json"
    call_command("export_snapshot", output=str(out), date="2026-01-02", stderr=io.StringIO())
    assert out.read_text(encoding="utf-8") == expected


def test_streamed_snapshot_of_an_empty_database_is_identical_too(db):
    day = datetime.date(2026, 1, 2)
    assert "".join(snapshot.stream(day)) == snapshot.dumps(snapshot.build(day))
