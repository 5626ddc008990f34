"""Password reset without telling who has an account: the same work for every address, throttled.

Looking the address up, making the token and sending the email all happen in a
django.tasks task, enqueued once the answer has been sent, for every valid
request: the request itself does the same work, and answers the same, whether
the address has an account or not.

Requests are counted per address and per client address in the cache for an
hour; over either limit the form says so, again the same for every address.
"""

from django.contrib.auth.forms import PasswordResetForm
from django.tasks import task
from django.template import loader

from casebase.core import throttle
from casebase.core.mail import send_email

SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
BODY_TEMPLATE = "accounts/email/password_reset.txt"
LIMIT = throttle.Limit(
    name="password-reset",
    # Enough for someone whose email is slow to ask again a few times.
    per_address=5,
    # Enough for an office behind one address; not enough to mail many people at will.
    per_client=20,
    message=(
        "Too many password reset requests for this address or from this connection. "
        "If an account has this address, a link is already on its way: check your email "
        "(and its spam folder), or ask again in an hour."
    ),
)


class _LinkMailer(PasswordResetForm):
    """Django's lookup and token, sending from inside the task rather than queueing again."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kw):
        subject = " ".join(loader.render_to_string(subject_template_name, context).split())
        body = loader.render_to_string(email_template_name, context)
        self.sent += send_email.call(to=[to_email], subject=subject, body=body)


@task
def send_reset_links(*, email: str, domain: str, use_https: bool) -> int:
    """Email a one-use link to each active account with this address; none if there is none."""
    mailer = _LinkMailer({"email": email})
    mailer.sent = 0
    if mailer.is_valid():
        mailer.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name=SUBJECT_TEMPLATE,
            email_template_name=BODY_TEMPLATE,
        )
    return mailer.sent
