"""In a real browser, pages showing hostile records run no script.

Chromium loads every page that shows one of the 68 hostile payloads (published
cases, lists, searches, a supporter's draft and its review page). The context
ignores the site's Content Security Policy, so what is tested is that the text is
escaped and sanitised, not that the CSP caught it; a second pass with the CSP on
must log no violation either. Any dialog, page error or console error fails.
(Kept apart from tests/security/, whose records live in a rolled-back transaction
that a live server cannot see.)
"""

import pytest

from casebase.submissions import services
from casebase.submissions.content import empty_content
from tests.security.conftest import build_world
from tests.security.test_hostile_input import make_hostile_cases
from tests.security.xss import PAYLOADS

LIVE_DOM_CHECK = """() => {
    const bad = [];
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const value = attr.value.replace(/[\\x00-\\x20]/g, '').toLowerCase();
            if (attr.name.startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
            if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name)
                && (value.startsWith('javascript:') || value.startsWith('vbscript:'))) bad.push(el.tagName + ' ' + attr.name);
        }
        if (['IFRAME', 'OBJECT', 'EMBED', 'BASE'].includes(el.tagName)) bad.push(el.tagName);
    }
    return bad;
}"""


def visit(context, url, problems):
    """Load ``url`` in the context's tab (one tab per context: a navigation starts the page afresh)."""
    page = context.pages[0] if context.pages else context.new_page()
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    # Give event handlers and timers a chance to fire, and focus the page's controls.
    page.keyboard.press("Tab")
    page.wait_for_timeout(50)
    problems += [f"{url}: {item}" for item in page.evaluate(LIVE_DOM_CHECK)]


@pytest.mark.browser
def test_hostile_records_run_no_script_in_the_browser(live_server, transactional_db, open_context):
    world = build_world()
    cases = make_hostile_cases(world)
    supporter = world.users["supporter_a"]
    content = empty_content(world.org_a) | {
        "title": "\n".join(PAYLOADS[:20]),
        "summary": "\n\n".join(PAYLOADS),
    }
    draft = services.create_draft(organization=world.org_a, content=content, by=supporter)
    base = live_server.url
    problems: list[str] = []

    without_csp = open_context(bypass_csp=True)
    for url in [
        "/cases/?org=org-a",
        "/cases/?q=alert",
        "/organizations/org-a/",
        f"/recommendations/{world.recommendation.key}/",
    ]:
        visit(without_csp, base + url, problems)
    for case in cases:
        visit(without_csp, base + case.get_absolute_url(), problems)
    visit(open_context(supporter, base, bypass_csp=True), base + f"/submit/{draft.pk}/", problems)
    visit(open_context(world.users["editor"], base, bypass_csp=True), base + f"/review/{draft.pk}/", problems)

    # With the site's own CSP: the same pages log no violation (console errors fail the test).
    with_csp = open_context()
    for url in ["/cases/?org=org-a", cases[0].get_absolute_url(), cases[-1].get_absolute_url()]:
        visit(with_csp, base + url, problems)
    assert not problems, problems[:20]
