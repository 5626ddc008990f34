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
