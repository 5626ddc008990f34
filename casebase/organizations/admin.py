from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casebase.core.admin import EVIDENCE_FIELDSET, NeedsVerificationFilter
from casebase.organizations.models import Organization


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_supporter", "joined_label", "grade"]
    list_filter = [
        NeedsVerificationFilter,
        "kind",
        "is_supporter",
        "grade",
        "roles",
    ]
    search_fields = ["name", "slug", "kind_detail"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["roles"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "kind_detail", "is_supporter", "website", "description"]}),
        ("Joining", {"fields": ["joined_on", "joined_precision", "joined_label"]}),
        ("Stakeholder roles", {"fields": ["roles"]}),
        EVIDENCE_FIELDSET,
    ]
