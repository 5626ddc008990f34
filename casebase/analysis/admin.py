from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casebase.analysis.models import Analysis, Finding


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    fields = [
        "order", "title", "body", "confidence", "is_pai_wording", "draws_on_note", "cases", "recommendations",
    ]  # fmt: skip
    autocomplete_fields = ["cases", "recommendations"]


@admin.register(Analysis)
class AnalysisAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "confidence", "published_on", "order"]
    list_filter = ["status", "confidence"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at", "created_by"]
    inlines = [FindingInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "author", "summary", "body"]}),
        (
            "Source and confidence",
            {"fields": ["published_on", "date_label", "source_url", "confidence", "order"]},
        ),
        ("Record", {"fields": ["created_by", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
