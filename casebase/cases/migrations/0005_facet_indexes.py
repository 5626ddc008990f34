"""Indexes that let the facet index (casebase.cases.facetindex) read indexes instead of rows.

- applications by recommendation, status and case: the cases applying each
  recommendation, without reading justifications;
- on PostgreSQL, the case list's newest-first index also carries each case's
  organization and cohort (INCLUDE), so the published cases in order, with
  both, are an index-only scan. It replaces case_status_newest (same keys).
"""

from django.db import migrations, models

OLD = "case_status_newest"
NEW = "case_status_newest_facets"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NEW} ON cases_casestudy "
            "(status, published_on DESC NULLS LAST, id DESC) INCLUDE (organization_id, cohort_id)",
            params=None,
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD}", params=None)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {OLD} ON cases_casestudy (status, published_on DESC NULLS LAST, id DESC)",
            params=None,
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEW}", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_newest_index")]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["recommendation", "status", "case"], name="application_rec_status_case"
            ),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
