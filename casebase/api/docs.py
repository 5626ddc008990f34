"""The API reference at /api/docs/: plain HTML generated from the OpenAPI schema, no JavaScript.

drf-spectacular's SchemaGenerator builds the same document /api/schema/ serves; it is read
once per process and turned into plain rows (operations, parameters, response fields with
every $ref resolved) for templates/api/docs.html. The page takes no input.
"""

import re
from functools import cache

from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator
from rest_framework.settings import api_settings

from casebase.api.views import Pagination

# Ready-to-click example queries for list endpoints (values present in the real fixtures).
EXAMPLE_QUERIES = {
    "/api/cases/": "role=builder&principle=disclosure",
    "/api/recommendations/": "edition=2023&section=builders",
    "/api/organizations/": "kind=media",
    "/api/sections/": "edition=2023",
}
# Fields nested deeper than this are named but not expanded (the schema has no deeper objects today).
MAX_DEPTH = 3
CHOICE_LINE = re.compile(r"^\* `(?P<value>[^`]*)` - (?P<label>.*)$")
STRING_FORMATS = {
    "date": "date, YYYY-MM-DD",
    "date-time": "date and time, ISO 8601",
    "uri": "URL",
    "email": "email address",
    "uuid": "UUID",
}
PAGINATED_FIELDS = {"count", "next", "previous", "results"}


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _break_points(name: str) -> list[str]:
    """A field name cut after each "." and "_", where a narrow screen may wrap it."""
    return re.split(r"(?<=[._])", name)


def _split_description(text: str | None) -> tuple[str, list[tuple[str, str]]]:
    """drf-spectacular appends enum choices as "* `value` - label" lines: take them apart."""
    prose, choices = [], []
    for line in (text or "").splitlines():
        if match := CHOICE_LINE.match(line.strip()):
            choices.append((match["value"], match["label"]))
        else:
            prose.append(line)
    return "\n".join(prose).strip(), choices


class Reader:
    """Turns schemas (with $ref, allOf and oneOf) into table rows."""

    def __init__(self, components: dict):
        self.components = components
        self.enums: dict[str, dict] = {}  # named value lists, listed once at the end of the page

    def resolve(self, schema: dict) -> tuple[dict, str]:
        """The schema with a $ref (or a one-item allOf around one) followed, and the component's name."""
        name = ""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return self.components[name], name
        if len(schema.get("allOf", [])) == 1:
            inner, name = self.resolve(schema["allOf"][0])
            merged = dict(inner)
            merged.update({k: v for k, v in schema.items() if k != "allOf"})
            if "description" not in schema:
                merged["description"] = inner.get("description", "")
            return merged, name
        return schema, name

    def enum_of(self, schema: dict, name: str) -> dict | None:
        """The schema's enum as {"values", "anchor"} (anchor set when it is a named, shared list)."""
        if "enum" not in schema:
            return None
        _, labels = _split_description(self.components.get(name, schema).get("description"))
        label_of = dict(labels)
        values = [(str(v), label_of.get(str(v), "")) for v in schema["enum"] if v not in ("", None)]
        anchor = ""
        if name:
            anchor = "values-" + _anchor(name.removesuffix("Enum"))
            self.enums.setdefault(name, {"name": name, "anchor": anchor, "values": values})
        return {"values": values, "anchor": anchor}

    def type_of(self, schema: dict) -> str:
        schema, name = self.resolve(schema)
        if "oneOf" in schema or "anyOf" in schema:
            options = schema.get("oneOf") or schema.get("anyOf")
            return " or ".join(self.type_of(option) for option in options)
        kind = schema.get("type")
        if kind is None:
            return "object" if "properties" in schema else "any JSON value"
        if kind == "string" and schema.get("maxLength") == 0:
            return "empty string"
        if kind == "array":
            item = self.type_of(schema.get("items", {}))
            if item.startswith("object ("):
                return f"array of {item.removeprefix('object (').removesuffix(')')} objects"
            return (
                f"array of {item}s"
                if item in ("string", "integer", "number", "boolean")
                else f"array of {item}"
            )
        if kind == "object" and name:
            return f"object ({name})"
        if kind == "string" and schema.get("format") in STRING_FORMATS:
            return f"string ({STRING_FORMATS[schema['format']]})"
        return kind

    def fields(self, schema: dict, prefix: str = "", depth: int = 0) -> list[dict]:
        """One row per property, nested objects (and arrays of objects) flattened as a.b / a[].b."""
        schema, _ = self.resolve(schema)
        rows = []
        for prop, sub in schema.get("properties", {}).items():
            resolved, name = self.resolve(sub)
            description, _ = _split_description(sub.get("description") or resolved.get("description"))
            nullable = bool(sub.get("nullable") or resolved.get("nullable"))
            rows.append(
                {
                    "name": prefix + prop,
                    "parts": _break_points(prefix + prop),
                    "depth": depth,
                    "type": self.type_of(sub),
                    "nullable": nullable,
                    "enum": self.enum_of(resolved, name),
                    "description": description,
                }
            )
            child, child_prefix = resolved, f"{prefix}{prop}."
            if resolved.get("type") == "array":
                child, _ = self.resolve(resolved.get("items", {}))
                child_prefix = f"{prefix}{prop}[]."
            if child.get("properties") and depth < MAX_DEPTH:
                rows.extend(self.fields(child, child_prefix, depth + 1))
        return rows

    def parameter(self, param: dict) -> dict:
        schema, name = self.resolve(param.get("schema", {}))
        repeatable = schema.get("type") == "array"
        item, item_name = self.resolve(schema.get("items", {})) if repeatable else (schema, name)
        description, _ = _split_description(param.get("description"))
        if not description and param["in"] == "path":
            description = f"The record's {param['name']}, as given in the list."
        return {
            "name": param["name"],
            "parts": _break_points(param["name"]),
            "location": param["in"],
            "type": self.type_of(item) + (", repeatable" if repeatable else ""),
            "required": bool(param.get("required")),
            "enum": self.enum_of(item, item_name),
            "pattern": item.get("pattern", ""),
            "description": description,
        }


def _operation(reader: Reader, path: str, method: str, operation: dict) -> dict:
    anchor = _anchor(operation.get("operationId") or f"{method}-{path}")
    params = [reader.parameter(p) for p in operation.get("parameters", [])]
    response = {
        "status": "",
        "schema_name": "",
        "paginated": False,
        "item_name": "",
        "fields": [],
        "same_as": None,
    }
    for status, body in sorted(operation.get("responses", {}).items()):
        content = body.get("content", {}).get("application/json")
        if not content:
            continue
        schema, name = reader.resolve(content["schema"])
        response.update(status=status, schema_name=name)
        if PAGINATED_FIELDS <= set(schema.get("properties", {})):
            items, item_name = reader.resolve(schema["properties"]["results"].get("items", {}))
            response.update(paginated=True, item_name=item_name, fields=reader.fields(items))
        else:
            response["fields"] = reader.fields(schema)
        break
    is_list = "{" not in path
    example = path + ("?" + EXAMPLE_QUERIES[path] if path in EXAMPLE_QUERIES else "") if is_list else ""
    return {
        "anchor": anchor,
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "tag": (operation.get("tags") or ["other"])[0],
        "path_params": [p for p in params if p["location"] == "path"],
        "query_params": [p for p in params if p["location"] == "query"],
        "example": example,
        # The page puts the site's address in front when it renders: this dict is built once
        # per process, and in development the address follows each request's host.
        "curl_path": example or path,
        "response": response,
    }


def _refer_detail_to_list(ops: list[dict]) -> None:
    """A detail endpoint whose record has the list's fields (and maybe more) lists only the extra ones."""
    lists = [op for op in ops if op["response"]["paginated"]]
    for op in ops:
        response = op["response"]
        if response["paginated"] or not response["fields"] or not lists:
            continue
        listed = lists[0]
        names = {row["name"] for row in listed["response"]["fields"]}
        if names <= {row["name"] for row in response["fields"]}:
            response["fields"] = [row for row in response["fields"] if row["name"] not in names]
            response["same_as"] = listed


def _rate(rate: str | None) -> str:
    """DRF's "600/minute" (or "600/m") in words."""
    if not rate or "/" not in rate:
        return ""
    count, period = rate.split("/", 1)
    unit = {"s": "second", "m": "minute", "h": "hour", "d": "day"}.get(period[:1], period)
    return f"{count} requests a {unit}"


@cache
def reference() -> dict:
    """Everything the page shows, from the OpenAPI schema; built once per process."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    reader = Reader(schema.get("components", {}).get("schemas", {}))
    groups: dict[str, list[dict]] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            op = _operation(reader, path, method, operation)
            groups.setdefault(op["tag"], []).append(op)
    for ops in groups.values():
        _refer_detail_to_list(ops)
    return {
        "info": schema["info"],
        "groups": [
            {
                "tag": tag,
                "title": tag.replace("_", " ").capitalize(),
                "anchor": "tag-" + _anchor(tag),
                "ops": ops,
            }
            for tag, ops in groups.items()
        ],
        "enums": sorted(reader.enums.values(), key=lambda e: e["name"]),
        "page_size": api_settings.PAGE_SIZE,
        "max_page_size": Pagination.max_page_size,
        "anon_rate": _rate(api_settings.DEFAULT_THROTTLE_RATES.get("anon")),
    }


@require_GET
def api_docs(request):
    return render(request, "api/docs.html", reference())
