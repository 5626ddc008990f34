"""Suggest a correction (anyone), the thank-you page, the public change log, and the editor's review."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casebase.accounts.access import editor_required
from casebase.cases.models import Application
from casebase.core.clientip import client_ip
from casebase.core.params import clean_key
from casebase.corrections import services
from casebase.corrections.forms import DecisionForm, SuggestionForm
from casebase.corrections.models import PROBLEM_BUDGET, Suggestion
from casebase.corrections.pages import PageProblem, page_for

CHANGES_PER_PAGE = 50


def _problem(request, problem: PageProblem):
    # What a reader typed is shown back, so that a page gone meanwhile loses none of it.
    typed = str(request.POST.get("problem", ""))[:PROBLEM_BUDGET] if request.method == "POST" else ""
    context = {"problem": problem.message, "typed": typed}
    return render(request, "corrections/problem.html", context, status=problem.status)


@require_http_methods(["GET", "POST"])
def new(request):
    source = request.POST if request.method == "POST" else request.GET
    try:
        page = page_for(source.get("page"))
    except PageProblem as problem:
        return _problem(request, problem)
    if request.method == "GET":
        initial = {"page": page.path}
        if page.target(str(request.GET.get("field", ""))[:200]):
            initial["field"] = request.GET["field"]
        form = SuggestionForm(initial=initial, page=page)
        return render(request, "corrections/new.html", {"form": form, "page": page})
    form = SuggestionForm(request.POST, page=page)
    if form.is_valid() and form.is_robot:
        # Answered as if accepted: a robot learns nothing from the answer.
        return HttpResponseRedirect(reverse("corrections:thanks"))
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        refusal = services.LIMIT.refusal(email=data["email"], client=client_ip(request))
        if refusal:
            form.add_error(None, refusal)
            status = 429
        else:
            services.suggest(
                page=page,
                target=form.target,
                problem=data["problem"],
                source_url=data["source_url"],
                figure=data.get("figure", ""),
                email=data["email"],
                wants_credit=data["wants_credit"],
                credit_name=data["credit_name"].strip(),
                user=request.user,
            )
            return HttpResponseRedirect(reverse("corrections:thanks") + f"?page={page.path}")
    else:
        status = 422  # as every form of the site answers when sent back with its errors
    return render(request, "corrections/new.html", {"form": form, "page": page}, status=status)


def thanks(request):
    try:
        back = page_for(request.GET.get("page")).path
    except PageProblem:
        back = ""
    return render(request, "corrections/thanks.html", {"back": back})


def changes(request):
    """The public change log: every accepted correction, newest first."""
    entries = Suggestion.objects.change_log().select_related("case")
    paginator = Paginator(entries, CHANGES_PER_PAGE)
    page = paginator.get_page(clean_key(request.GET.get("page"), 10) or 1)
    return render(request, "corrections/changes.html", {"entries": page, "paginator": paginator})


@editor_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    suggestion = get_object_or_404(Suggestion.objects.select_related("case", "decided_by"), pk=pk)
    live = services.live_value(suggestion)
    form = None
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == DecisionForm.ACCEPT:
                    services.accept(
                        suggestion=suggestion,
                        editor=request.user,
                        new_value=data["new_value"],
                        reason=data["reason"],
                        expected=data["expected"],
                    )
                    messages.success(request, "Accepted: the change is made and in the public change log.")
                else:
                    services.decline(suggestion=suggestion, editor=request.user, reason=data["reason"])
                    messages.success(request, "Declined, with your reason recorded.")
                return HttpResponseRedirect(reverse("quality:overview") + "#suggestions")
            except services.NotDecidable as refusal:
                form.add_error(None, str(refusal))
            except ValidationError as invalid:
                form.add_error(None, invalid)
    return render(
        request,
        "corrections/review.html",
        {
            "suggestion": suggestion,
            "form": form,
            "new_value": form.data.get("new_value", live) if form else live,
            "live": live,
            "expected": services.fingerprint(live),
            "reason": form.data.get("reason", "") if form else "",
            "statuses": Application.Status.choices,
            "withdraw": services.WITHDRAW,
            "current_status": _status_value(suggestion),
            "revision": _revision_in_progress(suggestion),
        },
        status=422 if form is not None and form.errors else 200,
    )


def _status_value(suggestion: Suggestion) -> str:
    """A coding's current status as its value (the suggestion keeps its label)."""
    return next((v for v, label in Application.Status.choices if label == suggestion.current_value), "")


def _revision_in_progress(suggestion: Suggestion):
    """The case's working copy when a revision of it is under way, else None.

    Publishing a revision writes the whole case from its working copy, so a correction made
    meanwhile must be made in the revision too or it is undone: the editor is told so.
    """
    if suggestion.case is None:
        return None
    try:
        working = suggestion.case.submission  # the workflow's one working copy (reverse one-to-one)
    except ObjectDoesNotExist:
        return None
    return None if working.status == "published" else working
