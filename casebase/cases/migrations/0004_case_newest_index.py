"""An index for the case list's default order (newest first, undated cases last).

PostgreSQL only: SQLite cannot put NULLS LAST in an index, and its own default
order for DESC already puts NULLs last.
"""

from django.db import migrations

INDEX = "case_status_newest"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_casestudy "
            "(status, published_on DESC NULLS LAST, id DESC)",
            params=None,
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_search_vector")]

    operations = [migrations.RunPython(create_index, drop_index)]
