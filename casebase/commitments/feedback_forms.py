"""Forms for tagging feedback, filing it from a case, and the dossier's notes.

Each form only checks shape and size; what the choices mean (a recommendation of the
current edition, a published case) the services decide again, so a forged POST that
skips the form is refused just the same.
"""

from django import forms

from casebase.cases.models import CaseStudy
from casebase.commitments import feedback as service
from casebase.commitments.models import Feedback
from casebase.core.forms import Form
from casebase.core.params import clean_key


def recommendation_choices() -> list:
    """The current edition's recommendations, grouped by section (rendered as one fieldset each)."""
    groups: dict = {}
    for rec in service.current_recommendations():
        label = rec.section.short_title or rec.section.title
        groups.setdefault(label, []).append((rec.key, f"{rec.reader_label} ({rec.key})"))
    return list(groups.items())


class RecommendationsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def validate(self, value):
        if len(value) > service.MAX_RECOMMENDATIONS:
            raise forms.ValidationError(
                f"Tag at most {service.MAX_RECOMMENDATIONS} recommendations to one remark "
                f"({len(value)} were chosen)."
            )
        super().validate(value)


class TagForm(Form):
    kind = forms.ChoiceField(choices=Feedback.Kind.choices, label="Kind of feedback")
    recommendations = RecommendationsField(
        required=False,
        label="Recommendations it concerns",
        help_text=f"At most {service.MAX_RECOMMENDATIONS}. Choose none to leave it untagged.",
    )
    next = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendations"].choices = choices if choices is not None else recommendation_choices()


class CaseFeedbackForm(TagForm):
    """An editor's excerpt from a published case."""

    # A slug typed (with a list of suggestions), not a select: there may be thousands of cases.
    case = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"list": "published-cases", "autocomplete": "off"}),
        label="Case (its address name, e.g. bbc)",
    )
    text = forms.CharField(
        max_length=service.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Excerpt",
        help_text=f"The passage of the case that gives the feedback, at most {service.TEXT_LIMIT:,} characters.",
    )
    field_order = ["case", "text", "kind", "recommendations"]

    def clean_case(self):
        # Through the one parameter cleaner: a NUL byte (which PostgreSQL refuses) never reaches the lookup.
        slug = clean_key(self.cleaned_data["case"], limit=120)
        case = CaseStudy.objects.published().select_related("organization").filter(slug=slug).first()
        if case is None:
            raise forms.ValidationError("No published case has that name.")
        return case


class NoteForm(Form):
    text = forms.CharField(
        max_length=service.NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Note",
        help_text=f"For editors only; plain text, at most {service.NOTE_LIMIT:,} characters.",
    )
