from django.conf import settings
from django.db import models

from casebase.organizations.models import Organization


class Membership(models.Model):
    """A supporter member belongs to one organization; an organization may have several members.

    Editors (PAI staff) are users with is_staff and need no membership.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__username"]

    def __str__(self):
        return f"{self.user} ({self.organization})"


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        from django.utils import timezone

        return self.filter(accepted_at__isnull=True, revoked=False, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An editor's invitation for someone to join an organization as a supporter member.

    The link carries a random token; only its SHA-256 digest is stored, so a
    database leak reveals no usable link. It expires and works once.
    """

    email = models.EmailField()
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked = models.BooleanField(default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organization}"

    @property
    def is_usable(self) -> bool:
        from django.utils import timezone

        return self.accepted_at is None and not self.revoked and self.expires_at > timezone.now()
