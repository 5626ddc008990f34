from django import forms
from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from casebase.cases import writing
from casebase.cases.models import Application, CaseStudy, Cohort, TemplateSection
from casebase.core.admin import EVIDENCE_FIELDS, EVIDENCE_FIELDSET, BoundedInline, NeedsVerificationFilter
from casebase.core.evidence import UNCONFIRMED_GRADES
from casebase.framework.models import Principle, StakeholderRole


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "released_on", "released_precision"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(TemplateSection)
class TemplateSectionAdmin(SimpleHistoryAdmin):
    list_display = ["order", "heading", "is_active"]
    list_display_links = ["heading"]
    list_filter = ["is_active"]
    search_fields = ["heading", "prompt"]


class ApplicationInline(BoundedInline, admin.StackedInline):
    model = Application
    extra = 0
    autocomplete_fields = ["recommendation"]
    fields = [
        ("recommendation", "status"),
        ("voice", "grade"),
        "justification",
        "excerpt",
        "source_url",
        "locator",
    ]
    classes = ["collapse"]


class CaseStudyAdminForm(forms.ModelForm):
    """Roles and principles are controlled vocabularies: pick from the list, never type new ones."""

    roles = forms.ModelMultipleChoiceField(
        StakeholderRole.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    principles = forms.ModelMultipleChoiceField(
        Principle.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_tags(self):
        # The same check as the case writer's, so a long name is a message, not a server error.
        names = self.cleaned_data.get("tags") or []
        writing.check_topic_tags(names)
        return names

    class Meta:
        model = CaseStudy
        fields = [
            "title",
            "slug",
            "organization",
            "is_published",
            "framing_question",
            "takeaways",
            "summary",
            "authors",
            "sections",
            "cohort",
            "published_on",
            "published_precision",
            "edition",
            "official_url",
            "roles",
            "principles",
            "tags",
            "modalities",
            "disclosure_types",
            "completeness",
            *EVIDENCE_FIELDS,
        ]


@admin.register(CaseStudy)
class CaseStudyAdmin(SimpleHistoryAdmin):
    form = CaseStudyAdminForm
    list_display = [
        "title", "organization", "is_published", "completeness", "grade", "cohort", "updated_at",
    ]  # fmt: skip
    list_filter = [
        NeedsVerificationFilter,
        "is_published",
        "completeness",
        "grade",
        "cohort",
        "edition",
    ]
    list_select_related = ["organization", "cohort"]
    search_fields = ["title", "slug", "summary", "organization__name"]
    autocomplete_fields = ["organization", "cohort", "edition"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at", "version"]
    date_hierarchy = "published_on"
    ordering = ["title"]
    inlines = [ApplicationInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "organization", "is_published"]}),
        (
            "Content",
            {"fields": ["framing_question", "takeaways", "summary", "authors", "sections"]},
        ),
        (
            "Publication",
            {"fields": ["cohort", "published_on", "published_precision", "edition", "official_url"]},
        ),
        ("Classification", {"fields": ["roles", "principles", "tags", "modalities", "disclosure_types"]}),
        ("Completeness", {"fields": ["completeness"]}),
        EVIDENCE_FIELDSET,
        ("Record", {"fields": ["created_at", "updated_at", "version"], "classes": ["collapse"]}),
    ]
    # The worklist: anything unverified, inferred or unknown, and every stub.
    worklist_q = Q(grade__in=UNCONFIRMED_GRADES) | Q(completeness=CaseStudy.Completeness.STUB)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # History cannot follow tags: record them on the case when they changed.
        writing.record_tags(form.instance)


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["case", "recommendation", "status", "voice", "grade", "updated_at"]
    list_filter = [NeedsVerificationFilter, "status", "voice", "grade", "recommendation__edition"]
    list_select_related = ["case", "recommendation"]
    search_fields = ["case__title", "recommendation__key", "recommendation__title", "justification"]
    autocomplete_fields = ["case", "recommendation", "coder"]
