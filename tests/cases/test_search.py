"""Search (?q= on /cases/): words in summary and body, ranking, snippets, misspellings.

The same page runs PostgreSQL full-text search or, on SQLite, a simpler match;
tests marked postgres_only cover what only PostgreSQL does (stemming, web-search
syntax, ts_headline snippets, trigram near misses, the stored vector's index).
"""

import re

import pytest
from django.db import connection

from casebase.cases.models import CaseStudy
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL-only feature (full-text stemming, web-search syntax, ts_headline, trigrams)",
)


@pytest.fixture
def ranked(casebase_data, org_a):
    """Three cases with the word 'quillwort' in the title, the summary and only the body."""
    return {
        "title": make_case(org_a, "in-title", title="Quillwort labelling at scale"),
        "summary": make_case(
            org_a, "in-summary", title="Summary case", summary="We studied quillwort disclosure."
        ),
        "body": make_case(
            org_a, "in-body", title="Body case", body="Deep in the text: quillwort appears once."
        ),
        "neither": make_case(org_a, "in-neither", title="Unrelated case", summary="Nothing to see."),
    }


def result_slugs(client, q, **params):
    response = client.get("/cases/", {"q": q, **params})
    assert response.status_code == 200
    return [case.slug for case in response.context["cases"]], response


def test_finds_words_in_summary_and_body_ranked_title_first(client, ranked):
    slugs, _ = result_slugs(client, "quillwort")
    assert slugs == ["in-title", "in-summary", "in-body"]


def test_finds_real_cases_by_summary_words(client, casebase_data):
    slugs, response = result_slugs(client, "pixelating")
    assert "bbc" in slugs
    assert "matching “pixelating”" in response.text


def test_search_combines_with_filters(client, ranked, org_b):
    make_case(org_b, "other-org", title="Quillwort elsewhere")
    slugs, _ = result_slugs(client, "quillwort", org="org-b")
    assert slugs == ["other-org"]


def test_unpublished_cases_are_never_found(client, casebase_data, org_a):
    make_case(org_a, "secret-draft", title="Quillwort draft", published=False)
    slugs, _ = result_slugs(client, "quillwort")
    assert "secret-draft" not in slugs


def test_snippets_highlight_matches_and_escape_everything_else(client, casebase_data, org_a):
    make_case(
        org_a,
        "markup",
        title="Markup case",
        summary="The quillwort <script>alert(1)</script> <b>bold</b> text.",
    )
    slugs, response = result_slugs(client, "quillwort")
    assert slugs == ["markup"]
    snippet = str(response.context["cases"][0].snippet)
    assert "<mark>quillwort</mark>" in snippet.lower()
    # Only our own <mark> tags: the text's markup is escaped (SQLite) or dropped (ts_headline).
    assert "<" not in re.sub(r"</?mark>", "", snippet)
    assert "<script>alert" not in response.text


def test_search_text_follows_tags_and_organization_names(client, casebase_data, org_a):
    case = make_case(org_a, "tagged-later", title="Plain title")
    assert result_slugs(client, "zeugmatic")[0] == []
    case.tags.add("zeugmatic")
    assert result_slugs(client, "zeugmatic")[0] == ["tagged-later"]
    case.tags.remove("zeugmatic")
    assert result_slugs(client, "zeugmatic")[0] == []
    org_a.name = "Xylograph Institute"
    org_a.save()
    assert "tagged-later" in result_slugs(client, "xylograph")[0]


def test_sqlite_and_postgres_both_exclude_with_minus(client, ranked):
    slugs, _ = result_slugs(client, "quillwort -labelling")
    assert "in-title" not in slugs and "in-summary" in slugs


def test_relevance_is_the_default_order_and_other_orders_apply(client, ranked):
    slugs, response = result_slugs(client, "quillwort")
    assert response.context["filter"].sort == "relevance"
    slugs, _ = result_slugs(client, "quillwort", sort="title")
    assert slugs == ["in-body", "in-title", "in-summary"] or slugs == sorted(
        slugs, key=lambda s: CaseStudy.objects.get(slug=s).title
    )


@postgres_only
def test_postgres_stems_words(client, ranked):
    slugs, _ = result_slugs(client, "quillworts")
    assert set(slugs) == {"in-title", "in-summary", "in-body"}


@postgres_only
def test_postgres_web_search_syntax(client, casebase_data, org_a):
    make_case(org_a, "phrase-yes", summary="the marsh quillwort grows here")
    make_case(org_a, "phrase-no", summary="quillwort in a marsh")
    assert result_slugs(client, '"marsh quillwort"')[0] == ["phrase-yes"]
    assert set(result_slugs(client, "marsh or nonsenseword")[0]) == {"phrase-yes", "phrase-no"}


@postgres_only
def test_postgres_rank_weights_title_over_summary_over_body(ranked):
    ranks = {c.slug: c.rank for c in CaseStudy.objects.published().search("quillwort")}
    # The body decides whether a case matches, not how high it ranks.
    assert ranks["in-title"] > ranks["in-summary"] > ranks["in-body"] == 0


@postgres_only
def test_postgres_trigrams_find_misspelt_titles_and_organizations(client, casebase_data):
    slugs, response = result_slugs(client, "Synthesa")
    assert slugs and slugs[0] == "synthesia"
    assert "did you mean" in response.text
    assert response.context["filter"].search_mode == "fuzzy"


@postgres_only
def test_postgres_search_reads_its_own_table_through_its_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef ILIKE '%gin%'")
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'cases_casesearch'::regclass"
        )
        storage = dict(cursor.fetchall())
    assert "gin (vector)" in indexes["cases_casesearch"]
    assert "gin_trgm_ops" in indexes["cases_casestudy"]
    assert storage["head"] == "m"  # kept in the row, which ranking reads


# What the stored search vectors must be, worked out again from the case row (migration 0009's
# recipe, restated here independently of it).
FRESH = """
SELECT c.id,
       s.head = setweight(to_tsvector('english', coalesce(c.title, '')), 'A')
           || setweight(to_tsvector('english', coalesce(c.summary, '') || ' '
               || coalesce(c.framing_question, '') || ' ' || coalesce(c.search_text, '')), 'B'),
       s.vector = setweight(to_tsvector('english', coalesce(c.title, '')), 'A')
           || setweight(to_tsvector('english', coalesce(c.summary, '') || ' '
               || coalesce(c.framing_question, '') || ' ' || coalesce(c.search_text, '')), 'B')
           || setweight(to_tsvector('english', coalesce(c.body_text, '')), 'C')
FROM cases_casestudy c LEFT JOIN cases_casesearch s ON s.case_id = c.id
"""


def assert_derived_search_data_fresh():
    """Every case's search_text and search vectors are what a fresh computation gives, and no
    search row outlives its case."""
    from casebase.cases.models import compose_search_text

    for case in CaseStudy.objects.select_related("organization"):
        names = [t.name for t in case.tags.all()] + [r.name for r in case.roles.all()]
        names += [p.name for p in case.principles.all()]
        fresh = compose_search_text(case.organization.name, case.takeaways, names)
        assert sorted(case.search_text.split("\n")) == sorted(fresh.split("\n")), case.slug  # tags: any order
    with connection.cursor() as cursor:
        cursor.execute(FRESH)
        stale = [row for row in cursor.fetchall() if row[1:] != (True, True)]
        cursor.execute(
            "SELECT count(*) FROM cases_casesearch WHERE case_id NOT IN (SELECT id FROM cases_casestudy)"
        )
        orphans = cursor.fetchone()[0]
    assert stale == [] and orphans == 0


@postgres_only
def test_postgres_stored_search_data_follows_publish_edit_and_unpublish(casebase_data, org_a):
    from casebase.cases import facetindex, writing

    def found(q):
        return [CaseStudy.objects.get(pk=i).slug for i in facetindex.current().ids if i in hits(q)]

    def hits(q):
        index = facetindex.current()
        return {index.ids[p] for p in facetindex.search_hits(q).order}

    case = make_case(org_a, "lifecycle", title="Quillwort draft", body="The fenwort grows.", published=False)
    assert_derived_search_data_fresh()
    assert found("quillwort") == []
    writing.save_case(case, fields={"is_published": True})  # publish
    assert_derived_search_data_fresh()
    assert found("quillwort") == found("fenwort") == ["lifecycle"]
    writing.save_case(  # edit: every field the vectors read
        case,
        fields={
            "title": "Marshwort labels",
            "summary": "A summary about bogbean.",
            "framing_question": "What of sedge?",
            "takeaways": ["Rushes matter."],
            "sections": [{"heading": "Body", "prompt": "", "response": "Now about cottongrass."}],
        },
        tags=["peatland"],
        roles=["builder"],
    )
    assert_derived_search_data_fresh()
    for word in ("marshwort", "bogbean", "sedge", "rushes", "cottongrass", "peatland"):
        assert found(word) == ["lifecycle"], word
    assert found("quillwort") == found("fenwort") == []
    org_a.name = "Xylograph Institute"  # the organization's name, kept by a signal
    org_a.save()
    assert_derived_search_data_fresh()
    assert "lifecycle" in found("xylograph")
    writing.save_case(case, fields={"is_published": False})  # unpublish
    assert_derived_search_data_fresh()
    assert found("marshwort") == []
    case.delete()
    assert_derived_search_data_fresh()


@postgres_only
def test_postgres_bulk_inserted_cases_have_their_search_data(casebase_data):
    from tests.cases.factories import add_many_cases

    add_many_cases(5)
    assert_derived_search_data_fresh()


@postgres_only
def test_postgres_relevance_ranks_by_title_and_summary_then_newest(client, casebase_data, org_a):
    """The head (title, summary and the other weight-B fields) decides the rank; a case that
    matches only in its body ranks after those, newest first."""
    import datetime

    day = datetime.date(2025, 1, 1)
    make_case(org_a, "body-old", body="quillwort quillwort quillwort", published_on=day)
    make_case(org_a, "body-new", body="quillwort once", published_on=day + datetime.timedelta(days=9))
    make_case(org_a, "in-summary", summary="About quillwort.", published_on=day)
    make_case(org_a, "in-title", title="Quillwort", published_on=day)
    assert result_slugs(client, "quillwort")[0] == ["in-title", "in-summary", "body-new", "body-old"]


@postgres_only
def test_postgres_snippets_find_a_match_deep_in_a_long_body(client, casebase_data, org_a):
    """A snippet is first looked for near the start of the body; a match further in is still found."""
    from casebase.cases.search import SNIPPET_REACH

    filler = " ".join(["alpha bravo charlie delta."] * (SNIPPET_REACH // 10))
    make_case(org_a, "deep", title="Deep case", body=f"{filler}\n\nThe quillwort at last.")
    make_case(org_a, "early", title="Early case", body=f"The quillwort first.\n\n{filler}")
    slugs, response = result_slugs(client, "quillwort")
    assert sorted(slugs) == ["deep", "early"]
    for case in response.context["cases"]:
        assert "<mark>quillwort</mark>" in str(case.snippet).lower(), case.slug


def test_nothing_found_says_so(client, casebase_data):
    slugs, response = result_slugs(client, "qwxzptlk")
    assert slugs == []
    assert "0 cases" in response.text
    assert "No published case matches" in response.text


@pytest.mark.parametrize("q", ["", "   ", "\x00", "-1", "ab"])
def test_empty_results_can_still_be_sorted_by_rank(casebase_data, q):
    published = CaseStudy.objects.published()
    results = list(published.search(q).order_by("-rank"))  # never a FieldError
    assert results == [] or q in ("-1", "ab")
    assert list(published.fuzzy_search(q).order_by("-rank")) == []


# Runs of minus signs and other operator soups: PostgreSQL's websearch_to_tsquery keeps a
# fixed-depth operator stack and fails ("tsquery stack too small") on 33 minus signs.
HOSTILE_QUERIES = [
    "a " + "-" * 40,
    "-" * 200,
    "quillwort " + "- " * 90,
    "-" * 50 + "quillwort",
    '"' + "-" * 60 + '" quillwort',
    "quillwort " + "or " * 60,
    "or " * 5 + "quillwort",
    'a"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"-"',
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_operator_soups_never_fail_in_any_output(client, ranked, q):
    for path, params in (
        ("/cases/", {}),
        ("/cases/", {"format": "csv"}),
        ("/cases/", {"format": "json"}),
        ("/api/cases/", {}),
    ):
        response = client.get(path, {"q": q, **params})
        assert response.status_code == 200, (path, params, q)
        if response.streaming:
            b"".join(response.streaming_content)


def test_the_search_syntax_is_read_once_and_bounded():
    from casebase.cases.search import MAX_TERMS, Term, query_terms, websearch_text

    assert query_terms('--quillwort or or "marsh - plant" or -x"y') == (
        [
            Term("quillwort", negated=True),
            Term("marsh - plant", phrase=True, either=True),
            Term("xy", negated=True, either=True),
        ],
        False,
    )
    assert websearch_text('--quillwort or or "marsh - plant" or -x"y') == (
        '-quillwort or "marsh - plant" or -xy'
    )
    assert websearch_text("-" * 200) == ""
    assert websearch_text("or a") == "a"
    terms, cut = query_terms(" ".join(f"w{n}" for n in range(30)))
    assert len(terms) == MAX_TERMS and cut


def test_the_page_says_when_a_search_used_only_some_words(client, ranked):
    _, response = result_slugs(client, "quillwort " + " ".join(f"w{n}" for n in range(12)))
    assert "Your search used only its first 8 words or phrases." in response.text


def test_snippets_start_and_end_on_whole_words(client, casebase_data, org_a):
    """A snippet cut out of a long text opened mid-word ("…ntext of"): it starts at a word,
    after an ellipsis, and ends on one."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
    before = " ".join(words[i % len(words)] for i in range(60))
    after = " ".join(words[i % len(words)] for i in range(80))
    summary = f"{before} quillwort {after}"
    # The snippet's window opens a third of its width (80 characters) before the match:
    # in this text that falls inside a word, which is what the snippet must not show.
    naive_start = summary.index("quillwort") - 80
    assert summary[naive_start - 1] != " " and summary[naive_start] != " "
    make_case(org_a, "long-summary", title="Long summary", summary=summary)
    slugs, response = result_slugs(client, "quillwort")
    assert slugs == ["long-summary"]
    text = re.sub(r"</?mark>", "", str(response.context["cases"][0].snippet))
    if connection.vendor != "postgresql":
        # Cut by the site: the cut is marked. PostgreSQL's ts_headline cuts at words itself.
        assert text.startswith("… ") and text.endswith(" …")
    inner = text.removeprefix("… ").removesuffix(" …").split()
    assert inner[0] in words and inner[-1] in words + ["quillwort"], (inner[0], inner[-1])
    assert "quillwort" in inner
