"""Forms for reporting cycles and self-assessments. Forms validate; services write."""

from django import forms
from django.utils import timezone

from casebase.commitments.models import Feedback, ReportingCycle, Statement
from casebase.commitments.services import FEEDBACK_MAX, NOTE_MAX, SLUG_MAX, TEXT_MAX, TITLE_MAX
from casebase.core.forms import Form
from casebase.framework.models import Edition

DATE_HELP = "As YYYY-MM-DD."


class DateInput(forms.DateInput):
    """A browser date picker: it reads and writes ISO dates whatever the site's display format."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class CycleForm(Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX, help_text='e.g. "2025 review".')
    slug = forms.SlugField(
        label="Address", max_length=SLUG_MAX, help_text="Letters, digits and hyphens, e.g. 2025-review."
    )
    edition = forms.ModelChoiceField(
        label="Edition of the Framework", queryset=Edition.objects.public().order_by("-published_on", "slug")
    )
    opens_on = forms.DateField(label="Opens on", widget=DateInput(), help_text=DATE_HELP)
    deadline = forms.DateField(label="Deadline", widget=DateInput(), help_text=DATE_HELP)
    notes = forms.CharField(
        label="Notes for staff (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("edition", Edition.objects.current())
        kwargs["initial"].setdefault("opens_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if ReportingCycle.objects.filter(slug=slug).exists():
            raise forms.ValidationError("A cycle already uses this address.")
        return slug

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("deadline") and data["deadline"] < data["opens_on"]:
            self.add_error("deadline", "The deadline cannot be before the cycle opens.")
        return data


class StatementForm(Form):
    """One recommendation's row of a self-assessment. Everything may be blank in a draft; what a
    submitted assessment needs is checked by the service (services.missing_for_review)."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Not answered yet"), *Statement.Status.choices]
    )
    justification = forms.CharField(
        label="Justification",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"One sentence, in your organization's words (at most {TEXT_MAX} characters).",
    )
    planned_measure = forms.CharField(
        label="Planned measure (optional)",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Needed when the status is “Planned” (at most {TEXT_MAX} characters).",
    )
    planned_by = forms.DateField(
        label="Planned by",
        required=False,
        widget=DateInput(),
        help_text="When the measure is due. " + DATE_HELP,
    )
    evidence = forms.TypedMultipleChoiceField(
        label="Evidence: your published case studies",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Evidence can only be your organization's own published case studies; "
            "one of those sent is not."
        },
    )
    feedback_kind = forms.ChoiceField(
        label="Kind of feedback", required=False, choices=Feedback.Kind.choices, initial=Feedback.Kind.OTHER
    )
    feedback_text = forms.CharField(
        label="Feedback on this recommendation's wording (optional)",
        required=False,
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Unclear wording, a missing practice, conflicting advice (at most {FEEDBACK_MAX:,} characters).",
    )

    def __init__(self, *args, recommendation, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        self.fields["evidence"].choices = [(case.pk, case.title) for case in cases]
        self.cases = cases

    def row(self) -> dict:
        return dict(self.cleaned_data)


def statement_forms(data, *, rows, cases, initial_for) -> list[StatementForm]:
    """One form per recommendation, prefixed by its pk so a row cannot be mistaken for another."""
    return [
        StatementForm(
            data,
            prefix=f"r{rec.pk}",
            recommendation=rec,
            cases=cases,
            initial=None if data is not None else initial_for(rec),
        )
        for rec in rows
    ]


class VersionForm(Form):
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)


class RequestChangesForm(Form):
    note = forms.CharField(
        label="What should change (the supporter reads this)",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what should change: the supporter reads this note."},
    )


class PublishForm(Form):
    note = forms.CharField(
        label="Note to the supporter (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
