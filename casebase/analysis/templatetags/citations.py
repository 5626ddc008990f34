from django import template
from django.urls import reverse

from casebase.analysis import citations

register = template.Library()


@register.inclusion_tag("analysis/partials.html#cite_panel")
def cite_panel(citation, downloads: str = "", open: bool = False):
    """The Cite panel. ``downloads`` is the URL prefix of .bib/.ris/.json downloads, if any."""
    return {"citation": citation, "downloads": downloads, "open": open}


@register.inclusion_tag("analysis/partials.html#cite_panel")
def cite_case(case):
    return {
        "citation": citations.for_case(case),
        "downloads": reverse("analysis:cite_case", args=[case.slug, "x"])[:-1],
    }


@register.inclusion_tag("analysis/partials.html#cite_panel", takes_context=True)
def cite_view(context, title):
    request = context["request"]
    return {"citation": citations.for_view(title, request.get_full_path())}
