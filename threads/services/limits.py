"""Per-user rate limits on posting, voting and reporting, and the new-user filter.

Counts live in the cache (Redis in production, so all web workers share them) in fixed
windows. Young or quiet accounts get the stricter limits (LessWrong and Discourse do the
same); the numbers are settings so operators can tune them.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from threads.models import User

# action -> (max actions, window in seconds) for established and for new accounts.
DEFAULT_LIMITS = {
    "thread": {"established": (10, 3600), "new": (2, 3600)},
    "post": {"established": (60, 3600), "new": (10, 3600)},
    "vote": {"established": (600, 3600), "new": (120, 3600)},
    "report": {"established": (30, 3600), "new": (5, 3600)},
}
NEW_ACCOUNT_AGE = timedelta(days=1)
NEW_ACCOUNT_POSTS = 3

ACTION_WORDS = {"thread": "threads", "post": "posts", "vote": "votes", "report": "reports"}


class RateLimited(ValidationError):
    """Raised when a user has used up an allowance; the message says when it frees up."""


def _limits() -> dict:
    return getattr(settings, "CRUX_RATE_LIMITS", DEFAULT_LIMITS)


def is_new_account(user: User) -> bool:
    if timezone.now() - user.date_joined < NEW_ACCOUNT_AGE:
        return True
    return user.posts.count() < NEW_ACCOUNT_POSTS


def _key(user: User, action: str, window: int) -> str:
    bucket = int(timezone.now().timestamp()) // window
    return f"limit:{action}:{user.pk}:{window}:{bucket}"


def _allowance(user: User, action: str) -> tuple[int, int]:
    tier = "new" if is_new_account(user) else "established"
    return tuple(_limits()[action][tier])


def check(user: User, action: str) -> None:
    """Refuse with a clear message when `user` has used up `action` for this window."""
    if user.is_staff or getattr(user, "imported", False):
        return
    limit, window = _allowance(user, action)
    used = cache.get(_key(user, action, window), 0)
    if used >= limit:
        minutes = max(1, window // 60)
        raise RateLimited(
            f"You have reached the limit of {limit} {ACTION_WORDS[action]} per {minutes} "
            "minutes. Please wait a little and try again."
        )


def record(user: User, action: str) -> None:
    if user.is_staff or getattr(user, "imported", False):
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
    """The Motte's filter: a new user's first post waits for a moderator, if enabled."""
    if not getattr(settings, "CRUX_HOLD_FIRST_POSTS", False) or user.is_moderator:
        return False
    return not user.posts.filter(held_for_approval=False).exists()
