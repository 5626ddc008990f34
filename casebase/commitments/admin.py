from django.contrib import admin

from casebase.commitments.models import ReportingCycle, SelfAssessment, Statement
from casebase.core.admin import BoundedInline


class ReadOnlyAdmin(admin.ModelAdmin):
    """Self-assessments change only through /submit/ and /review/ (the services); admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportingCycle)
class ReportingCycleAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "edition", "opens_on", "deadline", "is_open"]
    list_filter = ["is_open", "edition"]


class StatementInline(BoundedInline, admin.TabularInline):
    model = Statement
    fields = ["recommendation", "status", "justification", "planned_measure", "planned_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organization", "cycle", "status", "submitted_at", "published_at"]
    list_filter = ["status", "cycle"]
    inlines = [StatementInline]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "planned_by"]
    list_filter = ["status", "assessment__cycle"]
