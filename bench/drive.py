"""Drive wrk against the running server, page by page, and print the benchmark's table.

Called by bench/run.sh once gunicorn is up; reads the page list and the
in-process measurements (probe.py) from the output directory and writes
results.json and table.md there. Traffic goes to 127.0.0.1 only.
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = HERE / "report.lua"

# Targets (issue 5), at 20,000 cases on this machine.
HTML_P95_MS = 100
ANALYSIS_P95_MS = 300
MIN_RATIO = 0.25
MAX_KB = 100
YEAR = 31536000
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+\.(?:css|js))"')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def fetch(url: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", "Accept": "text/html,*/*"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def transfer(base: str, path: str) -> dict:
    """Compressed bytes a browser downloads for the page: the document, its CSS and JavaScript."""
    status, headers, body = fetch(base + path)
    compressed = headers.get("Content-Encoding") == "gzip"
    text = (gzip.decompress(body) if compressed else body).decode("utf-8", "replace")
    total, assets = len(body), []
    for href in sorted(set(ASSET.findall(text))):
        a_status, a_headers, a_body = fetch(base + href)
        total += len(a_body)
        cache_control = a_headers.get("Cache-Control", "")
        assets.append(
            {
                "path": href,
                "status": a_status,
                "bytes": len(a_body),
                "hashed": bool(HASHED.search(href)),
                "compressed": a_headers.get("Content-Encoding") in ("gzip", "br"),
                "cached_a_year": f"max-age={YEAR}" in cache_control,
            }
        )
    return {
        "status": status,
        "document_bytes": len(body),
        "document_compressed": compressed,
        "total_bytes": total,
        "assets": assets,
    }


def wrk(url: str, threads: int, connections: int, duration: str) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--timeout", "30s"]
    command += ["-s", str(LUA), url]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        if line.startswith('{"requests"'):
            data = json.loads(line)
            seconds = data["duration_us"] / 1e6
            data["rps"] = data["requests"] / seconds if seconds else 0.0
            data["errors"] = sum(data[k] for k in data if k.startswith("errors_"))
            return data
    raise RuntimeError(f"wrk gave no result for {url}: {result.stdout}\n{result.stderr}")


def timed(url: str, times: int) -> dict:
    """Latency of ``times`` sequential downloads, in wrk's result format."""
    took = []
    for _ in range(times):
        started = time.monotonic()
        status, _, _ = fetch(url)
        took.append(time.monotonic() - started)
    took.sort()
    us = [int(t * 1e6) for t in took]
    return {
        "requests": times,
        "duration_us": sum(us),
        "p50_us": us[len(us) // 2],
        "p95_us": us[-1],
        "p99_us": us[-1],
        "max_us": us[-1],
        "rps": times / sum(took),
        "errors": 0 if status == 200 else times,
    }


class RssSampler(threading.Thread):
    """Peak resident memory (VmHWM) of gunicorn's workers, sampled while the benchmark runs.

    Sampled rather than read once at the end because workers are recycled after
    max_requests, taking their high-water mark with them.
    """

    def __init__(self, master_pid: int):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.peak_kb = 0
        self.stopped = threading.Event()

    def children(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.master_pid:
                    pids.append(int(entry.name))
        return pids

    def sample(self) -> None:
        for pid in self.children():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except OSError:
                continue

    def run(self) -> None:
        while not self.stopped.wait(0.25):
            self.sample()


def load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--cases", required=True, type=int)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--gunicorn-pid", type=int, required=True)
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--report-only", action="store_true", help="Print the table of results.json again.")
    parser.add_argument("--quiet", action="store_true", help="Write the results without printing them.")
    args = parser.parse_args()
    assert args.base.startswith("http://127.0.0.1:"), "the benchmark only talks to loopback"
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text())
        return report(results["rows"], args, results["summary"]["peak_rss_mb"] * 1024)

    pages = json.loads((args.out / "pages.json").read_text())
    q_small = load(args.out / f"queries-{args.small}.json")
    q_large = load(args.out / f"queries-{args.cases}.json")
    sampler = RssSampler(args.gunicorn_pid)
    sampler.start()
    # The machine may be shared: say how busy it was, since every figure depends on it.
    (args.out / "load.txt").write_text("start {:.2f} {:.2f} {:.2f}\n".format(*os.getloadavg()))

    # The baseline first: every page's throughput is a ratio to it.
    pages.sort(key=lambda p: p["kind"] != "baseline")
    rows, baseline_rps = [], None
    for number, page in enumerate(pages, start=1):
        row = dict(page)
        rows.append(row)
        if page.get("missing"):
            log(f"{number}/{len(pages)} {page['name']}: missing")
            continue
        url = args.base + page["path"]
        log(f"{number}/{len(pages)} {page['name']} {page['path']}")
        try:
            for _ in range(1 if page["kind"] == "csv" else 3):  # warm: imports, templates, caches
                fetch(url)
            row["transfer"] = transfer(args.base, page["path"])
            if page["kind"] == "csv":
                # A whole-bank export takes longer than a wrk run: time a few downloads instead.
                row["single"] = row["concurrent"] = timed(url, 3)
            else:
                row["single"] = wrk(url, 1, 1, args.duration)
                row["concurrent"] = wrk(url, 2, args.connections, args.duration)
        except Exception as error:  # a broken page is a result, not the end of the run
            row["error"] = f"{type(error).__name__}: {error}"[:200]
            log(f"    failed: {row['error']}")
            continue
        if page["kind"] == "baseline":
            baseline_rps = row["concurrent"]["rps"]
        row["ratio"] = row["concurrent"]["rps"] / baseline_rps if baseline_rps else None
        row["queries_small"] = q_small.get(page["name"], {}).get("cold")
        row["queries"] = q_large.get(page["name"], {}).get("cold")
        row["queries_warm"] = q_large.get(page["name"], {}).get("warm")
        row["cold_ms"] = q_large.get(page["name"], {}).get("cold_ms")
        log(
            f"    p50 {row['single']['p50_us'] / 1000:.1f} ms, p95 {row['single']['p95_us'] / 1000:.1f} ms, "
            f"{row['concurrent']['rps']:.0f} req/s with {args.connections} clients"
        )
    sampler.sample()
    sampler.stopped.set()
    with (args.out / "load.txt").open("a") as out:
        out.write("end {:.2f} {:.2f} {:.2f}\n".format(*os.getloadavg()))
    return report(rows, args, sampler.peak_kb)


def report(rows: list[dict], args, peak_kb: float) -> int:
    memory = load(args.out / "memory.json")
    # The long tail (bench/longtail.py), measured after the hot path when run.sh asks for it.
    longtail = load(args.out / "longtail.json")
    summary = summarise(rows, args.cases, peak_kb, memory, longtail)
    (args.out / "results.json").write_text(json.dumps({"rows": rows, "summary": summary}, indent=1))
    table = render(rows, args, memory)
    if longtail:
        from longtail import render as render_longtail

        table += "\n\n" + render_longtail(longtail, args.connections)
    (args.out / "table.md").write_text(table + "\n\n" + summary["cold_line"] + "\n" + summary["line"] + "\n")
    if args.quiet:
        return 0
    print()
    print(table)
    print()
    busy = args.out / "load.txt"
    if busy.exists():
        print("load average (1, 5, 15 min) during the run: " + "; ".join(busy.read_text().splitlines()))
    for label in ("missing", "failed"):
        if summary[label]:
            print(f"{label} (not in the figures below): {', '.join(summary[label])}")
    if "cold_line" in summary:
        print(summary["cold_line"])
    print(summary["line"])
    return 0


def is_page(row: dict) -> bool:
    return row["kind"] in ("html", "analysis", "api") and not row.get("missing") and "error" not in row


def misses(row: dict) -> list[str]:
    """Which targets this row misses."""
    if not is_page(row):
        return []
    out = []
    p95 = row["single"]["p95_us"] / 1000
    limit = ANALYSIS_P95_MS if row["kind"] == "analysis" else HTML_P95_MS
    if p95 > limit:
        out.append(f"p95>{limit}")
    if row["ratio"] is not None and row["ratio"] < MIN_RATIO:
        out.append(f"ratio<{MIN_RATIO}")
    if row["transfer"]["total_bytes"] > MAX_KB * 1024:
        out.append(f">{MAX_KB}KB")
    if row["single"]["errors"] or row["concurrent"]["errors"] or row["transfer"]["status"] != 200:
        out.append("errors")
    small, large = row.get("queries_small"), row.get("queries")
    if small is not None and large is not None and small != large:
        out.append("queries grow")
    if any(not (a["hashed"] and a["compressed"] and a["cached_a_year"]) for a in row["transfer"]["assets"]):
        out.append("static headers")
    return out


def summarise(rows: list[dict], cases: int, peak_kb: int, memory: dict, longtail: dict | None = None) -> dict:
    pages = [r for r in rows if is_page(r)]
    html = [r["single"]["p95_us"] / 1000 for r in pages if r["kind"] in ("html", "api")]
    analysis = [r["single"]["p95_us"] / 1000 for r in pages if r["kind"] == "analysis"]
    ratios = [r["ratio"] for r in pages if r["ratio"] is not None]
    # Pages only: an export streams in chunks, so its queries grow with N by design.
    queries = [r["queries"] for r in pages if r.get("queries") is not None]
    summary = {
        "cases": cases,
        "worst_html_p95_ms": max(html, default=0),
        "worst_analysis_p95_ms": max(analysis, default=0),
        "worst_ratio": min(ratios, default=0),
        "max_queries": max(queries, default=0),
        "worst_cold_html_ms": max(cold(pages, "html", "api"), default=0),
        "worst_cold_analysis_ms": max(cold(pages, "analysis"), default=0),
        "peak_rss_mb": peak_kb / 1024,
        "missing": [r["name"] for r in rows if r.get("missing")],
        "failed": [r["name"] for r in rows if "error" in r],
        "misses": {r["name"]: misses(r) for r in rows if misses(r)},
    }
    # The first render after a content change (empty cache): a figure of its own, so that the
    # bench: line keeps the fields the issue defines.
    summary["cold_line"] = (
        f"cold: worst_html_ms={summary['worst_cold_html_ms']:.0f} "
        f"worst_analysis_ms={summary['worst_cold_analysis_ms']:.0f}"
    )
    summary["line"] = (
        f"bench: cases={cases} worst_html_p95_ms={summary['worst_html_p95_ms']:.1f} "
        f"worst_analysis_p95_ms={summary['worst_analysis_p95_ms']:.1f} "
        f"worst_ratio={summary['worst_ratio']:.2f} max_queries={summary['max_queries']} "
        f"peak_rss_mb={summary['peak_rss_mb']:.0f}"
    )
    if longtail:
        # Each URL requested once (a page-cache miss): the slowest kind's p95, the lowest ratio.
        summary["worst_miss_p95_ms"] = longtail["worst_miss_p95_ms"]
        summary["worst_miss_ratio"] = longtail["worst_miss_ratio"]
        summary["line"] += (
            f" worst_miss_p95_ms={longtail['worst_miss_p95_ms']:.1f} worst_miss_ratio={longtail['worst_miss_ratio']:.3f}"
        )
    return summary


def cold(pages: list[dict], *kinds: str) -> list[float]:
    return [r["cold_ms"] for r in pages if r["kind"] in kinds and r.get("cold_ms") is not None]


def render(rows: list[dict], args, memory: dict) -> str:
    head = (
        f"| page | path | p50 ms | p95 ms | req/s (1) | req/s ({args.connections}) | ratio | KB gz "
        f"| cold ms | queries @{args.small} | @{args.cases} | misses |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        if r.get("missing"):
            lines.append(f"| {r['name']} | {r['path'] or '-'} | missing | | | | | | | | | |")
            continue
        if "error" in r:
            lines.append(f"| {r['name']} | `{r['path']}` | failed | | | | | | | | | {r['error']} |")
            continue
        s, c = r["single"], r["concurrent"]
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        lines.append(
            f"| {r['name']} | `{r['path']}` | {s['p50_us'] / 1000:.1f} | {s['p95_us'] / 1000:.1f} "
            f"| {s['rps']:.0f} | {c['rps']:.0f} | {ratio} | {r['transfer']['total_bytes'] / 1024:.1f} "
            f"| {r.get('cold_ms') if r.get('cold_ms') is not None else '-'} "
            f"| {r.get('queries_small', '-')} | {r.get('queries', '-')} "
            f"| {', '.join(misses(r)) or ('ok' if is_page(r) else 'n/a')} |"
        )
    if memory:
        lines.append("")
        lines.append("| export | cases | peak RSS MB | growth MB | seconds |")
        lines.append("|---|---|---|---|---|")
        for key in sorted(memory, key=lambda k: (memory[k].get("export", ""), memory[k].get("cases", 0))):
            m = memory[key]
            lines.append(
                f"| {m.get('export')} | {m.get('cases')} | {m.get('peak_rss_mb', '-')} "
                f"| {m.get('growth_mb', '-')} | {m.get('seconds', '-')} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
