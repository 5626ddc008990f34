"""Who hears about a self-assessment's steps. Email is queued only when the surrounding transaction commits."""

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from casebase.core.mail import queue_email
from casebase.core.siteurl import site_url


def supporter_addresses(assessment) -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(
            membership__organization_id=assessment.organization_id, is_active=True
        ).values_list("email", flat=True)
    )


def editor_addresses(assessment) -> list[str]:
    """Every active editor: self-assessments are not assigned to one."""
    User = get_user_model()
    return list(User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))


def _render(*, headline: str, message: str, url: str, assessment) -> str:
    return render_to_string(
        "commitments/email/notification.txt",
        {
            "headline": headline,
            "message": message,
            "url": site_url() + url,
            "cycle": assessment.cycle.title,
            "organization": assessment.organization.name,
        },
    )


def notify_supporters(assessment, *, headline: str, message: str = "") -> None:
    url = reverse("commitments:form", args=[assessment.cycle.slug])
    queue_email(
        to=supporter_addresses(assessment),
        subject=f"[Casebase] {headline}: {assessment.cycle.title}",
        body=_render(headline=headline, message=message, url=url, assessment=assessment),
    )


def notify_editors(assessment, *, headline: str, message: str = "") -> None:
    url = reverse("commitments_review:assessment", args=[assessment.pk])
    queue_email(
        to=editor_addresses(assessment),
        subject=f"[Casebase] {headline}: {assessment.organization.name}, {assessment.cycle.title}",
        body=_render(headline=headline, message=message, url=url, assessment=assessment),
    )
