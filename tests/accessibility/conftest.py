"""Browser sessions against the live server, signed in as any persona."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore


def session_cookie(user, url: str) -> dict:
    """A signed-in session for ``user``, as the cookie a browser would hold."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


@pytest.fixture
def open_context(browser):
    """Make browser contexts that record page errors, console errors and dialogs; fail on any."""
    contexts, errors = [], []

    def make(user=None, base_url="", bypass_csp=False):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp)
        if user is not None:
            context.add_cookies([session_cookie(user, base_url)])
        context.on(
            "page",
            lambda page: (
                page.on("pageerror", lambda exc: errors.append(f"{page.url} pageerror: {exc}")),
                page.on(
                    "console",
                    lambda msg: msg.type == "error" and errors.append(f"{page.url} console: {msg.text}"),
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
