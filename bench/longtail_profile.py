"""Where one long-tail request's time goes: one URL of each kind, rendered in process.

    python bench/longtail_profile.py DIR [--top 8]

Reads DIR/longtail-urls.json (bench/longtail.py urls) and, for each kind, takes
URLs the drive did not use, warms the site on one (imports, templates, the facet
index), then renders a few others once each (each a page-cache miss, as in the
long tail) and reports the median request's total time, its SQL time and query
count, its slowest queries and the functions cProfile finds most costly in it.
Prints Markdown for docs/performance.md.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebase.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 5


def consume(response) -> None:
    if response.streaming:
        for _ in response.streaming_content:
            pass
    else:
        _ = response.content
    response.close()


def measure(client: Client, url: str) -> dict:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        consume(response)
        total = (time.perf_counter() - started) * 1000
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    return {
        "url": url,
        "status": response.status_code,
        "ms": total,
        "sql_ms": sum(t for t, _ in queries),
        "queries": len(queries),
        "slowest": sorted(queries, reverse=True)[:2],
    }


def profile(client: Client, url: str, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    consume(client.get(url))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"casebase", top)
    lines = [line for line in out.getvalue().splitlines() if "casebase/" in line]
    return "\n".join(lines[:top])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--kinds", default="")
    args = parser.parse_args()
    urls = json.loads((args.out / "longtail-urls.json").read_text())
    client = Client()
    for kind, listed in urls.items():
        if args.kinds and kind not in args.kinds.split(","):
            continue
        unused = listed[-(RUNS + 2) :]  # the drive takes URLs from the front
        consume(client.get(unused[0]))
        results = sorted((measure(client, url) for url in unused[1:-1]), key=lambda r: r["ms"])
        median = results[len(results) // 2]
        print(f"### {kind}\n")
        print(
            f"Median of {len(results)}: `{median['url']}` {median['ms']:.0f} ms "
            f"({median['queries']} queries, {median['sql_ms']:.0f} ms of SQL); "
            f"all: {', '.join(f'{r["ms"]:.0f}' for r in results)} ms.\n"
        )
        for ms, sql in median["slowest"]:
            print(f"- {ms:.0f} ms: `{sql[:300]}`")
        print("\n```")
        print(profile(client, unused[-1], args.top))
        print("```\n", flush=True)


if __name__ == "__main__":
    main()
