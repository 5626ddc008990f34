import logging
import uuid

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

from casebase.core.logging import request_id_var

logger = logging.getLogger("casebase.request")

# How long clients (and load balancers) are asked to wait before trying again.
RETRY_AFTER_SECONDS = 10


class RequestIdMiddleware:
    """Give every request an id: on every log line, in a response header and on error pages.

    An id sent by the load balancer (X-Request-ID) is kept when it is short and
    alphanumeric, so one request can be followed from the proxy to the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = (
            incoming
            if incoming.isascii() and incoming.isalnum() and len(incoming) <= 64
            else uuid.uuid4().hex
        )
        request.request_id = rid
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


def is_database_unavailable(exception: BaseException) -> bool:
    """True for errors that mean "the database cannot be reached", not "this query is wrong"."""
    if isinstance(exception, (OperationalError, InterfaceError)):
        return True
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # SQLite-only installs
        PoolTimeout = ()  # noqa: N806
    if PoolTimeout and isinstance(exception, PoolTimeout):
        return True
    return isinstance(exception, DatabaseError) and "connection" in str(exception).lower()


def database_unavailable_response(request) -> HttpResponse:
    """The friendly 503. Rendered without the request context: the context processors need the database."""
    request_id = getattr(request, "request_id", "") or request_id_var.get()
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = JsonResponse(
            {"status": "error", "detail": "The database is briefly unavailable.", "request_id": request_id},
            status=503,
        )
    else:
        body = loader.get_template("503.html").render({"request_id": request_id})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer a friendly 503 when the database cannot be reached, instead of a traceback.

    This catches errors raised by views and templates; ``core.views.server_error``
    does the same for errors raised in other middleware (a session save, say).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            logger.warning("database unavailable: %s: %s", type(exception).__name__, exception)
            return database_unavailable_response(request)
        return None
