"""Admin helpers every app's admin uses."""

from django.contrib import admin


class NeedsVerificationFilter(admin.SimpleListFilter):
    """The staff verification worklist: records with unverified, inferred or unknown facts.

    Each admin says what counts for its model with ``worklist_q`` (a Q object).
    """

    title = "verification worklist"
    parameter_name = "worklist"

    def lookups(self, request, model_admin):
        return [("yes", "Needs verification"), ("no", "Verified")]

    def queryset(self, request, queryset):
        condition = self.model_admin_q
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset

    def __init__(self, request, params, model, model_admin):
        self.model_admin_q = model_admin.worklist_q
        super().__init__(request, params, model, model_admin)
