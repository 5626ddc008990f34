from django.contrib import admin

from casebase.accounts.models import Invitation, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent from /accounts/invite/ so the email goes out with them."""

    list_display = [
        "email",
        "organization",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked",
    ]
    list_filter = ["organization", "revoked"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False
