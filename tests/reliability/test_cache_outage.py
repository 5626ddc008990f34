"""Redis (cache and sessions) going away slows the site down; it does not break it."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from casebase.organizations.models import Organization

DEAD_REDIS = {
    "default": {
        "BACKEND": "casebase.core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1: connection refused
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_down():
    # Django's setting_changed receiver rebuilds the cache handlers on entry and exit.
    with override_settings(CACHES=DEAD_REDIS, PAGE_CACHE_SECONDS=60):
        assert "127.0.0.1:1/" in str(caches["default"]._servers)
        yield


@pytest.mark.parametrize("path", ["/", "/cases/", "/framework/", "/api/cases/"])
def test_public_pages_answer_while_the_cache_is_down(path, casebase_data, redis_down):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 200, response.content[:300]


def test_saving_content_while_the_cache_is_down(
    casebase_data, redis_down, django_capture_on_commit_callbacks
):
    organization = Organization.objects.get(slug="bbc")
    organization.description = "Edited while the cache was down."
    with django_capture_on_commit_callbacks(execute=True):
        organization.save()
    organization.refresh_from_db()
    assert organization.description == "Edited while the cache was down."
