from django import forms
from django.contrib.auth import password_validation

from casebase.core.forms import Form
from casebase.organizations.models import Organization


class PasswordResetRequestForm(Form):
    """Only the address: looking it up and the email happen in a task (casebase.accounts.passwordreset)."""

    email = forms.EmailField(
        label="Email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class InvitationForm(Form):
    email = forms.EmailField(label="Email address")
    organization = forms.ModelChoiceField(
        label="Organization", queryset=Organization.objects.order_by("name"), empty_label="Choose"
    )


class AcceptInvitationForm(Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not entirely numeric, not a common password.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(
                username=self.email, email=self.email, first_name=data.get("first_name", "")
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
