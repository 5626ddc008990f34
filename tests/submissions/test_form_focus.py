"""The case form after a failed save, and a new case started from a gap-map cell."""

from pathlib import Path

import pytest
from django.conf import settings

from casebase.submissions.models import Status, Submission

from .test_permission_matrix import form_post


def input_tag(page: str, element_id: str) -> str:
    before, after = page.split(f'id="{element_id}"', 1)
    return before.rsplit("<input", 1)[1] + after.split(">", 1)[0]


@pytest.mark.django_db
def test_a_failed_save_puts_the_focus_on_the_error_summary(make_submission, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    response = supporter_a_client.post(f"/submit/{submission.pk}/edit/", form_post(submission, title=""))
    assert response.status_code == 422
    summary = response.content.decode().split('class="error-summary"')[1].split(">")[0]
    assert 'tabindex="-1"' in summary and "autofocus" in summary


@pytest.mark.django_db
def test_a_gap_map_cell_starts_a_case_with_its_recommendation_and_role(framework, supporter_a_client):
    page = supporter_a_client.get("/submit/new/?rec=builders-2&role=creator").content.decode()
    assert '<option value="builders-2" selected>' in page
    role_input = input_tag(page, "id_roles_1")
    assert 'value="creator"' in role_input and "checked" in role_input
    builder_input = input_tag(page, "id_roles_0")
    assert "checked" not in builder_input


@pytest.mark.django_db
def test_a_principle_cell_fills_in_the_principle(framework, supporter_a_client):
    page = supporter_a_client.get("/submit/new/?principle=consent&role=builder").content.decode()
    consent = input_tag(page, "id_principles_0")
    assert 'value="consent"' in consent and "checked" in consent


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["rec=no-such-rec&role=no-such-role", "rec=" + "x" * 5000, "rec=%00&role=%00", "rec=&role="]
)
def test_unknown_or_hostile_suggestions_are_ignored(framework, supporter_a_client, query):
    response = supporter_a_client.get(f"/submit/new/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    options = page.split('id="id_apps-0-recommendation"')[1].split("</select>")[0]
    assert "selected" not in options.split("</option>", 1)[1]  # only the "Choose" placeholder
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_a_suggested_case_saves_with_what_was_suggested(framework, supporter_a_client, org_a):
    data = form_post(Submission(organization=org_a, version=0))
    data |= {"apps-0-recommendation": "builders-2", "roles": ["creator"], "version": "0"}
    supporter_a_client.post("/submit/new/?rec=builders-2&role=creator", data)
    content = Submission.objects.get().content
    assert content["applications"][0]["recommendation"] == "builders-2"
    assert content["roles"] == ["creator"]


def test_the_sticky_save_bar_leaves_room_for_the_focused_field():
    """Scrolling a field into view (Tab, an error link) keeps the save bar's height free
    (the browser journey tabs through the whole form at both widths)."""
    css = (Path(settings.BASE_DIR) / "static/css/workflow.css").read_text()
    assert ":root:has(.form-actions) { scroll-padding-bottom:" in css
