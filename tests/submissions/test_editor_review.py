"""The editor's review page: comments internal by default, publishing checked, the way to the
verification worklist, and names as people read them."""

import pytest

from casebase.cases.models import CaseStudy, Cohort
from casebase.submissions import services
from casebase.submissions.forms import AssignForm
from casebase.submissions.models import Comment, Status, Submission

pytestmark = pytest.mark.django_db


def test_a_comment_is_internal_unless_the_editor_chooses_otherwise(
    make_submission, editor_client, supporter_a_client
):
    submission = make_submission(Status.SUBMITTED)
    page = editor_client.get(f"/review/{submission.pk}/").text
    form = page[page.index('class="comment-form"') :]
    # The choice comes first, before the text box, and internal is the one already chosen.
    assert form.index("Who can read it") < form.index('name="body"')
    assert (
        'value="1"' in form and "checked" in form[form.index('value="1"') - 80 : form.index('value="1"') + 80]
    )
    assert 'value="0" checked' not in form and 'checked value="0"' not in form

    # A post that names no choice stays with PAI staff.
    editor_client.post(f"/review/{submission.pk}/comment/", {"body": "Between us: check the figures."})
    comment = Comment.objects.get(body="Between us: check the figures.")
    assert comment.internal
    assert "check the figures" not in supporter_a_client.get(f"/submit/{submission.pk}/").text
    # Choosing the supporter still reaches them.
    editor_client.post(f"/review/{submission.pk}/comment/", {"body": "Please add a date.", "internal": "0"})
    assert not Comment.objects.get(body="Please add a date.").internal
    assert "Please add a date." in supporter_a_client.get(f"/submit/{submission.pk}/").text


def test_publishing_refuses_a_case_missing_what_a_public_case_needs_and_lists_it(
    make_submission, editor_client
):
    submission = make_submission(Status.APPROVED)
    content = dict(submission.content, summary="", roles=[])
    Submission.objects.filter(pk=submission.pk).update(content=content)
    page = editor_client.get(f"/review/{submission.pk}/").text
    # The checklist is on the page before the button.
    checklist = page.index("What a published case must have")
    assert checklist < page.index(">Publish</button>")
    assert "Missing:</span> A summary" in page and "Done:</span> A title" in page

    typed = {"message": "First publication.", "official_url": "", "cohort": ""}
    response = editor_client.post(f"/review/{submission.pk}/publish/", typed)
    assert response.status_code == 422
    refusal = response.text[response.text.index('id="publish-refused"') :]
    refusal = refusal[: refusal.index("</div>")]
    for missing in ("a summary", "at least one stakeholder role", "a cohort", "PAI&#x27;s page for the case"):
        assert missing in refusal, missing
    assert "a title" not in refusal and "organization" not in refusal
    assert 'value="First publication."' in response.text  # what the editor typed is kept
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED and not submission.case.is_published

    # With everything given, it publishes, and the address given is the case's.
    Submission.objects.filter(pk=submission.pk).update(content=dict(content, summary="S.", roles=["builder"]))
    cohort = Cohort.objects.create(slug="2025", name="2025")
    response = editor_client.post(
        f"/review/{submission.pk}/publish/",
        typed | {"cohort": cohort.pk, "official_url": "https://partnershiponai.org/a-case/"},
    )
    assert response.status_code == 302
    case = CaseStudy.objects.get(pk=submission.case_id)
    assert case.is_published and case.cohort == cohort
    assert case.official_url == "https://partnershiponai.org/a-case/"


def test_the_service_refuses_without_a_cohort_or_an_answer_about_pai_s_page(make_submission, editor):
    submission = make_submission(Status.APPROVED)
    with pytest.raises(services.NotReadyToPublish) as refusal:
        services.publish(submission=submission, by=editor)
    assert [key for key, _ in refusal.value.missing] == ["cohort", "official_url"]
    assert not CaseStudy.objects.get(pk=submission.case_id).is_published
    cohort = Cohort.objects.create(slug="2025", name="2025")
    services.publish(submission=submission, by=editor, cohort=cohort, no_official_page=True)
    event = submission.events.get(to_status=Status.PUBLISHED)
    assert event.evidence["no_official_page"] is True


def test_the_review_flow_leads_to_the_verification_worklist(make_submission, editor_client, editor):
    submission = make_submission(Status.PUBLISHED)
    # The header, on every page, for staff.
    queue = editor_client.get("/review/").text
    header = queue[queue.index("<header") : queue.index("</header>")]
    assert 'href="/review/quality/"' in header
    # A published case whose facts rest on the organization's word alone says so and links there.
    page = editor_client.get(f"/review/{submission.pk}/").text
    assert "Facts to verify" in page
    assert f'/review/quality/?list=supporter&amp;case={submission.case_id}"' in page
    # An approved case's publish form leads there too.
    approved = make_submission(Status.APPROVED)
    form = editor_client.get(f"/review/{approved.pk}/").text
    form = form[form.index("<h3>Publish</h3>") :]
    assert "/review/quality/?list=supporter" in form[: form.index("</form>")]


def test_a_case_the_worklist_does_not_list_has_no_link(make_submission, editor_client):
    draft = make_submission(Status.SUBMITTED)
    assert "Facts to verify" not in editor_client.get(f"/review/{draft.pk}/").text


def test_names_in_the_assign_list_are_full_names_or_emails(editor, make_submission, editor_client):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    users.create_user("ggrace", "grace@pai.example", is_staff=True, first_name="Grace", last_name="Hopper")
    users.create_user("nonameuser", "plain@pai.example", is_staff=True)
    labels = [label for _, label in AssignForm().fields["assignee"].choices]
    assert "Grace Hopper" in labels and "plain@pai.example" in labels
    assert "ggrace" not in labels and "nonameuser" not in labels
    submission = make_submission(Status.SUBMITTED)
    page = editor_client.get(f"/review/{submission.pk}/").text
    assert ">Grace Hopper</option>" in page and ">plain@pai.example</option>" in page


def test_staff_have_the_admin_in_the_header_and_supporters_do_not(editor_client, supporter_a_client):
    page = editor_client.get("/review/").text
    assert 'href="/admin/"' in page[page.index("<header") : page.index("</header>")]
    page = supporter_a_client.get("/submit/").text
    header = page[page.index("<header") : page.index("</header>")]
    assert 'href="/admin/"' not in header and "/review/quality/" not in header
