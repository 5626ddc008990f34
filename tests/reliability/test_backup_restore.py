"""Backups: a snapshot of the published data restores into an empty database and says the same.

The snapshot is exported from the test database; a separate, freshly migrated
database (PostgreSQL or SQLite, whichever the suite runs on) loads it through
``manage.py load_snapshot`` in another process, exports it again, and the two
files must be identical.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DAY = "2025-06-30"


@pytest.fixture
def empty_database(tmp_path):
    """A DATABASE_URL for a new, empty database; dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    params = settings.DATABASES["default"]
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    user = f"{params['USER']}@" if params["USER"] else ""
    try:
        yield f"postgres://{user}{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(*args, database_url):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url}
    env.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_snapshot_restores_into_an_empty_database(casebase_data, tmp_path, empty_database):
    original = tmp_path / "original.json"
    call_command("export_snapshot", output=str(original), date=DAY, stderr=open(os.devnull, "w"))

    manage("migrate", "--noinput", database_url=empty_database)
    loaded = manage("load_snapshot", str(original), database_url=empty_database)
    assert "load_snapshot:" in loaded.stdout
    restored = tmp_path / "restored.json"
    manage("export_snapshot", "--output", str(restored), "--date", DAY, database_url=empty_database)

    assert restored.read_text() == original.read_text()


def test_load_snapshot_refuses_a_database_that_is_not_empty(casebase_data, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "snapshot.json"
    call_command("export_snapshot", output=str(path), date=DAY, stderr=open(os.devnull, "w"))
    with pytest.raises(CommandError):
        call_command("load_snapshot", str(path), stdout=open(os.devnull, "w"))
