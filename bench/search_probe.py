"""First-time searches, in process: each URL rendered once, as the long tail asks for it.

    python bench/search_probe.py urls [--count 40] [--seed 13] > urls.json
    python bench/search_probe.py time urls.json [--first N] [--skip N] > times.json
    python bench/search_probe.py report times.json [times.json ...]

``urls`` draws distinct searches the way bench/longtail.py does (one or two words
of five letters or more from published titles and summaries, ± one filter), but
no two with the same words, so that every URL misses the search-hits cache too.
``time`` warms the process on pages of its own (imports, templates, the facet
index; "data", four letters, is never among the words drawn), then renders each
URL once (page cache missed, the facet index warm, this query's hits not) and prints, per URL, the total time, its SQL time and query
count and its slowest query, as JSON. ``report`` prints p50 and p95 of each file.

To compare two versions of the code side by side, run ``time`` from each
checkout against the same database, alternately on slices of the same URLs
(``--skip``, ``--first``), with separate caches: the machine's load then weighs
on both alike.
"""

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebase.settings")

FILTERS = ("role", "principle", "org", "cohort", "tag")
COMMON = {"about", "their", "which", "these", "there", "where", "would", "other"}


def setup():
    import django

    django.setup()


def generate(count: int, seed: int) -> list[str]:
    setup()
    from urllib.parse import urlencode

    from taggit.models import Tag

    from casebase.cases.models import CaseStudy, Cohort, TaggedTopic
    from casebase.framework.models import Principle, StakeholderRole
    from casebase.organizations.models import Organization

    rng = random.Random(seed)
    values = {
        "role": list(StakeholderRole.objects.values_list("slug", flat=True)),
        "principle": list(Principle.objects.values_list("slug", flat=True)),
        "cohort": list(Cohort.objects.values_list("slug", flat=True)),
        "org": list(Organization.objects.values_list("slug", flat=True)),
        "tag": list(
            Tag.objects.filter(pk__in=TaggedTopic.objects.values("tag_id")).values_list("slug", flat=True)[
                :200
            ]
        ),
    }
    titles = CaseStudy.objects.published().values_list("title", "summary")[:3000]
    words = sorted({w.lower() for t, s in titles for w in re.findall(r"[A-Za-z]{5,}", f"{t} {s}")} - COMMON)
    urls, seen = [], set()
    while len(urls) < count:
        chosen = rng.sample(words, rng.choice((1, 1, 2)))
        if frozenset(chosen) in seen:
            continue
        seen.add(frozenset(chosen))
        extra = [(p, rng.choice(values[p])) for p in rng.sample(FILTERS, rng.randint(0, 1)) if values[p]]
        urls.append(f"/cases/?{urlencode([('q', ' '.join(chosen)), *extra])}")
    return urls


def timed(urls: list[str]) -> list[dict]:
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    # Imports, the facet index, and every template a page of results uses (a search that
    # finds nothing renders no result list): else the first URL timed pays for compiling them.
    # A parameter no page reads keeps another run's page cache from answering instead.
    nonce = time.time_ns()
    for warm in ("/cases/?q=probewarmup", "/cases/?sort=oldest&page=3", "/cases/?q=data&page=2"):
        _ = client.get(f"{warm}&warm={nonce}").content
    out = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            _ = response.content
            total = (time.perf_counter() - started) * 1000
        queries = sorted(
            ((float(q["time"]) * 1000, q["sql"][:200]) for q in captured.captured_queries), reverse=True
        )
        out.append(
            {
                "url": url,
                "status": response.status_code,
                "ms": round(total, 1),
                "sql_ms": round(sum(t for t, _ in queries), 1),
                "queries": len(queries),
                "slowest": [round(queries[0][0], 1), queries[0][1]] if queries else None,
            }
        )
    return out


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    urls = sub.add_parser("urls")
    urls.add_argument("--count", type=int, default=40)
    urls.add_argument("--seed", type=int, default=13)
    time_ = sub.add_parser("time")
    time_.add_argument("file", type=Path)
    time_.add_argument("--skip", type=int, default=0)
    time_.add_argument("--first", type=int, default=None)
    report = sub.add_parser("report")
    report.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "urls":
        print(json.dumps(generate(args.count, args.seed), indent=1))
    elif args.command == "time":
        listed = json.loads(args.file.read_text())[args.skip :]
        print(json.dumps(timed(listed[: args.first] if args.first else listed), indent=1))
    else:
        for file in args.files:
            rows = json.loads(file.read_text())
            ms = [r["ms"] for r in rows]
            sql = [r["sql_ms"] for r in rows]
            print(
                f"{file}: {len(rows)} URLs, p50 {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
                f"max {max(ms):.0f} ms; SQL p50 {statistics.median(sql):.0f} ms, p95 {percentile(sql, 0.95):.0f} ms; "
                f"statuses {sorted({r['status'] for r in rows})}"
            )


if __name__ == "__main__":
    main()
