"""The optional read replica: anonymous readers' public pages read from it, everything else from the primary.

The ``replica`` alias here is a test mirror of the test database (a second
connection to it, as settings make it when DATABASE_REPLICA_URL is set), added
for the tests of one class only. Tests that read through it commit their data
(``transaction=True``): on PostgreSQL a second connection cannot see what an open
test transaction wrote, and on SQLite it would find the tables locked.
"""

import copy
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections, router, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from casebase.cases.models import CaseStudy
from casebase.core import dbrouting, pagecache
from casebase.core.dbrouting import PRIMARY, REPLICA, PrimaryReplicaRouter, ReplicaReadsMiddleware
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BOTH = [PRIMARY, REPLICA]


@pytest.fixture(scope="class")
def replica(django_db_setup):
    """A ``replica`` alias that mirrors the test database, as Django's TEST MIRROR would."""
    added = REPLICA not in connections.settings
    if added:
        mirror = copy.deepcopy(connections.settings[PRIMARY])
        mirror["TEST"] = {**mirror.get("TEST", {}), "MIRROR": PRIMARY}
        connections.settings[REPLICA] = mirror
    yield
    if added:
        wrapper = connections[REPLICA]
        if wrapper.connection is not None:
            wrapper.connection.close()  # close() keeps in-memory SQLite open
        del connections[REPLICA]
        del connections.settings[REPLICA]


class Queries:
    """The queries each alias ran inside the block."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in BOTH}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def __getitem__(self, alias):
        return [query["sql"] for query in self.contexts[alias].captured_queries]


def request_for(method, path, user=None):
    request = getattr(RequestFactory(), method.lower())(path)
    request.user = user or AnonymousUser()
    return request


def flag_seen(request) -> bool:
    """Whether the view behind ReplicaReadsMiddleware ran with replica reads on."""
    seen = []

    def view(request):
        seen.append(dbrouting.replica_reads_active())
        return HttpResponse()

    ReplicaReadsMiddleware(view)(request)
    assert not dbrouting.replica_reads_active(), "the flag must not outlive the request"
    return seen[0]


# --- Without DATABASE_REPLICA_URL nothing changes --------------------------------------------


def test_without_a_replica_the_router_has_no_opinion_and_the_middleware_steps_aside():
    if REPLICA in connections.settings:
        pytest.skip("DATABASE_REPLICA_URL is set for this run")
    routing = PrimaryReplicaRouter()
    with dbrouting.reads_from_replica():
        assert not dbrouting.replica_reads_active()
        assert routing.db_for_read(CaseStudy) is None
    assert routing.db_for_write(CaseStudy) is None
    assert routing.allow_migrate(PRIMARY, "cases") is None
    one, other = CaseStudy(), CaseStudy()
    one._state.db = other._state.db = PRIMARY
    assert routing.allow_relation(one, other) is None
    with pytest.raises(MiddlewareNotUsed):
        ReplicaReadsMiddleware(lambda request: HttpResponse())


def _settings_in_a_fresh_process(**env):
    code = (
        "import django, json; from django.conf import settings as s; django.setup(); "
        "print(json.dumps({alias: {k: v for k, v in db.items() if k != 'OPTIONS'} | "
        "{'OPTIONS': sorted(db['OPTIONS']), 'POOL': sorted(db['OPTIONS'].get('pool', {}))} "
        "for alias, db in s.DATABASES.items()}, default=str))"
    )
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "casebase.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_add_the_replica_alias_only_with_database_replica_url():
    primary = "postgres://casebase@db.internal:5432/casebase"
    assert set(_settings_in_a_fresh_process(DATABASE_URL=primary)) == {PRIMARY}

    databases = _settings_in_a_fresh_process(
        DATABASE_URL=primary, DATABASE_REPLICA_URL="postgres://casebase@replica.internal:5432/casebase"
    )
    assert set(databases) == {PRIMARY, REPLICA}
    default, replica = databases[PRIMARY], databases[REPLICA]
    assert replica["HOST"] == "replica.internal"
    # The same construction as the primary's: psycopg pool, connection settings.
    assert replica["ENGINE"] == default["ENGINE"] == "django.db.backends.postgresql"
    assert replica["POOL"] == default["POOL"] == ["check", "max_size", "min_size", "timeout"]
    assert replica["CONN_MAX_AGE"] == default["CONN_MAX_AGE"] == 0


# --- With a replica ----------------------------------------------------------------------------


@pytest.mark.usefixtures("replica")
class TestRouting:
    """The router and the middleware on their own."""

    def test_reads_go_to_the_replica_only_while_a_request_allows_it(self):
        routing = PrimaryReplicaRouter()
        assert routing.db_for_read(CaseStudy) == PRIMARY
        with dbrouting.reads_from_replica():
            assert routing.db_for_read(CaseStudy) == REPLICA
            # Writes never: not even of a record that was read from the replica.
            assert routing.db_for_write(CaseStudy) == PRIMARY
            assert router.db_for_write(CaseStudy, instance=CaseStudy(pk=1)) == PRIMARY
        assert routing.db_for_read(CaseStudy) == PRIMARY

    def test_migrations_only_on_the_primary_and_relations_across_the_aliases(self):
        routing = PrimaryReplicaRouter()
        assert routing.allow_migrate(REPLICA, "cases") is False
        assert routing.allow_migrate(PRIMARY, "cases") is None
        on_primary, on_replica = CaseStudy(), CaseStudy()
        on_primary._state.db, on_replica._state.db = PRIMARY, REPLICA
        assert routing.allow_relation(on_primary, on_replica) is True

    @pytest.mark.django_db(databases=BOTH)
    def test_reads_inside_a_transaction_stay_on_the_primary(self):
        with dbrouting.reads_from_replica():
            # The test's own wrapping transaction does not count...
            assert router.db_for_read(CaseStudy) == REPLICA
            # ...the code's does.
            with transaction.atomic():
                assert router.db_for_read(CaseStudy) == PRIMARY
            assert router.db_for_read(CaseStudy) == REPLICA

    @pytest.mark.parametrize("method", ["GET", "HEAD"])
    @pytest.mark.parametrize(
        "path", ["/", "/cases/", "/cases/some-case/", "/analysis/matrix/", "/api/cases/"]
    )
    def test_anonymous_reads_of_public_pages_are_marked(self, method, path):
        assert flag_seen(request_for(method, path))

    @pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
    def test_other_methods_are_not(self, method):
        assert not flag_seen(request_for(method, "/cases/"))

    @pytest.mark.parametrize(
        "path",
        ["/accounts/login/", "/accounts/password-reset/", "/submit/", "/review/", "/admin/", "/healthz"],
    )
    def test_other_pages_are_not(self, path):
        assert not flag_seen(request_for("GET", path))

    def test_signed_in_readers_are_not(self, django_user_model):
        assert not flag_seen(request_for("GET", "/cases/", user=django_user_model(username="someone")))

    def test_a_streamed_body_reads_with_the_flag_while_it_is_sent(self):
        def chunks():
            yield str(dbrouting.replica_reads_active())

        response = ReplicaReadsMiddleware(lambda request: StreamingHttpResponse(chunks()))(
            request_for("GET", "/cases/")
        )
        assert not dbrouting.replica_reads_active()
        assert b"".join(response.streaming_content) == b"True"
        assert not dbrouting.replica_reads_active()

    def test_after_a_content_change_reads_stay_on_the_primary_while_the_replica_catches_up(
        self, settings, monkeypatch
    ):
        settings.PAGE_CACHE_SECONDS = 60
        settings.DATABASE_REPLICA_CATCH_UP_SECONDS = 5
        clock = [1000.0]
        monkeypatch.setattr(dbrouting, "time", types.SimpleNamespace(monotonic=lambda: clock[0]))
        seen = []

        def view(request):
            seen.append(dbrouting.replica_reads_active())
            return HttpResponse()

        middleware = ReplicaReadsMiddleware(view)

        def reads_from_replica() -> bool:
            middleware(request_for("GET", "/cases/"))
            return seen[-1]

        assert not reads_from_replica()  # a new process does not know when content last changed
        clock[0] += 5
        assert reads_from_replica()
        pagecache.bump()
        assert not reads_from_replica()
        clock[0] += 4.9
        assert not reads_from_replica()
        clock[0] += 0.1
        assert reads_from_replica()

        settings.PAGE_CACHE_SECONDS = 0  # no page cache: nothing would keep a stale page
        pagecache.bump()
        assert reads_from_replica()


@pytest.mark.usefixtures("replica")
@pytest.mark.django_db(transaction=True, databases=BOTH)
class TestRequests:
    """Whole requests through the test client: which alias ran the queries."""

    @pytest.mark.parametrize("method", ["get", "head"])
    def test_anonymous_reader_of_a_public_page_reads_from_the_replica(
        self, committed_data, anon_client, method
    ):
        with Queries() as queries:
            response = getattr(anon_client, method)("/cases/")
        assert response.status_code == 200
        assert queries[REPLICA]
        assert queries[PRIMARY] == []

    def test_anonymous_export_streams_from_the_replica(self, committed_data, anon_client):
        with Queries() as queries:
            response = anon_client.get("/cases/?format=csv")
            body = b"".join(response.streaming_content).decode()
        assert response.status_code == 200
        assert CaseStudy.objects.published().first().title in body
        assert queries[REPLICA]
        assert queries[PRIMARY] == []

    @pytest.mark.parametrize("persona", ["supporter_a_client", "editor_client", "admin_client_"])
    def test_signed_in_readers_read_from_the_primary(self, committed_data, request, persona):
        client = request.getfixturevalue(persona)
        with Queries() as queries:
            response = client.get("/cases/")
        assert response.status_code == 200
        assert queries[PRIMARY]
        assert queries[REPLICA] == []

    def test_anonymous_sign_in_attempt_reads_and_writes_the_primary(self, supporter_a, anon_client):
        # A failed sign-in is written by django-axes (the lockout counts it).
        with Queries() as queries:
            response = anon_client.post(
                "/accounts/login/", {"username": "supporter_a", "password": "wrong-" + PASSWORD}
            )
        assert response.status_code == 200
        assert AccessAttempt.objects.filter(username="supporter_a").count() == 1
        assert any(sql.startswith("INSERT") for sql in queries[PRIMARY])
        assert queries[REPLICA] == []

    def test_anonymous_post_to_a_public_page_uses_the_primary(self, committed_data, anon_client):
        with Queries() as queries:
            anon_client.post("/cases/")
        assert queries[PRIMARY]
        assert queries[REPLICA] == []

    def test_reads_outside_a_request_use_the_primary(self, committed_data):
        with Queries() as queries:
            assert CaseStudy.objects.published().count() > 0
        assert queries[PRIMARY]
        assert queries[REPLICA] == []

    def test_a_record_read_from_the_replica_is_saved_to_the_primary(self, committed_data):
        with dbrouting.reads_from_replica():
            case = CaseStudy.objects.published().first()
            assert case._state.db == REPLICA
            with Queries() as queries:
                case.save()
        assert any(sql.startswith("UPDATE") for sql in queries[PRIMARY])
        assert [sql for sql in queries[REPLICA] if not sql.startswith("SELECT")] == []
        assert case._state.db == PRIMARY
