"""Watching levels per thread (Discourse's): watching hears of every new post, tracking
of replies to you and mentions (the default where you post), muted of nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from threads.models import Thread, User, Watch


def set_watch_level(*, user: User, thread: Thread, level: str) -> bool:
    """Set the user's level for the thread; returns whether it changed."""
    if not user.is_authenticated:
        raise ValidationError("Log in to watch a thread.")
    try:
        level = Watch.Level(level)
    except ValueError:
        known = ", ".join(Watch.Level.values)
        raise ValidationError({"level": f"Unknown level {level!r}; choose {known}."}) from None
    watch, created = Watch.objects.get_or_create(
        user=user, thread=thread, defaults={"level": level}
    )
    if created:
        return True
    if watch.level == level:
        return False
    Watch.objects.filter(pk=watch.pk).update(level=level, updated=timezone.now())
    return True


def watch_level(*, user: User, thread: Thread) -> str:
    """The user's level for the thread, "" when they have none (they get what tracking
    gives: replies to them and mentions)."""
    if not user.is_authenticated:
        return ""
    level = Watch.objects.filter(user=user, thread=thread).values_list("level", flat=True)
    return level.first() or ""
