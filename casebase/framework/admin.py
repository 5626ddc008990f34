from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casebase.core.admin import EVIDENCE_FIELDSET, NeedsVerificationFilter
from casebase.framework.models import (
    Clause,
    ClauseMapping,
    Edition,
    Instrument,
    Principle,
    Recommendation,
    Section,
    StakeholderRole,
)


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


@admin.register(Instrument)
class InstrumentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "publisher", "grade"]
    list_filter = [NeedsVerificationFilter, "grade"]
    search_fields = ["name", "slug", "publisher"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [(None, {"fields": ["slug", "name", "publisher", "url", "order"]}), EVIDENCE_FIELDSET]


@admin.register(Clause)
class ClauseAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "instrument", "slug", "grade"]
    list_display_links = ["reference", "title"]
    list_filter = [NeedsVerificationFilter, "instrument", "grade"]
    list_select_related = ["instrument"]
    search_fields = ["slug", "reference", "title", "summary"]
    autocomplete_fields = ["instrument"]
    fieldsets = [
        (None, {"fields": ["instrument", "slug", "reference", "title", "url", "summary", "order"]}),
        EVIDENCE_FIELDSET,
    ]


@admin.register(ClauseMapping)
class ClauseMappingAdmin(SimpleHistoryAdmin):
    list_display = ["recommendation_key", "clause", "relation", "grade", "voice"]
    list_filter = [NeedsVerificationFilter, "relation", "grade", "clause__instrument"]
    list_select_related = ["clause__instrument"]
    search_fields = ["recommendation_key", "clause__slug", "clause__reference", "clause__title", "note"]
    autocomplete_fields = ["clause"]
    fieldsets = [
        (
            None,
            {
                "fields": ["recommendation_key", "clause", "relation", "note"],
                "description": "A mapping is the editors' inference (grade inferred, voice Casebase editors) "
                "unless a source states the link: give the clause text's address as the source and quote "
                "the words that justify it as the locator.",
            },
        ),
        EVIDENCE_FIELDSET,
    ]
