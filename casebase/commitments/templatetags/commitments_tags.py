"""Template tags for pages of other apps that point to the yearly review (the supporter dashboard)."""

from django import template

from casebase.commitments.models import ReportingCycle

register = template.Library()


@register.simple_tag
def open_cycles():
    """The reporting cycles open now: a tag, so the dashboard's app need not import this one."""
    return list(ReportingCycle.objects.open().order_by("deadline", "pk"))
