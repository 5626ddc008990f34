"""Shared fixtures: the real data, and the fixed personas every permission test uses.

Personas: anonymous, supporter of organization A, supporter of organization B,
editor (PAI staff) and administrator.

The real data (the Framework, organizations, cases and analyses of fixtures/)
is loaded once per test process, inside a transaction that is never committed
(``RealWorld``): what Django's ``TestCase.setUpTestData`` does for a class. Each
module runs in a savepoint of its own and each test in another, so whatever a
module or a test writes is undone before the next one. Tests that need committed data (a live server for the
browser) load it themselves, in their own modules.
"""

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connections, transaction
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


def load_real_data() -> Edition:
    call_command("load_casebase", verbosity=0, stdout=open("/dev/null", "w"))
    return Edition.objects.get(slug="2023")


@contextmanager
def rolled_back(django_db_blocker):
    """A transaction on every database, rolled back at the end: data built inside lasts as
    long as the block, and tests run inside it in savepoints of their own."""
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            yield
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


class RealWorld:
    """The real data, loaded once per test process and kept in a transaction on every database.

    Loading it costs about 2,900 queries, so it is not loaded per module: it stays open while
    module after module uses it (each inside a savepoint of its own, rolled back at its end), and
    is rolled back only when a module that must not see it comes along (one that builds a world
    of its own, or commits through a live server). The collection order puts the modules that
    use it together, so each process loads it about once."""

    def __init__(self, blocker):
        self.blocker = blocker
        self._atomics: dict | None = None
        self._wrappers: dict = {}

    def open(self) -> None:
        if self._atomics is not None:
            return
        with self.blocker.unblock():
            self._atomics = {alias: transaction.atomic(using=alias) for alias in connections}
            # The connection objects themselves: which one connections[alias] gives depends on
            # whether an event loop runs in this thread, and Playwright's sync API (the browser
            # tests) keeps one running once it has started. A world rolled back through another
            # connection object would stay open, holding its rows, and the next load would wait
            # on it forever.
            self._wrappers = {alias: connections[alias] for alias in connections}
            for atomic in self._atomics.values():
                atomic.__enter__()
            load_real_data()

    def close(self) -> None:
        if self._atomics is None:
            return
        atomics, self._atomics = self._atomics, None
        with self.blocker.unblock():
            for alias, atomic in atomics.items():
                wrapper = self._wrappers[alias]
                if not wrapper.in_atomic_block:
                    continue  # the connection was closed meanwhile: its transaction went with it
                current = connections[alias]
                connections[alias] = wrapper  # the atomic block exits on the connection it began on
                try:
                    transaction.set_rollback(True, using=alias)
                    atomic.__exit__(None, None, None)
                finally:
                    connections[alias] = current


_open_worlds: list[RealWorld] = []

# Fixtures that stand on the real world: a module whose tests use one of them keeps it open.
WORLD_FIXTURES = frozenset({"real_data", "site_world"})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test databases, with the real world rolled back before they are dropped
    (a transaction left open would keep a connection in them and stop the drop)."""
    yield
    for world in list(_open_worlds):
        world.close()


@pytest.fixture(scope="session")
def real_world(django_db_setup, django_db_blocker):
    world = RealWorld(django_db_blocker)
    _open_worlds.append(world)
    yield world
    _open_worlds.remove(world)
    world.close()


def _uses_world(items) -> bool:
    return any(WORLD_FIXTURES.intersection(item.fixturenames) for item in items)


@pytest.fixture(scope="module", autouse=True)
def _real_world_for_module(request):
    """Open the real world for a module that uses it; roll it back before one that does not."""
    if _uses_world(item for item in request.session.items if item.module is request.module):
        request.getfixturevalue("real_world").open()
    else:
        for world in _open_worlds:
            world.close()


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction (a savepoint, inside the real world) around the whole module, rolled back at
    its end; tests run in savepoints of their own."""
    with rolled_back(django_db_blocker):
        yield


@pytest.fixture(scope="module")
def real_data(module_transaction, django_db_blocker):
    with django_db_blocker.unblock():
        return Edition.objects.get(slug="2023")


@pytest.fixture
def casebase_data(real_data, db):
    """The real Framework, organizations and published cases from fixtures/ (loaded once per module)."""
    return real_data


@pytest.fixture
def committed_data(transactional_db):
    """The real data, committed: for tests whose code reads through another connection
    (a live server, a replica). Never in a module that also uses ``casebase_data``."""
    return load_real_data()


@pytest.fixture
def empty_site(db):
    """No content at all (the module's real data, if any, deleted inside this test's savepoint)."""
    from taggit.models import Tag

    from casebase.analysis.models import Analysis
    from casebase.cases.models import Application, CaseStudy, Cohort, TemplateSection
    from casebase.framework.models import Principle, Recommendation, Section, StakeholderRole
    from casebase.submissions.models import Submission

    for model in (
        Submission, Analysis, Application, CaseStudy, Cohort, TemplateSection, Recommendation, Section,
        Edition, Organization, StakeholderRole, Principle, Tag,
    ):  # fmt: skip
        model.objects.all().delete()


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


def make_user(username, organization=None, **extra):
    """A persona's account; a supporter member when ``organization`` is given."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, **extra
    )
    if organization is not None:
        Membership.objects.create(user=user, organization=organization)
    return user


def make_reader(username):
    """A reader persona: a confirmed reader account, no membership, not staff."""
    from django.utils import timezone

    from casebase.accounts.models import Reader

    user = make_user(username)
    Reader.objects.create(user=user, confirmed_at=timezone.now())
    return user


@pytest.fixture
def reader(db):
    return make_reader("reader")


@pytest.fixture
def reader_client(reader):
    return client_for(reader)


@pytest.fixture
def supporter_a(db, org_a):
    return make_user("supporter_a", organization=org_a)


@pytest.fixture
def supporter_b(db, org_b):
    return make_user("supporter_b", organization=org_b)


@pytest.fixture
def editor(db):
    return make_user("editor", is_staff=True)


@pytest.fixture
def admin_user(db):
    return make_user("admin", is_staff=True, is_superuser=True)


def signed_in_session(user) -> str:
    """The key of a new session signed in as ``user``: what Django's login() stores, without
    what signing in also does (rotating a session, last_login, django-axes' access log), which
    tests/accounts tests through the sign-in form. Thousands of tests sign a persona in; doing
    the whole sign-in for each was a fifteenth of the suite's time."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def client_for(user) -> Client:
    """A test client signed in as ``user`` (anonymous for None)."""
    from django.conf import settings

    client = Client()
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(user)
    return client


@pytest.fixture
def anon_client():
    return Client()


@pytest.fixture
def supporter_a_client(supporter_a):
    return client_for(supporter_a)


@pytest.fixture
def supporter_b_client(supporter_b):
    return client_for(supporter_b)


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


@pytest.fixture
def admin_client_(admin_user):
    return client_for(admin_user)


@pytest.fixture
def persona_clients(anon_client, supporter_a_client, supporter_b_client, editor_client, admin_client_):
    return {
        "anonymous": anon_client,
        "supporter_a": supporter_a_client,
        "supporter_b": supporter_b_client,
        "editor": editor_client,
        "admin": admin_client_,
    }


def _selects_browser_tests(config) -> bool:
    """Whether this run would collect the browser package (by its arguments and -m)."""
    from pathlib import Path

    if "not browser" in (config.option.markexpr or ""):
        return False
    browser_dir = Path(config.rootpath, "tests", "browser").resolve()
    for arg in config.args or [str(Path(config.rootpath, "tests"))]:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == browser_dir or browser_dir in path.parents or path in browser_dir.parents:
            return True
    return False


def pytest_configure(config):
    """Without a Chromium, stop before any test runs, with the one line saying what to install.

    Checked here, in the controlling process: a worker that stops on its own leaves pytest-xdist
    printing an internal error instead of that line."""
    if hasattr(config, "workerinput") or not _selects_browser_tests(config):
        return
    from tests.find_browser import MISSING, chromium_path

    if chromium_path() is None:
        pytest.exit(MISSING, returncode=3)


# Packages whose files take longest, started first: the workers then fill in around them
# with the short files instead of one of them finishing a long file alone at the end. (In a
# parallel run pytest-xdist's loadfile hands out files by their number of tests instead, most
# first, unless --no-loadscope-reorder: see docs/architecture.md, "Tests".)
LONGEST_FIRST = ("/tests/browser/", "/tests/security/")


def pytest_collection_modifyitems(config, items):
    def weight(item) -> int:
        path = str(item.path)
        return next((i for i, part in enumerate(LONGEST_FIRST) if part in path), len(LONGEST_FIRST))

    # Then the modules on the real world before the others, so each process loads it about once
    # (the browser package commits its own data and runs with the world rolled back).
    by_module: dict = {}
    for item in items:
        by_module.setdefault(item.module, []).append(item)
    on_world = {module for module, its in by_module.items() if _uses_world(its)}
    items.sort(key=lambda item: (weight(item), item.module not in on_world))
