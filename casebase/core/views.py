import logging
import sys

from django.db import connection
from django.db.models import Count, F, Q
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache

from casebase.cases.models import CaseStudy
from casebase.core.logging import request_id_var
from casebase.core.middleware import database_unavailable_response, is_database_unavailable
from casebase.framework.models import Edition
from casebase.organizations.models import Organization

logger = logging.getLogger("casebase.health")


def home(request):
    edition = Edition.objects.current()
    sections = []
    if edition:
        # A top-level section counts its own recommendations and its channels'
        # (the distributor practices for first- and third-party channels).
        sections = (
            edition.sections.filter(parent__isnull=True)
            .annotate(
                rec_count=Count("recommendations", distinct=True)
                + Count("children__recommendations", distinct=True)
            )
            .order_by("order")
        )
    published = CaseStudy.objects.published()
    # Undated cases are the newest set (2025's exact release date is not established).
    latest = published.for_listing().order_by(F("published_on").desc(nulls_first=True), "-id")[:6]
    # One pass over published cases and their applications (hence distinct on the case counts).
    stats = published.aggregate(
        cases=Count("id", distinct=True),
        organizations=Count("organization", distinct=True),
        applications=Count("applications", filter=~Q(applications__status="not_applicable")),
    )
    stats["supporters"] = Organization.objects.supporters().count()
    stats["recommendations"] = edition.recommendations.count() if edition else 0
    return render(
        request,
        "core/home.html",
        {"edition": edition, "sections": sections, "latest": latest, "stats": stats},
    )


@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        logger.warning("healthz: database unreachable: %s: %s", type(exc).__name__, exc)
        response = JsonResponse({"status": "error", "database": exc.__class__.__name__}, status=503)
        response["Retry-After"] = "10"
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page, with the request id to quote to support.

    A database outage that surfaces outside a view (in a middleware, say) is
    still answered with the friendly 503. The page is rendered without the
    request context: whatever broke must not break this page too.
    """
    exception = sys.exc_info()[1]
    if exception is not None and is_database_unavailable(exception):
        return database_unavailable_response(request)
    request_id = getattr(request, "request_id", "") or request_id_var.get()
    body = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(body)
