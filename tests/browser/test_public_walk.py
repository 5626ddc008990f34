"""A reader's walk in headless Chromium: home → framework → recommendation → case, then filter and search."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.independent import Records

SHOTS = Path("/tmp/shots")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_walk_from_home_to_a_case_then_filter_and_search(live_server, page):
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    SHOTS.mkdir(exist_ok=True)

    def shot(name):
        page.screenshot(path=str(SHOTS / f"walk-{name}.png"), full_page=True)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "How the Synthetic Media Framework is practised"
    )
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    shot("01-home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Framework").click()
    expect(page).to_have_url(re.compile(r"/framework/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Responsible Practices for Synthetic Media")
    expect(page.get_by_role("heading", name="Channels hosting third-party content")).to_be_visible()
    shot("02-framework")

    page.get_by_role("link", name="Provide disclosure mechanisms for creators and distributors").click()
    expect(page).to_have_url(re.compile(r"/recommendations/builders-2/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Provide disclosure mechanisms")
    implemented = page.get_by_role("region", name=re.compile("Implemented"))
    expect(implemented).to_be_visible()
    shot("03-recommendation")

    implemented.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/cases/[\w-]+/$"))
    expect(page.get_by_role("heading", name="Recommendations applied")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Provide disclosure mechanisms"))).to_be_visible()
    shot("04-case")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case studies")
    page.get_by_role("region", name="Stakeholder role").get_by_role(
        "link", name="Builder", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"[?&]role=builder"))
    page.get_by_role("region", name="Principle").get_by_role("link", name="Disclosure", exact=True).click()
    expect(page).to_have_url(
        re.compile(r"role=builder.*principle=disclosure|principle=disclosure.*role=builder")
    )
    # Counted independently of the site's filter engine; a refuted tag is no tag.
    expected = len(Records().matching({"role": ["builder"], "principle": ["disclosure"]}))
    expect(page.locator("#results-heading")).to_contain_text(f"{expected} case")
    expect(page.get_by_role("link", name="Remove filter Stakeholder role: Builder")).to_be_visible()
    expect(page.locator(".case-results > li")).to_have_count(expected)
    shot("05-filtered")

    page.get_by_label("Search the cases").fill("provenance")
    page.get_by_label("Search the cases").press("Enter")
    expect(page).to_have_url(re.compile(r"q=provenance"))
    expect(page.locator("#results-heading")).to_contain_text("matching “provenance”")
    expect(page.locator(".case-results mark").first).to_be_visible()
    # The filters chosen before searching still apply.
    expect(page.get_by_role("link", name="Remove filter Principle: Disclosure")).to_be_visible()
    shot("06-search")

    page.get_by_role("link", name="Clear all filters").click()
    expect(page.locator("#results-heading")).to_contain_text("matching “provenance”")
    shot("07-search-unfiltered")
