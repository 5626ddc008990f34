"""Account writes: invitations and accepting them. Email is queued on commit through django.tasks."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from casebase.accounts.models import Invitation, Membership
from casebase.core.mail import queue_email
from casebase.core.siteurl import site_url

INVITATION_LIFETIME = timedelta(days=7)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, usable or not; None if there is none."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("organization").filter(token_digest=token_digest(token)).first()


@transaction.atomic
def invite_member(*, email: str, organization, by) -> Invitation:
    """An editor invites someone to join an organization; they get a link to set a password."""
    if not (by and by.is_authenticated and by.is_staff):
        raise PermissionDenied("Only editors invite members.")
    email = get_user_model().objects.normalize_email(email).strip()
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise ValidationError("Someone with this email address already has an account.")
    # A new invitation replaces any earlier one still open for this address.
    Invitation.objects.usable().filter(email__iexact=email).update(revoked=True)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        organization=organization,
        token_digest=token_digest(token),
        invited_by=by,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    link = site_url() + reverse("accounts:accept_invitation", args=[token])
    queue_email(
        to=[email],
        subject=f"[Casebase] You are invited to submit case studies for {organization.name}",
        body=render_to_string(
            "accounts/email/invitation.txt",
            {"invitation": invitation, "link": link, "inviter": by, "days": INVITATION_LIFETIME.days},
        ),
    )
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, password: str, first_name: str = "", last_name: str = ""):
    """Create the member's account from a usable invitation; the invitation is then spent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError("This invitation has expired or has already been used.")
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError("Someone with this email address already has an account.")
    user = User(
        username=invitation.email[:150], email=invitation.email, first_name=first_name, last_name=last_name
    )
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, organization=invitation.organization)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user
