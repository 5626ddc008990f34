import logging
import uuid

from django.db import DatabaseError, InterfaceError, OperationalError
from django.template.response import TemplateResponse

from casebase.core.logging import request_id_var

logger = logging.getLogger("casebase.request")


class RequestIdMiddleware:
    """Give every request an id: on every log line, in a response header and on error pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        request.request_id = rid
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class DatabaseUnavailableMiddleware:
    """Answer a friendly 503 when the database cannot be reached, instead of a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            logger.warning("database unavailable: %s", exception)
            response = TemplateResponse(
                request, "503.html", {"request_id": getattr(request, "request_id", "")}, status=503
            )
            response["Retry-After"] = "10"
            return response.render()
        return None
