"""Forms for the case template, comments and review actions. Forms validate; services write."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import escape
from taggit.utils import edit_string_for_tags, parse_tags

from casebase.cases.models import Application, CaseStudy, Cohort
from casebase.cases.writing import topic_tag_problems
from casebase.core.forms import Form
from casebase.framework.models import Edition, Principle, StakeholderRole
from casebase.organizations.models import Organization
from casebase.submissions.content import normalize, template_sections
from casebase.submissions.models import Status

# Long enough for any case study; a bound keeps a pasted megabyte to a clear message.
SECTION_MAX_LENGTH = 50_000


def recommendation_choices():
    """Current-edition recommendations grouped by section, for a select with optgroups."""
    edition = Edition.objects.current()
    groups: dict[str, list] = {}
    if edition:
        for rec in edition.recommendations.select_related("section").order_by("section__order", "order"):
            groups.setdefault(str(rec.section), []).append((rec.key, rec.reader_label))
    return [("", "Choose a recommendation")] + list(groups.items())


class ApplicationForm(Form):
    recommendation = forms.ChoiceField(label="Recommendation", required=False)
    status = forms.ChoiceField(
        label="How the case relates to it", choices=Application.Status.choices, required=False
    )
    justification = forms.CharField(
        label="Justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Why you say so, in a sentence or two (markdown).",
    )
    excerpt = forms.CharField(
        label="Excerpt from the case (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="A passage from your responses that shows it.",
    )

    def __init__(self, *args, rec_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].choices = rec_choices or recommendation_choices()

    def clean(self):
        data = super().clean()
        if not data.get("recommendation") and any(
            (data.get(k) or "").strip() for k in ("justification", "excerpt")
        ):
            self.add_error("recommendation", "Choose the recommendation this justification is about.")
        return data


# Rows a browser may send beyond one per recommendation (rows being deleted, a blank one).
APPLICATION_ROWS_MARGIN = 5


class BaseApplicationFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": "A case lists each recommendation once: at most %(num)d rows. "
        "Remove the rows you do not need and save again.",
    }

    def __init__(self, *args, **kwargs):
        self.rec_choices = recommendation_choices()
        # A row per recommendation of the edition is all a case can use. The management form's
        # TOTAL_FORMS comes from the browser: without a bound, 136 bytes asking for 100,000
        # rows built a page of thousands of selects.
        recommendations = sum(len(options) for _, options in self.rec_choices[1:])
        self.max_num = max(recommendations, 1)
        self.absolute_max = self.max_num + APPLICATION_ROWS_MARGIN
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "rec_choices": self.rec_choices}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            key = form.cleaned_data.get("recommendation")
            if not key:
                continue
            if key in seen:
                form.add_error("recommendation", "This recommendation is already listed above.")
            seen.add(key)

    def to_content(self) -> list[dict]:
        items = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if not data.get("recommendation"):
                continue
            items.append(
                {
                    "recommendation": data["recommendation"],
                    "status": data.get("status") or Application.Status.IMPLEMENTED,
                    "justification": data.get("justification", ""),
                    "excerpt": data.get("excerpt", ""),
                }
            )
        return items


ApplicationFormSet = forms.formset_factory(
    ApplicationForm, formset=BaseApplicationFormSet, extra=1, can_delete=True, validate_max=True
)


class CaseForm(Form):
    """The case template: title, framing question, three takeaways, numbered sections, tags.

    Section fields come from the TemplateSection records, so next year's template needs no code.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label="Title",
        max_length=250,
        error_messages={"required": "Give the case a title; you can change it later."},
        help_text="Follows the template: “How &lt;organization&gt; …”.",  # help_text is HTML
    )
    framing_question = forms.CharField(
        label="Framing question",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="The question the case answers.",
    )
    takeaway_1 = forms.CharField(label="Takeaway 1", required=False, max_length=500)
    takeaway_2 = forms.CharField(label="Takeaway 2", required=False, max_length=500)
    takeaway_3 = forms.CharField(label="Takeaway 3", required=False, max_length=500)
    summary = forms.CharField(
        label="Summary (needed before publication)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="One paragraph shown in lists of cases (markdown).",
    )
    roles = forms.MultipleChoiceField(
        label="Stakeholder roles", required=False, widget=forms.CheckboxSelectMultiple
    )
    principles = forms.MultipleChoiceField(
        label="Principles", required=False, widget=forms.CheckboxSelectMultiple
    )
    modalities = forms.MultipleChoiceField(
        label="Media modalities",
        required=False,
        choices=CaseStudy.Modality.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    disclosure_types = forms.MultipleChoiceField(
        label="Disclosure types discussed",
        required=False,
        choices=CaseStudy.DisclosureType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label="Topic tags",
        required=False,
        max_length=500,
        help_text="Separate tags with commas, e.g. provenance, elections.",
    )

    def __init__(self, *args, legacy_sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r.slug, r.name) for r in StakeholderRole.objects.order_by("order")]
        self.fields["principles"].choices = [(p.slug, p.name) for p in Principle.objects.order_by("order")]
        self.section_fields: list[tuple[str, str, str]] = []  # (field name, heading, prompt)
        for section in template_sections():
            name = f"section_{section.pk}"
            self.fields[name] = forms.CharField(
                label=f"{section.order}. {section.heading}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                max_length=SECTION_MAX_LENGTH,
                # Prompts are editor-written plain text; escape them because Django renders help text raw.
                help_text=escape(section.prompt),
            )
            self.section_fields.append((name, section.heading, section.prompt))
        # Sections of an older template that this case answered: kept, never dropped.
        for index, section in enumerate(legacy_sections):
            name = f"legacy_{index}"
            self.fields[name] = forms.CharField(
                label=f"{section['heading']} (from an earlier template)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                max_length=SECTION_MAX_LENGTH,
                help_text=escape(section.get("prompt", "")),
            )
            self.section_fields.append((name, section["heading"], section.get("prompt", "")))

    def clean_tags(self):
        # Here rather than at publication, where a name too long for the tag table failed.
        value = self.cleaned_data.get("tags", "")
        problems = topic_tag_problems(parse_tags(value))
        if problems:
            raise forms.ValidationError(problems)
        return value

    @property
    def section_bound_fields(self):
        return [self[name] for name, _, _ in self.section_fields]

    def field_for_key(self, key: str) -> str | None:
        """Map a key from missing_for_review to this form's field name."""
        if key.startswith("section:"):
            heading = key.split(":", 1)[1].strip().lower()
            for name, section_heading, _ in self.section_fields:
                if section_heading.strip().lower() == heading:
                    return name
            return None
        return key if key in self.fields else None

    def to_content(self, applications: list[dict]) -> dict:
        data = self.cleaned_data
        return normalize(
            {
                "title": data["title"],
                "framing_question": data.get("framing_question", ""),
                "takeaways": [data.get(f"takeaway_{n}", "") for n in (1, 2, 3)],
                "summary": data.get("summary", ""),
                "sections": [
                    {"heading": heading, "prompt": prompt, "response": data.get(name, "")}
                    for name, heading, prompt in self.section_fields
                ],
                "applications": applications,
                "roles": data.get("roles", []),
                "principles": data.get("principles", []),
                "tags": parse_tags(data.get("tags", "")),
                "modalities": data.get("modalities", []),
                "disclosure_types": data.get("disclosure_types", []),
            }
        )


def legacy_sections(content: dict) -> list[dict]:
    """Sections in the working copy whose heading the current template no longer has."""
    current = {s.heading.strip().lower() for s in template_sections()}
    return [s for s in normalize(content)["sections"] if s["heading"].strip().lower() not in current]


def initial_from_content(content: dict, version: int) -> tuple[dict, list[dict]]:
    """Initial data for CaseForm and the applications formset from a working copy."""
    content = normalize(content)
    responses = {s["heading"].strip().lower(): s["response"] for s in content["sections"]}
    initial = {
        "version": version,
        "title": content["title"],
        "framing_question": content["framing_question"],
        "summary": content["summary"],
        "roles": content["roles"],
        "principles": content["principles"],
        "modalities": content["modalities"],
        "disclosure_types": content["disclosure_types"],
        "tags": edit_string_for_tags(_TagName(n) for n in content["tags"]),
    }
    for n, text in enumerate(content["takeaways"][:3], start=1):
        initial[f"takeaway_{n}"] = text
    for section in template_sections():
        initial[f"section_{section.pk}"] = responses.get(section.heading.strip().lower(), "")
    for index, section in enumerate(legacy_sections(content)):
        initial[f"legacy_{index}"] = section["response"]
    return initial, content["applications"]


class _TagName:
    """Just enough of a taggit Tag for edit_string_for_tags."""

    def __init__(self, name):
        self.name = name


class CommentForm(Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        help_text="Markdown is allowed.",
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EditorCommentForm(CommentForm):
    # Internal unless the editor chooses otherwise: a note meant for colleagues that reaches
    # the supporter cannot be taken back, while an internal one can be reposted for them.
    # Not required, and a form that names no choice posts internally, for the same reason.
    internal = forms.TypedChoiceField(
        label="Who can read it",
        choices=[("1", "PAI staff only (internal)"), ("0", "The supporter and PAI staff")],
        coerce=lambda v: v == "1",
        initial="1",
        required=False,
        empty_value=True,
        widget=forms.RadioSelect,
    )

    field_order = ["internal", "body", "parent"]


class MessageForm(Form):
    """An optional note that goes with a review action (request changes, approve, withdraw)."""

    message = forms.CharField(
        label="Message to the supporter",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )


class WithdrawForm(Form):
    message = forms.CharField(
        label="Why are you withdrawing it? (optional; PAI editors will read this)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=20000,
    )


class RejectForm(Form):
    message = forms.CharField(
        label="Reason (the supporter will read this)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )


class PublishForm(Form):
    cohort = forms.ModelChoiceField(
        label="Cohort", queryset=Cohort.objects.all(), required=False, empty_label="Keep as it is"
    )
    official_url = forms.URLField(
        label="PAI's page for the case",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The case study's address on partnershiponai.org, if it has one.",
    )
    no_official_page = forms.BooleanField(label="PAI has no page for this case yet", required=False)
    message = forms.CharField(
        label="Change note for readers (optional)",
        required=False,
        max_length=500,
        help_text="Shown in the case's public change log, e.g. “Section 3 updated with 2025 results”.",
    )


def editor_queryset():
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .order_by("first_name", "last_name", "email", "username")
    )


def person_name(user) -> str:
    """A person as the review pages name them: full name, else email (a username means little)."""
    return user.get_full_name() or user.email or user.get_username()


class EditorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


class AssignForm(Form):
    assignee = EditorChoiceField(label="Assign to", queryset=editor_queryset(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = editor_queryset()


class QueueFilterForm(Form):
    STATUS_CHOICES = [("active", "Waiting for someone"), ("", "Any status")] + list(Status.choices)

    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False, initial="active")
    organization = forms.ModelChoiceField(
        label="Organization", queryset=Organization.objects.none(), required=False, empty_label="Any"
    )
    cohort = forms.ModelChoiceField(
        label="Cohort", queryset=Cohort.objects.none(), required=False, empty_label="Any"
    )
    assignee = forms.ChoiceField(label="Assignee", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            submissions__isnull=False
        ).distinct()
        self.fields["cohort"].queryset = Cohort.objects.all()
        self.fields["assignee"].choices = [("", "Anyone"), ("me", "Me"), ("none", "Nobody yet")] + [
            (str(u.pk), person_name(u)) for u in editor_queryset()
        ]

    def filter(self, queryset, user):
        if not self.is_valid():
            return queryset.active()
        data = self.cleaned_data
        # A link that names no status (e.g. ?assignee=me) means the working queue, as the page opens.
        status = data.get("status") if "status" in self.data else "active"
        if status == "active":
            queryset = queryset.active()
        elif status:
            queryset = queryset.filter(status=status)
        if data.get("organization"):
            queryset = queryset.filter(organization=data["organization"])
        if data.get("cohort"):
            queryset = queryset.filter(case__cohort=data["cohort"])
        assignee = data.get("assignee")
        if assignee == "me":
            queryset = queryset.filter(assignee=user)
        elif assignee == "none":
            queryset = queryset.filter(assignee__isnull=True)
        elif assignee:
            queryset = queryset.filter(assignee_id=assignee)
        return queryset
