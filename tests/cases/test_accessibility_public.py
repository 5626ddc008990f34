"""axe-core finds no WCAG 2.2 A/AA violation on the public pages."""

import os

import pytest
from django.core.management import call_command

from tests.axe import AXE

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN = (
    "async (rules) => (await axe.run(document, {runOnly: rules}))"
    ".violations.map(v => [v.id, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])"
)
PAGES = [
    "/",
    "/framework/",
    "/recommendations/builders-2/",
    "/recommendations/distributors-3p-1/",
    "/cases/",
    "/cases/?q=provenance&role=builder",
    "/cases/?q=synthesa",
    "/cases/?page=abc&role=nobody",
    "/cases/bbc/",
    "/cases/adobe/",
    "/organizations/",
    "/organizations/adobe/",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_have_no_axe_violations(live_server, browser):
    assert AXE.exists(), "axe-core is fetched from the npm registry by tests/fetch_axe.py"
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    # axe is injected as an inline script, which the site's CSP rightly forbids; bypass it for the audit.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    violations = {}
    for url in PAGES:
        page.goto(live_server.url + url)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(RUN, RULES)
        if found:
            violations[url] = found
    context.close()
    assert violations == {}
