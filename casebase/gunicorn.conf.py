"""gunicorn settings for `make serve`, the load test and the benchmark.

Processes are stateless: sessions and cache live in Redis (REDIS_URL), data in
PostgreSQL, so any number of these servers can stand behind a load balancer.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers, 2 per core + 1: pages are short database-bound requests.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A sync worker cannot heartbeat while it streams, so this bounds every request: the
# whole-bank exports (the snapshot takes about 30 s at 20,000 cases) must fit in it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Load Django once in the master and fork workers from it: a recycled worker starts in
# milliseconds instead of importing the site again (about a second of CPU that, on a
# small machine, stalls the requests of every other worker). Nothing opens a database
# connection at import time, so no connection is shared across the fork.
preload_app = True
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only the load balancer may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's own lines in the same JSON shape as the site's, with the request id
# taken from the response header on access lines.
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "casebase.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "casebase.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
