from django.contrib import admin

from casebase.submissions.models import Comment, ReviewEvent, Submission


class ReadOnlyAdmin(admin.ModelAdmin):
    """Workflow records change only through /submit/ and /review/ (the services); admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organization", "status", "revision", "assignee", "submitted_at", "updated_at"]
    list_filter = ["status", "organization"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["submission", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind", "to_status"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["submission", "author", "internal", "created_at"]
    list_filter = ["internal"]
