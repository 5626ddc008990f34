"""Template tags for the public side of the workflow: a case's change log and last update."""

from django import template

from casebase.cases.models import CaseStudy
from casebase.submissions.models import ReviewEvent, Status

register = template.Library()


@register.simple_tag
def case_change_log(case: CaseStudy) -> dict:
    """Publications of a case, newest first, with the date it was last updated (one query)."""
    publications = list(
        ReviewEvent.objects.filter(submission__case_id=case.pk, is_public=True, to_status=Status.PUBLISHED)
        .order_by("-created_at", "-pk")
        .only("created_at", "message", "revision")
    )
    last_updated = publications[0].created_at.date() if publications else case.published_on
    return {
        "first_published": case.published_on,
        "last_updated": last_updated,
        "entries": publications,
        "revised": last_updated is not None
        and case.published_on is not None
        and last_updated > case.published_on,
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
