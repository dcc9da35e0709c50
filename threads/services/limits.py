"""Per-user rate limits on starting threads, posting, voting and reporting, and the
new-user filter.

Counts live in the cache (Redis in production, so all web workers share them) in fixed
windows. Young or quiet accounts get the stricter limits (LessWrong and Discourse do the
same); the numbers are settings so operators can tune them:

    CRUX_RATE_LIMITS = {"report": {"new": (3, 3600)}}   # merged over DEFAULT_LIMITS

Staff and moderators are not limited (Discourse exempts staff too), nor are the
placeholder authors of imported debates.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from threads.models import User

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

ACTION_WORDS = {"thread": "threads", "post": "posts", "vote": "votes", "report": "reports"}


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


def is_new_account(user: User) -> bool:
    """Younger than a day or fewer than a few posts. Asked by check() and record() in
    one request, so the answer is kept on the user object."""
    if timezone.now() - user.date_joined < NEW_ACCOUNT_AGE:
        return True
    if getattr(user, "_crux_established", False):
        return False
    established = user.posts.all()[:NEW_ACCOUNT_POSTS].count() >= NEW_ACCOUNT_POSTS
    if established:
        user._crux_established = True  # type: ignore[attr-defined]  # per-request memo
    return not established


def _allowance(user: User, action: str) -> tuple[int, int]:
    tier = "new" if is_new_account(user) else "established"
    limit, window = configured_limits()[action][tier]
    return int(limit), int(window)


def _bucket(window: int) -> tuple[int, int]:
    """The current fixed window's number and the seconds left until it ends."""
    now = int(timezone.now().timestamp())
    return now // window, window - now % window


def _key(user: User, action: str, window: int) -> str:
    return f"limit:{action}:{user.pk}:{window}:{_bucket(window)[0]}"


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minutes"


def check(user: User, action: str) -> None:
    """Refuse with a clear message when `user` has used up `action` for this window."""
    if is_exempt(user):
        return
    limit, window = _allowance(user, action)
    used = cache.get(_key(user, action, window), 0)
    if used >= limit:
        _, left = _bucket(window)
        per = f"{window // 60} minutes" if window % 60 == 0 else f"{window} seconds"
        newer = " (new accounts have a lower limit)" if is_new_account(user) else ""
        raise RateLimited(
            f"You have reached the limit of {limit} {ACTION_WORDS.get(action, action)} "
            f"per {per}{newer}. You can go on in {_wait_words(left)}."
        )


def record(user: User, action: str) -> None:
    """Count one use of `action`; call after the action succeeded."""
    if is_exempt(user):
        return
    _, window = _allowance(user, action)
    key = _key(user, action, window)
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)


def should_hold_for_approval(user: User) -> bool:
    """The Motte's filter: when CRUX_HOLD_FIRST_POSTS is on, the posts of a user who has
    no approved post yet wait in the moderation queue until a moderator approves one."""
    if not getattr(settings, "CRUX_HOLD_FIRST_POSTS", False) or is_exempt(user):
        return False
    return not user.posts.filter(held_for_approval=False, removed_at__isnull=True).exists()
