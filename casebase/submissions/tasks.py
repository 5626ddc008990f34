"""Background work for the workflow: notification email, sent through MAILERS."""

from django.core.mail import EmailMessage
from django.tasks import task


@task
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """Send one plain-text email through the default mailer; returns the number sent."""
    if not to:
        return 0
    return EmailMessage(subject=subject, body=body, to=to).send(using="default")
