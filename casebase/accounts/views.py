"""Sign-in, sign-out, password reset and invitations under /accounts/."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse_lazy

from casebase.accounts import passwordreset, services
from casebase.accounts.access import editor_required, form_page, stash_post
from casebase.accounts.forms import (
    AcceptInvitationForm,
    InvitationForm,
    PasswordResetRequestForm,
    SignInForm,
)
from casebase.accounts.models import Invitation
from casebase.core.clientip import client_ip
from casebase.core.mail import enqueue_after_response


class NoColonLabels:
    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"label_suffix": ""}


class LoginView(NoColonLabels, auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_staff:
            return "/review/"
        if hasattr(user, "membership"):
            return "/submit/"
        return "/"


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET): a link cannot sign anyone out."""

    next_page = "/"


class PasswordResetView(NoColonLabels, auth_views.PasswordResetView):
    """The same answer, after the same work, whether or not an account has the address.

    The lookup and the email are a task enqueued after the response has gone
    (casebase.accounts.passwordreset), so neither the answer nor its timing says
    whether the address exists.
    """

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        refusal = passwordreset.refusal(email=email, client=client_ip(self.request))
        if refusal:
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = HttpResponseRedirect(self.get_success_url())
        enqueue_after_response(
            response,
            passwordreset.send_reset_links,
            email=email,
            domain=self.request.get_host(),
            use_https=self.request.is_secure(),
        )
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(NoColonLabels, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@editor_required
def invite(request):
    """An editor invites a supporter member by email."""
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_member(
                email=form.cleaned_data["email"],
                organization=form.cleaned_data["organization"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("accounts:invite")
    pending = Invitation.objects.select_related("organization", "invited_by")[:50]
    return render(
        request,
        "accounts/invite.html",
        {"form": form, "invitations": pending},
        status=422 if form.errors else 200,
    )


def accept_invitation(request, token):
    """The invite link: set a password and join the organization. Works once, until it expires."""
    invitation = services.find_invitation(token)
    if invitation is None or not invitation.is_usable:
        return render(request, "accounts/invitation_invalid.html", {"invitation": invitation}, status=410)
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_invalid.html", {"signed_in": True}, status=409)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as error:
            return render(request, "accounts/invitation_invalid.html", {"error": error}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, f"Welcome. You are signed in as a member of {invitation.organization.name}."
        )
        return redirect("submissions:dashboard")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"form": form, "invitation": invitation},
        status=422 if form.errors else 200,
    )


def csrf_failure(request, reason=""):
    """A form whose security token no longer matches (signed in again in another tab, or a page
    left open across sign-outs): say so in the site's layout, with the way back to the form,
    and keep what was typed, as for an expired session, so the form page puts it back.

    Only forms of the signed-in areas are kept; the sign-in form's password never is.
    """
    page = None
    if request.method == "POST":
        try:
            view = resolve(request.path).func
        except Resolver404:
            view = None
        if getattr(view, "keeps_unsaved_post", False):
            page = form_page(view, request.path)
    response = render(request, "accounts/csrf_failure.html", {"page": page}, status=403)
    if page:
        stash_post(request, response, page)
    return response
