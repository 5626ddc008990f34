"""axe-core finds no WCAG 2.2 A/AA violation on the workflow and account pages."""

import pytest
from django.conf import settings
from django.test import Client

from casebase.cases.models import CaseStudy
from casebase.submissions import services
from tests.axe import AXE

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN = (
    "async (rules) => (await axe.run(document, {runOnly: rules})).violations.map(v => [v.id, v.nodes.length])"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_workflow_pages_have_no_axe_violations(live_server, browser, make_submission, supporter_a, editor):
    assert AXE.exists(), "axe-core is fetched from the npm registry by tests/fetch_axe.py"
    draft = make_submission(CaseStudy.Status.CHANGES_REQUESTED)
    services.add_comment(submission=draft, by=editor, body="Could you **cite** the policy?")
    services.add_comment(submission=draft, by=editor, body="Staff only.", internal=True)
    published = make_submission(CaseStudy.Status.PUBLISHED)
    pages = [
        (supporter_a, ["/submit/", "/submit/new/", f"/submit/{draft.pk}/", f"/submit/{draft.pk}/edit/"]),
        (supporter_a, [f"/submit/{draft.pk}/preview/", f"/submit/{published.pk}/"]),
        (
            editor,
            ["/review/", f"/review/{draft.pk}/", f"/review/{draft.pk}/history/", f"/review/{draft.pk}/edit/"],
        ),
        (editor, ["/accounts/invite/", f"/review/{published.pk}/"]),
        (None, ["/accounts/login/", "/accounts/password-reset/", published.case.get_absolute_url()]),
    ]
    violations = {}
    for user, urls in pages:
        # axe is injected as an inline script, which the site's CSP rightly forbids; bypass it for the audit.
        context = browser.new_context(bypass_csp=True)
        if user is not None:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
        page = context.new_page()
        for url in urls:
            page.goto(live_server.url + url)
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(RUN, RULES)
            if found:
                violations[url] = found
        context.close()
    assert violations == {}
