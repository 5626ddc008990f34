from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casebase.analysis.models import Analysis, Finding
from casebase.core.admin import EVIDENCE_FIELDS, EVIDENCE_FIELDSET, BoundedInline


class FindingInline(BoundedInline, admin.StackedInline):
    model = Finding
    extra = 0
    fields = ["order", "title", "body", "draws_on_note", "cases", "recommendations", *EVIDENCE_FIELDS]
    autocomplete_fields = ["cases", "recommendations"]


@admin.register(Analysis)
class AnalysisAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "voice", "grade", "published_on", "order"]
    list_filter = ["status", "voice", "grade"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at", "created_by"]
    inlines = [FindingInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "author", "summary", "body"]}),
        ("Publication", {"fields": ["published_on", "published_precision", "order"]}),
        EVIDENCE_FIELDSET,
        ("Record", {"fields": ["created_by", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
