"""axe-core finds no WCAG 2.2 A/AA violation on the public pages."""

import os

import pytest
from django.core.management import call_command

from tests.axe import AXE, audit

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
    violations = audit(context.new_page(), PAGES, live_server.url)
    context.close()
    assert violations == {}
