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


class Reader(models.Model):
    """A reader's account: open to anyone with an email address, for following searches and
    keeping collections. It grants nothing a supporter member or an editor has (access.py).

    The user stays inactive (cannot sign in) until the address is confirmed.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Reader {self.user}"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "As each case is published"
    WEEKLY = "weekly", "A weekly digest"


# A stored query is the filter engine's own cleaned query string: far below this.
QUERY_MAX_LENGTH = 2000


class Subscription(models.Model):
    """A reader follows a /cases/ query (cleaned by the filter engine) by email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    query = models.CharField(max_length=QUERY_MAX_LENGTH, blank=True)
    label = models.CharField(max_length=500)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "query"], name="one_subscription_per_query")]

    def __str__(self):
        return f"{self.user} follows {self.label}"


class Delivery(models.Model):
    """What a subscription has been sent: a case (immediate) or a digest period (weekly, such as
    "2026-W49"). The unique constraints are what make a second send impossible, even when two
    publications are announced at once: the row is written before the email goes."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    case = models.ForeignKey(
        "cases.CaseStudy", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=10, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "case"],
                condition=models.Q(case__isnull=False),
                name="one_email_per_case",
            ),
            models.UniqueConstraint(
                fields=["subscription", "period"],
                condition=~models.Q(period=""),
                name="one_digest_per_period",
            ),
            models.CheckConstraint(
                condition=(models.Q(case__isnull=False) & models.Q(period=""))
                | (models.Q(case__isnull=True) & ~models.Q(period="")),
                name="delivery_is_case_or_period",
            ),
        ]

    def __str__(self):
        return f"{self.subscription_id}: {self.period or self.case_id}"
