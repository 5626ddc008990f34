#!/usr/bin/env bash
# The benchmark (issue 5): `make bench`, or `CASES=2000 bash bench/run.sh`.
#
# Builds a fresh PostgreSQL database of CASES synthetic cases, serves it with
# gunicorn as in production (DEBUG off, collected and compressed static files,
# Redis cache), and measures each page with wrk on loopback. Also measures the
# SQL queries each page runs at 100 and at CASES cases, and the peak memory of
# the CSV and snapshot exports at 2,000 and at CASES cases, and times the worst
# inputs the forms accept (bench/worst.py, its `worst:` line), then the long tail:
# distinct URLs drawn from the data, each requested once (bench/longtail.py). Results go to
# bench/out/<time>-<cases>/ (bench/out/latest points at the last run); the
# table and the final `bench:` line are printed at the end.
#
# Settings (environment): CASES (20000), SEED (1), BENCH_DB (cb_bench),
# BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_PORT (8104),
# BENCH_REDIS (redis://127.0.0.1:6379/3), BENCH_DURATION (5s per measurement),
# BENCH_CONNECTIONS (8 concurrent clients), BENCH_LONGTAIL (1: also the long tail of distinct
# URLs each requested once, bench/longtail.py; 0 to skip it). BENCH_REUSE=1 skips building the
# database and re-measures the pages against the one the last run built.
set -euo pipefail
cd "$(dirname "$0")/.."

CASES=${CASES:-20000}
SEED=${SEED:-1}
SMALL=100
MID=2000
DB=${BENCH_DB:-cb_bench}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-8104}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379/3}
DURATION=${BENCH_DURATION:-5s}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
LONGTAIL=${BENCH_LONGTAIL:-1}
PY=${PY:-.venv/bin/python}
OUT=bench/out/$(date -u +%Y%m%dT%H%M%SZ)-$CASES
STARTED=$SECONDS

step() { echo "[$(date -u +%H:%M:%S)] bench: $*"; }

PREVIOUS=$(readlink -f bench/out/latest 2>/dev/null || true)
mkdir -p "$OUT"
ln -sfn "$(basename "$OUT")" bench/out/latest

if ! command -v wrk >/dev/null 2>&1; then
  step "installing wrk (Debian package)"
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi

# Production settings, on loopback: no TLS here, so no redirect to https.
export DEBUG=0
export SECRET_KEY=bench-only-not-a-secret-4d1f0c2e9b7a
export DATABASE_URL=$PG/$DB
export REDIS_URL=$REDIS
export ALLOWED_HOSTS=127.0.0.1,localhost,testserver
export SITE_URL=http://127.0.0.1:$PORT
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
export LOG_LEVEL=WARNING
# The API's per-client throttle would answer the load generator 429; it still runs.
export API_ANON_RATE=100000000/minute
export BIND=127.0.0.1:$PORT

GUNICORN_PID=""
cleanup() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

manage() { "$PY" manage.py "$@"; }
seed() {
  step "seeding $1 synthetic cases"
  manage seed_synthetic --cases "$1" --seed "$SEED" | tee -a "$OUT/seed.log" | sed 's/^/    /'
  # A production database is vacuumed and analysed by autovacuum as it grows; a bulk
  # load is not yet: without this, plans and index-only scans reflect the load, not use.
  psql -q "$PG/$DB" -c "VACUUM ANALYZE"
}
queries() {
  step "counting SQL queries and timing cold renders per page at $1 cases"
  REDIS_URL= "$PY" bench/probe.py queries >"$OUT/queries-$1.json"
}
exports() {
  step "measuring export memory at $1 cases"
  "$PY" bench/exports.py "$OUT" "$1"
}

step "cases=$CASES seed=$SEED database=$DB output=$OUT"
if [ "${BENCH_REUSE:-0}" = 1 ]; then
  # Measure the pages again against the database the last run built, after a code change.
  [ -n "$PREVIOUS" ] && [ -f "$PREVIOUS/queries-$CASES.json" ] || { step "no previous run at $CASES cases to reuse"; exit 1; }
  step "reusing $DB and the query and export figures of $PREVIOUS"
  cp "$PREVIOUS"/queries-*.json "$PREVIOUS"/memory.json "$PREVIOUS"/seed.log "$OUT"/
  manage migrate --noinput -v 0
  manage collectstatic --noinput -v 0
  # The code changed: count the queries and time the cold renders at CASES again.
  queries "$CASES"
else
  step "creating a fresh database $DB"
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  redis-cli -u "$REDIS" FLUSHDB >/dev/null
  step "migrating"
  manage migrate --noinput -v 0
  step "collecting static files (hashed, compressed)"
  manage collectstatic --noinput -v 0
  step "loading the real Framework and cases"
  manage load_casebase | tail -n 1 | sed 's/^/    /'

  seed "$SMALL"
  queries "$SMALL"
  if [ "$CASES" -gt "$MID" ]; then
    seed "$MID"
    exports "$MID"
  fi
  if [ "$CASES" -ne "$SMALL" ]; then
    seed "$CASES"
    queries "$CASES"
  fi
  exports "$CASES"
fi

redis-cli -u "$REDIS" FLUSHDB >/dev/null
REDIS_URL= "$PY" bench/probe.py pages >"$OUT/pages.json"
if [ "$LONGTAIL" = 1 ]; then
  step "drawing the long tail's distinct URLs from the data"
  REDIS_URL= "$PY" bench/longtail.py urls "$SEED" >"$OUT/longtail-urls.json"
fi

step "timing the worst inputs (markdown, word diff, formset count)"
"$PY" bench/worst.py | tee "$OUT/worst.txt"

step "starting gunicorn on $BIND"
.venv/bin/gunicorn casebase.wsgi:application --config casebase/gunicorn.conf.py >"$OUT/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for i in $(seq 1 120); do
  if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://$BIND/healthz', timeout=2)" 2>/dev/null; then
    break
  fi
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$OUT/gunicorn.log"; exit 1; }
  [ "$i" -eq 120 ] && { step "gunicorn did not answer"; exit 1; }
  sleep 0.5
done

step "measuring each page: 1 client then $CONNECTIONS clients, $DURATION each"
"$PY" bench/drive.py --base "http://$BIND" --out "$OUT" --cases "$CASES" --small "$SMALL" \
  --gunicorn-pid "$GUNICORN_PID" --duration "$DURATION" --connections "$CONNECTIONS" --quiet
if [ "$LONGTAIL" = 1 ]; then
  step "the long tail: distinct URLs, each requested once (a page-cache miss)"
  "$PY" bench/longtail.py drive --base "http://$BIND" --out "$OUT" --connections "$CONNECTIONS" >/dev/null
fi
"$PY" bench/drive.py --base "http://$BIND" --out "$OUT" --cases "$CASES" --small "$SMALL" \
  --gunicorn-pid "$GUNICORN_PID" --connections "$CONNECTIONS" --report-only
tail -n 1 "$OUT/worst.txt"
step "done in $((SECONDS - STARTED)) s; results in $OUT"
