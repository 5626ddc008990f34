"""/review/editions/ (staff drafting) and the public crosswalk and diff of a published edition."""

import csv
import io
import json

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casebase.accounts.access import editor_required
from casebase.cases.exports import safe_cell
from casebase.cases.models import Application
from casebase.core.evidence import SHOWN_GRADES
from casebase.editions import services
from casebase.editions.diff import word_diff
from casebase.editions.forms import AddForm, ChangeForm, DraftForm, MergeForm, RetireForm, SplitForm
from casebase.editions.models import EditionChange
from casebase.framework.models import Edition, Recommendation

CASES_SHOWN = 50  # per recommendation on the crosswalk page; its case-list link lists them all


# --- staff --------------------------------------------------------------------------------


def _draft(slug) -> Edition:
    return get_object_or_404(Edition.objects.select_related("based_on"), slug=slug, is_draft=True)


def _draft_rec(edition, key) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.select_related("section").prefetch_related("predecessors"),
        edition=edition,
        key=key,
    )


def _refused(request, template, context, error):
    """Re-render the form as it was sent, with the reason it was refused (422)."""
    context["form"].add_error(None, str(error))
    return render(request, template, context, status=422)


@editor_required
def edition_list(request):
    form = DraftForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                draft = services.draft_next_edition(
                    slug=form.cleaned_data["slug"], title=form.cleaned_data["title"], by=request.user
                )
            except services.EditionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Drafted {draft.slug} from the current edition.")
                return HttpResponseRedirect(reverse("editions:draft", args=[draft.slug]))
        status = 422
    else:
        status = 200
    return render(
        request,
        "editions/list.html",
        {
            "editions": Edition.objects.select_related("based_on").order_by(
                "-is_draft", "-published_on", "slug"
            ),
            "current": Edition.objects.current(),
            "form": form,
        },
        status=status,
    )


@editor_required
def draft(request, slug):
    edition = _draft(slug)
    recs = list(
        edition.recommendations.select_related("section")
        .prefetch_related("predecessors")
        .order_by("section__order", "order", "key")
    )
    done = services.touched(edition)
    for rec in recs:
        rec.is_touched = rec.pk in done
    try:
        entries, problem = services.crosswalk(edition), None
    except services.EditionError as error:
        entries, problem = [], str(error)
    return render(
        request,
        "editions/draft.html",
        {
            "edition": edition,
            "recs": recs,
            "entries": entries,
            "problem": problem,
            "changes": _changes(edition),
        },
    )


def _form_view(request, edition, form, template, context, act):
    context |= {"edition": edition, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, template, context, status=422)
        try:
            act(form.cleaned_data)
        except services.EditionError as error:
            return _refused(request, template, context, error)
        messages.success(request, "Recorded.")
        return HttpResponseRedirect(reverse("editions:draft", args=[edition.slug]))
    return render(request, template, context)


@editor_required
def change(request, slug, key):
    edition = _draft(slug)
    rec = _draft_rec(edition, key)
    feedback = services.feedback_for(rec.predecessors.all())
    form = ChangeForm(request.POST or None, initial={"title": rec.title, "text": rec.text}, feedback=feedback)

    def act(data):
        services.change_recommendation(
            edition=edition, recommendation=rec, title=data["title"], text=data["text"],
            reason=data["reason"], feedback=data["feedback"], by=request.user,
        )  # fmt: skip

    return _form_view(request, edition, form, "editions/change.html", {"rec": rec, "action": "change"}, act)


@editor_required
def split(request, slug, key):
    edition = _draft(slug)
    rec = _draft_rec(edition, key)
    feedback = services.feedback_for(rec.predecessors.all())
    initial = {"key_0": f"{rec.key}a", "title_0": rec.title, "text_0": rec.text, "key_1": f"{rec.key}b"}
    form = SplitForm(request.POST or None, initial=initial, feedback=feedback)

    def act(data):
        services.split_recommendation(
            edition=edition, recommendation=rec, parts=data["parts"],
            reason=data["reason"], feedback=data["feedback"], by=request.user,
        )  # fmt: skip

    return _form_view(request, edition, form, "editions/change.html", {"rec": rec, "action": "split"}, act)


@editor_required
def retire(request, slug, key):
    edition = _draft(slug)
    rec = _draft_rec(edition, key)
    form = RetireForm(request.POST or None, feedback=services.feedback_for(rec.predecessors.all()))

    def act(data):
        services.retire_recommendation(
            edition=edition,
            recommendation=rec,
            reason=data["reason"],
            feedback=data["feedback"],
            by=request.user,
        )

    return _form_view(request, edition, form, "editions/change.html", {"rec": rec, "action": "retire"}, act)


@editor_required
def merge(request, slug):
    edition = _draft(slug)
    choices = edition.recommendations.exclude(pk__in=services.touched(edition)).order_by(
        "section__order", "order", "key"
    )
    olds = Recommendation.objects.filter(edition_id=edition.based_on_id)
    form = MergeForm(request.POST or None, choices=choices, feedback=services.feedback_for(olds))

    def act(data):
        services.merge_recommendations(
            edition=edition, recommendations=list(data["recommendations"].select_related("section")),
            key=data["key"], title=data["title"], text=data["text"],
            reason=data["reason"], feedback=data["feedback"], by=request.user,
        )  # fmt: skip

    return _form_view(request, edition, form, "editions/change.html", {"action": "merge"}, act)


@editor_required
def add(request, slug):
    edition = _draft(slug)
    form = AddForm(request.POST or None, sections=edition.sections.order_by("order"))

    def act(data):
        services.add_recommendation(
            edition=edition, section=data["section"], key=data["key"], title=data["title"], text=data["text"],
            reason=data["reason"], by=request.user,
        )  # fmt: skip

    return _form_view(request, edition, form, "editions/change.html", {"action": "add"}, act)


@require_POST  # a GET is refused before anything else is looked at (405 for everyone)
@editor_required
def publish(request, slug):
    edition = _draft(slug)
    try:
        services.publish_edition(edition=edition, by=request.user)
    except services.EditionError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("editions:draft", args=[slug]), status=303)
    messages.success(request, f"Published {edition.slug}: it is now the current edition.")
    return HttpResponseRedirect(reverse("edition_pages:changes", args=[slug]))


@require_POST  # a GET is refused before anything else is looked at (405 for everyone)
@editor_required
def discard(request, slug):
    edition = _draft(slug)
    services.discard_draft(edition=edition, by=request.user)
    messages.success(request, f"Discarded the draft {slug}.")
    return HttpResponseRedirect(reverse("editions:list"))


# --- public -------------------------------------------------------------------------------


def _published(slug) -> Edition:
    """A published edition drafted from another: drafts are 404 to everyone here."""
    edition = get_object_or_404(Edition.objects.public().select_related("based_on"), slug=slug)
    if edition.based_on is None:
        raise Http404("This edition was not drafted from an earlier one: it has no crosswalk.")
    return edition


def _feedback_shown(feedback):
    """Feedback's words are public only if its source is: a published case or a published
    self-assessment. Anything else is shown as "staff feedback", without its text."""
    case = feedback.case
    statement = feedback.statement
    public = (case is not None and case.is_published) or (
        statement is not None and statement.assessment.is_public
    )
    return {"kind": feedback.get_kind_display(), "text": feedback.text if public else "",
            "public": public, "case": case if case is not None and case.is_published else None,
            "organization": feedback.organization if public else None}  # fmt: skip


def _changes(edition):
    changes = list(
        EditionChange.objects.filter(edition=edition)
        .prefetch_related(
            "old_recommendations",
            "new_recommendations",
            "feedback__case",
            "feedback__statement__assessment",
            "feedback__organization",
        )
        .order_by("kind", "created_at", "pk")
    )
    for c in changes:
        c.olds = sorted(c.old_recommendations.all(), key=lambda r: r.key)
        c.news = sorted(c.new_recommendations.all(), key=lambda r: (r.order, r.key))
        c.shown_feedback = [_feedback_shown(f) for f in c.feedback.all()]
        c.diffs = []
        if c.kind in (EditionChange.Kind.RENAMED, EditionChange.Kind.CHANGED) and c.olds and c.news:
            old, new = c.olds[0], c.news[0]
            c.diffs = [("Title", word_diff(old.title, new.title)), ("Text", word_diff(old.text, new.text))]
    by_kind = []
    for kind, label in EditionChange.Kind.choices:
        chosen = [c for c in changes if c.kind == kind]
        if chosen:
            by_kind.append({"kind": kind, "label": label, "changes": chosen})
    return by_kind


def changes(request, slug):
    edition = _published(slug)
    return render(
        request,
        "editions/changes.html",
        {
            "edition": edition,
            "groups": _changes(edition),
            "same_count": sum(1 for e in services.crosswalk(edition) if e.kind == services.SAME),
            "crumbs": [
                ("Framework", reverse("framework:current")),
                (edition.slug, edition.get_absolute_url()),
                ("Changes", None),
            ],
        },
    )


def _applications(entries):
    """Each old recommendation's applications by published cases (shown grades), in one query."""
    found: dict[int, list] = {e.old.pk: [] for e in entries}
    for application in (
        Application.objects.of_published_cases()
        .filter(recommendation__in=list(found), grade__in=SHOWN_GRADES)
        .select_related("case")
        .order_by("case__title", "case__slug", "voice")
    ):
        found[application.recommendation_id].append(application)
    return found


def crosswalk(request, slug):
    edition = _published(slug)
    entries = services.crosswalk(edition)
    applications = _applications(entries)
    for entry in entries:
        cases = {}
        for application in applications[entry.old.pk]:
            cases.setdefault(application.case_id, application.case)
        entry.cases = list(cases.values())[:CASES_SHOWN]
        entry.case_count = len(cases)
    return render(
        request,
        "editions/crosswalk.html",
        {
            "edition": edition,
            "entries": entries,
            "cases_shown": CASES_SHOWN,
            "crumbs": [
                ("Framework", reverse("framework:current")),
                (edition.slug, edition.get_absolute_url()),
                ("Crosswalk", None),
            ],
        },
    )


def crosswalk_download(request, slug, ext):
    if ext not in ("csv", "json"):
        raise Http404("The crosswalk downloads as .csv or .json.")
    edition = _published(slug)
    entries = services.crosswalk(edition)
    applications = _applications(entries)
    rows = [
        {
            "old_edition": edition.based_on.slug,
            "old_key": e.old.key,
            "old_title": e.old.title,
            "kind": e.kind,
            "new_edition": edition.slug,
            "new_keys": [r.key for r in e.successors],
            "new_titles": [r.title for r in e.successors],
            "reason": e.change.reason if e.change else "",
            "applications": [
                {"case": a.case.slug, "status": a.status, "voice": a.voice, "grade": a.grade}
                for a in applications[e.old.pk]
            ],
        }
        for e in entries
    ]
    filename = f"casebase-crosswalk-{edition.based_on.slug}-{edition.slug}"
    if ext == "json":
        body = json.dumps(
            {"from_edition": edition.based_on.slug, "to_edition": edition.slug, "crosswalk": rows},
            ensure_ascii=False,
            indent=1,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["old_edition", "old_key", "old_title", "kind", "new_edition", "new_keys", "new_titles",
                         "reason", "cases"])  # fmt: skip
        for row in rows:
            cells = [
                row["old_edition"], row["old_key"], row["old_title"], row["kind"], row["new_edition"],
                ";".join(row["new_keys"]), ";".join(row["new_titles"]), row["reason"],
                ";".join(sorted({a["case"] for a in row["applications"]})),
            ]  # fmt: skip
            writer.writerow([safe_cell(c) for c in cells])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{ext}"'
    return response
