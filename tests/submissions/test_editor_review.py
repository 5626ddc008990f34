"""The editor's review page: comments internal by default, publishing checked, the way to the
verification worklist, and names as people read them."""

import pytest

from casebase.cases.models import CaseStudy, Cohort
from casebase.submissions import services
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
