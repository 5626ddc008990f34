"""axe-core finds no WCAG 2.2 A/AA violation on the workflow and account pages."""

import pytest
from django.conf import settings
from django.test import Client

from casebase.submissions import services
from casebase.submissions.models import Status
from tests.axe import AXE, audit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_workflow_pages_have_no_axe_violations(live_server, browser, make_submission, supporter_a, editor):
    assert AXE.exists(), "axe-core is fetched from the npm registry by tests/fetch_axe.py"
    draft = make_submission(Status.CHANGES_REQUESTED)
    services.add_comment(submission=draft, by=editor, body="Could you **cite** the policy?")
    services.add_comment(submission=draft, by=editor, body="Staff only.", internal=True)
    published = make_submission(Status.PUBLISHED)
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
        violations |= audit(context.new_page(), urls, live_server.url)
        context.close()
    assert violations == {}
