"""Interactive API documentation served from the site itself (Swagger UI from drf-spectacular-sidecar).

The page also lists every endpoint in plain HTML, so it is useful without JavaScript.
"""

from functools import cache

from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator


@cache
def endpoints() -> list[dict]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    rows = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "params": params,
                    "example": path if "{" not in path else "",
                }
            )
    return rows


@require_GET
def api_docs(request):
    return render(request, "api/docs.html", {"endpoints": endpoints()})
