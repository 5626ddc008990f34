"""Full-text search reads a narrow table of its own, with a small head vector to rank by.

Migration 0003 kept the search vector on the case row. Matching a common word
then visited the heap page of every matching case (four wide rows a page), and
ranking it read every matching case's whole vector from TOAST (3.7 KB on
average): 0.2-0.5 s for a word most of the bank contains. Now each case has a
row in ``cases_casesearch``:

- ``vector``: what 0003's column held (A title; B summary, framing question and
  search_text; C body), with its GIN index. Stored out of line, so a row is a
  few dozen bytes and a match through the index visits a few hundred pages, and
  never reads a vector (the index answers a match of words exactly);
- ``head``: the A and B parts alone (about 0.9 KB), kept in the row
  (STORAGE MAIN: compressed there if need be, never moved out), which
  casebase.cases.search ranks by.

Derived data, like 0003's column: the database computes it on every insert and
update of a case that changes one of the fields it reads, and removes it with
the case, whatever wrote it (the case writer, bulk inserts, the search_text
signals); Django never reads or writes the table. PostgreSQL only: nothing
changes on SQLite, where search is a simpler match.
"""

from django.db import migrations

HEAD = """
    setweight(to_tsvector('english', coalesce({row}.title, '')), 'A') ||
    setweight(to_tsvector('english',
        coalesce({row}.summary, '') || ' ' ||
        coalesce({row}.framing_question, '') || ' ' ||
        coalesce({row}.search_text, '')), 'B')
"""
# tsvector values are limited to 1 MB; no real case body comes near this.
BODY = "setweight(to_tsvector('english', left(coalesce({row}.body_text, ''), 200000)), 'C')"

FORWARD = f"""
SET CONSTRAINTS ALL IMMEDIATE;

CREATE TABLE cases_casesearch (
    case_id integer PRIMARY KEY,
    head tsvector NOT NULL,
    vector tsvector NOT NULL
) WITH (toast_tuple_target = 128);
ALTER TABLE cases_casesearch ALTER COLUMN head SET STORAGE MAIN;

CREATE FUNCTION cases_casesearch_write() RETURNS trigger AS $$
DECLARE
    head tsvector;
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM cases_casesearch WHERE case_id = OLD.id;
        RETURN OLD;
    END IF;
    head := {HEAD.format(row="NEW")};
    INSERT INTO cases_casesearch (case_id, head, vector)
        VALUES (NEW.id, head, head || {BODY.format(row="NEW")})
        ON CONFLICT (case_id) DO UPDATE SET head = EXCLUDED.head, vector = EXCLUDED.vector;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION cases_casesearch_truncate() RETURNS trigger AS $$
BEGIN
    TRUNCATE cases_casesearch;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cases_casesearch_insert AFTER INSERT ON cases_casestudy
    FOR EACH ROW EXECUTE FUNCTION cases_casesearch_write();
CREATE TRIGGER cases_casesearch_update AFTER UPDATE ON cases_casestudy
    FOR EACH ROW WHEN (
        OLD.title IS DISTINCT FROM NEW.title
        OR OLD.summary IS DISTINCT FROM NEW.summary
        OR OLD.framing_question IS DISTINCT FROM NEW.framing_question
        OR OLD.search_text IS DISTINCT FROM NEW.search_text
        OR OLD.body_text IS DISTINCT FROM NEW.body_text
    ) EXECUTE FUNCTION cases_casesearch_write();
CREATE TRIGGER cases_casesearch_delete AFTER DELETE ON cases_casestudy
    FOR EACH ROW EXECUTE FUNCTION cases_casesearch_write();
-- Django's test flush truncates the case table: its search rows go with it.
CREATE TRIGGER cases_casesearch_truncate AFTER TRUNCATE ON cases_casestudy
    FOR EACH STATEMENT EXECUTE FUNCTION cases_casesearch_truncate();

INSERT INTO cases_casesearch (case_id, head, vector)
    SELECT id, head, head || {BODY.format(row="c")}
    FROM (SELECT c.*, {HEAD.format(row="c")} AS head FROM cases_casestudy c) c;

CREATE INDEX cases_casesearch_vector_gin ON cases_casesearch USING gin (vector);

DROP INDEX cases_casestudy_search_vector_gin;
DROP TRIGGER cases_casestudy_search_vector_trigger ON cases_casestudy;
DROP FUNCTION cases_casestudy_search_vector_update();
ALTER TABLE cases_casestudy DROP COLUMN search_vector;
"""

# 0003's column, trigger and index again, filled from the table before it goes.
BACKWARD = f"""
SET CONSTRAINTS ALL IMMEDIATE;

ALTER TABLE cases_casestudy ADD COLUMN search_vector tsvector;

CREATE FUNCTION cases_casestudy_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := {HEAD.format(row="NEW")} || {BODY.format(row="NEW")};
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

UPDATE cases_casestudy c SET search_vector = s.vector FROM cases_casesearch s WHERE s.case_id = c.id;

CREATE TRIGGER cases_casestudy_search_vector_trigger
    BEFORE INSERT OR UPDATE ON cases_casestudy
    FOR EACH ROW EXECUTE FUNCTION cases_casestudy_search_vector_update();

CREATE INDEX cases_casestudy_search_vector_gin ON cases_casestudy USING gin (search_vector);

DROP TRIGGER cases_casesearch_truncate ON cases_casestudy;
DROP TRIGGER cases_casesearch_delete ON cases_casestudy;
DROP TRIGGER cases_casesearch_update ON cases_casestudy;
DROP TRIGGER cases_casesearch_insert ON cases_casestudy;
DROP FUNCTION cases_casesearch_truncate();
DROP FUNCTION cases_casesearch_write();
DROP TABLE cases_casesearch;
"""


def on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_collections")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
