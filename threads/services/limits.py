"""Per-user rate limits on starting threads, posting, voting and reporting, the
per-address limits (signups, exports), the counters behind them and the login guard,
and the new-user filter.

Counts live in fixed windows in the cache (Redis in production, so all web workers share
them). A use is counted first and decided second, in one atomic step (Redis INCRBY in a
Lua script that also sets the expiry), so 30 concurrent replies against a limit of 10
let exactly 10 through. While Redis cannot answer (down, frozen, or the circuit breaker
in forum/cache.py is open) the same counters are kept in the database (RateCounter, one
INSERT … ON CONFLICT DO UPDATE … RETURNING), so limits never fail open.

Young or quiet accounts get the stricter limits (LessWrong and Discourse do the same);
the numbers are settings so operators can tune them:

    CRUX_RATE_LIMITS = {"report": {"new": (3, 3600)}}   # merged over DEFAULT_LIMITS

Staff and moderators are not limited (Discourse exempts staff too), nor are the
placeholder authors of imported debates.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from threads.models import RateCounter, User

# action -> tier -> (max actions, window in seconds).
DEFAULT_LIMITS = {
    "thread": {"established": (10, 3600), "new": (2, 3600)},
    "post": {"established": (60, 3600), "new": (10, 3600)},
    "vote": {"established": (600, 3600), "new": (120, 3600)},
    "report": {"established": (30, 3600), "new": (5, 3600)},
}
# An account is "new" while younger than this or with fewer posts than this.
NEW_ACCOUNT_AGE = timedelta(days=1)
NEW_ACCOUNT_POSTS = 3
# How long an established account is remembered as one (it stays one; a day bounds
# what a post deleted outright in the admin could leave wrong).
ESTABLISHED_TTL = 24 * 3600

ACTION_WORDS = {"thread": "threads", "post": "posts", "vote": "votes", "report": "reports"}
# Per client address, whoever is logged in: (max, window in seconds). Exports and the
# map JSON are the expensive anonymous reads; signups are the sockpuppet factory.
DEFAULT_ADDRESS_LIMITS = {
    "signup": (5, 3600),
    "export": (30, 60),
    "map": (120, 60),
}


@dataclass(frozen=True)
class Count:
    """A counter's value after this use, and the seconds until its window ends."""

    value: int
    resets_in: int


def _window(window: int) -> tuple[int, int]:
    """The current fixed window's number and the seconds left until it ends."""
    now = int(time.time())
    return now // window, window - now % window


def _db_count(key: str, delta: int, expires: float) -> int:
    """The database twin of the Redis counter: one atomic upsert returning the count."""
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, count, expires) VALUES (%s, %s, %s) "
            f"ON CONFLICT (key) DO UPDATE SET count = {table}.count + EXCLUDED.count "
            "RETURNING count",
            [key, delta, expires],
        )
        return int(cursor.fetchone()[0])


def count(name: str, window: int, delta: int = 1) -> Count:
    """Add `delta` (usually 1; -1 takes a use back) to the counter `name` in the current
    fixed window of `window` seconds and return the new value. Atomic in Redis, in the
    database fallback and in the in-process cache a laptop uses."""
    number, left = _window(window)
    key = f"count:{name}:{window}:{number}"
    value = None
    if hasattr(cache, "count"):  # forum.cache.ResilientRedisCache
        value = cache.count(key, delta, left + 1)
    else:  # LocMem on a laptop and in tests: add and incr are each atomic
        cache.add(key, 0, timeout=left + 1)
        try:
            value = cache.incr(key, delta)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, delta, timeout=left + 1)
            value = delta
    if value is None:
        value = _db_count(key, delta, time.time() + left + 1)
    return Count(value=value, resets_in=left)


def reset(name: str, window: int) -> None:
    """Forget the counter `name` in the current window (a successful login)."""
    number, _ = _window(window)
    key = f"count:{name}:{window}:{number}"
    cache.delete(key)
    RateCounter.objects.filter(key=key).delete()


def delete_expired_counters() -> int:
    return RateCounter.objects.filter(expires__lt=time.time()).delete()[0]


def hashed(*parts: str) -> str:
    """A cache-safe name for counters keyed by user-supplied text (usernames, addresses)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


class RateLimited(ValidationError):
    """Raised when a user has used up an allowance; the message says when it frees up."""


def configured_limits() -> dict[str, dict[str, tuple[int, int]]]:
    """DEFAULT_LIMITS with settings.CRUX_RATE_LIMITS laid over it, action by action and
    tier by tier, so a setting may name only what it changes."""
    overrides = getattr(settings, "CRUX_RATE_LIMITS", None) or {}
    merged = {action: dict(tiers) for action, tiers in DEFAULT_LIMITS.items()}
    for action, tiers in overrides.items():
        merged.setdefault(action, {}).update(tiers)
    return merged


def is_exempt(user: User) -> bool:
    return bool(user.is_staff or getattr(user, "imported", False) or user.is_moderator)


def _established_key(user_id: int) -> str:
    return f"limits:established:{user_id}"


def is_new_account(user: User) -> bool:
    """Younger than a day or fewer than a few posts. Asked on every write, so an
    established account (which stays so: posts are never taken off its count) is
    remembered on the user object and in the cache, and its posts counted once."""
    if timezone.now() - user.date_joined < NEW_ACCOUNT_AGE:
        return True
    if getattr(user, "_crux_established", False):
        return False
    key = _established_key(user.pk)
    established = bool(cache.get(key))  # the cache never raises (forum/cache.py)
    if not established:
        established = user.posts.order_by()[:NEW_ACCOUNT_POSTS].count() >= NEW_ACCOUNT_POSTS
        if established:
            cache.set(key, True, ESTABLISHED_TTL)
    if established:
        user._crux_established = True  # type: ignore[attr-defined]  # per-request memo
    return not established


def _allowance(user: User, action: str) -> tuple[int, int]:
    tier = "new" if is_new_account(user) else "established"
    limit, window = configured_limits()[action][tier]
    return int(limit), int(window)


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minutes"


def _per(window: int) -> str:
    return f"{window // 60} minutes" if window % 60 == 0 else f"{window} seconds"


def check(user: User, action: str) -> None:
    """Count one use of `action` by `user` and refuse, with a clear message, when it goes
    past the allowance for this window. Counting and deciding are one atomic step, so
    concurrent requests cannot all pass a check made before any of them counted; a use
    that is refused or fails later still counts (an attempt is what the limit meters)."""
    if is_exempt(user):
        return
    limit, window = _allowance(user, action)
    used = count(f"user:{user.pk}:{action}", window)
    if used.value > limit:
        newer = " (new accounts have a lower limit)" if is_new_account(user) else ""
        raise RateLimited(
            f"You have reached the limit of {limit} {ACTION_WORDS.get(action, action)} "
            f"per {_per(window)}{newer}. You can go on in {_wait_words(used.resets_in)}."
        )


def address_allowance(action: str) -> tuple[int, int]:
    overrides = getattr(settings, "CRUX_ADDRESS_LIMITS", None) or {}
    limit, window = {**DEFAULT_ADDRESS_LIMITS, **overrides}[action]
    return int(limit), int(window)


def check_address(address: str, action: str) -> int:
    """Count one `action` from a client address; 0 when allowed, otherwise the seconds
    until the window ends (the caller answers 429 with Retry-After)."""
    limit, window = address_allowance(action)
    used = count(f"address:{action}:{hashed(address)}", window)
    return 0 if used.value <= limit else max(1, used.resets_in)


def should_hold_for_approval(user: User) -> bool:
    """The Motte's filter: when CRUX_HOLD_FIRST_POSTS is on, the posts of a user who has
    no approved post yet wait in the moderation queue until a moderator approves one."""
    if not getattr(settings, "CRUX_HOLD_FIRST_POSTS", False) or is_exempt(user):
        return False
    return not user.posts.filter(held_for_approval=False, removed_at__isnull=True).exists()
