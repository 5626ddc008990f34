"""Admin helpers every app's admin uses: the evidence fieldset, the worklist filter, bounded inlines."""

from django.contrib import admin
from django.db.models import Q

from casebase.core.evidence import UNCONFIRMED_GRADES

# The record's provenance (casebase.core.evidence.Sourced), as one collapsible fieldset.
EVIDENCE_FIELDS = [
    "grade",
    "voice",
    "source_url",
    "checked_on",
    "checked_by",
    "locator",
    "evidence_note",
    "field_sources",
]
EVIDENCE_FIELDSET = (
    "Evidence: where this comes from, how sure we are, who says so",
    {
        "fields": EVIDENCE_FIELDS,
        "classes": ["collapse"],
        "description": "field_sources holds a provenance per field where it differs from the record's; "
        "the data-quality page (/review/quality/) lists and confirms them one by one.",
    },
)


class NeedsVerificationFilter(admin.SimpleListFilter):
    """Records whose own provenance is unverified or inferred (field by field: /review/quality/).

    An admin may widen what counts for its model with ``worklist_q`` (a Q object).
    """

    title = "verification worklist"
    parameter_name = "worklist"

    def lookups(self, request, model_admin):
        return [("yes", "Needs verification"), ("no", "Verified")]

    def queryset(self, request, queryset):
        condition = self.condition
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset

    def __init__(self, request, params, model, model_admin):
        self.condition = getattr(model_admin, "worklist_q", None) or needs_check(model)
        super().__init__(request, params, model, model_admin)


def needs_check(model) -> Q:
    """Records of ``model`` whose own provenance, or any field's, is unverified or inferred."""
    condition = Q(grade__in=UNCONFIRMED_GRADES)
    for name in getattr(model, "SOURCED_FIELDS", {}):
        condition |= Q(**{f"field_sources__{name}__grade__in": list(UNCONFIRMED_GRADES)})
    return condition


class BoundedInline:
    """An inline whose formset builds at most ``max_num`` rows (plus a few being deleted),
    whatever TOTAL_FORMS a browser sends: Django's default allows two thousand."""

    max_num = 200

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num + 10)
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)
