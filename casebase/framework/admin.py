from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casebase.core.admin import EVIDENCE_FIELDSET, NeedsVerificationFilter
from casebase.framework.models import Edition, Principle, Recommendation, Section, StakeholderRole


@admin.register(Edition)
class EditionAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "title", "published_on", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["slug", "title"]


@admin.register(Section)
class SectionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "key", "edition", "parent", "order"]
    list_filter = ["edition"]
    list_select_related = ["edition", "parent"]
    search_fields = ["title", "short_title", "key"]
    autocomplete_fields = ["edition", "parent"]
    ordering = ["edition", "order"]


@admin.register(StakeholderRole)
class StakeholderRoleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["key", "official_number", "title", "section", "edition", "grade"]
    list_display_links = ["key", "title"]
    list_filter = [NeedsVerificationFilter, "edition", "section", "grade", "principles", "roles"]
    list_select_related = ["section", "edition"]
    search_fields = ["key", "title", "text"]
    autocomplete_fields = ["edition", "section", "previous", "principles", "roles"]
    fieldsets = [
        (None, {"fields": ["edition", "section", "key", "official_number", "order", "title", "text"]}),
        ("Links", {"fields": ["principles", "roles", "previous"]}),
        EVIDENCE_FIELDSET,
    ]
