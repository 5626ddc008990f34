"""The browser journeys: Playwright driving a real Chromium against the live server.

Everything in this package is marked ``browser`` (``make test-fast`` leaves it
out). These tests read committed data through another connection (the live
server's thread), so each loads what it needs itself, committed, and the
database is emptied after it: nothing here shares the rolled-back world of
the other suites.
"""

import pytest
from django.conf import settings
from django.db import connections

from tests.conftest import signed_in_session
from tests.find_browser import MISSING, chromium_path
from tests.submissions.conftest import framework, make_submission  # noqa: F401  (fixtures)


def session_cookie(user, url: str) -> dict:
    """A signed-in session for ``user``, as the cookie a browser would hold."""
    return {"name": settings.SESSION_COOKIE_NAME, "value": signed_in_session(user), "url": url}


# A form sent back with its errors answers 422 by design; Chromium logs that as a failed load.
DELIBERATE_STATUS = "Failed to load resource: the server responded with a status of 422"


@pytest.fixture
def open_context(browser):
    """Make browser contexts that record page errors, console errors and dialogs; fail on any."""
    contexts, errors = [], []

    def make(user=None, base_url="", bypass_csp=False, width=1280):
        # A phone (390 px) is taller than it is wide; a desktop window is not.
        height = 844 if width < 600 else 900
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=bypass_csp)
        if user is not None:
            context.add_cookies([session_cookie(user, base_url)])
        context.on(
            "page",
            lambda page: (
                page.on("pageerror", lambda exc: errors.append(f"{page.url} pageerror: {exc}")),
                page.on(
                    "console",
                    lambda msg: (
                        msg.type == "error"
                        and not msg.text.startswith(DELIBERATE_STATUS)
                        and errors.append(f"{page.url} console: {msg.text}")
                    ),
                ),
                page.on("dialog", lambda d: (errors.append(f"{page.url} dialog: {d.message}"), d.dismiss())),
            ),
        )
        contexts.append(context)
        return context

    make.errors = errors
    yield make
    for context in contexts:
        context.close()
    assert not errors, errors[:20]


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session. Chromium is a hard requirement: no skip
    (tests/find_browser.py finds one; without one the run stops with what to install)."""
    import os

    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; Django's ORM calls from tests are still safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = chromium_path()
    if executable is None:
        # One clear line, not a failure per browser test.
        pytest.exit(MISSING, returncode=3)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # While Playwright's loop runs, Django hands out other connection objects than outside it
        # (asgiref keeps them per context once a loop runs in the thread): close these now, or
        # they stay connected to the test database after the run and its drop gives up.
        connections.close_all()


@pytest.fixture
def page(browser):
    """A fresh browser context per test; fails the test on any page error or dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.casebase_errors = errors
    yield page
    context.close()
    assert not errors, errors


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
