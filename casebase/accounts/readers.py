"""Reader accounts: sign-up with a confirmed address, and deleting an account with all it holds.

Signing up answers the same, after the same work, whether or not the address already has an
account: the form's password is hashed in the request, and everything that depends on the
address (creating the account, or telling its owner that they already have one) is a task
enqueued once the answer has gone, as for password reset (passwordreset.py). The account stays
inactive, so it cannot sign in, until its owner opens the signed, expiring link mailed to them.

Sign-ups are counted per address and per client address for an hour (as password resets are); a filled honeypot field
gets the same answer as a real sign-up and does nothing.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from casebase.accounts.models import Reader
from casebase.core import throttle
from casebase.core.mail import send_email
from casebase.core.siteurl import site_url

CONFIRM_SALT = "casebase.accounts.readers.confirm"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # three days
LIMIT = throttle.Limit(
    name="signup",
    per_address=3,
    per_client=10,
    message=(
        "Too many sign-ups for this address or from this connection. If you signed up already, "
        "a confirmation link is on its way: check your email (and its spam folder), or try again in an hour."
    ),
)


def confirmation_token(user) -> str:
    # The address is signed too: a link mailed to an old address stops working if it changes.
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT, compress=True)


def confirm_link(user) -> str:
    return site_url() + reverse("accounts:signup_confirm", args=[confirmation_token(user)])


def _mail(to: str, subject: str, template: str, context: dict) -> int:
    return send_email.call(to=[to], subject=subject, body=render_to_string(template, context))


@task
def sign_up(*, email: str, password_hash: str) -> str:
    """Create an inactive reader account and mail its confirmation link; or, if the address has an
    account already, tell its owner (a stranger learns nothing). Returns what was done."""
    User = get_user_model()
    email = User.objects.normalize_email(email).strip()
    existing = User.objects.filter(email__iexact=email).select_related("reader").first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User(username=email[:150], email=email, is_active=False, password=password_hash)
                user.save()
                Reader.objects.create(user=user)
        except IntegrityError:  # the same address signed up twice at once: the first one stands
            return "duplicate"
        _mail(email, "[Casebase] Confirm your email address", "accounts/email/signup_confirm.txt",
              {"link": confirm_link(user), "days": CONFIRM_MAX_AGE // 86400})  # fmt: skip
        return "created"
    reader = getattr(existing, "reader", None)
    if reader is not None and reader.confirmed_at is None:
        _mail(existing.email, "[Casebase] Confirm your email address", "accounts/email/signup_confirm.txt",
              {"link": confirm_link(existing), "days": CONFIRM_MAX_AGE // 86400})  # fmt: skip
        return "resent"
    _mail(existing.email, "[Casebase] You already have an account", "accounts/email/signup_exists.txt",
          {"login": site_url() + reverse("accounts:login"),
           "reset": site_url() + reverse("accounts:password_reset")})  # fmt: skip
    return "exists"


@transaction.atomic
def confirm(token: str):
    """The reader whose link this is, now confirmed and able to sign in; None for a link that is
    forged, expired, or for an address that has changed since."""
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    reader = (
        Reader.objects.select_for_update()
        .select_related("user")
        .filter(user_id=data.get("u"), user__email=data.get("e"))
        .first()
    )
    if reader is None:
        return None
    if reader.confirmed_at is None:
        reader.confirmed_at = timezone.now()
        reader.save(update_fields=["confirmed_at"])
        reader.user.is_active = True
        reader.user.save(update_fields=["is_active"])
    return reader.user


def is_reader(user) -> bool:
    """A signed-in reader: not staff, no membership, a confirmed reader account."""
    return (
        user.is_authenticated
        and not user.is_staff
        and not hasattr(user, "membership")
        and getattr(user, "reader", None) is not None
    )


@transaction.atomic
def delete_account(*, user) -> None:
    """Delete a reader's account and everything it holds (its follows and what they sent,
    its collections): all hang off the user and go with it."""
    if not is_reader(user):
        raise PermissionDenied("Only reader accounts are deleted here.")
    get_user_model().objects.filter(pk=user.pk).delete()
