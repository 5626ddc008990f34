"""Structured logging: one JSON object per line, each carrying the id of the request being served.

A traceback stays inside its record's JSON (as ``exc_info``), so every line a
process writes can be parsed and joined to the request that caused it.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamp every log record with the id of the request being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        # Django logs each error response after the middleware has returned (and the
        # context variable is reset), but passes the request along with the record.
        request = getattr(record, "request", None)
        if getattr(request, "request_id", None):
            record.request_id = request.request_id
        # gunicorn's access lines are written after the response, outside the request:
        # their arguments carry the response headers, X-Request-ID among them.
        if isinstance(record.args, dict) and record.args.get("{x-request-id}o", "-") != "-":
            record.request_id = record.args["{x-request-id}o"]
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as a single line of JSON (newlines in messages and tracebacks are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
