"""Sign-in, sign-out, password reset and invitations under /accounts/."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from casebase.accounts import following, passwordreset, readers, services
from casebase.accounts.access import editor_required, form_page, reader_required, stash_post
from casebase.accounts.forms import (
    AcceptInvitationForm,
    DeleteAccountForm,
    InvitationForm,
    PasswordResetRequestForm,
    SignInForm,
    SignUpForm,
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
        if readers.is_reader(user):
            return reverse("accounts:account")
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
        refusal = passwordreset.LIMIT.refusal(email=email, client=client_ip(self.request))
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


def signup(request):
    """A reader's sign-up: the same answer for every address (see accounts.readers)."""
    if request.user.is_authenticated:
        return redirect("accounts:account" if readers.is_reader(request.user) else "home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        refusal = readers.LIMIT.refusal(email=email, client=client_ip(request))
        if refusal:
            form.add_error(None, refusal)
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        response = redirect("accounts:signup_sent")
        if not form.cleaned_data["website"]:  # a filled honeypot: a bot, answered the same
            enqueue_after_response(
                response,
                readers.sign_up,
                email=email,
                password_hash=make_password(form.cleaned_data["password1"]),
            )
        return response
    return render(request, "accounts/signup.html", {"form": form}, status=422 if form.errors else 200)


def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


def signup_confirm(request, token):
    """The link from the confirmation email: the account can sign in from now on."""
    user = readers.confirm(token)
    if user is None:
        return render(request, "accounts/signup_invalid.html", status=410)
    messages.success(request, f"Your address {user.email} is confirmed. You can sign in now.")
    return redirect("accounts:login")


@reader_required
def account(request):
    """My account: the address, the searches followed, the collections, and the way out."""
    return render(request, "accounts/account.html", readers_context(request.user))


def readers_context(user) -> dict:
    return {"subscriptions": list(user.subscriptions.all())}


@reader_required
def delete_account(request):
    """Delete my account and everything it holds, once the password confirms it."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        readers.delete_account(user=request.user)
        logout(request)
        messages.success(request, "Your account and everything it held have been deleted.")
        return redirect("home")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, **readers_context(request.user)},
        status=422 if form.errors else 200,
    )


@require_POST
@reader_required
def follow(request):
    """Follow the search in ``query`` (a /cases/ query string) by email."""
    raw = request.POST.get("query", "")
    if len(raw) > 4 * following.QUERY_MAX_LENGTH:
        return render(
            request,
            "accounts/follow_refused.html",
            {"problems": ["This search is too long to follow."]},
            status=400,
        )
    try:
        subscription = following.follow(
            user=request.user, params=QueryDict(raw), frequency=request.POST.get("frequency", "")
        )
    except ValidationError as error:
        return render(
            request, "accounts/follow_refused.html", {"problems": error.messages, "query": raw}, status=400
        )
    messages.success(
        request,
        f"You follow “{subscription.label}” by email ({subscription.get_frequency_display().lower()}).",
    )
    return redirect(reverse("cases:list") + ("?" + subscription.query if subscription.query else ""))


@require_POST
@reader_required
def unfollow(request, pk):
    if not following.unfollow(user=request.user, pk=pk):
        raise Http404("You follow no such search.")
    messages.success(request, "You no longer follow that search.")
    return redirect("accounts:account")


# The link in every email works signed out: the signed token is the authority, so a mail
# client's one-click POST (RFC 8058), which carries no CSRF token, is accepted too.
@csrf_exempt
def unsubscribe(request, token):
    subscription = following.subscription_for_token(token)
    if request.method == "POST":
        if subscription is not None:
            subscription.delete()
        return render(request, "accounts/unsubscribed.html", {"done": True})
    if subscription is None:
        # Already unsubscribed (or a link that was never ours): nothing more to do.
        return render(request, "accounts/unsubscribed.html", {"done": True}, status=404)
    return render(request, "accounts/unsubscribed.html", {"subscription": subscription, "token": token})


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
