#!/usr/bin/env python3
"""Load and fault test: gunicorn + PostgreSQL on loopback, with a PostgreSQL restart in the middle.

    make loadtest                      # 60 s, 50 clients, restart at 25 s
    make loadtest LOADTEST_ARGS="--duration 30 --clients 60 --no-restart"
    make loadtest LOADTEST_ARGS="--no-restart --hostile 5 --clients 60"   # the hostile mix

What it does:
1. Recreates the database ``cb_load``, loads the real Framework and cases, and
   makes supporter accounts for the writers.
2. Starts ``make serve`` (migrate, collectstatic, gunicorn) with production
   settings (DEBUG off) on 127.0.0.1, Redis for cache and sessions.
3. Runs CLIENTS concurrent clients for DURATION seconds: readers browse the
   public pages, the API and search; writers sign in and create cases through
   the /submit/ form. Clients speak as the TLS-terminating load balancer would
   (X-Forwarded-Proto: https).
4. At RESTART_AT seconds it restarts PostgreSQL (``pg_ctlcluster ... restart``),
   waits for it to accept connections again, and notes how long it was away.
5. Afterwards: every write the site acknowledged (a redirect after the form)
   must be in the database, whole (case, working copy and its "created" event);
   no 5xx but the friendly 503 page; the site must have recovered by itself.

With ``--hostile N`` (and ``--no-restart``) the run has two halves: the readers
and writers alone, then the same with N hostile clients sending the worst inputs
the site accepts (search strings of operators, huge formset counts from a signed-in
supporter, 2.4 MB anonymous POSTs, floods of repeated filter values). It reports
the readers' p95 in each half and any 5xx, and fails if the readers' p95 more
than doubles or anything answers 5xx.

Everything runs on loopback and stops by itself; the server is stopped at the
end and PostgreSQL is checked to be up.
"""

import argparse
import collections
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG_VERSION = os.environ.get("PG_VERSION", "15")
PASSWORD = "load-test-password-4c9d2e"
TITLE_PREFIX = "How a load test "


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--writers", type=int, default=10, help="how many of the clients are supporters writing"
    )
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--restart-at", type=float, default=25.0)
    parser.add_argument("--no-restart", action="store_true")
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "5")))
    parser.add_argument("--database", default="cb_load")
    parser.add_argument(
        "--hostile-kinds",
        default="query,formset,big-anonymous",
        help="which worst inputs the hostile clients send (comma-separated)",
    )
    parser.add_argument("--redis-db", type=int, default=5, help="Redis database for cache and sessions")
    parser.add_argument(
        "--hostile",
        type=int,
        default=0,
        help="hostile clients in the second half of the run (needs --no-restart)",
    )
    args = parser.parse_args()
    if args.hostile and not args.no_restart:
        parser.error("--hostile compares two halves of the run: use it with --no-restart")
    return args


# --- Set-up ---------------------------------------------------------------------------


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def server_env(args) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"https://127.0.0.1:{args.port}",
        BIND=f"127.0.0.1:{args.port}",
        WEB_CONCURRENCY=str(args.workers),
        AXES_ENABLED="0",  # every writer signs in at once from one address
        API_ANON_RATE="100000/minute",  # the clients share one address; the throttle is not under test
        LOG_LEVEL="WARNING",
    )
    return env


SETUP_USERS = """
from django.contrib.auth import get_user_model
from casebase.accounts.models import Membership
from casebase.organizations.models import Organization
orgs = list(Organization.objects.supporters().order_by("slug"))
for prefix, count in (("load", {writers}), ("hostile", {hostile})):
    for n in range(count):
        user = get_user_model().objects.create_user(f"{{prefix}}{{n}}", f"{{prefix}}{{n}}@example.org", "{password}")
        Membership.objects.create(user=user, organization=orgs[n % len(orgs)])
"""


def prepare_database(args, env):
    psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{args.database}"')
    manage = [PY, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "load_casebase", "-v", "0"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    code = SETUP_USERS.format(writers=args.writers, hostile=args.hostile, password=PASSWORD)
    subprocess.run([*manage, "shell", "--no-imports", "-c", code], cwd=ROOT, env=env, check=True)
    slugs = psql("SELECT slug FROM cases_casestudy WHERE is_published ORDER BY slug", args.database)
    keys = psql("SELECT DISTINCT key FROM framework_recommendation ORDER BY key", args.database)
    orgs = psql("SELECT slug FROM organizations_organization ORDER BY slug", args.database)
    return slugs.split(), keys.split(), orgs.split()


def start_server(args, env, log_path):
    log = open(log_path, "w")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 180
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"make serve exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"the server did not come up in 180 s; see {log_path}")


def stop_server(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- Clients --------------------------------------------------------------------------


class Result:
    def __init__(self, t, path, status, elapsed, friendly=False, error="", role=""):
        self.t, self.path, self.status, self.elapsed, self.friendly, self.error = (
            t,
            path,
            status,
            elapsed,
            friendly,
            error,
        )
        self.role = role  # "reader", "writer" or "hostile"


class Client:
    """One browser: its cookies, speaking through the load balancer (HTTPS terminated before us)."""

    def __init__(self, base, results, start, role="reader"):
        self.base, self.results, self.start, self.role = base, results, start, role
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path, data=None, referer=None):
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "casebase-loadtest"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = "https://" + self.base.split("://", 1)[1]
            headers["Referer"] = "https://" + self.base.split("://", 1)[1] + (referer or path)
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        began = time.monotonic()
        status, text, location, error = 0, "", "", ""
        try:
            with self.opener.open(req, timeout=60) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
                self._keep_cookies(response.headers)
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
            location = exc.headers.get("Location", "")
            self._keep_cookies(exc.headers)
        except OSError as exc:
            error = type(exc).__name__
        friendly = status == 503 and ("briefly unavailable" in text or '"status": "error"' in text)
        self.results.append(
            Result(
                began - self.start,
                path.split("?")[0],
                status,
                time.monotonic() - began,
                friendly,
                error,
                self.role,
            )
        )
        return status, text, location

    def _keep_cookies(self, headers):
        for header in headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1) if value else ""
    return fields


def reader(client, stop, slugs, keys, orgs):
    pages = [
        lambda: "/",
        lambda: "/cases/",
        lambda: f"/cases/{random.choice(slugs)}/",
        lambda: "/framework/",
        lambda: f"/recommendations/{random.choice(keys)}/",
        lambda: "/organizations/",
        lambda: f"/organizations/{random.choice(orgs)}/",
        lambda: "/cases/?q=" + random.choice(["disclosure", "consent", "watermark", "label", "audio"]),
        lambda: "/cases/?role=creator",
        lambda: "/analysis/",
        lambda: "/api/cases/",
        lambda: f"/api/cases/{random.choice(slugs)}/",
        lambda: "/feeds/cases/",
        lambda: "/healthz",
    ]
    while not stop.is_set():
        client.request(random.choice(pages)())


def writer(client, number, stop, acknowledged, lock, slugs):
    signed_in = False
    sequence = 0
    while not stop.is_set():
        if not signed_in:
            status, html, _ = client.request("/accounts/login/")
            if status != 200:
                time.sleep(0.5)
                continue
            form = hidden_fields(html) | {"username": f"load{number}", "password": PASSWORD}
            status, _, location = client.request("/accounts/login/", form)
            signed_in = status == 302
            if not signed_in:
                time.sleep(0.5)
            continue
        status, html, _ = client.request("/submit/new/")
        if status != 200:
            time.sleep(0.2)
            continue
        sequence += 1
        title = f"{TITLE_PREFIX}{number}-{sequence}"
        form = hidden_fields(html) | {
            "title": title,
            "summary": f"Written by writer {number}, case {sequence}, under load.",
            "framing_question": "Does every acknowledged write survive a database restart?",
        }
        status, _, location = client.request("/submit/new/", form)
        if status == 302 and "/submit/" in location:
            with lock:
                acknowledged.add(title)
        # Between writes, read like a person would.
        client.request(f"/cases/{random.choice(slugs)}/")
        client.request("/submit/")


# --- Hostile clients ------------------------------------------------------------------

# The worst search strings: runs of operators (33 minus signs once overflowed PostgreSQL's
# tsquery stack), quote and bracket soups, "or" chains, combining marks and NUL.
WORST_QUERIES = [
    "-" * 200,
    "a " + "-" * 198,
    ('"' + "-" * 9) * 20,
    " or ".join(["label"] * 40),
    "(" * 100 + "audio" + ")" * 99,
    "!" * 100 + "&" * 100,
    "e\u0301" * 100,
    "audio\x00" * 30,
    " ".join(f"word{n}" for n in range(40)),
]


def worst_public_path(slugs) -> str:
    # A fresh nonce per request so the page cache never answers for the site.
    nonce = secrets.token_hex(4)
    q = urllib.parse.quote(random.choice(WORST_QUERIES))
    return random.choice(
        [
            f"/cases/?q={q}&n={nonce}",
            f"/cases/?q={q}&format=csv&n={nonce}",
            f"/cases/?q={q}&format=json&n={nonce}",
            f"/api/cases/?q={q}&n={nonce}",
            "/cases/?" + "&".join(f"role=r{n}" for n in range(300)) + f"&n={nonce}",
            f"/cases/?page=99999999999999&sort=--title&n={nonce}",
            f"/cases/{random.choice(slugs)}/?n={nonce}",
        ]
    )


def hostile(client, number, stop, slugs, kinds):
    """Worst inputs in turn: public query strings, a supporter's huge formset count, and
    2.4 MB anonymous POSTs (each from a browser with a CSRF pair and no session)."""
    signed_in = False
    while not stop.is_set():
        # Public query strings twice as often as the rest: anyone can send them.
        kind = random.choice([k for k in ("query", "query", "formset", "big-anonymous") if k in kinds])
        if kind == "query":
            client.request(worst_public_path(slugs))
        elif kind == "formset":
            if not signed_in:
                status, html, _ = client.request("/accounts/login/")
                form = hidden_fields(html) | {"username": f"hostile{number}", "password": PASSWORD}
                signed_in = client.request("/accounts/login/", form)[0] == 302
                continue
            status, html, _ = client.request("/submit/new/")
            if status == 200:
                form = hidden_fields(html) | {
                    "title": "How a hostile client asks for a hundred thousand rows",
                    "apps-TOTAL_FORMS": "100000",
                    "apps-INITIAL_FORMS": "0",
                }
                client.request("/submit/new/", form)
        else:
            anonymous = Client(client.base, client.results, client.start, role="hostile")
            status, html, _ = anonymous.request("/accounts/login/")
            if status == 200:
                form = hidden_fields(html) | {"title": "How ", "section_1": "x" * 2_400_000}
                anonymous.request("/submit/new/", form)


# --- The fault ------------------------------------------------------------------------


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def restart_postgres(record):
    began = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "-m", "fast", PG_VERSION, "main", "restart"],
        check=False,
        capture_output=True,
    )
    while not pg_ready() and time.monotonic() - began < 60:
        time.sleep(0.1)
    record["outage"] = time.monotonic() - began
    record["back_up"] = pg_ready()


# --- Main -----------------------------------------------------------------------------


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))] if values else 0.0


def main():
    args = parse_args()
    env = server_env(args)
    out = ROOT / "loadtest" / "out"
    out.mkdir(exist_ok=True)
    print(f"Preparing database {args.database} ...", flush=True)
    slugs, keys, orgs = prepare_database(args, env)
    print(
        f"Starting make serve on 127.0.0.1:{args.port} with {args.workers} gunicorn workers ...", flush=True
    )
    server = start_server(args, env, out / "server.log")
    results: list[Result] = []
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()
    fault: dict = {}
    hostile_from = None
    start = time.monotonic()
    threads = []
    hostile_threads = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        for n in range(args.clients):
            client = Client(base, results, start, role="writer" if n < args.writers else "reader")
            if n < args.writers:
                target, extra = writer, (client, n, stop, acknowledged, lock, slugs)
            else:
                target, extra = reader, (client, stop, slugs, keys, orgs)
            threads.append(threading.Thread(target=target, args=extra, daemon=True))
        for n in range(args.hostile):
            client = Client(base, results, start, role="hostile")
            hostile_threads.append(
                threading.Thread(
                    target=hostile, args=(client, n, stop, slugs, args.hostile_kinds.split(",")), daemon=True
                )
            )
        for thread in threads:
            thread.start()
        print(f"{args.clients} clients ({args.writers} writing) for {args.duration:.0f} s ...", flush=True)
        if args.hostile:
            time.sleep(args.duration / 2)
            hostile_from = time.monotonic() - start
            print(
                f"  t={hostile_from:.1f}s {args.hostile} hostile clients ({args.hostile_kinds}) join "
                "for the second half ...",
                flush=True,
            )
            for thread in hostile_threads:
                thread.start()
        if not args.no_restart:
            time.sleep(args.restart_at)
            fault["at"] = time.monotonic() - start
            print(f"  t={fault['at']:.1f}s restarting PostgreSQL ...", flush=True)
            restart_postgres(fault)
            print(f"  PostgreSQL accepting connections again after {fault['outage']:.1f} s", flush=True)
        time.sleep(max(0.0, args.duration - (time.monotonic() - start)))
        stop.set()
        for thread in threads + hostile_threads:
            if thread.ident is not None:  # started
                thread.join(timeout=70)
        elapsed = time.monotonic() - start
    finally:
        stop.set()
        stop_server(server)
        if not pg_ready():
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "start"], check=False
            )
    return report(args, results, acknowledged, fault, elapsed, hostile_from)


def hostile_summary(results, hostile_from, elapsed) -> tuple[str, list[str]]:
    """Readers' p95 without and with the hostile clients, and any 5xx; the one-line summary."""
    # The first tenth of the calm half is warm-up (empty caches, first connections).
    calm = [r.elapsed for r in results if r.role == "reader" and hostile_from * 0.1 <= r.t < hostile_from]
    stormy = [r.elapsed for r in results if r.role == "reader" and r.t >= hostile_from]
    hostile_results = [r for r in results if r.role == "hostile"]
    p95_calm, p95_stormy = percentile(calm, 0.95) * 1000, percentile(stormy, 0.95) * 1000
    ratio = p95_stormy / p95_calm if p95_calm else float("inf")
    server_errors = [r for r in results if r.status >= 500]
    statuses = collections.Counter(r.status for r in hostile_results)
    print(
        f"hostile clients from t={hostile_from:.1f}s: {len(hostile_results)} requests, "
        f"statuses {dict(sorted(statuses.items()))}, "
        f"slowest {max((r.elapsed for r in hostile_results), default=0) * 1000:.0f} ms"
    )
    print(
        f"readers: {len(calm)} requests without hostile clients, p95 {p95_calm:.0f} ms; "
        f"{len(stormy)} with them, p95 {p95_stormy:.0f} ms"
    )
    failures = []
    if ratio > 2:
        failures.append(f"readers' p95 more than doubled with hostile clients (x{ratio:.2f})")
    if server_errors:
        failures.append(
            f"{len(server_errors)} answers 5xx in the hostile mix, e.g. "
            f"{[(r.role, r.path, r.status) for r in server_errors[:5]]}"
        )
    line = (
        f"HOSTILE MIX: readers' p95 {p95_calm:.0f} ms -> {p95_stormy:.0f} ms (x{ratio:.2f}), "
        f"5xx {len(server_errors)}: {'PASS' if not failures else 'FAIL'}"
    )
    return line, failures


def report(args, results, acknowledged, fault, elapsed, hostile_from=None):
    rows = psql(
        "SELECT c.title, s.id IS NOT NULL, EXISTS (SELECT 1 FROM submissions_reviewevent e "
        "WHERE e.submission_id = s.id AND e.kind = 'created') FROM cases_casestudy c "
        "LEFT JOIN submissions_submission s ON s.case_id = c.id "
        f"WHERE c.title LIKE '{TITLE_PREFIX}%'",
        args.database,
    )
    stored = {}
    for line in rows.splitlines():
        title, has_submission, has_event = line.split("|")
        stored[title] = has_submission == "t" and has_event == "t"
    lost = sorted(acknowledged - set(stored))
    half_saved = sorted(title for title, whole in stored.items() if not whole)
    unacknowledged = sorted(set(stored) - acknowledged)

    statuses = collections.Counter(r.status for r in results)
    friendly_503 = [r for r in results if r.status == 503 and r.friendly]
    server_errors = [r for r in results if r.status >= 500 and not r.friendly]
    connection_errors = [r for r in results if r.error]
    ok = [r for r in results if 200 <= r.status < 400]
    latencies = [r.elapsed for r in ok]
    print()
    print("=== Load test summary ===")
    print(
        f"clients {args.clients} ({args.writers} writers), {elapsed:.1f} s, gunicorn workers {args.workers}"
    )
    print(
        f"requests {len(results)} ({len(results) / elapsed:.1f}/s); statuses {dict(sorted(statuses.items()))}"
    )
    if latencies:
        print(
            f"latency of answered requests: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
    print(f"5xx other than the friendly 503: {len(server_errors)}")
    print(f"connection errors: {len(connection_errors)}")
    print(
        f"writes acknowledged {len(acknowledged)}, found {len(stored)}, lost {len(lost)}, half-saved {len(half_saved)}"
    )
    if unacknowledged:
        print(f"saved but not acknowledged (answer lost in the outage): {len(unacknowledged)}")
    recovered = True
    if fault:
        # When the answers came (requests may wait in gunicorn's queue before they are served).
        first = min((r.t + r.elapsed for r in friendly_503), default=None)
        last = max((r.t + r.elapsed for r in friendly_503), default=None)
        after = [r for r in results if r.t > fault["at"] + fault["outage"]]
        recovered = any(200 <= r.status < 300 for r in after[-200:]) and not any(
            r.status >= 500 for r in results if r.t > fault["at"] + fault["outage"] + 15
        )
        print(
            f"PostgreSQL restart at {fault['at']:.1f} s, away {fault['outage']:.1f} s, "
            f"back up: {fault['back_up']}"
        )
        if first is not None:
            print(f"friendly 503 pages: {len(friendly_503)}, from t={first:.1f}s to t={last:.1f}s")
        else:
            print("friendly 503 pages: 0")
        print(f"recovered by itself: {recovered}")
    failures = []
    if server_errors:
        failures.append(
            f"{len(server_errors)} server errors, e.g. {[(r.path, r.status) for r in server_errors[:5]]}"
        )
    if lost:
        failures.append(f"lost writes: {lost[:5]}")
    if half_saved:
        failures.append(f"half-saved records: {half_saved[:5]}")
    if not recovered:
        failures.append("the site did not recover after the restart")
    if fault and not fault["back_up"]:
        failures.append("PostgreSQL is not back up")
    if friendly_503 and not fault:
        failures.append("503s without a fault")
    hostile_line = ""
    if hostile_from is not None:
        hostile_line, hostile_failures = hostile_summary(results, hostile_from, elapsed)
        failures += hostile_failures
    print("RESULT:", "PASS" if not failures else "FAIL")
    for failure in failures:
        print("  -", failure)
    if hostile_line:
        print(hostile_line)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
