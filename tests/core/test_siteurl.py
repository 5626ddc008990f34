"""The site's address in links read away from the page: fixed in production, the request's own
host in development."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from casebase.core.siteurl import DEVELOPMENT_FALLBACK, site_url


@pytest.mark.django_db
def test_with_no_site_url_an_invitation_points_at_the_host_the_site_runs_on(
    editor_client, org_a, django_capture_on_commit_callbacks
):
    with override_settings(SITE_URL=""), django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/accounts/invite/",
            {"email": "someone@example.org", "organization": org_a.pk},
            HTTP_HOST="localhost:8123",
        )
    assert response.status_code == 302
    assert re.search(r"http://localhost:8123/accounts/invite/\S+/", mail.outbox[0].body)
    assert "127.0.0.1:8000" not in mail.outbox[0].body


@pytest.mark.django_db
def test_with_no_site_url_a_citation_names_the_request_s_host(client, casebase_data):
    from casebase.cases.models import CaseStudy

    case = CaseStudy.objects.published().first()
    with override_settings(SITE_URL=""):
        page = client.get(case.get_absolute_url(), HTTP_HOST="localhost:9000").text
        # Outside a request there is no host to follow: the development default.
        assert site_url() == DEVELOPMENT_FALLBACK
    assert f"http://localhost:9000{case.get_absolute_url()}" in page
    assert "127.0.0.1:8000" not in page


@pytest.mark.django_db
def test_a_set_site_url_wins_over_the_request_s_host(
    editor_client, org_a, django_capture_on_commit_callbacks
):
    with override_settings(SITE_URL="https://casebase.example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                "/accounts/invite/",
                {"email": "someone@example.org", "organization": org_a.pk},
                HTTP_HOST="localhost:8123",
            )
    assert "https://casebase.example.org/accounts/invite/" in mail.outbox[0].body
