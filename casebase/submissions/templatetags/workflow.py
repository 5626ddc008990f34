"""Template tags for the public side of the workflow: a case's change log and last update."""

from django import template
from django.utils import timezone

from casebase.cases.models import CaseStudy
from casebase.submissions.models import ReviewEvent, Status

register = template.Library()


@register.simple_tag
def case_change_log(case: CaseStudy) -> dict:
    """Publications of a case, newest first, and its dates (one query).

    Three dates, named apart because they answer different questions: when the case was
    first published (the content's publication date, often known only to the month); when
    a revision of it was last published through review; and when Casebase's record of it
    last changed (any correction, recoding or tagging by editors included). One date called
    "last updated" stood for the first or the second, and could be earlier than the third.
    """
    publications = list(
        ReviewEvent.objects.filter(submission__case_id=case.pk, is_public=True, to_status=Status.PUBLISHED)
        .order_by("-created_at", "-pk")
        .only("created_at", "message", "revision")
    )
    revisions = [event for event in publications if event.revision > 1]
    return {
        "first_published": case.published_on,
        "revised_on": revisions[0].created_at.date() if revisions else None,
        "record_changed": timezone.localdate(case.updated_at) if case.updated_at else None,
        "entries": publications,
    }


@register.filter
def in_words(duration) -> str:
    """A timedelta as people say it: "15 minutes", "1 hour 30 minutes"."""
    if duration is None:
        return ""
    minutes = max(1, round(duration.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
