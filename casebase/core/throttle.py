"""Counting requests per key in the cache, for throttles that answer with a message of their own.

Password reset requests, readers' sign-ups and suggested corrections are each a Limit:
counted per client address and per email address over a window; over either, the form
says so. A cache that is
unavailable never refuses anyone: a throttle is against abuse, not a gate.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache


def count(key: str, window_seconds: int) -> int:
    """Count one more request under ``key`` in the current window and return the count."""
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the cache is unavailable or the key just expired: do not refuse
        return 0


def digest(address: str) -> str:
    """An email address as a cache key: the same for any case or spacing, and not readable."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Limit:
    """At most ``per_address`` requests from one email address and ``per_client`` from one client
    address in a window; over either, ``message`` refuses the request (the same for every address)."""

    name: str
    per_address: int
    per_client: int
    message: str
    window_seconds: int = 3600

    def refusal(self, *, email: str, client: str) -> str:
        """Count this request; the message refusing it if the address or the client asked too
        often, else "". Both are counted every time, so a refused address still uses the client's."""
        over = count(f"{self.name}:client:{client}", self.window_seconds) > self.per_client
        if email:
            key = f"{self.name}:address:{digest(email)}"
            over = count(key, self.window_seconds) > self.per_address or over
        return self.message if over else ""
