"""One draft per new case: saving again, reloading, double clicks and Back never make a second;
a draft that never went to PAI can be discarded; drafts can be told apart on the dashboard."""

import uuid

import pytest
from django.utils.timezone import localtime

from casebase.cases.models import CaseStudy
from casebase.submissions import services
from casebase.submissions.models import Status, Submission

from .test_permission_matrix import form_post


def new_case_post(org, **changes):
    data = form_post(Submission(organization=org, version=0), **changes)
    data["version"] = "0"
    return data


@pytest.mark.django_db
def test_the_new_case_form_carries_a_one_time_token(framework, supporter_a_client):
    first = supporter_a_client.get("/submit/new/").content.decode()
    second = supporter_a_client.get("/submit/new/").content.decode()
    tokens = [page.split('name="form_token" value="')[1].split('"')[0] for page in (first, second)]
    assert all(uuid.UUID(token) for token in tokens)
    assert tokens[0] != tokens[1]


@pytest.mark.django_db
def test_the_same_new_case_form_posted_twice_makes_one_draft(framework, supporter_a_client, org_a):
    """A double click on "Save draft", or a reload that posts the form again."""
    data = new_case_post(org_a, title="How Organization A saves once") | {"form_token": str(uuid.uuid4())}
    first = supporter_a_client.post("/submit/new/", data)
    second = supporter_a_client.post("/submit/new/", data)
    submission = Submission.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/submit/{submission.pk}/edit/"
    assert CaseStudy.objects.count() == 1
    assert submission.version == 1  # nothing changed, so no second version either


@pytest.mark.django_db
def test_the_same_form_posted_again_with_changes_updates_its_draft(framework, supporter_a_client, org_a):
    """Back to the new-case form, a change, save: the draft it made takes the change."""
    token = str(uuid.uuid4())
    supporter_a_client.post("/submit/new/", new_case_post(org_a) | {"form_token": token})
    changed = new_case_post(org_a, title="How Organization A changed its mind") | {"form_token": token}
    response = supporter_a_client.post("/submit/new/", changed)
    submission = Submission.objects.get()
    assert response["Location"] == f"/submit/{submission.pk}/edit/"
    assert submission.content["title"] == "How Organization A changed its mind"


@pytest.mark.django_db
def test_an_old_new_case_form_does_not_overwrite_later_edits(
    framework, supporter_a, supporter_a_client, org_a
):
    token = str(uuid.uuid4())
    supporter_a_client.post("/submit/new/", new_case_post(org_a) | {"form_token": token})
    submission = Submission.objects.get()
    content = dict(submission.content, title="How Organization A edited it later")
    services.save_draft(submission=submission, content=content, expected_version=1, by=supporter_a)
    stale = new_case_post(org_a, title="How Organization A typed in the old tab") | {"form_token": token}
    response = supporter_a_client.post("/submit/new/", stale)
    assert response.status_code == 409  # the conflict page, with what they typed still in the form
    assert "How Organization A typed in the old tab" in response.content.decode()
    assert Submission.objects.get().content["title"] == "How Organization A edited it later"
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_token_from_another_organization_is_not_shared(
    framework, supporter_a_client, supporter_b_client, org_a, org_b
):
    token = str(uuid.uuid4())
    supporter_a_client.post("/submit/new/", new_case_post(org_a) | {"form_token": token})
    response = supporter_b_client.post("/submit/new/", new_case_post(org_b) | {"form_token": token})
    # B's draft cannot share A's token, and B never sees or changes A's draft.
    assert response.status_code in (302, 400, 409, 422)
    assert (
        Submission.objects.filter(organization=org_a).get().content["title"].startswith("How Organization A")
    )


@pytest.mark.django_db
def test_a_hostile_token_is_no_token(framework, supporter_a_client, org_a):
    data = new_case_post(org_a) | {"form_token": "x" * 10000}
    assert supporter_a_client.post("/submit/new/", data).status_code == 302
    assert Submission.objects.get().creation_token is None


@pytest.mark.django_db
def test_submit_with_parts_missing_goes_to_the_drafts_own_address(framework, supporter_a_client, org_a):
    """Then fixing and saving, or reloading, updates that one draft."""
    token = str(uuid.uuid4())
    data = new_case_post(org_a, title="How Organization A forgot a takeaway", takeaways=["One.", "Two.", ""])
    data |= {"form_token": token, "action": "submit"}
    response = supporter_a_client.post("/submit/new/", data)
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submit/{submission.pk}/edit/?not_submitted=1"
    assert submission.status == Status.DRAFT
    page = supporter_a_client.get(response["Location"]).content.decode()
    assert "Your draft is saved, but it is not submitted yet" in page
    assert f'href="/submit/{submission.pk}/edit/#id_takeaway_3"' in page
    assert 'tabindex="-1" autofocus' in page  # the summary takes the focus
    # Everything typed is in the form, from the saved draft.
    assert 'value="How Organization A forgot a takeaway"' in page
    assert 'value="Two."' in page
    # The same POST again (a reload of the old page) still makes no second draft.
    supporter_a_client.post("/submit/new/", data)
    assert Submission.objects.count() == 1
    fixed = form_post(submission) | {"action": "save"}
    assert supporter_a_client.post(f"/submit/{submission.pk}/edit/", fixed).status_code == 302
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_supporter_discards_a_draft_never_submitted(make_submission, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    page = supporter_a_client.get(f"/submit/{submission.pk}/").content.decode()
    assert "Discard this draft" in page
    assert f'action="/submit/{submission.pk}/discard/"' in page
    assert supporter_a_client.get(f"/submit/{submission.pk}/discard/").status_code == 405
    response = supporter_a_client.post(f"/submit/{submission.pk}/discard/")
    assert response["Location"] == "/submit/"
    assert not Submission.objects.filter(pk=submission.pk).exists()
    assert not CaseStudy.objects.filter(pk=submission.case_id).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.PUBLISHED, Status.CHANGES_REQUESTED])
def test_what_reached_the_editors_cannot_be_discarded(make_submission, supporter_a_client, status):
    submission = make_submission(status)
    assert "Discard this draft" not in supporter_a_client.get(f"/submit/{submission.pk}/").content.decode()
    response = supporter_a_client.post(f"/submit/{submission.pk}/discard/")
    assert response.status_code == 302
    assert Submission.objects.filter(pk=submission.pk).exists()


@pytest.mark.django_db
def test_another_organization_cannot_discard_a_draft(make_submission, supporter_b_client, editor_client):
    submission = make_submission(Status.DRAFT)
    assert supporter_b_client.post(f"/submit/{submission.pk}/discard/").status_code == 404
    assert editor_client.post(f"/submit/{submission.pk}/discard/").status_code == 403
    assert Submission.objects.filter(pk=submission.pk).exists()


@pytest.mark.django_db
def test_the_dashboard_tells_drafts_apart_and_lists_withdrawn_ones_apart(make_submission, supporter_a_client):
    draft = make_submission(Status.DRAFT)
    twin = make_submission(Status.DRAFT)
    withdrawn = make_submission(Status.WITHDRAWN)
    page = supporter_a_client.get("/submit/").content.decode()
    assert f"No. {draft.pk}" in page and f"No. {twin.pk}" in page
    assert localtime(draft.updated_at).strftime("%H:%M") in page  # last saved, to the minute
    all_cases, withdrawn_part = page.split('id="withdrawn-title"')
    assert f'href="/submit/{withdrawn.pk}/"' in withdrawn_part
    assert f'href="/submit/{withdrawn.pk}/"' not in all_cases
    assert f'href="/submit/{draft.pk}/"' in all_cases
