"""Views every site needs: the health check and the error pages."""

import logging
import sys

from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache

from casebase.core.logging import request_id_var
from casebase.core.middleware import database_unavailable_response, is_database_unavailable

logger = logging.getLogger("casebase.health")


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
