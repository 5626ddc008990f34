"""/review/feedback/ and /review/dossiers/: feedback on the Framework and each recommendation's
review dossier. Staff only, never public: feedback may quote unpublished statements and the
dossier holds editors' notes."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from casebase.accounts.access import editor_required
from casebase.cases.models import CaseStudy
from casebase.commitments import feedback as service
from casebase.commitments.feedback_forms import CaseFeedbackForm, NoteForm, TagForm, recommendation_choices
from casebase.commitments.models import Feedback
from casebase.core.params import clean_key

PAGE_SIZE = 25
# Suggestions for the case field when filing feedback by hand: enough to pick from, bounded.
CASE_SUGGESTIONS = 300


def _filters(params) -> dict:
    kind = clean_key(params.get("kind"))
    tagged = clean_key(params.get("tagged"))
    source = clean_key(params.get("source"))
    return {
        "kind": kind if kind in Feedback.Kind.values else "",
        "tagged": tagged if tagged in ("yes", "no") else "",
        "source": source if source in service.SOURCES else "",
    }


def _page_number(params) -> int:
    raw = clean_key(params.get("page"))
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def _back(candidate: str) -> str:
    """Only ever back to the worklist (with its filters): never an address someone else chose."""
    home = reverse("feedback:worklist")
    if candidate and candidate.startswith(home) and "//" not in candidate and "\\" not in candidate:
        return candidate
    return home


def _item_form(item, choices, data=None) -> TagForm:
    initial = {"kind": item.kind, "recommendations": [r.key for r in item.recommendations.all()]}
    # auto_id per item: the worklist holds many forms, and every control needs its own id.
    return TagForm(data, initial=initial, choices=choices, auto_id=f"fb{item.pk}-%s")


@editor_required
def worklist(request):
    filters = _filters(request.GET)
    page = Paginator(service.worklist(**filters), PAGE_SIZE).get_page(_page_number(request.GET))
    choices = recommendation_choices()
    items = [(item, _item_form(item, choices)) for item in page.object_list]
    query = "&".join(f"{name}={value}" for name, value in filters.items() if value)
    return render(
        request,
        "commitments/feedback/worklist.html",
        {
            "page": page,
            "items": items,
            "filters": filters,
            "query": query,
            "kinds": Feedback.Kind.choices,
            "sources": service.SOURCES.items(),
            "total": page.paginator.count,
            "all_total": Feedback.objects.count(),
            "here": request.get_full_path(),
        },
    )


@require_POST
@editor_required
def gather(request):
    """Harvest feedback from every published case's answer on the Framework."""
    harvest = service.harvest_all()
    if harvest.created:
        messages.success(
            request,
            f"Gathered {harvest.created} new remark{'s' if harvest.created != 1 else ''} "
            f"from {harvest.read} published case{'s' if harvest.read != 1 else ''} with feedback.",
        )
    else:
        messages.info(
            request, f"Nothing new: {harvest.read} published cases answer the feedback section, all gathered."
        )
    return HttpResponseRedirect(reverse("feedback:worklist"))


@require_http_methods(["GET", "POST"])
@editor_required
def item(request, pk):
    """One remark and its tagging form; the worklist's forms post here."""
    feedback = get_object_or_404(service.worklist(), pk=pk)
    choices = recommendation_choices()
    form = _item_form(feedback, choices, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service.tag_feedback(
                feedback=feedback,
                kind=form.cleaned_data["kind"],
                recommendation_keys=form.cleaned_data["recommendations"],
                by=request.user,
            )
        except service.FeedbackRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Feedback no. {feedback.pk} tagged.")
            return HttpResponseRedirect(_back(form.cleaned_data["next"]))
    return render(
        request,
        "commitments/feedback/item.html",
        {"item": feedback, "form": form, "back": _back(request.POST.get("next", "")[:500])},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@editor_required
def new(request):
    """An editor files feedback quoted from a published case."""
    initial = {"kind": Feedback.Kind.OTHER}
    if request.method == "GET" and request.GET.get("case"):
        initial["case"] = clean_key(request.GET.get("case"), limit=120)
    form = CaseFeedbackForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = service.add_case_feedback(
                case=form.cleaned_data["case"],
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                recommendation_keys=form.cleaned_data["recommendations"],
                by=request.user,
            )
        except service.FeedbackRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Feedback no. {created.pk} filed from “{created.case.title}”.")
            return HttpResponseRedirect(reverse("feedback:item", args=[created.pk]))
    cases = CaseStudy.objects.published().order_by("slug").values_list("slug", "title")[:CASE_SUGGESTIONS]
    return render(
        request,
        "commitments/feedback/new.html",
        {"form": form, "cases": cases},
        status=422 if form.errors else 200,
    )


@editor_required
def dossiers(request):
    return render(
        request,
        "commitments/feedback/dossiers.html",
        {"summaries": service.dossier_summaries(), "gaps": service.GAPS.values()},
    )


@require_http_methods(["GET", "POST"])
@editor_required
def dossier(request, key):
    recommendation = service.dossier_recommendation(clean_key(key))
    if recommendation is None:
        raise Http404("No recommendation of the current edition has that key.")
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service.add_dossier_note(
                recommendation=recommendation, text=form.cleaned_data["text"], by=request.user
            )
        except service.FeedbackRefused as error:
            form.add_error("text", error)
        else:
            messages.success(request, "Note added to the dossier.")
            return HttpResponseRedirect(reverse("dossiers:detail", args=[recommendation.key]) + "#notes")
    return render(
        request,
        "commitments/feedback/dossier.html",
        {
            "recommendation": recommendation,
            "dossier": service.dossier(recommendation),
            "gaps": service.GAPS,
            "form": form,
        },
        status=422 if form.errors else 200,
    )
