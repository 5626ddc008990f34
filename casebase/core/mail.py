"""Email out: queued through django.tasks when the surrounding transaction commits, sent through MAILERS."""

from functools import partial

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task


@task
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """Send one plain-text email through the default mailer; returns the number sent."""
    if not to:
        return 0
    return EmailMessage(subject=subject, body=body, to=to).send(using="default")


def queue_email(*, to: list[str], subject: str, body: str) -> None:
    """Enqueue the email task once the current transaction commits (never for rolled-back work)."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    subject = " ".join(subject.split())  # email subjects must be one line
    transaction.on_commit(partial(send_email.enqueue, to=recipients, subject=subject, body=body))
