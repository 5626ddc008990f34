"""Who hears about what. Email is queued only when the surrounding transaction commits."""

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from casebase.core.mail import queue_email
from casebase.core.siteurl import site_url


def supporter_addresses(submission) -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(
            membership__organization_id=submission.organization_id, is_active=True
        ).values_list("email", flat=True)
    )


def editor_addresses(submission) -> list[str]:
    """The assigned editor, or every active editor while nobody has claimed it."""
    if submission.assignee_id and submission.assignee.is_active and submission.assignee.email:
        return [submission.assignee.email]
    User = get_user_model()
    return list(User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))


def _render(*, headline: str, message: str, url: str, submission) -> str:
    return render_to_string(
        "submissions/email/notification.txt",
        {
            "headline": headline,
            "message": message,
            "url": site_url() + url,
            "title": submission.title,
            "organization": submission.organization.name,
        },
    )


def notify_supporters(submission, *, headline: str, message: str = "") -> None:
    queue_email(
        to=supporter_addresses(submission),
        subject=f"[Casebase] {headline}: {submission.title}",
        body=_render(
            headline=headline, message=message, url=submission.get_absolute_url(), submission=submission
        ),
    )


def notify_editors(submission, *, headline: str, message: str = "") -> None:
    queue_email(
        to=editor_addresses(submission),
        subject=f"[Casebase] {headline}: {submission.title}",
        body=_render(
            headline=headline, message=message, url=submission.get_review_url(), submission=submission
        ),
    )
