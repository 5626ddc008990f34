from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from casebase.cases.models import CaseStudy
from casebase.framework.models import Edition
from casebase.organizations.models import Organization


def home(request):
    edition = Edition.objects.current()
    sections = []
    if edition:
        sections = (
            edition.sections.filter(parent__isnull=True)
            .annotate(rec_count=Count("recommendations", distinct=True))
            .order_by("order")
        )
    published = CaseStudy.objects.published()
    latest = published.for_listing().order_by("-published_on", "-id")[:6]
    stats = published.aggregate(
        cases=Count("id"),
        organizations=Count("organization", distinct=True),
    )
    stats["supporters"] = Organization.objects.supporters().count()
    stats["recommendations"] = edition.recommendations.count() if edition else 0
    stats["applications"] = published.aggregate(
        n=Count("applications", filter=~Q(applications__status="not_applicable"))
    )["n"]
    return render(
        request,
        "core/home.html",
        {"edition": edition, "sections": sections, "latest": latest, "stats": stats},
    )


@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request context: whatever broke must not break this page too.
    from django.http import HttpResponseServerError
    from django.template import loader

    body = loader.get_template("500.html").render({"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(body)
