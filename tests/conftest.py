"""Shared fixtures: the real data, and the fixed personas every permission test uses.

Personas: anonymous, supporter of organization A, supporter of organization B,
editor (PAI staff) and administrator.
"""

import pytest
from django.core.management import call_command
from django.test import Client

from casebase.accounts.models import Membership
from casebase.framework.models import Edition
from casebase.organizations.models import Organization

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache: the API's anonymous throttle counts requests there."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def casebase_data(db):
    """The real Framework, organizations and published cases from fixtures/."""
    call_command("load_casebase", verbosity=0, stdout=open("/dev/null", "w"))
    return Edition.objects.get(slug="2023")


@pytest.fixture
def org_a(db):
    return Organization.objects.get_or_create(
        slug="org-a", defaults={"name": "Organization A", "kind": "industry"}
    )[0]


@pytest.fixture
def org_b(db):
    return Organization.objects.get_or_create(
        slug="org-b", defaults={"name": "Organization B", "kind": "media"}
    )[0]


def _make_user(django_user_model, username, **extra):
    user = django_user_model.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, **extra
    )
    return user


@pytest.fixture
def supporter_a(db, django_user_model, org_a):
    user = _make_user(django_user_model, "supporter_a")
    Membership.objects.create(user=user, organization=org_a)
    return user


@pytest.fixture
def supporter_b(db, django_user_model, org_b):
    user = _make_user(django_user_model, "supporter_b")
    Membership.objects.create(user=user, organization=org_b)
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _make_user(django_user_model, "editor", is_staff=True)


@pytest.fixture
def admin_user(db, django_user_model):
    return _make_user(django_user_model, "admin", is_staff=True, is_superuser=True)


def _client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def anon_client():
    return Client()


@pytest.fixture
def supporter_a_client(supporter_a):
    return _client_for(supporter_a)


@pytest.fixture
def supporter_b_client(supporter_b):
    return _client_for(supporter_b)


@pytest.fixture
def editor_client(editor):
    return _client_for(editor)


@pytest.fixture
def admin_client_(admin_user):
    return _client_for(admin_user)


@pytest.fixture
def persona_clients(anon_client, supporter_a_client, supporter_b_client, editor_client, admin_client_):
    return {
        "anonymous": anon_client,
        "supporter_a": supporter_a_client,
        "supporter_b": supporter_b_client,
        "editor": editor_client,
        "admin": admin_client_,
    }


# --- Browser tests (Playwright driving Debian's chromium) -----------------------------

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
    """One headless Chromium for the whole session. Chromium is a hard requirement: no skip."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; Django's ORM calls from tests are still safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is required for browser tests (apt-get install -y chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


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
