"""Readers' collections: private by default, public at a permalink, exported, cited, and used as
a filter; nobody reaches another reader's private collection."""

import csv
import io
import json
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils.html import escape

from casebase.analysis.citations import bibtex_escape
from casebase.analysis.models import Analysis, CollectedAnalysis
from casebase.cases.models import CaseStudy, Collection, CollectionItem
from tests.conftest import client_for, make_reader
from tests.security.test_hostile_input import nonce_of
from tests.security.xss import PAYLOADS, script_injection_problems

XSS = "<script>alert(1)</script>"


@pytest.fixture
def three(casebase_data):
    return list(CaseStudy.objects.published().order_by("slug")[:3])


@pytest.fixture
def ada(casebase_data):
    return make_reader("ada")


@pytest.fixture
def collected(ada, three):
    """Ada's private collection of three cases, each saved from its page with a note."""
    browser = client_for(ada)
    for n, case in enumerate(three):
        data = {"case": case.slug, "note": f"Note {n} on {case.title}", "next": case.get_absolute_url()}
        data |= (
            {"collection": "new", "name": "For my paper"}
            if n == 0
            else {"collection": str(Collection.objects.get().pk)}
        )
        response = browser.post("/collections/add/", data)
        assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    return Collection.objects.get(owner=ada)


@pytest.fixture
def analysis(casebase_data):
    return Analysis.objects.published().order_by("slug").first()


@pytest.fixture
def with_analysis(ada, collected, analysis):
    """Ada's collection of three cases, with a published analysis saved from its page."""
    response = client_for(ada).post(
        "/collections/add/",
        {
            "analysis": analysis.slug,
            "collection": str(collected.pk),
            "note": "Read before the cases",
            "next": analysis.get_absolute_url(),
        },
    )
    assert response.status_code == 302 and response["Location"] == analysis.get_absolute_url()
    return collected


def _csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_reader_saves_cases_with_notes_into_a_private_collection(ada, collected, three):
    assert not collected.is_public
    assert list(collected.items.values_list("case__slug", flat=True)) == [c.slug for c in three]
    page = client_for(ada).get(collected.get_absolute_url()).content.decode()
    for n in range(3):
        assert f"Note {n} on" in page
    assert "Your private collection" in page and "Cite this collection" not in page
    # Saving a case again keeps one item and takes the new note.
    client_for(ada).post(
        "/collections/add/", {"case": three[0].slug, "collection": collected.pk, "note": "Changed"}
    )
    assert collected.items.count() == 3 and collected.items.get(case=three[0]).note == "Changed"


def test_the_case_page_and_list_offer_saving_to_readers_only(ada, three, supporter_a):
    case_url = three[0].get_absolute_url()
    assert 'action="/collections/add/"' in client_for(ada).get(case_url).content.decode()
    assert 'action="/collections/add/"' in client_for(ada).get("/cases/").content.decode()
    assert 'action="/collections/add/"' not in Client().get(case_url).content.decode()
    assert 'action="/collections/add/"' not in client_for(supporter_a).get("/cases/").content.decode()


def test_nobody_sees_or_touches_another_readers_private_collection(collected, three, supporter_a, editor):
    bea = make_reader("bea")
    urls = [
        collected.get_absolute_url(),
        f"/collections/{collected.pk}/export.csv",
        f"/collections/{collected.pk}/export.bib",
        f"/collections/{collected.pk}/cite.bib",
    ]
    for who in (None, bea, supporter_a, editor):
        browser = client_for(who)
        for url in urls:
            assert browser.get(url).status_code == 404, (who, url)
    theirs = client_for(bea)
    pk = collected.pk
    assert theirs.post(f"/collections/{pk}/edit/", {"name": "Mine now", "is_public": "on"}).status_code == 404
    assert theirs.post(f"/collections/{pk}/delete/").status_code == 404
    assert theirs.post(f"/collections/{pk}/cases/{three[0].pk}/", {"action": "remove"}).status_code == 404
    assert (
        theirs.post("/collections/add/", {"case": three[0].slug, "collection": pk, "note": "x"}).status_code
        == 404
    )
    collected.refresh_from_db()
    assert collected.name == "For my paper" and not collected.is_public and collected.items.count() == 3
    # As a filter: another reader's private collection is no collection at all.
    listing = theirs.get(f"/cases/?collection={pk}").content.decode()
    assert "No collection matches" in listing
    assert Client().get(f"/feeds/cases/?collection={pk}").status_code == 400


def test_a_public_collection_is_read_exported_and_cited_by_anyone(ada, collected, three):
    owner = client_for(ada)
    assert (
        owner.post(
            f"/collections/{collected.pk}/edit/", {"name": "For my paper", "is_public": "on"}
        ).status_code
        == 302
    )
    anonymous = Client()
    page = anonymous.get(collected.get_absolute_url()).content.decode()
    assert "A public collection" in page and "Note 1 on" in page and "Cite this collection" in page
    assert 'name="note"' not in page  # no editing for visitors

    bib = anonymous.get(f"/collections/{collected.pk}/export.bib")
    assert bib.status_code == 200 and bib["Content-Type"].startswith("application/x-bibtex")
    assert bib.content.decode().count("@misc{") == 3
    ris = anonymous.get(f"/collections/{collected.pk}/export.ris").content.decode()
    assert ris.count("ER  - ") == 3
    csl = json.loads(anonymous.get(f"/collections/{collected.pk}/export.csl.json").content)
    assert len(csl) == 3 and all("accessed" in item for item in csl)
    data = json.loads(anonymous.get(f"/collections/{collected.pk}/export.json").content)
    assert [c["slug"] for c in data["cases"]] == [c.slug for c in three]
    assert data["cases"][0]["note"].startswith("Note 0")
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(anonymous.get(f"/collections/{collected.pk}/export.csv").streaming_content).decode()
            )
        )
    )
    assert rows[0][:3] == ["title", "organization", "url"] and len(rows) == 4
    assert anonymous.get(f"/collections/{collected.pk}/export.exe").status_code == 404

    cite = anonymous.get(f"/collections/{collected.pk}/cite.bib").content.decode()
    assert "For my paper" in cite and "urldate" in cite and "version" in cite

    # The same cases on /cases/, in the analysis pages, and in the feed.
    listing = anonymous.get(f"/cases/?collection={collected.pk}").content.decode()
    assert "For my paper" in listing and "No collection matches" not in listing
    for case in three:
        assert case.get_absolute_url() in listing
    assert anonymous.get(f"/analysis/matrix/?collection={collected.pk}").status_code == 200
    assert anonymous.get(f"/feeds/cases/?collection={collected.pk}").status_code == 200

    # Private again: gone for everyone else.
    owner.post(f"/collections/{collected.pk}/edit/", {"name": "For my paper"})
    assert anonymous.get(collected.get_absolute_url()).status_code == 404


def test_the_owner_filters_the_case_list_by_a_private_collection(ada, collected, three):
    from casebase.cases.filters import CaseFilter

    selection = CaseFilter({"collection": [str(collected.pk)]}, viewer=ada)
    assert sorted(selection.ids()) == sorted(c.pk for c in three)
    assert CaseFilter({"collection": [str(collected.pk)]}).unknown == {"collection": [str(collected.pk)]}
    page = client_for(ada).get(f"/cases/?collection={collected.pk}").content.decode()
    assert "No collection matches" not in page and "For my paper" in page


def test_notes_and_names_are_text_never_markup_or_formulas(ada, collected, three):
    owner = client_for(ada)
    owner.post(f"/collections/{collected.pk}/edit/", {"name": f"Paper {XSS}", "is_public": "on"})
    owner.post(f"/collections/{collected.pk}/cases/{three[0].pk}/", {"note": f'=HYPERLINK("x") {XSS}'})
    for url in (collected.get_absolute_url(), "/collections/", f"/cases/?collection={collected.pk}"):
        page = owner.get(url).content.decode()
        assert XSS not in page and "&lt;script&gt;" in page, url
    assert XSS not in Client().get(collected.get_absolute_url()).content.decode()
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(owner.get(f"/collections/{collected.pk}/export.csv").streaming_content).decode()
            )
        )
    )
    assert rows[1][5].startswith("'=HYPERLINK")


def test_sizes_are_bounded_with_a_clear_message(ada, collected, three):
    owner = client_for(ada)
    too_long = owner.post("/collections/", {"name": "n" * 201})
    assert too_long.status_code == 422
    page = too_long.content.decode()
    assert "at most 200 characters" in page and 'value="' + "n" * 201 + '"' in page
    empty = owner.post("/collections/", {"name": "  "})
    assert empty.status_code == 422 and "Give the collection a name" in empty.content.decode()
    long_note = "word " * 500
    response = owner.post(
        "/collections/add/",
        {"case": three[0].slug, "collection": collected.pk, "note": long_note},
        follow=True,
    )
    page = response.content.decode()
    assert "A note has at most 2000 characters" in page and "Your note, not saved" in page
    assert collected.items.get(case=three[0]).note.startswith("Note 0")
    assert (
        owner.post(f"/collections/{collected.pk}/cases/{three[0].pk}/", {"note": "x" * 2001}).status_code
        == 302
    )
    assert collected.items.get(case=three[0]).note.startswith("Note 0")
    assert (
        owner.post("/collections/add/", {"case": "no-such-case", "collection": collected.pk}).status_code
        == 404
    )
    assert owner.get("/collections/99999999999999999999/").status_code == 404


def test_removing_and_deleting(ada, collected, three):
    owner = client_for(ada)
    assert (
        owner.post(f"/collections/{collected.pk}/cases/{three[0].pk}/", {"action": "remove"}).status_code
        == 302
    )
    assert collected.items.count() == 2
    assert (
        owner.post(f"/collections/{collected.pk}/cases/{three[0].pk}/", {"action": "remove"}).status_code
        == 404
    )
    assert owner.post(f"/collections/{collected.pk}/delete/").status_code == 302
    assert not Collection.objects.filter(pk=collected.pk).exists() and not CollectionItem.objects.exists()


def test_deleting_the_account_deletes_its_collections(ada, collected):
    from tests.conftest import PASSWORD

    assert client_for(ada).post("/accounts/me/delete/", {"password": PASSWORD}).status_code == 302
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()


def test_cases_like_these_on_the_collection_page(ada, collected, three, supporter_a):
    """The related cases of the collection as a whole, with why, never its own cases; a private
    collection shows them to its owner only (404 for everyone else); an empty one shows none."""
    owner_page = client_for(ada).get(collected.get_absolute_url())
    related = owner_page.context["related"]
    assert related and not {c.pk for c in related} & {c.pk for c in three}
    text = owner_page.content.decode().replace("&#x27;", "'")
    assert "Cases like these" in text
    for case in related:
        assert case.title in text and case.reason in text
    for who in (None, make_reader("bea"), supporter_a):
        assert client_for(who).get(collected.get_absolute_url()).status_code == 404
    # Public: anyone reads the same list.
    client_for(ada).post(f"/collections/{collected.pk}/edit/", {"name": collected.name, "is_public": "on"})
    public = Client().get(collected.get_absolute_url())
    assert [c.pk for c in public.context["related"]] == [c.pk for c in related]
    assert "Cases like these" in public.content.decode()
    # Empty: nothing to be like.
    empty = client_for(ada).post("/collections/", {"name": "Empty for now"})
    page = client_for(ada).get(empty["Location"])
    assert page.context["related"] == [] and "Cases like these" not in page.content.decode()


def test_the_analysis_page_offers_saving_to_readers_only(ada, analysis, supporter_a, editor):
    url = analysis.get_absolute_url()
    page = client_for(ada).get(url).content.decode()
    assert 'action="/collections/add/"' in page and f'name="analysis" value="{analysis.slug}"' in page
    assert "Keep this analysis" in page
    for who in (None, supporter_a, editor):
        assert 'action="/collections/add/"' not in client_for(who).get(url).content.decode(), who


@pytest.mark.parametrize("kind", ["case", "analysis"])
def test_a_signed_out_visitor_is_offered_an_account_to_keep_a_page_supporters_and_editors_not(
    kind, analysis, casebase_data, supporter_a, editor
):
    url = (
        analysis.get_absolute_url()
        if kind == "analysis"
        else CaseStudy.objects.get(slug="adobe").get_absolute_url()
    )
    offer = f'href="/accounts/login/?next={quote(url)}"'
    page = client_for(None).get(url).content.decode()
    assert offer in page and 'href="/accounts/signup/">sign up as a reader</a>' in page
    assert ("Readers keep analyses in" if kind == "analysis" else "Readers keep cases in") in page
    for who in (supporter_a, editor):
        assert offer not in client_for(who).get(url).content.decode(), who


def test_a_reader_saves_an_analysis_into_a_new_collection_from_its_page(ada, analysis):
    response = client_for(ada).post(
        "/collections/add/",
        {"analysis": analysis.slug, "collection": "new", "name": "Syntheses", "note": "Start here"},
    )
    collection = Collection.objects.get(owner=ada, name="Syntheses")
    assert response.status_code == 302 and response["Location"] == collection.get_absolute_url()
    assert not collection.is_public and collection.items.count() == 0
    assert list(collection.analyses.values_list("analysis__slug", "note")) == [(analysis.slug, "Start here")]
    # Saved again: one item, the new note.
    client_for(ada).post(
        "/collections/add/", {"analysis": analysis.slug, "collection": collection.pk, "note": "Changed"}
    )
    assert list(collection.analyses.values_list("note", flat=True)) == ["Changed"]
    # My collections counts it, and its page lists it without calling the collection empty.
    assert "0 cases, 1 analysis · private" in client_for(ada).get("/collections/").content.decode()
    page = client_for(ada).get(collection.get_absolute_url()).content.decode()
    assert 'id="analyses-heading"' in page and "Nothing here yet" not in page
    client_for(ada).post(f"/collections/{collection.pk}/analyses/{analysis.pk}/", {"action": "remove"})
    assert "Nothing here yet" in client_for(ada).get(collection.get_absolute_url()).content.decode()


def test_the_collection_lists_its_analyses_apart_with_notes_the_owner_edits(ada, with_analysis, analysis):
    owner = client_for(ada)
    response = owner.get(with_analysis.get_absolute_url())
    page = response.content.decode()
    assert [i.analysis for i in response.context["analyses"]] == [analysis]
    assert len(response.context["items"]) == 3  # the cases stay cases
    assert "3 cases and 1 analysis." in page and 'id="analyses-heading"' in page
    assert f'<a href="{analysis.get_absolute_url()}">{escape(analysis.title)}</a>' in page
    assert analysis.author in page and "Read before the cases" in page
    assert "(cases only)" in page  # next to the CSV link
    item_url = f"/collections/{with_analysis.pk}/analyses/{analysis.pk}/"
    assert f'action="{item_url}"' in page
    assert owner.post(item_url, {"note": "Second thoughts"}).status_code == 302
    assert with_analysis.analyses.get().note == "Second thoughts"
    assert owner.post(item_url, {"note": "x" * 2001}).status_code == 302  # refused, said in a message
    assert with_analysis.analyses.get().note == "Second thoughts"
    assert owner.post(item_url, {"action": "remove"}).status_code == 302
    assert not with_analysis.analyses.exists() and with_analysis.items.count() == 3
    assert owner.post(item_url, {"action": "remove"}).status_code == 404
    assert "analyses-heading" not in owner.get(with_analysis.get_absolute_url()).content.decode()


def test_nobody_else_sees_or_touches_the_analyses_of_a_private_collection(
    with_analysis, analysis, supporter_a, editor
):
    bea = make_reader("bea")
    for who in (None, bea, supporter_a, editor):
        browser = client_for(who)
        assert browser.get(with_analysis.get_absolute_url()).status_code == 404, who
        assert browser.get(f"/collections/{with_analysis.pk}/export.json").status_code == 404, who
    theirs = client_for(bea)
    item_url = f"/collections/{with_analysis.pk}/analyses/{analysis.pk}/"
    assert theirs.post(item_url, {"note": "Mine now"}).status_code == 404
    assert theirs.post(item_url, {"action": "remove"}).status_code == 404
    assert (
        theirs.post(
            "/collections/add/", {"analysis": analysis.slug, "collection": with_analysis.pk, "note": "x"}
        ).status_code
        == 404
    )
    assert list(with_analysis.analyses.values_list("note", flat=True)) == ["Read before the cases"]


def test_a_draft_analysis_is_never_collected_and_one_unpublished_later_drops_out(
    ada, with_analysis, analysis
):
    from django.core.exceptions import ValidationError

    from casebase.analysis.collections import add_analysis

    draft = Analysis.objects.create(slug="a-draft", title="Draft analysis title", author="Editors")
    owner = client_for(ada)
    response = owner.post("/collections/add/", {"analysis": draft.slug, "collection": with_analysis.pk})
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        add_analysis(collection=with_analysis, analysis=draft)
    assert not CollectedAnalysis.objects.filter(analysis=draft).exists()

    owner.post(f"/collections/{with_analysis.pk}/edit/", {"name": "For my paper", "is_public": "on"})
    anonymous = Client()
    assert escape(analysis.title) in anonymous.get(with_analysis.get_absolute_url()).content.decode()
    analysis.status = Analysis.Status.DRAFT
    analysis.save()
    for who in (anonymous, owner):
        response = who.get(with_analysis.get_absolute_url())
        assert response.context["analyses"] == [] and escape(analysis.title) not in response.content.decode()
    data = json.loads(anonymous.get(f"/collections/{with_analysis.pk}/export.json").content)
    assert data["analyses"] == []
    bib = anonymous.get(f"/collections/{with_analysis.pk}/export.bib").content.decode()
    assert bib.count("@misc{") == 3 and analysis.slug.replace("-", "_") not in bib
    # The owner cannot bring it back while it is a draft, nor edit its hidden note.
    assert (
        owner.post(
            "/collections/add/", {"analysis": analysis.slug, "collection": with_analysis.pk}
        ).status_code
        == 404
    )


def test_the_exports_carry_the_analyses(ada, with_analysis, analysis, three):
    client_for(ada).post(
        f"/collections/{with_analysis.pk}/edit/", {"name": "For my paper", "is_public": "on"}
    )
    anonymous = Client()
    base = f"/collections/{with_analysis.pk}/export"
    data = json.loads(anonymous.get(f"{base}.json").content)
    assert [c["slug"] for c in data["cases"]] == [c.slug for c in three]
    (entry,) = data["analyses"]
    assert entry["title"] == analysis.title and entry["author"] == analysis.author
    assert entry["url"].endswith(analysis.get_absolute_url()) and entry["note"] == "Read before the cases"
    assert entry["published_on"] == (analysis.published_on.isoformat() if analysis.published_on else None)
    assert entry["grade"] == analysis.grade and entry["voice"] == analysis.voice

    bib = anonymous.get(f"{base}.bib").content.decode()
    assert bib.count("@misc{") == 4 and f"title = {{{{{bibtex_escape(analysis.title)}}}}}" in bib
    ris = anonymous.get(f"{base}.ris").content.decode()
    assert ris.count("ER  - ") == 4 and "TY  - RPRT" in ris and f"TI  - {analysis.title}" in ris
    csl = json.loads(anonymous.get(f"{base}.csl.json").content)
    assert len(csl) == 4 and csl[-1]["title"] == analysis.title and csl[-1]["type"] == "report"
    # The CSV keeps its columns and its cases only.
    rows = _csv_rows(anonymous.get(f"{base}.csv"))
    assert rows[0] == ["title", "organization", "url", "published_on", "cohort", "note", "added_on"]
    assert len(rows) == 4 and analysis.title not in {row[0] for row in rows}


def test_deleting_the_account_deletes_its_collected_analyses(ada, with_analysis):
    from tests.conftest import PASSWORD

    assert CollectedAnalysis.objects.exists()
    assert client_for(ada).post("/accounts/me/delete/", {"password": PASSWORD}).status_code == 302
    assert not Collection.objects.exists() and not CollectedAnalysis.objects.exists()


@pytest.mark.parametrize("payload", PAYLOADS[:12], ids=range(12))
def test_an_analysis_note_is_text_never_markup(payload, ada, with_analysis, analysis):
    owner = client_for(ada)
    owner.post(f"/collections/{with_analysis.pk}/edit/", {"name": "For my paper", "is_public": "on"})
    owner.post(f"/collections/{with_analysis.pk}/analyses/{analysis.pk}/", {"note": payload})
    assert with_analysis.analyses.get().note == payload.replace("\x00", "").strip()
    for browser in (owner, Client()):
        page = browser.get(with_analysis.get_absolute_url())
        assert not script_injection_problems(page.content.decode(), nonce_of(page))
    data = json.loads(Client().get(f"/collections/{with_analysis.pk}/export.json").content)
    assert data["analyses"][0]["note"] == with_analysis.analyses.get().note
