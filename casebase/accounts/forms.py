from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm

from casebase.core.forms import Form
from casebase.organizations.models import Organization


def check_new_password(form, data: dict, *, email: str, first_name: str = "") -> None:
    """A new password typed twice: the same both times, and one the validators accept for this person."""
    p1, p2 = data.get("password1"), data.get("password2")
    if p1 and p2 and p1 != p2:
        form.add_error("password2", "The two passwords differ.")
    elif p1:
        probe = get_user_model()(username=email, email=email, first_name=first_name)
        try:
            password_validation.validate_password(p1, probe)
        except forms.ValidationError as error:
            form.add_error("password1", error)


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


class NewPasswordForm(Form):
    """A new password typed twice, checked by check_new_password for the account's owner."""

    password1 = forms.CharField(
        label="Password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not entirely numeric, not a common password.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def owner(self, data: dict) -> dict:
        """The address and first name the password validators compare the password with."""
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        check_new_password(self, data, **self.owner(data))
        return data


class AcceptInvitationForm(NewPasswordForm):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    field_order = ["first_name", "last_name", "password1", "password2"]

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def owner(self, data: dict) -> dict:
        return {"email": self.email, "first_name": data.get("first_name", "")}


class SignInForm(AuthenticationForm):
    """Django's sign-in form, asking for what invitations tell people to use: their email
    address (it is their user name). Staff accounts with other user names still sign in."""

    error_messages = AuthenticationForm.error_messages | {
        "invalid_login": "That email address and password do not match an account. "
        "The password is case-sensitive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )

    def clean(self):
        # Invited members' user names are their addresses; for an account whose user name is
        # not (staff, demo accounts), its one address signs in too.
        value = self.cleaned_data.get("username") or ""
        if "@" in value:
            users = get_user_model().objects
            if not users.filter(username=value).exists():
                names = list(users.filter(email__iexact=value).values_list("username", flat=True)[:2])
                if len(names) == 1:
                    self.cleaned_data["username"] = names[0]
        return super().clean()


class SignUpForm(NewPasswordForm):
    """A reader's sign-up. ``website`` is a honeypot: hidden from people, filled in by bots."""

    email = forms.EmailField(
        label="Email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    field_order = ["email", "password1", "password2", "website"]

    def owner(self, data: dict) -> dict:
        return {"email": data.get("email", "")}


class DeleteAccountForm(Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
