"""Template tags that show a fact with its provenance: where it stands, how sure, whose voice.

    <h1 {% fact_attrs case "title" %}>{{ case.title }}{% flag case "title" %}</h1>
    {% date_of case "published_on" %}          -> "March 2024" at the precision known

``fact_attrs`` marks the element that holds a fact (``data-fact``, ``data-grade``,
``data-voice``), which the tests read to check that every fact shown has a grade
and that a flagged one says so where it stands; ``flag`` writes the visible word
("unverified", "inferred") beside it, nothing for a confirmed fact.
"""

from django import template
from django.utils.html import format_html

from casebase.core.dates import as_text
from casebase.core.evidence import Provenance, Voice, flag_of

register = template.Library()


def _provenance(obj, field: str | None) -> Provenance:
    if obj is None:
        return Provenance()
    if isinstance(obj, Provenance):
        return obj
    if field:
        return obj.provenance(field)
    return obj.provenance()


@register.simple_tag
def fact_attrs(obj, field: str = ""):
    provenance = _provenance(obj, field)
    label = f"{obj._meta.label_lower}:{obj.pk}:{field or '*'}" if hasattr(obj, "_meta") else field
    return format_html(
        'data-fact="{}" data-grade="{}" data-voice="{}"', label, provenance.grade, provenance.voice
    )


@register.simple_tag
def flag(obj, field: str = ""):
    """The reader-facing flag of a fact (with a leading space), or nothing when it is fact."""
    provenance = _provenance(obj, field)
    word = flag_of(provenance.grade)
    if not word:
        return ""
    title = provenance.note or f"{provenance.grade_label}: not yet checked against its source"
    return format_html(' <span class="flag flag-{}" title="{}">{}</span>', word, title, word)


@register.simple_tag
def provenance_of(obj, field: str = "") -> Provenance:
    return _provenance(obj, field)


@register.simple_tag
def date_of(obj, field: str) -> str:
    """A date at the precision it is known ("19 November 2024", "March 2024", "2025")."""
    value = getattr(obj, field, None)
    precision = getattr(obj, field.removesuffix("_on") + "_precision", None) or getattr(
        obj, f"{field}_precision", "day"
    )
    return as_text(value, precision)


@register.filter
def grade_flag(grade: str) -> str:
    return flag_of(grade)


@register.filter
def voice_phrase(value: str) -> str:
    """ "PAI staff", "Casebase editors", "the organization itself": a voice inside a sentence."""
    return Voice.phrase(value)
