"""The benchmark's baseline view: tiny, data-free, behind the same middleware as every page."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_baseline_answers_a_few_bytes_without_touching_the_database(anon_client, db):
    with CaptureQueriesContext(connection) as queries:
        response = anon_client.get("/bench/baseline")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "X-Request-ID" in response  # went through the site's middleware
    assert len(queries) == 0


def test_baseline_is_read_only(anon_client, db):
    assert anon_client.post("/bench/baseline").status_code == 405
