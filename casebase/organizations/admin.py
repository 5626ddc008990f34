from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from casebase.core.admin import NeedsVerificationFilter
from casebase.core.choices import NEEDS_VERIFICATION
from casebase.organizations.models import Organization


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_supporter", "joined_label", "verification", "roles_confidence"]
    list_filter = [
        NeedsVerificationFilter,
        "kind",
        "is_supporter",
        "verification",
        "roles_confidence",
        "roles",
    ]
    search_fields = ["name", "slug", "kind_detail"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["roles"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "kind_detail", "is_supporter", "website", "description"]}),
        ("Joining", {"fields": ["joined_on", "joined_label"]}),
        ("Stakeholder roles", {"fields": ["roles", "roles_confidence"]}),
        ("Verification", {"fields": ["verification", "verification_note", "source_url"]}),
    ]
    # Inferred roles are facts to verify too.
    worklist_q = Q(verification__in=NEEDS_VERIFICATION) | Q(roles_confidence__in=NEEDS_VERIFICATION)
