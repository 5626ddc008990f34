"""/review/quality/: the evidence behind every fact, for PAI staff, and the verification worklist."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casebase.accounts.access import editor_required
from casebase.core.evidence import FACT_GRADES, Grade
from casebase.core.params import clean_key
from casebase.corrections.models import Suggestion
from casebase.quality import facts


class ConfirmForm(forms.Form):
    """One fact checked against its source: where, how sure, and optionally the exact words."""

    kind = forms.CharField(max_length=40)
    pk = forms.IntegerField(min_value=1)
    field = forms.CharField(max_length=60, required=False)
    source_url = forms.URLField(max_length=500, assume_scheme="https", label="Checked against")
    grade = forms.ChoiceField(
        choices=[(g, Grade(g).label) for g in (Grade.CONFIRMED, Grade.CORROBORATED)],
        initial=Grade.CONFIRMED,
    )
    locator = forms.CharField(max_length=500, required=False, label="Quote or place in the source")
    next = forms.CharField(max_length=500, required=False)


def _staff_name(user) -> str:
    return user.get_full_name() or user.get_username()


@editor_required
def overview(request):
    which = clean_key(request.GET.get("list")) or "check"
    if which not in facts.LISTS:
        which = "check"
    kind_key = clean_key(request.GET.get("kind"))
    # One case's facts, as the review page of that case links here; anything else is ignored.
    case_key = clean_key(request.GET.get("case"))
    case_pk = int(case_key) if case_key.isascii() and case_key.isdigit() and len(case_key) < 10 else None
    everything = list(facts.items())
    suggestions = list(Suggestion.objects.open().select_related("case").order_by("created_at", "pk"))
    facts.attach_suggestions(everything, suggestions)
    summary = facts.summarise(everything)
    title, test = facts.LISTS[which]
    chosen = [
        i
        for i in everything
        if test(i) and (not kind_key or i.kind.key == kind_key) and (case_pk is None or i.case_pk == case_pk)
    ]
    case = next((i.record for i in everything if i.kind.key == "case" and i.record.pk == case_pk), None)
    return render(
        request,
        "quality/overview.html",
        {
            "summary": summary,
            "grades": Grade.choices,
            "lists": [
                (key, label, sum(1 for i in everything if t(i))) for key, (label, t) in facts.LISTS.items()
            ],
            "which": which,
            "list_title": title,
            "kinds": facts.KINDS,
            "kind_key": kind_key if kind_key in facts.BY_KEY else "",
            "case": case,
            "worklist": chosen[: facts.WORKLIST_BUDGET],
            "worklist_total": len(chosen),
            "budget": facts.WORKLIST_BUDGET,
            "fact_grades": sorted(FACT_GRADES),
            "suggestions": suggestions[: facts.WORKLIST_BUDGET],
            "suggestions_total": len(suggestions),
        },
    )


@require_POST
@editor_required
def confirm(request):
    form = ConfirmForm(request.POST)
    back = reverse("quality:overview")
    if form.is_valid() and form.cleaned_data["next"].startswith(back):
        back = form.cleaned_data["next"]
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        messages.error(request, f"Not recorded: {problems}")
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    kind, record = facts.find(data["kind"], data["pk"], data["field"])
    if record is None:
        messages.error(request, "Not recorded: that fact is not one the site shows.")
        return HttpResponseRedirect(back)
    values = {
        "grade": data["grade"],
        "source_url": data["source_url"],
        "checked_on": timezone.localdate(),
        "checked_by": _staff_name(request.user),
    }
    if data["locator"]:
        values["locator"] = data["locator"]
    record.set_provenance(data["field"] or None, **values)
    record.save()
    where = f"{kind.label} “{record}”" + (
        f", {record.SOURCED_FIELDS[data['field']]}" if data["field"] else ""
    )
    messages.success(request, f"{where}: {Grade(data['grade']).label.lower()} against {data['source_url']}.")
    return HttpResponseRedirect(back)
