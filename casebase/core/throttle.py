"""Counting requests per key in the cache, for throttles that answer with a message of their own.

Password reset requests and readers' suggested corrections are counted per client address
and per email address over a window; over a limit, the form says so. A cache that is
unavailable never refuses anyone: a throttle is against abuse, not a gate.
"""

import hashlib

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
