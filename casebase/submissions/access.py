"""Which submission a workflow page may open, and running one workflow step from a view."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from casebase.submissions.models import Submission


def supporter_submission(request, pk) -> Submission:
    """The submission if it belongs to the user's organization; 404 otherwise (no hint it exists)."""
    submission = get_object_or_404(
        Submission.objects.select_related("case", "organization", "assignee"), pk=pk
    )
    if submission.organization_id != request.organization.pk:
        raise Http404("No such case.")
    return submission


def editor_submission(request, pk) -> Submission:
    return get_object_or_404(Submission.objects.select_related("case", "organization", "assignee"), pk=pk)


def run_step(request, call, success: str, next_url: str):
    """Run one workflow service call, say what happened, and go back to the case page."""
    from casebase.submissions import services

    try:
        call()
    except services.NotReadyForReview:
        messages.error(request, "Not submitted yet: the case still needs the parts listed below.")
    except (services.TransitionNotAllowed, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, success)
    return redirect(next_url)
