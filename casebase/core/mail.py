"""Email out: queued through django.tasks when the surrounding transaction commits, sent through MAILERS."""

import logging
from functools import partial

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task

logger = logging.getLogger(__name__)


@task
def send_email(*, to: list[str], subject: str, body: str, headers: dict[str, str] | None = None) -> int:
    """Send one plain-text email through the default mailer; returns the number sent."""
    if not to:
        return 0
    return EmailMessage(subject=subject, body=body, to=to, headers=headers).send(using="default")


def queue_email(*, to: list[str], subject: str, body: str) -> None:
    """Enqueue the email task once the current transaction commits (never for rolled-back work)."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    subject = " ".join(subject.split())  # email subjects must be one line
    transaction.on_commit(partial(send_email.enqueue, to=recipients, subject=subject, body=body))


def enqueue_after_response(response, task_, **kwargs) -> None:
    """Enqueue ``task_`` once ``response`` has been sent (when the server closes it).

    For work whose cost must not show in how long the answer takes, such as whether
    an address has an account: with the immediate backend the task then runs after
    the client has its answer, and with a queue the enqueue is the same work for
    every request. Django runs a response's closers from close() and swallows their
    errors, so the failure is logged here.
    """

    def enqueue():
        try:
            task_.enqueue(**kwargs)
        except Exception:
            logger.exception("could not enqueue %s after the response", task_.name)

    response._resource_closers.append(enqueue)
