"""Vocabularies shared across apps."""

from django.db import models


class Confidence(models.TextChoices):
    """How sure we are of a fact (see the reference data's README).

    confirmed and corroborated are shown as fact; recalled is flagged
    "unverified" and inference "inferred", and both land on the staff
    verification worklist; not established leaves the field empty.
    """

    CONFIRMED = "confirmed", "Confirmed"
    CORROBORATED = "corroborated", "Corroborated"
    RECALLED = "recalled", "Unverified"
    INFERENCE = "inference", "Inferred"
    NOT_ESTABLISHED = "not_established", "Not established"

    @classmethod
    def needs_verification(cls) -> list[str]:
        return [cls.RECALLED, cls.INFERENCE, cls.NOT_ESTABLISHED]


NEEDS_VERIFICATION = Confidence.needs_verification()


def confidence_flag(value: str) -> str:
    """The reader-facing flag: '' for fact, else 'unverified' / 'inferred' / 'not established'."""
    if value in (Confidence.CONFIRMED, Confidence.CORROBORATED, ""):
        return ""
    return Confidence(value).label.lower()


class VerificationFields(models.Model):
    """Verification status and source, shared by recommendations, organizations and cases."""

    verification = models.CharField(
        max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED, db_index=True
    )
    verification_note = models.TextField(
        blank=True, help_text="Where the fact comes from, or what is still to check."
    )
    source_url = models.URLField(blank=True, max_length=500)

    class Meta:
        abstract = True

    @property
    def needs_verification(self) -> bool:
        return self.verification in NEEDS_VERIFICATION

    @property
    def confidence_flag(self) -> str:
        return confidence_flag(self.verification)
