from django import template
from django.utils.safestring import mark_safe

from casebase.analysis import charts

register = template.Library()


@register.simple_tag
def chart_svg(chart):
    # The SVG is rendered by a Django template with autoescaping on, so it is safe as a whole.
    return mark_safe(charts.render_chart_svg(chart))


@register.simple_tag
def matrix_svg(m):
    return mark_safe(charts.render_matrix_svg(m))
