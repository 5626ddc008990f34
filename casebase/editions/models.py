"""One recorded change of a draft edition against the edition it was drafted from.

Every change staff make to a draft (rename, change, split, merge, add, retire) is an
``EditionChange``: the recommendations of the earlier edition it concerns, the draft's
recommendations it produces, the reason, and the feedback that prompted it. A recommendation
no change touches is carried over as it was ("same"). The crosswalk is read from these
(``services.crosswalk``), so nothing is stored twice.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models

from casebase.commitments.models import Feedback
from casebase.framework.models import Edition, Recommendation, edition_is_public

REASON_MAX = 2000


class EditionChange(models.Model):
    class Kind(models.TextChoices):
        RENAMED = "renamed", "Renamed"
        CHANGED = "changed", "Changed"
        SPLIT = "split", "Split"
        MERGED = "merged", "Merged"
        ADDED = "added", "Added"
        RETIRED = "retired", "Retired"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Of the earlier edition (``edition.based_on``); none for an added recommendation.
    old_recommendations = models.ManyToManyField(
        Recommendation, blank=True, related_name="edition_changes_from"
    )
    # Of this edition; none for a retired recommendation.
    new_recommendations = models.ManyToManyField(
        Recommendation, blank=True, related_name="edition_changes_to"
    )
    reason = models.TextField(validators=[MaxLengthValidator(REASON_MAX)])
    feedback = models.ManyToManyField(Feedback, blank=True, related_name="edition_changes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edition", "created_at", "pk"]

    def affects_public_pages(self) -> bool:  # see casebase.core.pagecache
        return edition_is_public(self.edition_id)

    def __str__(self):
        return f"{self.get_kind_display()} in {self.edition.slug}"
