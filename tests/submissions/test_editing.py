"""Nothing lost: validation errors, concurrent edits and expired sessions keep what was typed."""

import pytest
from django.test import Client

from casebase.submissions import services
from casebase.submissions.models import Status, Submission

from .conftest import publish_post
from .test_permission_matrix import form_post

LONG_RESPONSE = "A long response written over an hour, with <angle brackets> & ampersands.\n\n" * 20


@pytest.mark.django_db
def test_new_case_is_created_for_the_supporters_organization(framework, supporter_a_client, org_a):
    data = form_post(Submission(organization=org_a, version=0), title="How Organization A starts")
    response = supporter_a_client.post("/submit/new/", data)
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submit/{submission.pk}/edit/"
    assert submission.organization == org_a
    assert not submission.case.is_published
    assert submission.case.slug.startswith("org-a-how-organization-a-starts")
    assert submission.content["applications"][0]["recommendation"] == "builders-1"
    assert submission.events.get().kind == "created"


@pytest.mark.django_db
def test_validation_error_keeps_every_field_as_typed(make_submission, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    data = form_post(submission, title="")  # the one required field, left empty
    sections = [k for k in data if k.startswith("section_")]
    data[sections[0]] = LONG_RESPONSE
    data["apps-TOTAL_FORMS"] = "2"
    data["apps-1-recommendation"] = "builders-1"  # a duplicate: another error
    data["apps-1-justification"] = "Said twice."
    response = supporter_a_client.post(f"/submit/{submission.pk}/edit/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_title"' in page, "the summary links to the field"
    assert 'aria-invalid="true"' in page
    assert "already listed above" in page
    assert "A long response written over an hour, with &lt;angle brackets&gt; &amp; ampersands." in page
    assert "Said twice." in page
    assert "How should synthetic audio be disclosed?" in page
    assert Submission.objects.get(pk=submission.pk).version == submission.version, "nothing saved"


@pytest.mark.django_db
def test_submit_from_the_form_saves_then_lists_what_is_missing(make_submission, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    data = form_post(submission, title="How Organization A improves")
    data["takeaway_3"] = ""
    data["action"] = "submit"
    response = supporter_a_client.post(f"/submit/{submission.pk}/edit/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Your draft is saved, but it is not submitted yet" in page
    assert 'href="#id_takeaway_3"' in page
    saved = Submission.objects.get(pk=submission.pk)
    assert saved.content["title"] == "How Organization A improves"
    assert saved.status == Status.DRAFT
    assert f'name="version" value="{saved.version}"' in page, "the form carries the new version"


@pytest.mark.django_db
def test_second_save_with_a_stale_version_shows_the_conflict_and_keeps_both_texts(
    make_submission, supporter_a, editor, supporter_a_client
):
    submission = make_submission(Status.CHANGES_REQUESTED)
    loaded_version = submission.version
    # The editor saves first, from the same version.
    theirs = dict(submission.content, framing_question="The editor's better framing question?")
    services.save_draft(submission=submission, content=theirs, expected_version=loaded_version, by=editor)
    # The supporter saves from the page they loaded earlier.
    data = form_post(submission)
    data["version"] = str(loaded_version)
    data["framing_question"] = "The supporter's own framing question?"
    response = supporter_a_client.post(f"/submit/{submission.pk}/edit/", data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this case while you were editing" in page
    assert "The editor&#x27;s better framing question?" in page
    assert "The supporter&#x27;s own framing question?" in page
    saved = Submission.objects.get(pk=submission.pk)
    assert saved.content["framing_question"] == "The editor's better framing question?", "not overwritten"
    assert f'name="version" value="{saved.version}"' in page
    # Saving again from the conflict page is a deliberate choice and goes through.
    data["version"] = str(saved.version)
    assert supporter_a_client.post(f"/submit/{submission.pk}/edit/", data).status_code == 302
    assert Submission.objects.get(pk=submission.pk).content["framing_question"] == (
        "The supporter's own framing question?"
    )


@pytest.mark.django_db
def test_save_without_a_version_is_a_conflict_not_an_overwrite(make_submission, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    data = form_post(submission, title="How Organization A forgot the version")
    del data["version"]
    assert supporter_a_client.post(f"/submit/{submission.pk}/edit/", data).status_code == 409
    assert (
        Submission.objects.get(pk=submission.pk).content["title"] != "How Organization A forgot the version"
    )


@pytest.mark.django_db
def test_expired_session_keeps_the_work_until_signing_in_again(make_submission, supporter_a):
    from tests.conftest import PASSWORD

    submission = make_submission(Status.DRAFT)
    browser = Client()
    browser.force_login(supporter_a, backend="django.contrib.auth.backends.ModelBackend")
    edit_url = f"/submit/{submission.pk}/edit/"
    assert browser.get(edit_url).status_code == 200
    # The session expires while the supporter writes.
    browser.session.flush()
    browser.cookies.pop("sessionid", None)
    data = form_post(submission, title="How Organization A wrote for an hour")
    sections = [k for k in data if k.startswith("section_")]
    data[sections[1]] = LONG_RESPONSE
    response = browser.post(edit_url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={edit_url}"
    assert Submission.objects.get(pk=submission.pk).content["title"] != "How Organization A wrote for an hour"
    # Sign in again through the real form.
    response = browser.post(
        "/accounts/login/", {"username": "supporter_a", "password": PASSWORD, "next": edit_url}
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url
    page = browser.get(edit_url).content.decode()
    assert "We kept what you wrote" in page
    assert "How Organization A wrote for an hour" in page
    assert "A long response written over an hour, with &lt;angle brackets&gt; &amp; ampersands." in page
    # Kept once: a reload shows the saved copy again.
    assert "We kept what you wrote" not in browser.get(edit_url).content.decode()


@pytest.mark.django_db
def test_expired_session_keeps_a_new_case_and_a_comment(framework, make_submission, supporter_a, org_a):
    from tests.conftest import PASSWORD

    submission = make_submission(Status.IN_REVIEW)
    browser = Client()
    browser.post("/submit/new/", form_post(Submission(organization=org_a, version=0), title="How A began"))
    browser.post(f"/submit/{submission.pk}/comment/", {"body": "My long answer to the editors."})
    assert not Submission.objects.filter(content__title="How A began").exists()
    browser.post("/accounts/login/", {"username": "supporter_a", "password": PASSWORD})
    assert "How A began" in browser.get("/submit/new/").content.decode()
    assert "My long answer to the editors." in browser.get(f"/submit/{submission.pk}/").content.decode()


@pytest.mark.django_db
def test_kept_work_stays_with_the_browser_that_wrote_it(make_submission, supporter_a, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    Client().post(
        f"/submit/{submission.pk}/edit/", form_post(submission, title="How someone else wrote this")
    )
    assert (
        "How someone else wrote this"
        not in supporter_a_client.get(f"/submit/{submission.pk}/edit/").content.decode()
    )


@pytest.mark.django_db
def test_preview_shows_the_working_copy_as_readers_will_see_it(
    make_submission, supporter_a, supporter_a_client
):
    submission = make_submission(Status.DRAFT)
    content = dict(submission.content)
    content["sections"][0]["response"] = "We build **voice** tools."
    services.save_draft(
        submission=submission, content=content, expected_version=submission.version, by=supporter_a
    )
    page = supporter_a_client.get(f"/submit/{submission.pk}/preview/").content.decode()
    assert "This is how readers will see the case" in page
    assert "<strong>voice</strong>" in page
    assert "How should synthetic audio be disclosed?" in page
    assert "Recommendation 1" in page
    assert "Implemented" in page


@pytest.mark.django_db
def test_sections_follow_the_template_records(make_submission, supporter_a_client):
    from casebase.cases.models import TemplateSection

    TemplateSection.objects.create(order=4, heading="Next year's new question", prompt="Something new?")
    submission = make_submission(Status.DRAFT)
    page = supporter_a_client.get(f"/submit/{submission.pk}/edit/").content.decode()
    assert "4. Next year&#x27;s new question" in page
    assert "Something new?" in page
    # Retiring a section keeps what was written under it.
    TemplateSection.objects.filter(order=1).update(is_active=False)
    page = supporter_a_client.get(f"/submit/{submission.pk}/edit/").content.decode()
    assert "Organizational background (from an earlier template)" in page
    assert "Our answer about organizational background." in page


@pytest.mark.django_db
@pytest.mark.parametrize("initial_forms", ["0", "1"])
def test_saving_keeps_recommendations_left_as_they_were(make_submission, supporter_a_client, initial_forms):
    submission = make_submission(Status.DRAFT)
    data = form_post(submission, title="How Organization A changed only the title")
    data["apps-INITIAL_FORMS"] = initial_forms
    assert supporter_a_client.post(f"/submit/{submission.pk}/edit/", data).status_code == 302
    saved = Submission.objects.get(pk=submission.pk)
    assert saved.content["title"] == "How Organization A changed only the title"
    assert [a["recommendation"] for a in saved.content["applications"]] == ["builders-1"]


@pytest.mark.django_db
def test_removing_a_recommendation(make_submission, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    data = form_post(submission)
    data["apps-INITIAL_FORMS"] = "1"
    data["apps-0-DELETE"] = "on"
    assert supporter_a_client.post(f"/submit/{submission.pk}/edit/", data).status_code == 302
    assert Submission.objects.get(pk=submission.pk).content["applications"] == []


LONG_TAG = "a topic tag typed far too long for the tag table " * 3  # 150 characters


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["supporter", "editor"])
@pytest.mark.parametrize(
    "tags, message",
    [
        (f"audio, {LONG_TAG}", "Each topic tag can be at most 90 characters"),
        (", ".join(f"t{n}" for n in range(21)), "Use at most 20 topic tags; there are 21."),
    ],
)
def test_topic_tags_the_tag_table_cannot_hold_are_refused_by_the_form(
    make_submission, supporter_a_client, editor_client, who, tags, message
):
    submission = make_submission(Status.DRAFT if who == "supporter" else Status.IN_REVIEW)
    client, url = (
        (supporter_a_client, f"/submit/{submission.pk}/edit/")
        if who == "supporter"
        else (editor_client, f"/review/{submission.pk}/edit/")
    )
    data = form_post(submission, title="How Organization A tags its work")
    data["tags"] = tags
    response = client.post(url, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert "How Organization A tags its work" in page, "what was typed stays in the form"
    assert Submission.objects.get(pk=submission.pk).version == submission.version, "nothing saved"


@pytest.mark.django_db
def test_publishing_a_stored_tag_too_long_is_refused_and_the_case_stays_as_it_was(
    make_submission, editor_client
):
    from taggit.models import Tag

    submission = make_submission(Status.APPROVED)
    # A working copy saved before tags were checked at the door.
    content = dict(submission.content, tags=["audio", LONG_TAG])
    Submission.objects.filter(pk=submission.pk).update(content=content)
    response = editor_client.post(f"/review/{submission.pk}/publish/", publish_post(), follow=True)
    assert response.status_code == 200
    assert "Not published: edit the topic tags first." in response.text
    assert "Each topic tag can be at most 90 characters" in response.text
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    assert not submission.case.is_published
    assert not Tag.objects.filter(name=LONG_TAG).exists()
    # Fixed in the form, it publishes.
    content["tags"] = ["audio"]
    Submission.objects.filter(pk=submission.pk).update(content=content)
    editor_client.post(f"/review/{submission.pk}/publish/", publish_post())
    submission.refresh_from_db()
    assert submission.status == Status.PUBLISHED


@pytest.mark.django_db
def test_an_anonymous_post_creates_no_session(framework, org_a):
    """The rescue keeps what was typed in the cache under a cookie's token: nothing in the
    session table, whoever posts and however often."""
    from django.contrib.sessions.models import Session

    from casebase.accounts.access import STASH_COOKIE

    browser = Client()
    response = browser.post("/submit/new/", form_post(Submission(organization=org_a, version=0)))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/submit/new/"
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0
    kept = response.cookies[STASH_COOKIE]
    assert kept["max-age"] == 3600 and kept["httponly"], "kept for an hour, out of scripts' reach"


@pytest.mark.django_db
def test_what_an_expired_session_keeps_is_bounded_in_size(framework, org_a):
    """A body of ~2.4 MB used to become a two-week session; now nothing of it is kept and
    the sign-in page says so (the browser still has the text)."""
    from django.contrib.sessions.models import Session

    from casebase.accounts.access import STASH_COOKIE

    data = form_post(Submission(organization=org_a, version=0), title="How A pasted a lot")
    sections = [k for k in data if k.startswith("section_")]
    for name in sections:
        data[name] = "x" * 800_000
    browser = Client()
    response = browser.post("/submit/new/", data)
    assert response.status_code == 302
    assert Session.objects.count() == 0
    assert STASH_COOKIE not in response.cookies
    page = browser.get(response["Location"]).content.decode()
    assert "what you wrote was too large to keep while you sign in again" in page
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_a_flood_of_anonymous_posts_keeps_only_a_bounded_number(framework, org_a):
    from django.contrib.sessions.models import Session

    from casebase.accounts.access import STASH_COOKIE, STASHES_PER_CLIENT

    data = form_post(Submission(organization=org_a, version=0))
    kept = [
        STASH_COOKIE in Client().post("/submit/new/", data).cookies for _ in range(STASHES_PER_CLIENT + 5)
    ]
    assert kept == [True] * STASHES_PER_CLIENT + [False] * 5
    assert Session.objects.count() == 0
    # The count is per client address: someone else's session can still expire safely.
    assert STASH_COOKIE in Client(REMOTE_ADDR="192.0.2.5").post("/submit/new/", data).cookies
