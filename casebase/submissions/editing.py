"""The case form page, shared by supporters (/submit/) and editors (/review/).

Every outcome keeps what was typed: validation errors re-render the bound
form; a stale version re-renders it beside the text someone else saved; an
expired session keeps the POST for after sign-in (see access.py).
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from casebase.accounts.access import take_stashed_post
from casebase.submissions import services
from casebase.submissions.content import empty_content, missing_for_review, normalize, with_suggestions
from casebase.submissions.diff import diff_contents
from casebase.submissions.forms import ApplicationFormSet, CaseForm, initial_from_content, legacy_sections

SAVE, PREVIEW, SUBMIT = "save", "preview", "submit"
# Set on the edit address a new case is sent to when "Save and submit" found parts missing.
NOT_SUBMITTED = "not_submitted"


def _form_token(data) -> uuid.UUID | None:
    """The new-case form's one-time token as posted; anything that is not one counts as none."""
    try:
        return uuid.UUID(str((data or {}).get("form_token", ""))[:64])
    except ValueError:
        return None


def _forms(data, content, version):
    initial, applications = initial_from_content(content, version)
    if data is None:
        return (
            CaseForm(initial=initial, legacy_sections=legacy_sections(content)),
            ApplicationFormSet(initial=applications, prefix="apps"),
        )
    # A bound formset gets no initial data: with it, Django would treat an unchanged
    # extra row as empty and silently drop it.
    return (
        CaseForm(data, initial=initial, legacy_sections=legacy_sections(content)),
        ApplicationFormSet(data, prefix="apps"),
    )


def _posted_version(form) -> int | None:
    try:
        return int(form.data.get("version"))
    except (TypeError, ValueError):
        return None


def _add_missing(form, formset, missing) -> None:
    for key, message in missing:
        name = form.field_for_key(key)
        if name:
            form.add_error(name, message)
        elif key == "applications":
            formset._non_form_errors = formset.non_form_errors() + [message]
        else:
            form.add_error(None, message)


def case_form_page(request, *, submission, organization, base: str, template_context: dict):
    """GET shows the form, POST saves (and previews or submits); ``submission`` None means a new case.

    ``base`` is "submissions" or "review": the URL namespace to send people back to.
    """
    content = submission.content if submission else empty_content(organization)
    version = submission.version if submission else 0
    context = {"submission": submission, "organization": organization, "base": base, **template_context}

    if request.method != "POST":
        restored = take_stashed_post(request)
        if submission is None:
            context["form_token"] = _form_token(restored) or uuid.uuid4()
            content = with_suggestions(content, request.GET)
        elif request.GET.get(NOT_SUBMITTED) and submission.supporter_can_edit():
            context["not_submitted"] = missing_with_links(submission, base)
        form, formset = _forms(restored, content, version)
        if restored is not None:
            # Show what they wrote, unsaved, with its errors if any; saving will check the version.
            form.is_valid()
            formset.is_valid()
            context["restored"] = True
        return render(request, "submissions/case_form.html", context | {"form": form, "formset": formset})

    action = request.POST.get("action", SAVE)
    form, formset = _forms(request.POST, content, version)
    context |= {"form": form, "formset": formset}
    is_new = submission is None
    token = _form_token(request.POST) if is_new else None
    if is_new:
        context["form_token"] = token or uuid.uuid4()
    valid = [form.is_valid(), formset.is_valid()]  # both, so every error shows at once
    if not all(valid):
        return render(request, "submissions/case_form.html", context, status=422)

    new_content = form.to_content(formset.to_content())
    try:
        if is_new:
            created = services.create_draft_once(
                organization=organization, content=new_content, by=request.user, token=token
            )
            submission = created.submission
            if not created.is_new and normalize(new_content) != submission.content:
                # The same form again, changed (Back, edit, save): it edits the draft it made,
                # as the version it was made at, so later edits elsewhere are not overwritten.
                submission = services.save_draft(
                    submission=submission,
                    content=new_content,
                    expected_version=_posted_version(form) or 1,
                    by=request.user,
                )
        else:
            submission = services.save_draft(
                submission=submission,
                content=new_content,
                expected_version=_posted_version(form),
                by=request.user,
            )
    except services.EditConflict as conflict:
        current = conflict.submission
        context |= {
            "conflict": current,
            "conflict_by": getattr(current.history.first(), "history_user", None),
            "conflict_diff": diff_contents(current.content, new_content),
            # Saving again from this page is a deliberate choice over the other text.
            "form": _rebound_with_version(form, current.version),
        }
        return render(request, "submissions/case_form.html", context, status=409)
    except services.TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect(_detail_url(base, submission))

    if action == PREVIEW:
        messages.success(request, "Draft saved. This is how readers will see it.")
        return redirect(reverse(f"{base}:preview", args=[submission.pk]))
    if action == SUBMIT:
        try:
            services.submit(submission=submission, by=request.user)
        except services.NotReadyForReview as error:
            if is_new:
                # The draft exists now: its own address, so saving again updates it (and a
                # reload cannot post the new-case form a second time).
                return redirect(reverse(f"{base}:edit", args=[submission.pk]) + f"?{NOT_SUBMITTED}=1")
            form = _rebound_with_version(form, submission.version)
            formset = ApplicationFormSet(request.POST, prefix="apps")
            form.is_valid()
            formset.is_valid()
            _add_missing(form, formset, error.missing)
            context |= {
                "form": form,
                "formset": formset,
                "submission": submission,
                "saved_not_submitted": True,
            }
            return render(request, "submissions/case_form.html", context, status=422)
        except (services.TransitionNotAllowed, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect(_detail_url(base, submission))
        messages.success(request, "Submitted for review. PAI editors have been notified.")
        return redirect(_detail_url(base, submission))
    messages.success(request, "Draft saved.")
    suffix = "#applications" if request.POST.get("add_application") else ""
    return redirect(reverse(f"{base}:edit", args=[submission.pk]) + suffix)


def _rebound_with_version(form, version: int):
    data = form.data.copy()
    data["version"] = str(version)
    rebound = CaseForm(data, initial=form.initial, legacy_sections=_legacy_from_form(form))
    rebound.is_valid()
    return rebound


def _legacy_from_form(form) -> list[dict]:
    return [
        {"heading": heading, "prompt": prompt, "response": ""}
        for name, heading, prompt in form.section_fields
        if name.startswith("legacy_")
    ]


def _detail_url(base: str, submission) -> str:
    return reverse(f"{base}:detail", args=[submission.pk])


def missing_with_links(submission, base: str) -> list[tuple[str, str]]:
    """What the working copy lacks before review, each with a link to the field that needs it."""
    form = CaseForm(legacy_sections=legacy_sections(submission.content))
    edit = reverse(f"{base}:edit", args=[submission.pk])
    links = []
    for key, message in missing_for_review(submission.content):
        name = form.field_for_key(key)
        anchor = f"#id_{name}" if name else ("#applications" if key == "applications" else "")
        links.append((message, edit + anchor))
    return links
