"""The public page cache: anonymous readers get cached pages until content changes."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from casebase.cases.models import CaseStudy
from casebase.core import pagecache

MIDDLEWARE = list(settings.MIDDLEWARE)
if "casebase.core.pagecache.PublicPageCacheMiddleware" not in MIDDLEWARE:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
        "casebase.core.pagecache.PublicPageCacheMiddleware",
    )


@pytest.fixture
def page_cache():
    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=60, MIDDLEWARE=MIDDLEWARE):
        yield
    cache.clear()


def test_off_in_tests_and_development_unless_asked_for(anon_client, casebase_data):
    with override_settings(MIDDLEWARE=MIDDLEWARE):
        assert pagecache.seconds() == 0
        assert "X-Page-Cache" not in anon_client.get("/cases/")


def test_second_anonymous_view_is_served_from_the_cache(anon_client, casebase_data, page_cache):
    first = anon_client.get("/cases/")
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = anon_client.get("/cases/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert len(queries) == 0
    # The query string is part of the key.
    assert anon_client.get("/cases/?role=builder")["X-Page-Cache"] == "miss"


def test_an_edit_is_shown_at_once(anon_client, casebase_data, page_cache, django_capture_on_commit_callbacks):
    case = CaseStudy.objects.published().get(slug="bbc")
    anon_client.get(case.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        case.title = "A corrected title"
        case.save()
    response = anon_client.get(case.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "A corrected title" in response.text


def test_tag_changes_and_deletes_start_a_new_version(
    casebase_data, page_cache, django_capture_on_commit_callbacks
):
    case = CaseStudy.objects.published().get(slug="bbc")
    before = pagecache.content_version()
    with django_capture_on_commit_callbacks(execute=True):
        case.tags.add("a-new-topic")
    after_tag = pagecache.content_version()
    assert after_tag != before
    with django_capture_on_commit_callbacks(execute=True):
        case.applications.first().delete()
    assert pagecache.content_version() != after_tag


def test_signed_in_readers_and_other_paths_are_never_cached(
    editor_client, anon_client, casebase_data, page_cache
):
    editor_client.get("/cases/")
    assert "X-Page-Cache" not in editor_client.get("/cases/")
    assert "X-Page-Cache" not in anon_client.get("/healthz")
    assert "X-Page-Cache" not in anon_client.get("/accounts/login/")
    assert "X-Page-Cache" not in anon_client.get("/cases/no-such-case/")  # 404s are not kept


def test_the_read_api_is_cached_too(anon_client, casebase_data, page_cache):
    first = anon_client.get("/api/cases/")
    assert first["X-Page-Cache"] == "miss"
    second = anon_client.get("/api/cases/")
    assert second["X-Page-Cache"] == "hit"
    assert second.json() == first.json()


def test_hits_are_served_compressed_to_readers_who_accept_gzip(anon_client, casebase_data, page_cache):
    import gzip

    first = anon_client.get("/framework/")
    hit = anon_client.get("/framework/", headers={"accept-encoding": "gzip, br"})
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit["Vary"]
    assert gzip.decompress(hit.content) == first.content
    plain = anon_client.get("/framework/")
    assert "Content-Encoding" not in plain and plain.content == first.content
