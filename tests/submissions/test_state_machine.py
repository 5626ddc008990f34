"""The workflow's state machine: only allowed transitions happen; each is recorded; email is queued."""

import itertools

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.tasks.signals import task_enqueued

from casebase.cases.models import CaseStudy
from casebase.core.mail import send_email
from casebase.submissions import services
from casebase.submissions.models import ReviewEvent, Status, Submission
from tests.submissions.conftest import publishable

ALL_STATUSES = [s for s, _ in Status.choices]


@pytest.fixture
def enqueued():
    """Every django.tasks task enqueued during the test (name and kwargs)."""
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append((task_result.task.name, task_result.kwargs))

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def call(action, submission, *, supporter, editor):
    """Run one action through its service as the actor the state machine expects."""
    if action == "submit":
        return services.submit(submission=submission, by=supporter)
    if action == "withdraw":
        return services.withdraw(submission=submission, by=supporter)
    if action == "reopen":
        return services.reopen(submission=submission, by=supporter)
    if action == "start_revision":
        return services.start_revision(case=submission.case, by=supporter)
    if action == "start_review":
        return services.claim(submission=submission, by=editor)
    if action == "request_changes":
        return services.request_changes(submission=submission, by=editor, message="More detail.")
    if action == "approve":
        return services.approve(submission=submission, by=editor)
    if action == "publish":
        return services.publish(submission=submission, by=editor, **publishable())
    if action == "reject":
        return services.reject(submission=submission, by=editor, reason="Not a case study.")
    raise AssertionError(action)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status,action",
    list(itertools.product(ALL_STATUSES, sorted(services.TRANSITIONS))),
)
def test_only_allowed_transitions_happen(status, action, make_submission, supporter_a, editor):
    """Every (status, action) pair: allowed ones move and are recorded; the rest change nothing."""
    submission = make_submission(status) if status != Status.PUBLISHED else make_submission(Status.PUBLISHED)
    step = services.TRANSITIONS[action]
    allowed = status in step.sources
    if status == Status.REJECTED and action == "start_revision":
        # Only a rejected *revision of a published case* can start again (see below); this one never was.
        allowed = False
    events_before = ReviewEvent.objects.filter(kind=ReviewEvent.Kind.TRANSITION).count()
    before = Submission.objects.get(pk=submission.pk)
    if allowed:
        call(action, submission, supporter=supporter_a, editor=editor)
        after = Submission.objects.get(pk=submission.pk)
        assert after.status == step.target
        event = ReviewEvent.objects.filter(kind=ReviewEvent.Kind.TRANSITION).latest("pk")
        assert (event.from_status, event.to_status) == (status, step.target)
        assert event.actor in (supporter_a, editor)
        assert event.created_at is not None
    elif action == "start_review" and status in Submission.ACTIVE_STATUSES:
        # Claiming a case already in review (or back with the supporter) reassigns it, nothing more.
        call(action, submission, supporter=supporter_a, editor=editor)
        assert Submission.objects.get(pk=submission.pk).status == status
        assert ReviewEvent.objects.filter(kind=ReviewEvent.Kind.TRANSITION).count() == events_before
    else:
        with pytest.raises((services.TransitionNotAllowed, PermissionDenied)):
            call(action, submission, supporter=supporter_a, editor=editor)
        after = Submission.objects.get(pk=submission.pk)
        assert after.status == before.status
        assert ReviewEvent.objects.filter(kind=ReviewEvent.Kind.TRANSITION).count() == events_before


@pytest.mark.django_db
def test_actors_are_enforced(make_submission, supporter_a, supporter_b, editor):
    """Supporters cannot take editors' steps, nor touch another organization's case; editors cannot withdraw."""
    submission = make_submission(Status.IN_REVIEW)
    for step in (services.approve, services.request_changes):
        with pytest.raises(PermissionDenied):
            step(submission=submission, by=supporter_a, message="")
    with pytest.raises(PermissionDenied):
        services.publish(submission=make_submission(Status.APPROVED), by=supporter_a)
    with pytest.raises(PermissionDenied):
        services.withdraw(submission=submission, by=supporter_b)
    with pytest.raises(PermissionDenied):
        services.withdraw(submission=submission, by=editor)
    assert Submission.objects.get(pk=submission.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
def test_incomplete_case_cannot_be_submitted(make_submission, supporter_a):
    submission = make_submission(Status.DRAFT)
    submission.content["takeaways"] = ["Only one.", "", ""]
    submission.content["applications"] = []
    submission.save()
    with pytest.raises(services.NotReadyForReview) as error:
        services.submit(submission=submission, by=supporter_a)
    keys = {key for key, _ in error.value.missing}
    assert {"takeaway_2", "takeaway_3", "applications"} <= keys
    assert Submission.objects.get(pk=submission.pk).status == Status.DRAFT


@pytest.mark.django_db
def test_every_step_notifies_the_other_party(
    make_submission, supporter_a, editor, enqueued, django_capture_on_commit_callbacks
):
    submission = make_submission(Status.DRAFT)
    steps = [
        (lambda: services.submit(submission=submission, by=supporter_a), "editor@example.org", "Submitted"),
        (lambda: services.claim(submission=submission, by=editor), None, None),
        (
            lambda: services.request_changes(submission=submission, by=editor, message="Expand section 2."),
            "supporter_a@example.org",
            "Changes requested",
        ),
        (lambda: services.submit(submission=submission, by=supporter_a), "editor@example.org", "Resubmitted"),
        (lambda: services.approve(submission=submission, by=editor), "supporter_a@example.org", "Approved"),
        (
            lambda: services.publish(submission=submission, by=editor, **publishable()),
            "supporter_a@example.org",
            "Published",
        ),
    ]
    for step, recipient, subject in steps:
        mail.outbox.clear()
        enqueued.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            step()
        if recipient is None:
            assert not enqueued
            continue
        queued = [cb for cb in callbacks if getattr(cb, "func", None) == send_email.enqueue]
        assert len(queued) == 1, "email is queued on commit"
        # A first publication is also announced to readers who follow a matching search.
        announced = ["notify_followers"] if subject == "Published" else []
        assert [name for name, _ in enqueued] == ["send_email", *announced]
        assert enqueued[0][1]["to"] == [recipient]
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [recipient]
        assert subject in mail.outbox[0].subject
    assert "Expand section 2." not in mail.outbox[0].body  # the last mail is the publication notice


@pytest.mark.django_db
def test_nothing_is_sent_for_rolled_back_work(
    make_submission, editor, enqueued, django_capture_on_commit_callbacks
):
    """A step that fails after queuing its email leaves no state behind and sends nothing."""
    submission = make_submission(Status.APPROVED)
    from unittest import mock

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with mock.patch.object(CaseStudy, "current_tags", side_effect=RuntimeError("disk full")):
            with pytest.raises(RuntimeError):
                services.publish(submission=submission, by=editor, **publishable())
    assert not [cb for cb in callbacks if getattr(cb, "func", None) == send_email.enqueue]
    assert enqueued == []
    assert mail.outbox == []
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    assert not submission.case.is_published
    assert not ReviewEvent.objects.filter(to_status=Status.PUBLISHED).exists()


@pytest.mark.django_db
def test_publication_makes_the_case_public_and_revisions_keep_it_live(make_submission, supporter_a, editor):
    submission = make_submission(Status.PUBLISHED)
    case = CaseStudy.objects.get(pk=submission.case_id)
    assert case.is_published
    assert case.published_on is not None
    assert case.applications.get().recommendation.key == "builders-1"
    assert sorted(case.roles.values_list("slug", flat=True)) == ["builder"]
    assert case.tag_snapshot["tags"] == ["audio"]
    first_title = case.title

    revision = services.start_revision(case=case, by=supporter_a)
    assert (revision.status, revision.revision) == (Status.DRAFT, 2)
    content = dict(revision.content, title="How Organization A labels synthetic audio, revisited")
    services.save_draft(
        submission=revision, content=content, expected_version=revision.version, by=supporter_a
    )
    services.submit(submission=revision, by=supporter_a)
    services.claim(submission=revision, by=editor)
    case.refresh_from_db()
    assert (case.is_published, case.title) == (True, first_title), "the live case is untouched in review"
    services.approve(submission=revision, by=editor)
    services.publish(submission=revision, by=editor, note="Title clarified.", no_official_page=True)
    case.refresh_from_db()
    assert case.title == "How Organization A labels synthetic audio, revisited"
    assert ReviewEvent.objects.filter(is_public=True, submission=revision).count() == 2


@pytest.mark.django_db
def test_rejected_revision_of_published_case(make_submission, supporter_a, editor):
    submission = make_submission(Status.PUBLISHED)
    services.start_revision(case=submission.case, by=supporter_a)
    services.submit(submission=submission, by=supporter_a)
    services.reject(submission=submission, by=editor, reason="The change is not supported.")
    submission.refresh_from_db()
    assert submission.case.is_published, "a rejected revision leaves the live case alone"
    again = services.start_revision(case=submission.case, by=supporter_a)
    assert (again.status, again.revision) == (Status.DRAFT, 3)


@pytest.mark.django_db
def test_rejection_needs_a_reason(make_submission, editor):
    submission = make_submission(Status.IN_REVIEW)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.reject(submission=submission, by=editor, reason="  ")
    assert Submission.objects.get(pk=submission.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
def test_rejected_first_submission_is_final(make_submission, supporter_a):
    submission = make_submission(Status.REJECTED)
    assert "start_revision" not in services.allowed_actions(submission, supporter_a)
    with pytest.raises(services.TransitionNotAllowed):
        services.start_revision(case=submission.case, by=supporter_a)


@pytest.mark.django_db
def test_comments_visibility_and_threads(make_submission, supporter_a, editor, supporter_a_client):
    submission = make_submission(Status.IN_REVIEW)
    visible = services.add_comment(submission=submission, by=editor, body="Please cite the policy.")
    internal = services.add_comment(
        submission=submission, by=editor, body="Staff-only remark.", internal=True
    )
    reply = services.add_comment(
        submission=submission, by=supporter_a, body="Added the link.", parent=visible
    )
    assert (reply.parent, reply.internal) == (visible, False)
    with pytest.raises(PermissionDenied):
        services.add_comment(submission=submission, by=supporter_a, body="Peek", parent=internal)
    # A supporter's comment is never internal, whatever they send.
    sneaky = services.add_comment(submission=submission, by=supporter_a, body="Hidden?", internal=True)
    assert not sneaky.internal
    page = supporter_a_client.get(f"/submit/{submission.pk}/").content.decode()
    assert "Please cite the policy." in page
    assert "Added the link." in page
    assert "Staff-only remark." not in page


@pytest.mark.django_db
def test_comment_markdown_is_sanitised(make_submission, supporter_a, editor_client):
    submission = make_submission(Status.IN_REVIEW)
    services.add_comment(
        submission=submission, by=supporter_a, body="<script>alert(1)</script>[x](javascript:alert(1)) **ok**"
    )
    page = editor_client.get(f"/review/{submission.pk}/").content.decode()
    assert "<script>alert(1)" not in page
    assert "javascript:alert" not in page
    assert "<strong>ok</strong>" in page
