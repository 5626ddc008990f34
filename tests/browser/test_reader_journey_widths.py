"""A reader's journey at a phone's width and a desktop's: home, the cases, a filter, a case,
then every analysis page and the API's documentation. On every page: no sideways scroll, the
focused element never under a bar, no axe-core violation of any impact. On a phone, the
results' count is in sight without scrolling, before and after tapping a filter."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.journey import WIDTHS, check_page

SHOTS = Path("/tmp/shots14")


# The rendered size of the smallest text in the page's visible charts, in CSS pixels.
SMALLEST_CHART_TEXT = """() => Math.min(Infinity, ...[...document.querySelectorAll('svg text')]
  .filter(t => t.checkVisibility() && t.textContent.trim())
  .map(t => { const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); }))"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", WIDTHS)
def test_reader_journey_at_each_width(live_server, open_context, name):
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    SHOTS.mkdir(exist_ok=True)
    width = WIDTHS[name]
    page = open_context(base_url=live_server.url, bypass_csp=True, width=width).new_page()
    page.set_default_timeout(15000)
    problems: list[str] = []

    def visit_checks(shot=None):
        # As a keyboard user: skip to the content, then Tab to its first control, so the
        # focus check has something in the page to see.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        problems.extend(check_page(page))
        if shot:
            page.screenshot(path=str(SHOTS / f"{shot}-{width}.png"), full_page=True)

    page.goto(live_server.url + "/")
    visit_checks()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case studies")
    # The count of cases is in the window as the page opens, before any scrolling.
    expect(page.locator("#results-heading")).to_be_in_viewport(ratio=1)
    visit_checks("cases")

    filters = page.locator("details#filters")
    if name == "phone":
        # On a phone the filters fold away above the results; a tap opens them.
        expect(filters).not_to_have_attribute("open", "")
        filters.locator("summary").click()
    expect(filters).to_have_attribute("open", "")
    filters.get_by_role("region", name="Stakeholder role").get_by_role(
        "link", name="Builder", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"[?&]role=builder.*#results"))
    heading = page.locator("#results-heading")
    expect(heading).to_contain_text(re.compile(r"\d+ cases?"))
    # The filtered page opens at its results: the count is in the window without scrolling.
    expect(heading).to_be_in_viewport(ratio=1)
    problems.extend(check_page(page))

    page.locator(".case-results > li a").first.click()
    expect(page).to_have_url(re.compile(r"/cases/[\w-]+/$"))
    visit_checks("case")
    # On paper: no navigation or forms, but the citation and the page's address.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("main form").first).to_be_hidden()
    expect(page.locator(".cite-panel .cite-body p").first).to_be_visible()
    expect(page.get_by_text(f"Printed from {page.url.split('#')[0]}")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.get_by_text("Printed from")).to_be_hidden()

    for path, shot in [
        ("/analysis/matrix/", "matrix"),
        ("/analysis/gaps/", "gaps"),
        ("/analysis/crosstabs/", None),
        ("/analysis/cooccurrence/", None),
        ("/api/docs/", None),
    ]:
        page.goto(live_server.url + path)
        visit_checks(shot)
        # Charts keep legible text (they scroll instead of shrinking to 5 px on a phone).
        assert page.evaluate(SMALLEST_CHART_TEXT) >= 11, path

    assert not problems, "\n".join(problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_tables_fit_a_phone(live_server, open_context, make_submission, editor, org_a):
    """/review/, a version history and the invitations overflowed a 390 px screen, and their
    tables scrolled where a keyboard could not reach (axe scrollable-region-focusable)."""
    from casebase.accounts.services import invite_member
    from casebase.submissions.models import Status

    draft = make_submission(Status.CHANGES_REQUESTED)
    invite_member(
        email="a-rather-long-address-for-a-phone@newsroom.example.org", organization=org_a, by=editor
    )
    page = open_context(
        user=editor, base_url=live_server.url, bypass_csp=True, width=WIDTHS["phone"]
    ).new_page()
    problems = []
    for path in ["/review/", f"/review/{draft.pk}/history/", "/accounts/invite/"]:
        page.goto(live_server.url + path)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        problems += check_page(page)
    assert not problems, "\n".join(problems)
