"""A Redis cache that degrades to "nothing cached" while Redis is down or hung.

Crux keeps page fragments, rate-limit counters and analysis coalescing keys in the
cache; none of them is worth holding a request over. Three things bound how long a
request can wait on Redis (issue #17, item 3):

- short socket timeouts (settings: CRUX_REDIS_SOCKET_TIMEOUT, 0.2 s by default), so one
  call to a frozen Redis gives up quickly;
- a circuit breaker, shared by the cache and the Celery publish in this process: after
  REDIS_BREAKER.threshold failures in a row it stops trying for REDIS_BREAKER.cooloff
  seconds (30), so a request meets at most `threshold` timeouts, however many cache
  calls it makes; the beat sweep catches up the analyses that could not be enqueued;
- callers never see an exception: reads miss, writes are dropped, and counters report
  `None` so that the rate limits and the login guard fall back to the database
  (threads/services/limits.py) instead of failing open.

A warning is logged at most once a minute.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 60


class CircuitBreaker:
    """Closed while calls succeed; open for `cooloff` seconds after `threshold` failures
    in a row. While open, `allow()` is False and callers skip Redis altogether."""

    def __init__(self, *, threshold: int = 2, cooloff: float = 30.0) -> None:
        self.threshold = threshold
        self.cooloff = cooloff
        self._failures = 0
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        return time.monotonic() >= self._open_until

    @property
    def is_open(self) -> bool:
        return not self.allow()

    def succeeded(self) -> None:
        if self._failures:
            with self._lock:
                self._failures = 0

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold:
                self._open_until = time.monotonic() + self.cooloff
                self._failures = 0

    def reset(self) -> None:
        with self._lock:
            self._failures = 0
            self._open_until = 0.0


# One breaker per process: the cache and the broker are the same Redis.
REDIS_BREAKER = CircuitBreaker()

# INCRBY and set the expiry on first use, in one atomic step.
_COUNT_SCRIPT = """
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return n
"""


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0
    breaker = REDIS_BREAKER

    def _guarded(
        self,
        operation: str,
        fallback: object,
        method: Callable[..., object],
        *args: object,
        **kwargs: object,
    ) -> Any:  # noqa: ANN401 -- whatever the wrapped cache method returns
        if not self.breaker.allow():
            return fallback
        try:
            result = method(self, *args, **kwargs)
        except redis.RedisError as exc:
            self.breaker.failed()
            now = time.monotonic()
            if now - ResilientRedisCache._last_warning > WARN_EVERY_SECONDS:
                ResilientRedisCache._last_warning = now
                log.warning(
                    "cache: Redis unavailable during %s (%s); serving uncached", operation, exc
                )
            return fallback
        self.breaker.succeeded()
        return result

    # What each call answers while Redis is away: a miss, a dropped write, "not there".

    def get(self, key: str, default: object = None, version: int | None = None) -> Any:  # noqa: ANN401
        return self._guarded("get", default, RedisCache.get, key, default, version)

    def get_many(self, *args: object, **kwargs: object) -> Any:  # noqa: ANN401
        return self._guarded("get_many", {}, RedisCache.get_many, *args, **kwargs)

    def has_key(self, *args: object, **kwargs: object) -> Any:  # noqa: ANN401
        return self._guarded("has_key", False, RedisCache.has_key, *args, **kwargs)

    def set(self, *args: object, **kwargs: object) -> Any:  # noqa: ANN401
        return self._guarded("set", None, RedisCache.set, *args, **kwargs)

    def set_many(self, data: dict, *args: object, **kwargs: object) -> Any:  # noqa: ANN401
        return self._guarded("set_many", list(data), RedisCache.set_many, data, *args, **kwargs)

    def add(self, *args: object, **kwargs: object) -> Any:  # noqa: ANN401
        # "Added" when Redis is away: callers that coalesce work go ahead and do it.
        return self._guarded("add", True, RedisCache.add, *args, **kwargs)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> Any:  # noqa: ANN401
        return self._guarded("incr", delta, RedisCache.incr, key, delta, version)

    def touch(self, *args: object, **kwargs: object) -> Any:  # noqa: ANN401
        return self._guarded("touch", False, RedisCache.touch, *args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> Any:  # noqa: ANN401
        return self._guarded("delete", False, RedisCache.delete, *args, **kwargs)

    def delete_many(self, *args: object, **kwargs: object) -> Any:  # noqa: ANN401
        return self._guarded("delete_many", None, RedisCache.delete_many, *args, **kwargs)

    def count(self, key: str, delta: int, timeout: int, version: int | None = None) -> int | None:
        """Add `delta` to the counter `key` (created with expiry `timeout`) and return the
        new value, atomically; None when Redis cannot answer (callers fall back)."""
        made = self.make_and_validate_key(key, version=version)

        def run(cache: ResilientRedisCache) -> int:
            client = cache._cache.get_client(made, write=True)
            return int(client.eval(_COUNT_SCRIPT, 1, made, int(delta), max(1, int(timeout))))

        return self._guarded("count", None, run)
