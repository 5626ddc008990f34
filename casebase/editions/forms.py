"""Staff forms for drafting an edition. Every field is bounded; keys are slugs."""

from django import forms
from django.core.validators import RegexValidator

from casebase.core.forms import Form
from casebase.editions.models import REASON_MAX
from casebase.framework.models import Recommendation

KEY = RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z", "Use lower-case letters, digits and single hyphens.")
TITLE_MAX = 200  # Recommendation.title
TEXT_MAX = 10_000


def key_field(**kw):
    return forms.CharField(max_length=80, validators=[KEY], help_text="Stable key, e.g. builders-2a.", **kw)


def title_field(**kw):
    return forms.CharField(max_length=TITLE_MAX, **kw)


def text_field(**kw):
    return forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}), **kw)


class DraftForm(Form):
    slug = forms.SlugField(max_length=50, help_text="Its address: /framework/2025/ for the slug 2025.")
    title = forms.CharField(max_length=200)


class ReasonForm(Form):
    """The reason and the feedback that prompted the change, common to every change."""

    reason = forms.CharField(
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Why the edition changes here (at most {REASON_MAX:,} characters). Shown publicly.",
    )
    feedback = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Feedback that prompted it"
    )

    def __init__(self, *args, feedback=None, **kwargs):
        super().__init__(*args, **kwargs)
        from casebase.commitments.models import Feedback

        self.fields["feedback"].queryset = feedback if feedback is not None else Feedback.objects.none()
        self.fields["feedback"].label_from_instance = lambda f: f"{f.get_kind_display()}: {f.text[:160]}"


class ChangeForm(ReasonForm):
    title = title_field()
    text = text_field(required=False)

    field_order = ["title", "text", "reason", "feedback"]


class SplitForm(ReasonForm):
    """Up to six parts; blank rows are ignored, at least two are needed."""

    ROWS = 6

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(self.ROWS):
            self.fields[f"key_{i}"] = key_field(required=False, label=f"Part {i + 1}: key")
            self.fields[f"title_{i}"] = title_field(required=False, label=f"Part {i + 1}: title")
            self.fields[f"text_{i}"] = text_field(required=False, label=f"Part {i + 1}: text")
        self.order_fields([f"{n}_{i}" for i in range(self.ROWS) for n in ("key", "title", "text")])

    def rows(self):
        return [(i, self[f"key_{i}"], self[f"title_{i}"], self[f"text_{i}"]) for i in range(self.ROWS)]

    def clean(self):
        data = super().clean()
        parts = []
        for i in range(self.ROWS):
            key, title, text = (data.get(f"{n}_{i}") or "" for n in ("key", "title", "text"))
            if not (key or title or text):
                continue
            if not key or not title:
                self.add_error(f"key_{i}" if not key else f"title_{i}", "A part needs a key and a title.")
                continue
            parts.append({"key": key, "title": title, "text": text})
        if len(parts) < 2 and not self.errors:
            raise forms.ValidationError("A split needs at least two parts, each with a key and a title.")
        data["parts"] = parts
        return data


class MergeForm(ReasonForm):
    recommendations = forms.ModelMultipleChoiceField(
        queryset=Recommendation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Recommendations to merge",
    )
    key = key_field()
    title = title_field()
    text = text_field(required=False)

    field_order = ["recommendations", "key", "title", "text", "reason", "feedback"]

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendations"].queryset = choices
        self.fields["recommendations"].label_from_instance = lambda r: f"{r.key}: {r.title}"

    def clean_recommendations(self):
        chosen = self.cleaned_data["recommendations"]
        if len(chosen) < 2:
            raise forms.ValidationError("Choose at least two recommendations to merge.")
        return chosen


class AddForm(ReasonForm):
    section = forms.ModelChoiceField(queryset=None)
    key = key_field()
    title = title_field()
    text = text_field(required=False)

    field_order = ["section", "key", "title", "text", "reason"]

    def __init__(self, *args, sections=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections
        del self.fields["feedback"]  # nothing earlier to have gathered feedback on


class RetireForm(ReasonForm):
    pass
