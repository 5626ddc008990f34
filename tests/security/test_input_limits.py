"""Very long input, unicode and SQL metacharacters: kept exactly, or refused with a clear message; never a 5xx."""

import pytest
from django.urls import reverse

from casebase.submissions.models import Submission
from tests.security.forms import invalid_fields, read_form
from tests.security.test_hostile_input import first_choice
from tests.security.xss import AWKWARD_TEXT

ONE_MEGABYTE = "A" * (1024 * 1024)


def new_case_form(client):
    url = reverse("submissions:new")
    return url, read_form(client.get(url).content.decode(), url)


@pytest.mark.parametrize("text", AWKWARD_TEXT, ids=range(len(AWKWARD_TEXT)))
def test_unicode_and_sql_metacharacters_are_kept_exactly(text, world):
    client = world.clients["supporter_a"]
    url, form = new_case_form(client)
    overrides = dict.fromkeys(form.text_fields, text) | {"title": f"How Organization A {text}"}
    overrides |= first_choice(form, "-recommendation")
    response = client.post(url, form.data(overrides))
    assert response.status_code == 302, invalid_fields(response.content.decode())
    submission = Submission.objects.filter(organization=world.org_a).latest("pk")
    assert submission.content["summary"] == text.strip() or submission.content["summary"] == text
    page = client.get(response["Location"])
    assert page.status_code == 200
    # The search box takes the same text without complaint.
    assert world.clients["anonymous"].get("/cases/", {"q": text}).status_code == 200


@pytest.mark.parametrize("field_kind", ["one-line", "long"])
def test_a_megabyte_in_any_field_gets_a_clear_message(field_kind, world):
    client = world.clients["supporter_a"]
    url, form = new_case_form(client)
    names = [n for n in form.text_fields if (n in form.textareas) == (field_kind == "long")]
    assert names
    for name in names:
        before = Submission.objects.count()
        response = client.post(url, form.data({"title": "How Organization A copes", name: ONE_MEGABYTE}))
        assert response.status_code in (200, 400, 413, 422), (name, response.status_code)
        assert Submission.objects.count() == before, f"{name}: a megabyte was saved"
        if response.status_code != 400:
            body = response.content.decode()
            assert name in invalid_fields(body), f"{name}: no error shown on the field"
            assert "at most" in body or "too long" in body.lower(), f"{name}: no clear message"


def test_a_body_over_the_upload_limit_is_refused_not_crashed(world, settings):
    client = world.clients["supporter_a"]
    url, form = new_case_form(client)
    response = client.post(url, form.data({"summary": "B" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}))
    assert response.status_code == 400


def test_a_megabyte_in_the_search_box(world):
    response = world.clients["anonymous"].get("/cases/", {"q": ONE_MEGABYTE[:200_000]})
    assert response.status_code in (200, 400, 414)
