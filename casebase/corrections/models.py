"""A reader's suggested correction to one fact on a public page, and what the editors decided.

An accepted suggestion is also the public change-log entry for the change it led to: what
the fact said before, what it says now, when, why, and (if they wished) who suggested it.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from casebase.cases.models import CaseStudy

# Size budgets of what a reader types (the form and the model agree).
PROBLEM_BUDGET = 2000
FIGURE_BUDGET = 300
NAME_BUDGET = 120
VALUE_BUDGET = 20000  # a fact's value as it stood, or as the editor set it (a summary is long)
REASON_BUDGET = 2000


class SuggestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Suggestion.Status.OPEN)

    def change_log(self):
        """Accepted corrections readers may see: none about a case that is no longer public."""
        return (
            self.filter(status=Suggestion.Status.ACCEPTED)
            .filter(models.Q(case__isnull=True) | models.Q(case__is_published=True))
            .order_by("-decided_at", "-pk")
        )


class Suggestion(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an editor"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    # Where the fact stands: the page's path and what it was called when the suggestion was made.
    page = models.CharField(max_length=300)
    page_title = models.CharField(max_length=300)
    # Which fact: ``target`` is the kind of record as the verification worklist names it
    # (casebase.quality.facts: "case", "case-role", "coding", "recommendation"...) or
    # "analysis-page"; ``target_pk`` the record; ``field`` the field of a record whose
    # fields are several facts ("" when the record itself is the fact).
    target = models.CharField(max_length=40)
    target_pk = models.PositiveIntegerField(null=True, blank=True)
    field = models.CharField(max_length=60, blank=True)
    field_label = models.CharField(max_length=300)
    # The case the fact belongs to, if any (its page lists the corrections made to it).
    case = models.ForeignKey(
        CaseStudy, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    current_value = models.TextField(blank=True, help_text="What the fact said when the suggestion was made.")

    figure = models.CharField(
        max_length=FIGURE_BUDGET, blank=True, help_text="Which figure (analysis pages)."
    )
    problem = models.TextField(help_text="What the reader says is wrong.")
    source_url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True, help_text="Kept only until the suggester is told of the decision.")
    told = models.BooleanField(default=False, help_text="The suggester was emailed the decision.")
    wants_credit = models.BooleanField(default=False)
    credit_name = models.CharField(max_length=NAME_BUDGET, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why it was accepted or declined (public when accepted).")
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "-decided_at"], name="suggestion_status_decided")]

    def __str__(self):
        return f"Suggestion {self.pk}: {self.field_label} on {self.page_title}"

    def get_absolute_url(self):
        return reverse("corrections:review", args=[self.pk])

    def affects_public_pages(self) -> bool:
        """Only an accepted correction shows on a public page (casebase.core.pagecache): a new
        suggestion must not empty the page cache, or every spam message would."""
        return self.status == self.Status.ACCEPTED

    @property
    def credit(self) -> str:
        """The name to credit publicly, or ''."""
        return self.credit_name if self.wants_credit else ""

    @property
    def worklist_key(self) -> tuple[str, int | None, str]:
        """The fact as the verification worklist names it: (kind, record id, field)."""
        return (self.target, self.target_pk, self.field)
