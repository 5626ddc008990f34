"""A form whose security token went stale (signed in again in another tab) gets a page of the
site, with the way back to the form, and the form puts back what was typed."""

import pytest
from django.test import Client, override_settings

from casebase.accounts.access import STASH_COOKIE
from casebase.submissions.models import Submission
from tests.conftest import PASSWORD

from .test_permission_matrix import form_post


def signed_in_csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_stale_token_gets_a_page_of_the_site_and_the_text_comes_back(framework, supporter_a, org_a, debug):
    client = signed_in_csrf_client(supporter_a)
    client.get("/submit/new/")  # the CSRF cookie of this browser
    data = form_post(Submission(organization=org_a, version=0), title="How A wrote before the tab")
    data["csrfmiddlewaretoken"] = "a-token-from-before-signing-in-again-in-another-tab"
    with override_settings(DEBUG=debug):
        response = client.post("/submit/new/", data)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form was not sent" in page
    assert "What you typed is kept" in page
    assert 'href="/submit/new/"' in page
    assert 'class="site-header' in page or "<header" in page  # the site's own layout
    assert "CSRF verification failed" not in page
    assert STASH_COOKIE in response.cookies
    # Reloading the form brings the text back, unsaved.
    restored = client.get("/submit/new/").content.decode()
    assert "We kept what you wrote" in restored
    assert 'value="How A wrote before the tab"' in restored


@pytest.mark.django_db
def test_a_stale_comment_comes_back_on_the_case_page(make_submission, supporter_a):
    submission = make_submission()
    client = signed_in_csrf_client(supporter_a)
    client.get(f"/submit/{submission.pk}/")
    response = client.post(
        f"/submit/{submission.pk}/comment/",
        {"body": "A reply typed at length.", "csrfmiddlewaretoken": "stale"},
    )
    assert response.status_code == 403
    assert f'href="/submit/{submission.pk}/"' in response.content.decode()
    assert "A reply typed at length." in client.get(f"/submit/{submission.pk}/").content.decode()


def test_the_sign_in_form_is_never_kept(supporter_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "supporter_a", "password": PASSWORD})
    assert response.status_code == 403
    assert "Your form was not sent" in response.content.decode()
    assert STASH_COOKIE not in response.cookies
