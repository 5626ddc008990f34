"""The supporter's self-assessment pages under /submit/assessments/.

Every outcome keeps what was typed, as the case form does: a validation error
re-renders the bound rows (422); a stale version re-renders them with the
newer version's number (409); an expired session keeps the POST for after
sign-in (accounts.access).
"""

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from casebase.accounts.access import restores_unsaved_post, supporter_required, take_stashed_post
from casebase.commitments import services
from casebase.commitments.forms import VersionForm, statement_forms
from casebase.commitments.models import ReportingCycle, SelfAssessment
from casebase.core.evidence import Voice

SAVE, SUBMIT = "save", "submit"


@supporter_required
def assessment_list(request):
    organization = request.organization
    mine = {
        a.cycle_id: a
        for a in SelfAssessment.objects.filter(organization=organization).select_related("cycle")
    }
    # Open cycles, and closed ones the organization took part in (its record stays readable).
    cycles = ReportingCycle.objects.filter(is_open=True) | ReportingCycle.objects.filter(pk__in=mine)
    rows = [(cycle, mine.get(cycle.pk)) for cycle in cycles.select_related("edition").distinct()]
    return render(
        request,
        "commitments/assessment_list.html",
        {"organization": organization, "rows": rows},
    )


def _statement_initial(statements):
    by_rec = {s.recommendation_id: s for s in statements}

    def initial_for(rec):
        statement = by_rec.get(rec.pk)
        if statement is None:
            return {}
        feedback = services.supporter_feedback(statement)
        return {
            "status": statement.status,
            "justification": statement.justification,
            "planned_measure": statement.planned_measure,
            "planned_by": statement.planned_by,
            "evidence": [case.pk for case in statement.evidence_cases.all()],
            "feedback_kind": feedback.kind if feedback else "",
            "feedback_text": feedback.text if feedback else "",
        }

    return initial_for


class Page:
    """What the form page needs: the cycle, the organization's assessment if any, its rows."""

    def __init__(self, request, slug):
        self.request = request
        self.organization = request.organization
        self.cycle = get_object_or_404(ReportingCycle.objects.select_related("edition"), slug=slug)
        self.assessment = (
            SelfAssessment.objects.filter(cycle=self.cycle, organization=self.organization)
            .select_related("reviewer")
            .first()
        )
        if self.assessment is not None:
            self.statements = list(
                self.assessment.statements.select_related("recommendation__section").prefetch_related(
                    "evidence_cases", "feedback"
                )
            )
            self.recommendations = [s.recommendation for s in self.statements]
            self.by_roles = self.organization.roles.exists()
        else:
            self.statements = []
            self.recommendations, self.by_roles = services.recommendations_for(self.cycle, self.organization)
        self.cases = list(services.evidence_choices(self.organization))

    @property
    def editable(self) -> bool:
        return self.cycle.is_open and (
            self.assessment is None or self.assessment.status in SelfAssessment.SUPPORTER_EDITABLE
        )

    @property
    def version(self) -> int:
        return self.assessment.version if self.assessment else 0

    def forms(self, data=None):
        return statement_forms(
            data, rows=self.recommendations, cases=self.cases, initial_for=_statement_initial(self.statements)
        )

    def render(self, forms=None, *, status=200, version=None, **extra):
        forms = forms if forms is not None else self.forms()
        groups = [
            (section, list(rows)) for section, rows in groupby(forms, key=lambda f: f.recommendation.section)
        ]
        error_count = sum(1 for form in forms if form.errors)
        context = {
            "cycle": self.cycle,
            "organization": self.organization,
            "assessment": self.assessment,
            "statements": self.statements,
            "groups": groups,
            "editable": self.editable,
            "by_roles": self.by_roles,
            "has_cases": bool(self.cases),
            "version": self.version if version is None else version,
            "error_count": error_count,
            "voice_label": Voice.SUPPORTER.label,
            "past_deadline": self.cycle.deadline < timezone.localdate(),
            **extra,
        }
        return render(self.request, "commitments/assessment_form.html", context, status=status)


def _posted_version(data) -> int | None:
    form = VersionForm(data)
    return form.cleaned_data["version"] if form.is_valid() else None


@supporter_required
@restores_unsaved_post
def assessment_form(request, slug):
    page = Page(request, slug)
    if request.method != "POST":
        restored = take_stashed_post(request)
        if restored is not None and page.editable:
            forms = page.forms(restored)
            for form in forms:
                form.is_valid()
            return page.render(forms, restored=True, version=_posted_version(restored))
        return page.render()

    action = request.POST.get("action", SAVE)
    forms = page.forms(request.POST)
    posted_version = _posted_version(request.POST)
    if not page.editable:
        for form in forms:
            form.is_valid()
        return page.render(
            forms, status=409, refused=_not_editable(page), version=posted_version, keep_typed=True
        )
    if not all([form.is_valid() for form in forms]):  # a list: every row's errors show at once
        return page.render(forms, status=422, version=posted_version)

    data = {form.recommendation.pk: form.row() for form in forms}
    try:
        assessment, expected = page.assessment, posted_version
        if assessment is None:
            started = services.start_assessment(
                cycle=page.cycle, organization=page.organization, by=request.user
            )
            assessment = started.assessment
            # Made by this request: nobody else's changes to overwrite. Otherwise someone in the
            # same organization started it meanwhile, and the posted version (0) shows a conflict.
            if started.is_new:
                expected = assessment.version
        assessment = services.save_assessment(
            assessment=assessment, data=data, version=expected, by=request.user
        )
    except services.EditConflict as conflict:
        current = conflict.assessment
        return page.render(
            forms, status=409, conflict=current, conflict_by=getattr(current.history.first(), "history_user", None),
            version=current.version,
        )  # fmt: skip
    except services.TransitionNotAllowed as error:
        return page.render(forms, status=409, refused=str(error), version=posted_version)
    except ValidationError as error:
        return page.render(forms, status=422, refused=" ".join(error.messages), version=posted_version)

    if action == SUBMIT:
        try:
            services.submit_assessment(assessment=assessment, by=request.user)
        except services.NotReadyForReview as error:
            for form in forms:
                for field, message in error.missing.get(form.recommendation.pk, {}).items():
                    form.add_error(field, message)
            page = Page(request, slug)
            return page.render(forms, status=422, saved_not_submitted=True, version=assessment.version)
        except services.TransitionNotAllowed as error:
            return page.render(forms, status=409, refused=str(error), version=assessment.version)
        messages.success(request, "Submitted for review. PAI editors have been notified.")
        return redirect(reverse("commitments:form", args=[page.cycle.slug]))
    messages.success(request, "Draft saved. It is kept until you submit it; nothing is public.")
    return redirect(reverse("commitments:form", args=[page.cycle.slug]))


def _not_editable(page) -> str:
    if not page.cycle.is_open:
        return "This cycle is closed: its self-assessments can no longer be changed. Nothing was saved."
    return (
        f"This self-assessment is {page.assessment.get_status_display().lower()}: it can be changed again "
        "only if PAI editors ask for changes. Nothing was saved."
    )
