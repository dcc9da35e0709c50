"""A Redis cache that degrades to "nothing cached" while Redis is down.

Crux keeps page fragments, rate-limit counters and analysis coalescing keys in the
cache; none of them is worth failing a request over. While Redis is unreachable, reads
miss, writes are dropped (rate limits then fail open), and a warning is logged at most
once a minute, so readers and writers carry on against the database alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def _failed(self, operation: str, exc: Exception, fallback: object) -> object:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning > WARN_EVERY_SECONDS:
            ResilientRedisCache._last_warning = now
            log.warning("cache: Redis unavailable during %s (%s); serving uncached", operation, exc)
        return fallback

    def get(self, key: str, default: object = None, version: int | None = None) -> object:
        try:
            return super().get(key, default, version)
        except redis.RedisError as exc:
            return self._failed("get", exc, default)

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, object]:
        try:
            return super().get_many(keys, version)
        except redis.RedisError as exc:
            return self._failed("get_many", exc, {})

    def has_key(self, key: str, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except redis.RedisError as exc:
            return self._failed("has_key", exc, False)

    def set(
        self, key: str, value: object, timeout: object = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            return super().set(key, value, timeout, version)
        except redis.RedisError as exc:
            return self._failed("set", exc, None)

    def set_many(
        self, data: dict[str, object], timeout: object = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        try:
            return super().set_many(data, timeout, version)
        except redis.RedisError as exc:
            return self._failed("set_many", exc, list(data))

    def add(
        self, key: str, value: object, timeout: object = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except redis.RedisError as exc:
            # "Added": callers that coalesce work go ahead and do it.
            return self._failed("add", exc, True)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except redis.RedisError as exc:
            return self._failed("incr", exc, delta)

    def touch(
        self, key: str, timeout: object = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return super().touch(key, timeout, version)
        except redis.RedisError as exc:
            return self._failed("touch", exc, False)

    def delete(self, key: str, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except redis.RedisError as exc:
            return self._failed("delete", exc, False)

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        try:
            return super().delete_many(keys, version)
        except redis.RedisError as exc:
            return self._failed("delete_many", exc, None)
