"""The optional read replica: anonymous readers' public pages read from it, nothing else does.

With DATABASE_REPLICA_URL set, settings declare a second database alias,
``replica``, a streaming replica of the primary (``default``). The replica
may lag the primary by a moment, so it serves only what can safely be a
moment old: GET and HEAD of the public pages (pagecache.is_public_path) by a reader who
is not signed in. ReplicaReadsMiddleware marks those requests (in a context
variable, for the duration of the request and of a streamed body) and
PrimaryReplicaRouter sends their reads to the replica. Everything else reads
from the primary: any other method (a sign-in, a password reset, the axes
lockout all write), anyone signed in (supporters, editors, admins, so nobody
reads their own write from a lagging replica), every other page, management
commands, tasks, and any code outside a request. Writes and migrations always
go to the primary, and so do reads inside a ``transaction.atomic`` block.

With the page cache on (casebase.core.pagecache), a page rendered from a
replica that has not yet caught up with a change would be cached under the new
content version until the next change. So for DATABASE_REPLICA_CATCH_UP_SECONDS
after this process first sees a new content version, anonymous reads stay on
the primary too.

Without a ``replica`` alias the middleware removes itself and the router
expresses no opinion: everything is as if neither existed.
"""

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections

from casebase.core import pagecache

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")

_replica_reads = contextvars.ContextVar("casebase_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_reads_active() -> bool:
    """True while the current request may read from the replica."""
    return _replica_reads.get()


@contextmanager
def reads_from_replica():
    """Within the block, reads (outside transactions) go to the replica, if there is one."""
    token = _replica_reads.set(replica_configured())
    try:
        yield
    finally:
        _replica_reads.reset(token)


def _in_transaction_on_primary() -> bool:
    # The atomic blocks a test case wraps each test in are not the code's own transactions.
    return any(not getattr(block, "_from_testcase", False) for block in connections[PRIMARY].atomic_blocks)


class PrimaryReplicaRouter:
    """Reads of marked requests to the replica; every other read, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        if _replica_reads.get() and not _in_transaction_on_primary():
            return REPLICA
        # Explicitly the primary: left to Django, a record read from the replica
        # would take its related records (and its saves) from there.
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen through two aliases: records from either may be related.
        if replica_configured() and {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema; it is never migrated itself.
        return False if db == REPLICA else None


def is_replica_safe(request) -> bool:
    """A request whose reads may come from a replica a moment behind the primary."""
    if request.method not in SAFE_METHODS:
        return False
    if not pagecache.is_public_path(request.path_info):
        return False
    # Last: for a request with a session cookie this loads the session, from the primary.
    return not request.user.is_authenticated


def _streamed_from_replica(content: Iterator) -> Iterator:
    # A streamed body (the exports, the snapshot) runs its queries after the
    # middleware has returned, while the server sends it.
    token = _replica_reads.set(True)
    try:
        yield from content
    finally:
        try:
            _replica_reads.reset(token)
        except ValueError:  # closed from another context (garbage collected elsewhere)
            _replica_reads.set(False)


class ReplicaReadsMiddleware:
    """Mark anonymous readers' GET and HEAD of public pages as safe to read from the replica.

    Placed after AuthenticationMiddleware, so the user is known, and before
    everything that reads content.
    """

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed("no read replica configured")
        self.get_response = get_response
        self._version = None
        self._version_seen_at = 0.0

    def _content_settled(self) -> bool:
        """False for a while after content changed, when the page cache is on (see the module docstring)."""
        catch_up = settings.DATABASE_REPLICA_CATCH_UP_SECONDS
        if catch_up <= 0 or not pagecache.seconds():
            return True
        version = pagecache.content_version()
        now = time.monotonic()
        if version != self._version:
            # First seen by this process now: at or after the change itself, so the
            # window is never shorter than asked for.
            self._version, self._version_seen_at = version, now
        return now - self._version_seen_at >= catch_up

    def __call__(self, request):
        if not (is_replica_safe(request) and self._content_settled()):
            return self.get_response(request)
        with reads_from_replica():
            response = self.get_response(request)
        if response.streaming and not response.is_async:
            response.streaming_content = _streamed_from_replica(response.streaming_content)
        return response
