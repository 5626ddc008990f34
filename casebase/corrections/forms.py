"""The reader's suggestion form and the editor's decision form."""

from django import forms

from casebase.core.forms import Form
from casebase.corrections.models import (
    FIGURE_BUDGET,
    NAME_BUDGET,
    PROBLEM_BUDGET,
    REASON_BUDGET,
    VALUE_BUDGET,
)
from casebase.corrections.pages import FIGURE, Page


class SuggestionForm(Form):
    page = forms.CharField(max_length=300, widget=forms.HiddenInput)
    field = forms.ChoiceField(label="Which fact is wrong")
    figure = forms.CharField(
        label="Which figure or statement",
        max_length=FIGURE_BUDGET,
        required=False,
        help_text="For example: “the count of cases from distributors that practise recommendation 20”.",
    )
    problem = forms.CharField(
        label="What is wrong, and what it should say",
        max_length=PROBLEM_BUDGET,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"At most {PROBLEM_BUDGET:,} characters.",
    )
    source_url = forms.URLField(
        label="Where we can check it (optional, but it helps)",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="The address of a page that shows the right fact, starting http:// or https://.",
    )
    email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        help_text="Only to tell you what the editors decided. It is never shown publicly.",
    )
    wants_credit = forms.BooleanField(label="Credit me in the public change log", required=False)
    credit_name = forms.CharField(label="The name to credit", max_length=NAME_BUDGET, required=False)
    # The honeypot: hidden from people (and from assistive technology); a form that fills it is a robot's.
    website = forms.CharField(
        required=False,
        max_length=200,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, page: Page, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.fields["field"].choices = [("", "Choose…")] + [(t.key, t.label) for t in page.targets]
        if page.kind == "analysis":
            self.fields["field"].initial = FIGURE
            self.fields["field"].widget = forms.HiddenInput()
        else:
            del self.fields["figure"]

    def clean_source_url(self):
        url = self.cleaned_data["source_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Give an address starting with http:// or https://.")
        return url

    def clean(self):
        data = super().clean()
        if (
            self.page.kind == "analysis"
            and not (data.get("figure") or "").strip()
            and "figure" not in self.errors
        ):
            self.add_error("figure", "Say which figure or statement on the page is wrong.")
        if data.get("wants_credit") and not (data.get("credit_name") or "").strip():
            self.add_error("credit_name", "Give the name to credit, or untick “Credit me”.")
        return data

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    @property
    def target(self):
        return self.page.target(self.cleaned_data["field"])


class DecisionForm(Form):
    ACCEPT, DECLINE = "accept", "decline"

    decision = forms.ChoiceField(choices=[(ACCEPT, "Accept"), (DECLINE, "Decline")], widget=forms.HiddenInput)
    new_value = forms.CharField(
        label="The new value",
        max_length=VALUE_BUDGET,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    # The fingerprint of the value the editor started from (services.fingerprint).
    expected = forms.CharField(max_length=64, required=False, empty_value=None, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why",
        max_length=REASON_BUDGET,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Accepted: shown in the public change log. Declined: told to the suggester, if they left an address.",
    )

    def clean_new_value(self):
        # Browsers post line breaks as CRLF; the records keep LF, and no fact starts or ends in space.
        return self.cleaned_data["new_value"].replace("\r\n", "\n").strip()
