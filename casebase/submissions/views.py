"""The supporter's pages under /submit/: access check, form, one service call, redirect."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casebase.accounts.access import restores_unsaved_post, supporter_required, take_stashed_post
from casebase.cases.facetindex import NEWEST
from casebase.cases.models import CaseStudy
from casebase.submissions import services
from casebase.submissions.access import run_step, supporter_submission
from casebase.submissions.editing import case_form_page, missing_with_links
from casebase.submissions.forms import CommentForm, WithdrawForm
from casebase.submissions.models import Status, Submission
from casebase.submissions.preview import preview_context
from casebase.submissions.timeline import comment_threads, timeline


@supporter_required
def dashboard(request):
    organization = request.organization
    submissions = list(
        Submission.objects.of_organization(organization).select_related("case").order_by("-updated_at")
    )
    waiting = [s for s in submissions if s.waiting_on_supporter]
    # Withdrawn cases are listed apart, so the cases still in play are not lost among them.
    withdrawn = [s for s in submissions if s.status == Status.WITHDRAWN]
    submissions = [s for s in submissions if s.status != Status.WITHDRAWN]
    published_without_workflow = (
        CaseStudy.objects.of_organization(organization)
        .published()
        .filter(submission__isnull=True)
        .order_by(*NEWEST)
    )
    return render(
        request,
        "submissions/dashboard.html",
        {
            "organization": organization,
            "submissions": submissions,
            "waiting": waiting,
            "withdrawn": withdrawn,
            "published_cases": published_without_workflow,
        },
    )


@supporter_required
@restores_unsaved_post
def new_case(request):
    return case_form_page(
        request,
        submission=None,
        organization=request.organization,
        base="submissions",
        template_context={"page_title": "New case study"},
    )


@supporter_required
@restores_unsaved_post
def edit_case(request, pk):
    submission = supporter_submission(request, pk)
    if request.method == "GET" and not submission.supporter_can_edit():
        messages.info(request, _not_editable_message(submission))
        return redirect(submission.get_absolute_url())
    return case_form_page(
        request,
        submission=submission,
        organization=request.organization,
        base="submissions",
        template_context={"page_title": f"Edit: {submission.title}"},
    )


def _not_editable_message(submission) -> str:
    if submission.status == Status.PUBLISHED:
        return "This case is published. To change it, propose a revision."
    if submission.status in (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED):
        return "This case is with PAI editors. You can edit it again if they ask for changes."
    return f"This case is {submission.get_status_display().lower()} and cannot be edited."


def _detail_page(request, submission, *, comment_form=None, restored=False, status=200):
    context = {
        "submission": submission,
        "events": timeline(submission),
        "threads": comment_threads(submission, staff=False),
        "comment_form": comment_form or CommentForm(),
        "restored": restored,
        "withdraw_form": WithdrawForm(),
        "actions": services.allowed_actions(submission, request.user),
        "missing": missing_with_links(submission, "submissions") if submission.supporter_can_edit() else [],
        "base": "submissions",
    }
    return render(request, "submissions/detail.html", context, status=status)


@supporter_required
def detail(request, pk):
    submission = supporter_submission(request, pk)
    restored = take_stashed_post(request)
    if restored is None:
        return _detail_page(request, submission)
    comment_form = CommentForm(restored)
    comment_form.is_valid()
    return _detail_page(request, submission, comment_form=comment_form, restored=True)


@supporter_required
def preview(request, pk):
    submission = supporter_submission(request, pk)
    return render(request, "submissions/preview.html", preview_context(submission, "submissions"))


@require_POST
@supporter_required
def submit(request, pk):
    submission = supporter_submission(request, pk)
    return run_step(
        request,
        lambda: services.submit(submission=submission, by=request.user),
        "Submitted for review. PAI editors have been notified.",
        submission.get_absolute_url(),
    )


@require_POST
@supporter_required
def withdraw(request, pk):
    submission = supporter_submission(request, pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["message"] if form.is_valid() else ""
    return run_step(
        request,
        lambda: services.withdraw(submission=submission, by=request.user, reason=reason),
        "Withdrawn. You can reopen it as a draft at any time.",
        submission.get_absolute_url(),
    )


@require_POST
@supporter_required
def discard(request, pk):
    """Delete a draft that never went to the editors (the page asks for confirmation first)."""
    submission = supporter_submission(request, pk)
    title = submission.title
    try:
        services.discard_draft(submission=submission, by=request.user)
    except services.TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect(submission.get_absolute_url())
    messages.success(request, f"Discarded the draft “{title}”.")
    return redirect("submissions:dashboard")


@require_POST
@supporter_required
def reopen(request, pk):
    submission = supporter_submission(request, pk)
    return run_step(
        request,
        lambda: services.reopen(submission=submission, by=request.user),
        "Reopened as a draft.",
        submission.get_absolute_url(),
    )


@require_POST
@supporter_required
def revise(request, slug):
    """Propose changes to a published case of the organization."""
    case = get_object_or_404(CaseStudy.objects.of_organization(request.organization).published(), slug=slug)
    try:
        submission = services.start_revision(case=case, by=request.user)
    except services.TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect("submissions:dashboard")
    messages.success(
        request, "A new revision is open. The published case stays as it is until this revision is published."
    )
    return redirect("submissions:edit", pk=submission.pk)


@require_POST
@supporter_required
def comment(request, pk):
    submission = supporter_submission(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, submission, comment_form=form, status=422)
    parent = None
    if form.cleaned_data.get("parent"):
        parent = submission.comments.visible_to_supporter().filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            messages.error(request, "That comment is not there any more.")
            return redirect(submission.get_absolute_url())
    services.add_comment(
        submission=submission, by=request.user, body=form.cleaned_data["body"], parent=parent
    )
    messages.success(request, "Comment posted. PAI editors have been notified.")
    return redirect(submission.get_absolute_url() + "#comments")
