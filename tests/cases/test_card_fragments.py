"""Case cards kept per content version (casebase.core.templatetags.fragments): reused by every
page that lists the case, and never out of date after a publish, an edit or an unpublish."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebase.cases.models import CaseStudy
from tests.independent import Records
from tests.security.xss import parse_html

pytestmark = pytest.mark.django_db


def cards(html: str) -> dict[str, dict]:
    """Each listed case's card as shown: its organization and its role, principle and topic chips."""
    shown = {}
    for article in parse_html(html).iter("article"):
        if "case-item" not in article.get("class", ""):
            continue
        link = next(a for a in article.iter("a") if (a.get("href") or "").startswith("/cases/"))
        chips = {kind: set() for kind in ("role", "principle", "topic")}
        for chip in article.iter("a"):
            for kind in chips:
                if f"chip-{kind}" in (chip.get("class") or ""):
                    chips[kind].add(chip.get("href").split("=", 1)[1])
        byline = next(p for p in article.iter("p") if p.get("class") == "byline")
        shown[link.get("href").split("/")[2]] = {"org": "".join(byline.itertext()).split(" · ")[0], **chips}
    return shown


def truth() -> dict[str, dict]:
    """The same, from plain rows (tests/independent.py), for every published case."""
    records = Records("all")
    names = dict(CaseStudy.objects.published().values_list("slug", "organization__name"))
    return {
        r.slug: {"org": names[r.slug], "role": r.roles, "principle": r.principles, "topic": r.tags}
        for r in records.cases.values()
    }


def assert_cards_true(client, url="/cases/"):
    shown = cards(client.get(url).text)
    expected = truth()
    assert shown, "no card listed"
    for slug, card in shown.items():
        assert card["org"].startswith(expected[slug]["org"]), (slug, card["org"])
        for kind in ("role", "principle", "topic"):
            assert card[kind] == expected[slug][kind], (slug, kind)
    return shown


def test_a_card_rendered_once_is_reused_by_other_lists(client, casebase_data):
    first = client.get("/cases/")
    with CaptureQueriesContext(connection) as again:
        second = client.get("/cases/?sort=title")
    read_tags = [q["sql"] for q in again.captured_queries if "tagged" in q["sql"]]
    assert not read_tags, "every card was rendered already: no tag needs reading"
    assert cards(first.text) == {
        slug: card for slug, card in cards(second.text).items() if slug in cards(first.text)
    }


def test_cards_follow_every_change_of_what_they_show(client, casebase_data):
    assert_cards_true(client)
    case = CaseStudy.objects.published().order_by("slug").first()

    # A topic added, a role removed, through the models (as the workflow writes them).
    case.tags.add("card-freshness")
    role = case.roles.first()
    if role is not None:
        case.roles.remove(role)
    shown = assert_cards_true(client)
    assert "card-freshness" in shown[case.slug]["topic"]

    # The summary rewritten (rendered again on save), on the list and on the organization's page.
    case.summary = "A summary rewritten for the card freshness test."
    case.save()
    assert case.summary in client.get("/cases/").text
    assert case.summary in client.get(case.organization.get_absolute_url()).text

    # The organization renamed.
    organization = case.organization
    organization.name = "Renamed Organization For Cards"
    organization.save()
    shown = assert_cards_true(client)
    assert shown[case.slug]["org"].startswith("Renamed Organization For Cards")
    assert cards(client.get(organization.get_absolute_url()).text)[case.slug]["org"].startswith(
        "Renamed Organization For Cards"
    )

    # Unpublished: gone from the list, and the others still right.
    case.is_published = False
    case.save()
    assert case.slug not in assert_cards_true(client)


def test_fragments_are_rendered_every_time_when_the_cache_is_off(client, casebase_data, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    client.get("/cases/")
    case = CaseStudy.objects.published().order_by("slug").first()
    # A change no signal reports (so no new content version): shown at once all the same.
    CaseStudy.objects.filter(pk=case.pk).update(summary_html="<p>Changed behind the versions' back.</p>")
    assert "Changed behind the versions" in client.get("/cases/").text


def test_a_search_snippet_is_never_kept_in_place_of_a_summary(client, casebase_data):
    plain = client.get("/cases/").text
    assert 'class="snippet"' not in plain
    searched = client.get("/cases/?q=provenance").text
    assert 'class="snippet"' in searched
    # and the kept cards are not spoilt by the search's
    assert 'class="snippet"' not in client.get("/cases/?sort=title").text


def test_a_change_committed_while_a_page_renders_is_not_kept_as_the_new_version(
    client, casebase_data, monkeypatch
):
    """The request's content version is pinned before its view reads a record: cards rendered
    from records read before a change are kept under the version they were read at."""
    from casebase.core.templatetags import fragments

    case = CaseStudy.objects.published().order_by("slug").first()
    real_prefetch = fragments.prefetch

    def rename_then_prefetch(request, wanted):
        organization = case.organization
        organization.name = "Renamed While Rendering"
        organization.save()  # after the view read the cases, before the cards are rendered
        monkeypatch.setattr(fragments, "prefetch", real_prefetch)
        return real_prefetch(request, wanted)

    monkeypatch.setattr(fragments, "prefetch", rename_then_prefetch)
    client.get("/cases/")
    assert cards(client.get("/cases/").text)[case.slug]["org"].startswith("Renamed While Rendering")
