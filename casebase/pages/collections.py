"""Readers' collections under /collections/: keep cases (and staff analyses) with a note each, share one at a permalink,
take it away as data or citations, open it in the case list, the comparison or the analysis pages.

A collection is its owner's alone until made public. Every lookup of someone else's private
collection answers 404, as for one that does not exist.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from casebase.accounts.access import reader_required
from casebase.analysis import citations
from casebase.analysis import collections as analysis_collections
from casebase.analysis.models import Analysis, CollectedAnalysis
from casebase.cases import collections
from casebase.cases.exports import safe_cell, stream_csv
from casebase.cases.models import CaseStudy, Collection
from casebase.cases.querysets import cases_like

COMPARE_LIMIT = 4
EXPORTS = ("csv", "json", "bib", "ris", "csl.json")


def _visible(request, pk) -> Collection:
    collection = Collection.objects.visible_to(request.user).select_related("owner").filter(pk=pk).first()
    if collection is None:
        raise Http404("No collection here.")
    return collection


def _owned(request, pk) -> Collection:
    collection = collections.own(request.user, pk)
    if collection is None:
        raise Http404("You have no such collection.")
    return collection


def _items(collection):
    return list(
        collection.items.filter(case__is_published=True).select_related("case__organization", "case__cohort")
    )


def _analyses(collection):
    """The collection's analyses that are published now (one unpublished since drops out)."""
    return list(
        CollectedAnalysis.objects.published().filter(collection=collection).select_related("analysis")
    )


@reader_required
def index(request):
    """My collections, and a new one."""
    problems, typed = [], ""
    if request.method == "POST":
        typed = request.POST.get("name", "")[:2000]
        try:
            collection = collections.create(owner=request.user, name=typed)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, f"Collection “{collection.name}” created.")
            return redirect(collection)
    mine = Collection.objects.filter(owner=request.user).prefetch_related("items", "analyses")
    return render(
        request,
        "pages/collections.html",
        {"collections": mine, "problems": problems, "typed": typed, "name_max": collections.NAME_MAX_LENGTH},
        status=422 if problems else 200,
    )


def detail(request, pk):
    collection = _visible(request, pk)
    items = _items(collection)
    analyses = _analyses(collection)
    is_owner = request.user.is_authenticated and collection.owner_id == request.user.pk
    cases = [item.case for item in items]
    return render(
        request,
        "pages/collection.html",
        {
            "collection": collection,
            "items": items,
            "analyses": analyses,
            "is_owner": is_owner,
            "compare_query": "&".join(f"case={c.slug}" for c in cases[:COMPARE_LIMIT]),
            "compare_cut": len(cases) > COMPARE_LIMIT,
            "related": cases_like(cases),
            "citation": citations.for_collection(collection) if collection.is_public else None,
            "note_max": collections.NOTE_MAX_LENGTH,
            "name_max": collections.NAME_MAX_LENGTH,
        },
    )


@require_POST
@reader_required
def update(request, pk):
    collection = _owned(request, pk)
    try:
        collections.update(
            collection=collection,
            name=request.POST.get("name", "")[:2000],
            is_public=request.POST.get("is_public") == "on",
        )
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect(collection)
    state = "public: anyone with its address can read it" if collection.is_public else "private"
    messages.success(request, f"Saved. The collection is {state}.")
    return redirect(collection)


@require_POST
@reader_required
def delete(request, pk):
    collection = _owned(request, pk)
    name = collection.name
    collections.delete(collection=collection)
    messages.success(request, f"Collection “{name}” deleted.")
    return redirect("collections:index")


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _saving(request):
    """What the form saves, published only (404 otherwise), and how: (record, service, keyword)."""
    if "analysis" in request.POST:
        analysis = get_object_or_404(Analysis.objects.published(), slug=request.POST["analysis"][:300])
        return analysis, analysis_collections.add_analysis, "analysis"
    case = get_object_or_404(CaseStudy.objects.published(), slug=request.POST.get("case", "")[:300])
    return case, collections.add_case, "case"


@require_POST
@reader_required
def add(request):
    """Save a published case, or a published analysis, into one of my collections, or into a new
    one, with a note."""
    record, save, keyword = _saving(request)
    choice = request.POST.get("collection", "")
    try:
        if choice == "new":
            collection = collections.create(owner=request.user, name=request.POST.get("name", "")[:2000])
        else:
            collection = _owned(request, choice)
        save(collection=collection, note=request.POST.get("note", "")[:20000], **{keyword: record})
    except ValidationError as error:
        # Nothing typed is lost: the note comes back in the message, to copy.
        note = request.POST.get("note", "")
        kept = f" Your note, not saved: “{note[:200]}{'…' if len(note) > 200 else ''}”" if note else ""
        messages.error(request, " ".join(error.messages) + kept)
        return redirect(_back(request, record.get_absolute_url()))
    messages.success(request, f"Saved “{record.title}” in “{collection.name}”.")
    return redirect(_back(request, collection.get_absolute_url()))


def _change(request, pk, set_note, remove, what: str):
    """Change an item's note, or take it out of my collection ``pk``: ``set_note(collection, note)``
    and ``remove(collection)`` say whether the item was there."""
    collection = _owned(request, pk)
    try:
        if request.POST.get("action") == "remove":
            found = remove(collection)
            done = "Removed from the collection."
        else:
            found = set_note(collection, request.POST.get("note", "")[:20000])
            done = "Note saved."
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(collection)
    if not found:
        raise Http404(f"That {what} is not in this collection.")
    messages.success(request, done)
    return redirect(collection)


@require_POST
@reader_required
def item(request, pk, case_id):
    """Change a case's note, or take the case out of the collection."""
    return _change(
        request,
        pk,
        lambda collection, note: collections.set_note(collection=collection, case_id=case_id, note=note),
        lambda collection: collections.remove_case(collection=collection, case_id=case_id),
        "case",
    )


@require_POST
@reader_required
def analysis_item(request, pk, analysis_id):
    """Change an analysis's note, or take the analysis out of the collection."""
    return _change(
        request,
        pk,
        lambda collection, note: analysis_collections.set_note(
            collection=collection, analysis_id=analysis_id, note=note
        ),
        lambda collection: analysis_collections.remove_analysis(
            collection=collection, analysis_id=analysis_id
        ),
        "analysis",
    )


@require_GET
def export(request, pk, ext):
    if ext not in EXPORTS:
        raise Http404("No such format.")
    collection = _visible(request, pk)
    items, analyses = _items(collection), _analyses(collection)
    filename = f"casebase-collection-{collection.pk}"
    if ext == "csv":  # cases only: its columns (organization, cohort) are a case's
        header = ["title", "organization", "url", "published_on", "cohort", "note", "added_on"]
        rows = [header] + [
            [
                safe_cell(i.case.title),
                safe_cell(i.case.organization.name),
                citations.absolute(i.case.get_absolute_url()),
                i.case.published_on.isoformat() if i.case.published_on else "",
                safe_cell(i.case.cohort.name if i.case.cohort else ""),
                safe_cell(i.note),
                i.added_at.date().isoformat(),
            ]
            for i in items
        ]
        return stream_csv(rows, f"{filename}.csv")
    if ext == "json":
        data = {
            "collection": {
                "name": collection.name,
                "url": citations.absolute(collection.get_absolute_url()),
                "public": collection.is_public,
                "updated_at": collection.updated_at.isoformat(),
            },
            "cases": [
                {
                    "slug": i.case.slug,
                    "title": i.case.title,
                    "organization": i.case.organization.name,
                    "url": citations.absolute(i.case.get_absolute_url()),
                    "published_on": i.case.published_on.isoformat() if i.case.published_on else None,
                    "note": i.note,
                    "added_at": i.added_at.isoformat(),
                }
                for i in items
            ],
            "analyses": [_analysis_json(i) for i in analyses],
        }
        body, content_type = json.dumps(data, ensure_ascii=False, indent=2), "application/json"
    else:
        cited = [citations.for_case(i.case) for i in items] + [
            citations.for_analysis(i.analysis) for i in analyses
        ]
        if ext == "bib":
            body, content_type = "\n".join(c.bibtex() for c in cited), citations.FORMATS["bib"][1]
        elif ext == "ris":
            body, content_type = "\n".join(c.ris() for c in cited), citations.FORMATS["ris"][1]
        else:
            body = json.dumps([c.csl() for c in cited], ensure_ascii=False, indent=2)
            content_type = citations.FORMATS["json"][1]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{ext}"'
    return response


def _analysis_json(item: CollectedAnalysis) -> dict:
    analysis = item.analysis
    provenance = analysis.provenance()
    return {
        "slug": analysis.slug,
        "title": analysis.title,
        "author": analysis.author,
        "url": citations.absolute(analysis.get_absolute_url()),
        "published_on": analysis.published_on.isoformat() if analysis.published_on else None,
        "grade": provenance.grade,
        "voice": provenance.voice,
        "note": item.note,
        "added_at": item.added_at.isoformat(),
    }


@require_GET
def cite(request, pk, ext):
    """The citation of a public collection itself, dated."""
    collection = _visible(request, pk)
    if not collection.is_public or ext not in citations.FORMATS:
        raise Http404("Only a public collection is cited.")
    method, content_type = citations.FORMATS[ext]
    citation = citations.for_collection(collection)
    response = HttpResponse(getattr(citation, method)(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{citation.key}.{ext}"'
    return response
