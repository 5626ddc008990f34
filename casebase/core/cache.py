"""A Redis cache that degrades to "no cache" while Redis is unreachable.

Redis holds the page cache, throttling counters and cached sessions. None of
them is the source of truth (sessions are also in PostgreSQL), so when Redis
goes away the site should get slower, not fail: reads miss, writes are skipped,
and each failure is logged. Errors other than connection problems still raise.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("casebase.cache")
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(method, fallback):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNAVAILABLE as exc:
            logger.warning("cache unavailable during %s: %s", method.__name__, exc)
            return fallback(*args, **kwargs)

    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    get = _tolerant(RedisCache.get, _default)
    get_many = _tolerant(RedisCache.get_many, lambda keys, *a, **k: {})
    has_key = _tolerant(RedisCache.has_key, lambda *a, **k: False)
    set = _tolerant(RedisCache.set, lambda *a, **k: None)
    set_many = _tolerant(RedisCache.set_many, lambda data, *a, **k: list(data))
    add = _tolerant(RedisCache.add, lambda *a, **k: False)
    touch = _tolerant(RedisCache.touch, lambda *a, **k: False)
    delete = _tolerant(RedisCache.delete, lambda *a, **k: False)
    delete_many = _tolerant(RedisCache.delete_many, lambda *a, **k: None)
    clear = _tolerant(RedisCache.clear, lambda *a, **k: False)

    def get_or_set(self, key, default, timeout=None, version=None):
        value = self.get(key, version=version)
        if value is None:
            value = default() if callable(default) else default
            self.add(key, value, timeout=timeout, version=version)
        return value

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            logger.warning("cache unavailable during incr: %s", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc
