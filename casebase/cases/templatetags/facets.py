"""The facet panel's values, written in Python rather than a template loop.

A list page offers every value of six facets (hundreds of organizations on a
large bank), each a link with its count: as a template loop that was the
largest part of rendering a page the page cache had not kept. This writes the
same markup, escaping every value as the template did.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def facet_choices(facet, list_url: str):
    """The <li> of each of ``facet``'s choices: a link that adds or removes it, and its count."""
    base = escape(list_url)
    items = []
    for choice in facet.choices:
        count = choice.count
        plural = "" if count == 1 else "s"
        if choice.active:
            items.append(
                f'<li class="active"><a href="{base}{escape(choice.url)}#results" aria-current="true">'
                '<span aria-hidden="true">✓ </span><span class="visually-hidden">Remove filter: </span>'
                f"{escape(choice.label)}</a> "
                f'<span class="count"><span class="visually-hidden">, </span>{count}'
                f'<span class="visually-hidden"> case{plural}</span></span></li>'
            )
        else:
            items.append(
                f'<li><a href="{base}{escape(choice.url)}#results">{escape(choice.label)}</a> '
                f'<span class="count"><span class="visually-hidden">, </span>{count}'
                f'<span class="visually-hidden"> case{plural}</span></span></li>'
            )
    return mark_safe("\n".join(items))  # every value above is escaped
