"""Staff pages of the yearly review under /review/: cycles, and the self-assessment queue."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casebase.accounts.access import editor_required, restores_unsaved_post, take_stashed_post
from casebase.commitments import services
from casebase.commitments.forms import CycleForm, PublishForm, RequestChangesForm
from casebase.commitments.models import ReportingCycle, SelfAssessment, Statement
from casebase.core.evidence import Voice
from casebase.organizations.models import Organization


def _cycles_page(request, form, status=200):
    cycles = ReportingCycle.objects.with_counts().select_related("edition")
    supporters = Organization.objects.supporters().count()
    rows = [(cycle, max(supporters - cycle.started, 0)) for cycle in cycles]
    return render(request, "commitments/review/cycles.html", {"form": form, "rows": rows}, status=status)


@editor_required
@restores_unsaved_post
def cycles(request):
    if request.method != "POST":
        restored = take_stashed_post(request)
        form = CycleForm(restored) if restored is not None else CycleForm()
        if restored is not None:
            form.is_valid()
        return _cycles_page(request, form)
    form = CycleForm(request.POST)
    if not form.is_valid():
        return _cycles_page(request, form, status=422)
    data = form.cleaned_data
    try:
        cycle = services.open_cycle(
            title=data["title"],
            slug=data["slug"],
            edition=data["edition"],
            opens_on=data["opens_on"],
            deadline=data["deadline"],
            notes=data["notes"],
            by=request.user,
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _cycles_page(request, form, status=422)
    messages.success(request, f"Opened “{cycle.title}”. Supporters can now file their self-assessments.")
    return redirect(reverse("commitments_review:cycle", args=[cycle.slug]))


@editor_required
def cycle_detail(request, slug):
    cycle = get_object_or_404(ReportingCycle.objects.select_related("edition"), slug=slug)
    assessments = {a.organization_id: a for a in cycle.assessments.all()}
    rows = [(org, assessments.get(org.pk)) for org in Organization.objects.supporters().order_by("name")]
    # An assessment of an organization no longer listed as a supporter is still shown.
    listed = {org.pk for org, _ in rows}
    others = [a for org_id, a in assessments.items() if org_id not in listed]
    return render(
        request,
        "commitments/review/cycle.html",
        {"cycle": cycle, "rows": rows, "others": others},
    )


def _cycle_step(call, success: str):
    @require_POST
    @editor_required
    def view(request, slug):
        cycle = get_object_or_404(ReportingCycle, slug=slug)
        try:
            call(cycle, request.user)
        except services.TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success)
        return redirect(reverse("commitments_review:cycle", args=[cycle.slug]))

    return view


close_cycle = _cycle_step(
    lambda cycle, user: services.close_cycle(cycle=cycle, by=user),
    "Closed. Supporters can no longer change their self-assessments for this cycle.",
)
reopen_cycle = _cycle_step(
    lambda cycle, user: services.reopen_cycle(cycle=cycle, by=user),
    "Reopened. Supporters can file and change their self-assessments again.",
)


@editor_required
def queue(request):
    assessments = SelfAssessment.objects.for_queue()
    return render(request, "commitments/review/queue.html", {"assessments": assessments})


def _assessment(pk) -> SelfAssessment:
    return get_object_or_404(
        SelfAssessment.objects.select_related("cycle__edition", "organization", "reviewer"), pk=pk
    )


def _detail(request, assessment, *, status=200, **overrides):
    statements = (
        Statement.objects.filter(assessment=assessment)
        .select_related("recommendation__section")
        .prefetch_related("evidence_cases", "feedback")
    )
    context = {
        "assessment": assessment,
        "statements": statements,
        "publish_form": PublishForm(),
        "changes_form": RequestChangesForm(),
        "can_decide": assessment.status == SelfAssessment.Status.SUBMITTED,
        "voice_label": Voice.SUPPORTER.label,
        **overrides,
    }
    return render(request, "commitments/review/assessment.html", context, status=status)


@editor_required
def assessment_detail(request, pk):
    assessment = _assessment(pk)
    restored = take_stashed_post(request)
    if restored is not None:
        form = RequestChangesForm(restored)
        form.is_valid()
        return _detail(request, assessment, changes_form=form, restored=True)
    return _detail(request, assessment)


@require_POST
@editor_required
def publish(request, pk):
    assessment = _assessment(pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _detail(request, assessment, status=422, publish_form=form)
    try:
        services.publish_assessment(assessment=assessment, by=request.user, note=form.cleaned_data["note"])
    except services.TransitionNotAllowed as error:
        return _detail(request, assessment, status=409, publish_form=form, refused=str(error))
    messages.success(
        request, "Published. The organization's statements are public and its members were emailed."
    )
    return redirect(reverse("commitments_review:assessment", args=[assessment.pk]))


@require_POST
@editor_required
def request_changes(request, pk):
    assessment = _assessment(pk)
    form = RequestChangesForm(request.POST)
    if not form.is_valid():
        return _detail(request, assessment, status=422, changes_form=form)
    try:
        services.request_changes(assessment=assessment, by=request.user, note=form.cleaned_data["note"])
    except services.TransitionNotAllowed as error:
        return _detail(request, assessment, status=409, changes_form=form, refused=str(error))
    except ValidationError as error:
        form.add_error("note", error.messages)
        return _detail(request, assessment, status=422, changes_form=form)
    messages.success(request, "Changes requested. The organization's members were emailed your note.")
    return redirect(reverse("commitments_review:assessment", args=[assessment.pk]))
