"""Full-text search on PostgreSQL: a stored search vector kept current by a trigger.

The column is not a model field: Django never reads or writes it, so nothing
changes on SQLite, where search is a simpler match (casebase.cases.search).

Weights: A title; B summary, framing question and search_text (organization
name, takeaways, tag names, maintained by the application); C body_text.
A trigger rather than a generated column, so that later migrations may still
alter the columns it reads.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FORWARD = """
-- Run the deferred foreign-key checks of the search_text fill now: PostgreSQL
-- refuses CREATE INDEX on a table with pending trigger events.
SET CONSTRAINTS ALL IMMEDIATE;

ALTER TABLE cases_casestudy ADD COLUMN search_vector tsvector;

CREATE FUNCTION cases_casestudy_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english',
            coalesce(NEW.summary, '') || ' ' ||
            coalesce(NEW.framing_question, '') || ' ' ||
            coalesce(NEW.search_text, '')), 'B') ||
        -- tsvector values are limited to 1 MB; no real case body comes near this.
        setweight(to_tsvector('english', left(coalesce(NEW.body_text, ''), 200000)), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cases_casestudy_search_vector_trigger
    BEFORE INSERT OR UPDATE ON cases_casestudy
    FOR EACH ROW EXECUTE FUNCTION cases_casestudy_search_vector_update();

UPDATE cases_casestudy SET search_vector = NULL;

CREATE INDEX cases_casestudy_search_vector_gin ON cases_casestudy USING gin (search_vector);
CREATE INDEX cases_casestudy_title_trgm ON cases_casestudy USING gin (title gin_trgm_ops);
CREATE INDEX organizations_organization_name_trgm
    ON organizations_organization USING gin (name gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS organizations_organization_name_trgm;
DROP INDEX IF EXISTS cases_casestudy_title_trgm;
DROP INDEX IF EXISTS cases_casestudy_search_vector_gin;
DROP TRIGGER IF EXISTS cases_casestudy_search_vector_trigger ON cases_casestudy;
DROP FUNCTION IF EXISTS cases_casestudy_search_vector_update();
ALTER TABLE cases_casestudy DROP COLUMN IF EXISTS search_vector;
"""


def fill_search_text(apps, schema_editor):
    """Compute search_text for existing cases (both databases)."""
    CaseStudy = apps.get_model("cases", "CaseStudy")
    TaggedTopic = apps.get_model("cases", "TaggedTopic")
    TaggedRole = apps.get_model("cases", "TaggedRole")
    TaggedPrinciple = apps.get_model("cases", "TaggedPrinciple")
    for case in CaseStudy.objects.select_related("organization").iterator():
        parts = [case.organization.name, *[str(t) for t in (case.takeaways or []) if t]]
        for through in (TaggedTopic, TaggedRole, TaggedPrinciple):
            parts += through.objects.filter(content_object_id=case.pk).values_list("tag__name", flat=True)
        CaseStudy.objects.filter(pk=case.pk).update(search_text="\n".join(parts))


def forwards_sql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards_sql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_search_text"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        # CREATE EXTENSION pg_trgm; does nothing on other databases.
        TrigramExtension(),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(forwards_sql, backwards_sql),
    ]
