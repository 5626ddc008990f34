"""What people see, and what the logs say, when something breaks."""

import io
import json
import logging
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory

from casebase.core.views import server_error


def database_down():
    """Every query fails the way it does while PostgreSQL restarts."""
    return mock.patch.object(
        CursorWrapper,
        "execute",
        side_effect=OperationalError("terminating connection due to administrator command"),
    )


@pytest.fixture
def log_lines():
    """The lines the site's own log handler writes, as formatted for production."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console")
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield lambda: [line for line in stream.getvalue().splitlines() if line]
    finally:
        handler.setStream(old)


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response["Retry-After"]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/cases/", "/framework/", "/organizations/"])
def test_database_outage_gives_the_friendly_503(path, db, log_lines):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get(path)
    assert response.status_code == 503
    body = response.content.decode()
    assert "Casebase is briefly unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert response["X-Request-ID"] in body
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    entries = [json.loads(line) for line in log_lines()]
    assert any("database unavailable" in e["message"] for e in entries)
    # Including Django's own "Service Unavailable" line, written after the middleware returned.
    assert entries and all(e["request_id"] == response["X-Request-ID"] for e in entries), entries


def test_database_outage_on_the_api_answers_json(db):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/api/cases/")
    assert response.status_code == 503
    assert response.json()["request_id"] == response["X-Request-ID"]


def test_database_outage_outside_a_view_still_gives_the_503():
    """A failure in a middleware (saving a session, say) reaches handler500, which says 503 too."""
    request = RequestFactory().get("/cases/")
    request.request_id = "abc123"
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert b"briefly unavailable" in response.content and b"abc123" in response.content


@pytest.mark.urls("tests.reliability.urls")
def test_500_page_shows_the_request_id_and_every_log_line_carries_it(db, log_lines):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", headers={"X-Request-ID": "req42fromthebalancer"})
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and "Traceback" not in body
    assert response["X-Request-ID"] == "req42fromthebalancer"
    assert "req42fromthebalancer" in body
    lines = log_lines()
    assert lines, "the error was not logged"
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(e["request_id"] == "req42fromthebalancer" for e in entries), entries
    error = next(e for e in entries if e["level"] == "ERROR")
    assert "RuntimeError: a bug in a view" in error["exc_info"]  # the traceback stays inside its line


def test_log_lines_outside_requests_are_json_too(log_lines):
    logging.getLogger("casebase.test").warning("a message\nwith a newline")
    (line,) = log_lines()
    entry = json.loads(line)
    assert entry["request_id"] == "-" and entry["message"] == "a message\nwith a newline"


def test_untrusted_request_ids_are_replaced(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response["X-Request-ID"]) == 32
