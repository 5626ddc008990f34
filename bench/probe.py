"""In-process measurements for the benchmark, against the database in DATABASE_URL.

    python bench/probe.py pages              # the pages to measure, as JSON
    python bench/probe.py queries            # SQL queries and render time per page (cold cache), as JSON
    python bench/probe.py csv                # peak memory while streaming the CSV export, as JSON

Pages that do not exist yet (no URL pattern) are listed with "missing": true.
Run by bench/run.sh with the production settings it sets up.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebase.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, URLPattern, resolve, reverse  # noqa: E402

from casebase.cases.models import CaseStudy  # noqa: E402
from casebase.framework.models import Edition  # noqa: E402

# Search and filter values the synthetic data is known to contain (casebase.datasets.synthetic).
SEARCH = "watermark"
FILTERS = "role=creator&principle=consent"


def exists(path: str) -> bool:
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def sample_case() -> str | None:
    """A published, complete case with many applications: the heaviest ordinary case page."""
    case = (
        CaseStudy.objects.published()
        .filter(completeness="complete", slug__startswith="synthetic-")
        .annotate(n=Count("applications"))
        .order_by("-n", "slug")
        .first()
    ) or CaseStudy.objects.published().order_by("slug").first()
    return case.slug if case else None


def sample_recommendation() -> str | None:
    """The current edition's recommendation with the most applications: the heaviest one."""
    edition = Edition.objects.current()
    if edition is None:
        return None
    rec = edition.recommendations.annotate(n=Count("applications")).order_by("-n", "key").first()
    return rec.key if rec else None


def sample_organization() -> str | None:
    org = (
        CaseStudy.objects.published()
        .values("organization__slug")
        .annotate(n=Count("id"))
        .order_by("-n", "organization__slug")
        .first()
    )
    return org["organization__slug"] if org else None


def analysis_pages(client: Client) -> list[dict]:
    """Every /analysis/ page that takes no arguments and answers HTML."""
    if not exists("/analysis/"):
        return [{"name": "analysis", "path": "/analysis/", "kind": "analysis", "missing": True}]
    from casebase.analysis import urls as analysis_urls

    pages = []
    for entry in analysis_urls.urlpatterns:
        if not isinstance(entry, URLPattern) or entry.pattern.converters:
            continue
        path = reverse(f"analysis:{entry.name}")
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append({"name": f"analysis:{entry.name}", "path": path, "kind": "analysis"})
    return pages


def pages() -> list[dict]:
    client = Client()
    rec, case, org = sample_recommendation(), sample_case(), sample_organization()
    listed = [
        ("home", "/", "html"),
        ("framework", "/framework/", "html"),
        ("recommendation", f"/recommendations/{rec}/" if rec else None, "html"),
        ("cases", "/cases/", "html"),
        ("cases: 2 filters", f"/cases/?{FILTERS}", "html"),
        ("cases: search", f"/cases/?q={SEARCH}", "html"),
        ("case", f"/cases/{case}/" if case else None, "html"),
        ("organizations", "/organizations/", "html"),
        ("organization", f"/organizations/{org}/" if org else None, "html"),
    ]
    out = [
        {
            "name": name,
            "path": path or "",
            "kind": kind,
            **({} if path and exists(path) else {"missing": True}),
        }
        for name, path, kind in listed
    ]
    out += analysis_pages(client)
    for name, path, kind in [
        ("api: cases", "/api/cases/", "api"),
        ("csv export", "/cases/?format=csv", "csv"),
        ("baseline", "/bench/baseline", "baseline"),
    ]:
        missing = not exists(path)
        if not missing and kind != "baseline":
            # A route may exist while the feature does not (e.g. format=csv ignored).
            response = client.get(path)
            ctype = response.get("Content-Type", "")
            missing = response.status_code == 404 or (
                kind == "csv" and "csv" not in ctype or kind == "api" and "json" not in ctype
            )
            if hasattr(response, "close"):
                response.close()
        out.append({"name": name, "path": path, "kind": kind, **({"missing": True} if missing else {})})
    return out


def consume(response) -> int:
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    response.close()
    return size


COLD_RUNS = 3


def queries(page_list: list[dict]) -> dict:
    """Queries per page with an empty cache (the worst case) and with a warm one, and the
    time of a render with an empty cache (the first reader after a content change):
    the median of COLD_RUNS, in process, without HTTP."""
    client = Client()
    out = {}
    for page in page_list:
        if page.get("missing"):
            continue
        timings = []
        for run in range(COLD_RUNS):
            cache.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as cold:
                response = client.get(page["path"])
                consume(response)
            timings.append((time.perf_counter() - started) * 1000)
            if run == 0:
                cold_count = len(cold)
        with CaptureQueriesContext(connection) as warm:
            consume(client.get(page["path"]))
        out[page["name"]] = {
            "status": response.status_code,
            "cold": cold_count,
            "warm": len(warm),
            "cold_ms": round(sorted(timings)[len(timings) // 2], 1),
        }
    return out


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def csv_memory() -> dict:
    """Peak memory of the process while it streams the whole CSV export (all published cases)."""
    client = Client()
    consume(client.get("/cases/?format=csv&q=nothing-matches-this"))  # warm imports and templates
    base = _rss_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    started = time.monotonic()
    response = client.get("/cases/?format=csv")
    size = consume(response)
    return {
        "status": response.status_code,
        "bytes": size,
        "seconds": round(time.monotonic() - started, 2),
        "rss_before_mb": round(base / 1024, 1),
        "peak_rss_mb": round(_rss_kb("VmHWM") / 1024, 1),
        "growth_mb": round((_rss_kb("VmHWM") - base) / 1024, 1),
        "published_cases": CaseStudy.objects.published().count(),
    }


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "pages"
    if command == "pages":
        result = pages()
    elif command == "queries":
        result = queries(pages())
    elif command == "csv":
        result = csv_memory()
    else:
        raise SystemExit(__doc__)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
