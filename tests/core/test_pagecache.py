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


def test_changes_to_unpublished_cases_keep_the_cached_pages(
    casebase_data, org_a, page_cache, django_capture_on_commit_callbacks
):
    """A draft is on no public page: saving it, tagging it or coding it starts no new version;
    publishing it, and unpublishing a published case, do."""
    from taggit.models import Tag

    from casebase.cases.models import Application
    from casebase.framework.models import Recommendation, StakeholderRole

    version = pagecache.content_version

    with django_capture_on_commit_callbacks(execute=True):
        draft = CaseStudy.objects.create(organization=org_a, slug="a-draft", title="A draft")
        # A new topic tag is a record of its own (a version); using an existing one is not.
        Tag.objects.get_or_create(name="a-draft-topic", slug="a-draft-topic")
    before = version()
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "A better draft"
        draft.save()
        draft.tags.add("a-draft-topic")
        draft.roles.add(StakeholderRole.objects.first())
        Application.objects.create(case=draft, recommendation=Recommendation.objects.first())
        draft.applications.first().delete()
    assert version() == before

    with django_capture_on_commit_callbacks(execute=True):
        draft.is_published = True
        draft.save()
    published = version()
    assert published != before

    with django_capture_on_commit_callbacks(execute=True):
        draft.is_published = False
        draft.save()
    unpublished = version()
    assert unpublished != published

    # Deleting a draft: no public page showed it.
    with django_capture_on_commit_callbacks(execute=True):
        draft.delete()
    assert version() == unpublished

    # A published case loaded afresh and taken off the site: its pages change.
    case = CaseStudy.objects.get(slug="bbc")
    with django_capture_on_commit_callbacks(execute=True):
        case.is_published = False
        case.save()
    assert version() != unpublished


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


def test_host_and_scheme_are_part_of_the_key(anon_client, casebase_data, page_cache):
    """The feed's links are absolute, built from the request's host and scheme: a page
    cached for one host (or for plain HTTP) must never be served to readers of another."""
    first = anon_client.get("/feeds/cases/", HTTP_HOST="localhost")
    assert first["X-Page-Cache"] == "miss"
    assert "http://localhost/cases/" in first.text
    other_host = anon_client.get("/feeds/cases/")
    assert other_host["X-Page-Cache"] == "miss"
    assert "http://testserver/cases/" in other_host.text and "localhost" not in other_host.text
    secure = anon_client.get("/feeds/cases/", secure=True)
    assert secure["X-Page-Cache"] == "miss"
    assert "https://testserver/cases/" in secure.text
    assert anon_client.get("/feeds/cases/", HTTP_HOST="localhost")["X-Page-Cache"] == "hit"
