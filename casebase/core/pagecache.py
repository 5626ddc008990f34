"""Whole-page cache for anonymous readers, invalidated whenever content changes.

Public pages are the same for every anonymous reader until an editor publishes
or edits something, so their rendered HTML is kept in the cache (Redis when
REDIS_URL is set, local memory otherwise) under a key that includes a *content
version*. Any save or delete of a Framework, organization, case or analysis
record, or a change to their tags, sets a new version once its transaction
commits, so the next reader gets a freshly rendered page. The cache entry's
lifetime only bounds memory, and staleness across processes when the cache
is per-process local memory.

What is cached: GET and HEAD of the public pages (see PREFIXES) from readers
without a session or message cookie, answered 200 with a complete (not
streamed) body and no cookie of its own. Everything outside this middleware
(compression, ETag and conditional GET, security headers, CSP, request id)
still runs on every request. PAGE_CACHE_SECONDS sets how long a page is kept
(0, the default in development, turns the cache off). The key holds the scheme,
host, path and query string, so absolute links are right for every reader.

Code that writes content without model signals (bulk_create, QuerySet.update,
raw SQL, like seed_synthetic) calls ``changed()`` itself. A model may define
``affects_public_pages()``: when it returns False for a saved, deleted or
re-tagged record, the change starts no new version (a supporter's draft is on
no public page, so saving it keeps every cached page and the facet index).
"""

import functools
import hashlib
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile
from django.utils.text import compress_string

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"
# Public pages and the read API: only published records, the same for every anonymous
# reader (is_public_path). A cached API answer skips DRF's per-client throttle, which
# is there to protect the server: a cached answer costs it little.
PREFIXES = (
    "/framework/",
    "/recommendations/",
    "/cases/",
    "/organizations/",
    "/analysis/",
    "/feeds/",
    "/api/",
)
MAX_BYTES = 512 * 1024
# Each process has its own local-memory cache: bound how long the others lag behind a change.
LOCAL_MEMORY_SECONDS = 30
ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")  # as GZipMiddleware reads Accept-Encoding


@functools.cache
def release() -> str:
    """The deployed code's commit, so a deploy never serves pages rendered by older templates."""
    base = Path(settings.BASE_DIR) / ".git"
    try:
        head = (base / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            head = (base / head[5:]).read_text().strip()
        return head[:12]
    except OSError:
        return ""


def seconds(configured: int | None = None) -> int:
    """How long a page (or what is ``configured``) stays cached; 0 when the page cache is off
    (PAGE_CACHE_SECONDS). Local memory is per process: its entries are kept briefly, since a
    change made in one process does not reach the others' versions."""
    configured = settings.PAGE_CACHE_SECONDS if configured is None else configured
    if configured and "LocMemCache" in settings.CACHES["default"]["BACKEND"]:
        return min(configured, LOCAL_MEMORY_SECONDS)
    return configured


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY, 0)
    return version


def request_version(request) -> int:
    """The content version this request started under, read once (the middleware pins it
    before the view reads any record, so whatever is cached under it is never older than it)."""
    version = getattr(request, "_content_version", None)
    if version is None:
        version = content_version()
        if request is not None:
            request._content_version = version
    return version


def bump() -> None:
    """Start a new content version: every cached page is out of date from now on."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def changed(using=None) -> None:
    """Content changed in the current transaction: start a new version now and again at commit.

    Now, so that whatever this transaction reads next (the page it renders, the
    facet index) is built from its own writes, never taken from the cache of
    the state before. At commit, so that a page or index another process built
    from the old data meanwhile (it cannot see uncommitted rows) is not kept.
    Outside a transaction both happen at once.
    """
    bump()
    transaction.on_commit(bump, using=using)


def _changed(sender, **kwargs) -> None:
    # A record may say that a change to it shows on no public page (a draft's, say):
    # then cached pages stay valid. Anything else starts a new version.
    affects = getattr(kwargs.get("instance"), "affects_public_pages", None)
    if callable(affects) and not affects():
        return
    changed(using=kwargs.get("using"))


def watch(app_config) -> None:
    """Start a new version whenever a record of this app changes (its AppConfig.ready() calls this).

    Each app whose records appear on public pages says so itself; this module
    knows none of them.
    """
    # include_auto_created: the through tables of plain many-to-many fields.
    for model in app_config.get_models(include_auto_created=True):
        if model.__name__.startswith("Historical"):
            continue  # written alongside the record itself
        uid = f"pagecache-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
        # Sent with the through model as sender, by Django and by taggit's managers.
        m2m_changed.connect(_changed, sender=model, dispatch_uid=f"{uid}-m2m")


def is_public_path(path: str) -> bool:
    """A public page or the read API (also where casebase.core.dbrouting may use a replica)."""
    return path == "/" or path.startswith(PREFIXES)


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False  # signed in, or a message waiting: the page is personal
    return is_public_path(request.path_info)


def _cacheable_response(request, response) -> bool:
    return (
        response.status_code == 200
        and request.method == "GET"
        # The page holds a CSRF token (a form): it belongs to this reader's cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.streaming
        and not response.cookies
        and len(response.content) <= MAX_BYTES
        and b"nonce=" not in response.content  # a CSP nonce must be new on every response
    )


def _entry(response) -> tuple:
    """What the cache keeps of a response: status, headers, body, and the body gzipped once.

    Plain values rather than the response object, and compressed once rather
    than by GZipMiddleware on every hit. A cached page holds no secret (no CSRF
    token, no nonce), so serving the same compressed bytes is safe from BREACH.
    """
    body = response.content
    gzipped = compress_string(body) if len(body) >= 200 else None
    if gzipped is not None and len(gzipped) >= len(body):
        gzipped = None
    headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
    return response.status_code, headers, body, gzipped


def _response(request, entry) -> HttpResponse:
    status, headers, body, gzipped = entry
    compressed = gzipped is not None and ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    response = HttpResponse(gzipped if compressed else body, status=status)
    for name, value in headers:
        response[name] = value
    if gzipped is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    if compressed:
        response["Content-Encoding"] = "gzip"
    return response


class PublicPageCacheMiddleware:
    """Serve anonymous readers' public pages from the cache, keyed by content version."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.release = release()

    def key(self, request) -> str:
        # Host and scheme too: some pages (the feed, the API's next links) carry absolute
        # links built from them, so a page rendered for one host or for plain HTTP must not
        # be served to readers of another. ALLOWED_HOSTS bounds how many hosts there are.
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        url = hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()
        return f"page:{self.release}:{request_version(request)}:{url}"

    def __call__(self, request):
        request_version(request)  # before the view reads anything (see request_version)
        ttl = seconds()
        if not ttl or not _cacheable_request(request):
            return self.get_response(request)
        key = self.key(request)
        entry = cache.get(key)
        if entry is not None:
            response = _response(request, entry)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable_response(request, response):
            try:
                cache.set(key, _entry(response), ttl)
            except Exception:  # a cache outage must not break the page
                logger.warning("page cache: could not store %s", request.path, exc_info=True)
            response["X-Page-Cache"] = "miss"
        return response
