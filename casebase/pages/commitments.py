"""Supporters' public statements as data: a recommendation's and an organization's, as CSV or JSON.

What each row is and which rows count under ``evidence`` is said once, in
``casebase.commitments.querying`` and ``casebase.commitments.exports``; these views
only find the page's subject and read the filters its counts link with.
"""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from casebase.commitments import exports, querying
from casebase.core.params import clean_key
from casebase.framework.models import Recommendation
from casebase.organizations.models import Organization

EXTENSIONS = ("csv", "json")


def _export(request, ext: str, *, name: str, about: dict, **subject):
    if ext not in EXTENSIONS:
        raise Http404("No such format: use .csv or .json.")
    evidence = clean_key(request.GET.get("evidence"))
    filters = {"cycle": clean_key(request.GET.get("cycle")), "status": clean_key(request.GET.get("status"))}
    try:
        statements = querying.filtered(querying.public_statements(), **filters, **subject)
    except querying.BadFilter as problem:
        return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")
    statements = querying.counted(statements, evidence)
    return exports.response(statements, ext=ext, name=name, about=about, evidence=evidence, filters=filters)


@require_GET
def recommendation_export(request, key, ext):
    rec = (
        Recommendation.objects.public()
        .filter(key=key)
        .select_related("edition")
        .order_by("-edition__is_current", "-edition__published_on", "-edition__slug")
        .first()
    )
    if rec is None:
        raise Http404("No recommendation has this key.")
    about = {"recommendation": {"key": rec.key, "label": rec.reader_label}}
    return _export(request, ext, name=rec.key, about=about, recommendation=rec.key)


@require_GET
def organization_export(request, slug, ext):
    organization = get_object_or_404(Organization, slug=slug)
    about = {"organization": {"slug": organization.slug, "name": organization.name}}
    return _export(request, ext, name=organization.slug, about=about, organization=organization.slug)
