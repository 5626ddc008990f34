"""The corrections made to a case, for its page, and the link to suggest one."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from casebase.corrections.models import Suggestion

register = template.Library()


@register.simple_tag
def case_corrections(case) -> list[Suggestion]:
    """Accepted corrections of a case's facts, newest first (one query)."""
    if case.pk is None:
        return []
    return list(Suggestion.objects.change_log().filter(case_id=case.pk))


@register.simple_tag
def suggest_url(path: str, field: str = "") -> str:
    """The address of the form suggesting a correction to this page (and fact)."""
    params = {"page": path}
    if field:
        params["field"] = field
    return reverse("corrections:new") + "?" + urlencode(params)
