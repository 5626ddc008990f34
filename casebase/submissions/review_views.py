"""The editors' pages under /review/: queue, review, actions, history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casebase.accounts.access import editor_required, restores_unsaved_post, take_stashed_post
from casebase.submissions import services
from casebase.submissions.access import editor_submission, run_step
from casebase.submissions.diff import diff_contents
from casebase.submissions.editing import case_form_page, missing_with_links
from casebase.submissions.forms import (
    AssignForm,
    EditorCommentForm,
    MessageForm,
    PublishForm,
    QueueFilterForm,
    RejectForm,
)
from casebase.submissions.models import Submission
from casebase.submissions.preview import preview_context
from casebase.submissions.timeline import comment_threads, timeline


@editor_required
def queue(request):
    form = QueueFilterForm(request.GET or None, user=request.user)
    submissions = form.filter(Submission.objects.for_queue(), request.user)
    page = Paginator(submissions, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/queue.html",
        {"form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count},
    )


def _detail_context(request, submission, **overrides):
    context = {
        "submission": submission,
        "events": timeline(submission),
        "threads": comment_threads(submission, staff=True),
        "comment_form": EditorCommentForm(),
        "assign_form": AssignForm(initial={"assignee": submission.assignee_id or request.user.pk}),
        "message_form": MessageForm(),
        "reject_form": RejectForm(),
        "publish_form": PublishForm(initial={"official_url": submission.case.official_url}),
        "publication_checklist": services.publication_checklist(submission),
        "facts_to_verify": submission.case.facts_to_verify(),
        "actions": services.allowed_actions(submission, request.user),
        "missing": missing_with_links(submission, "review") if submission.editor_can_edit() else [],
        "base": "review",
    }
    return context | overrides


@editor_required
def detail(request, pk):
    submission = editor_submission(request, pk)
    overrides = {}
    restored = take_stashed_post(request)
    if restored is not None:
        overrides = {"comment_form": EditorCommentForm(restored), "restored": True}
        overrides["comment_form"].is_valid()
    return render(request, "review/detail.html", _detail_context(request, submission, **overrides))


@editor_required
@restores_unsaved_post
def edit(request, pk):
    submission = editor_submission(request, pk)
    if request.method == "GET" and not submission.editor_can_edit():
        messages.info(request, "Only a case in the workflow can be edited. Start a revision first.")
        return redirect(submission.get_review_url())
    return case_form_page(
        request,
        submission=submission,
        organization=submission.organization,
        base="review",
        template_context={"page_title": f"Edit: {submission.title}"},
    )


@editor_required
def preview(request, pk):
    submission = editor_submission(request, pk)
    return render(request, "submissions/preview.html", preview_context(submission, "review"))


def _invalid(request, submission, **forms):
    return render(request, "review/detail.html", _detail_context(request, submission, **forms), status=422)


@require_POST
@editor_required
def assign(request, pk):
    submission = editor_submission(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _invalid(request, submission, assign_form=form)
    assignee = form.cleaned_data["assignee"]
    return run_step(
        request,
        lambda: services.assign(submission=submission, assignee=assignee, by=request.user),
        f"Assigned to {assignee.get_full_name() or assignee.get_username()}.",
        submission.get_review_url(),
    )


@require_POST
@editor_required
def comment(request, pk):
    submission = editor_submission(request, pk)
    form = EditorCommentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, submission, comment_form=form)
    parent = None
    if form.cleaned_data.get("parent"):
        parent = submission.comments.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            raise Http404("No such comment.")
    services.add_comment(
        submission=submission,
        by=request.user,
        body=form.cleaned_data["body"],
        internal=form.cleaned_data["internal"],
        parent=parent,
    )
    messages.success(request, "Comment posted.")
    return redirect(submission.get_review_url() + "#comments")


def _step_view(call, success: str, form_class=None, form_name: str = ""):
    """A POST-only review action: check the form if any, run one service call, back to the review."""

    @require_POST
    @editor_required
    def view(request, pk):
        submission = editor_submission(request, pk)
        data = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                return _invalid(request, submission, **{form_name: form})
            data = form.cleaned_data
        return run_step(
            request,
            lambda: call(submission, request.user, data),
            success,
            submission.get_review_url(),
        )

    return view


claim = _step_view(lambda s, user, data: services.claim(submission=s, by=user), "You are reviewing it.")
request_changes = _step_view(
    lambda s, user, data: services.request_changes(submission=s, by=user, message=data["message"]),
    "Changes requested. The supporter has been notified.",
    MessageForm,
    "message_form",
)
approve = _step_view(
    lambda s, user, data: services.approve(submission=s, by=user, message=data["message"]),
    "Approved. The supporter has been notified.",
    MessageForm,
    "message_form",
)


@require_POST
@editor_required
def publish(request, pk):
    """Publish, or show the same page again with what is missing and everything typed kept."""
    submission = editor_submission(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _invalid(request, submission, publish_form=form)
    data = form.cleaned_data
    try:
        services.publish(
            submission=submission,
            by=request.user,
            cohort=data["cohort"],
            note=data["message"],
            official_url=data["official_url"],
            no_official_page=data["no_official_page"],
        )
    except services.NotReadyToPublish as refusal:
        form.add_error(None, refusal.messages)
        return _invalid(request, submission, publish_form=form, publish_refused=refusal.missing)
    except (services.TransitionNotAllowed, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, "Published. The case is on the public pages.")
    return redirect(submission.get_review_url())


reject = _step_view(
    lambda s, user, data: services.reject(submission=s, by=user, reason=data["message"]),
    "Rejected. The supporter has been told why.",
    RejectForm,
    "reject_form",
)
submit_for_supporter = _step_view(
    lambda s, user, data: services.submit(submission=s, by=user),
    "Submitted for review on the supporter's behalf.",
)
reopen = _step_view(lambda s, user, data: services.reopen(submission=s, by=user), "Reopened as a draft.")
start_revision = _step_view(
    lambda s, user, data: services.start_revision(case=s.case, by=user),
    "A new revision is open; the published case stays live until it is published.",
)


@editor_required
def history(request, pk):
    """Every saved version of the working copy, and a readable diff between any two."""
    submission = editor_submission(request, pk)
    versions = list(
        submission.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    by_id = {v.history_id: v for v in versions}
    diff = None
    older = newer = None
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        a = b = None
    if a in by_id and b in by_id:
        older, newer = sorted([by_id[a], by_id[b]], key=lambda v: (v.history_date, v.history_id))
    elif len(versions) >= 2:
        # By default: what changed since the previous submission (or since the start).
        submitted = [v for v in versions if (v.history_change_reason or "").startswith("Submit by")]
        newer = versions[0]
        older = submitted[1] if len(submitted) >= 2 else versions[-1]
    if older is not None and newer is not None:
        diff = diff_contents(older.content, newer.content)
    return render(
        request,
        "review/history.html",
        {
            "submission": submission,
            "versions": versions,
            "diff": diff,
            "older": older,
            "newer": newer,
            "can_restore": submission.editor_can_edit(),
        },
    )


@require_POST
@editor_required
def restore(request, pk, history_id):
    submission = editor_submission(request, pk)
    try:
        services.restore_version(submission=submission, history_id=history_id, by=request.user)
    except (services.TransitionNotAllowed, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(reverse("review:history", args=[submission.pk]))
    messages.success(
        request, "That version is now the working copy. Nothing was erased: the history keeps every version."
    )
    return redirect(submission.get_review_url())
