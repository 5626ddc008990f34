"""The public record says only whether it is published; the workflow's state lives on its working copy.

``status`` on a case copied the working copy's workflow state until first
publication. It becomes ``is_published`` (true where the status said
published); where a case stands in review stays on casebase.submissions'
Submission, its one owner. On PostgreSQL the covering index for the facet
index is rebuilt on the new flag, in the one newest-first order (undated first).
"""

from django.db import migrations, models

OLD_INDEX = "case_status_newest_facets"
NEW_INDEX = "case_published_newest"


def copy_status(apps, schema_editor):
    CaseStudy = apps.get_model("cases", "CaseStudy")
    CaseStudy.objects.filter(status="published").update(is_published=True)


def copy_back(apps, schema_editor):
    CaseStudy = apps.get_model("cases", "CaseStudy")
    CaseStudy.objects.filter(is_published=True).update(status="published")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}", params=None)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NEW_INDEX} ON cases_casestudy "
            "(published_on DESC NULLS FIRST, id DESC) INCLUDE (organization_id, cohort_id) "
            "WHERE is_published",
            params=None,
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEW_INDEX}", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_facet_indexes")]

    operations = [
        migrations.AddField(
            model_name="casestudy",
            name="is_published",
            field=models.BooleanField(
                db_index=True, default=False, help_text="Public: on the site, in exports and in the API."
            ),
        ),
        migrations.AddField(
            model_name="historicalcasestudy",
            name="is_published",
            field=models.BooleanField(
                db_index=True, default=False, help_text="Public: on the site, in exports and in the API."
            ),
        ),
        migrations.RunPython(copy_status, copy_back),
        migrations.RemoveIndex(model_name="casestudy", name="case_status_pub"),
        migrations.RemoveField(model_name="historicalcasestudy", name="status"),
        migrations.RemoveField(model_name="casestudy", name="status"),
        migrations.AddIndex(
            model_name="casestudy",
            index=models.Index(fields=["is_published", "-published_on"], name="case_published_on"),
        ),
        migrations.RunPython(create_index, drop_index),
        # No default ordering: each list asks for its own (the newest-first one is the facet index's).
        migrations.AlterModelOptions(name="casestudy", options={"verbose_name_plural": "case studies"}),
    ]
