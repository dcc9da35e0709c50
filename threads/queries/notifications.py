"""Read paths of notifications: which may be shown, the header badge's unread count, the
inbox, its JSON, and the thread list's unread counts. (Writes are in
threads.services.notifications.)"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from threads.models import Ban, Notification, Post, Thread, ThreadVisit

log = logging.getLogger(__name__)

INBOX_LIMIT = 200
UNREAD_TTL = 300


# --- Visibility ----------------------------------------------------------------------------


def _active_ban(user_ref: OuterRef) -> Exists:
    now = timezone.now()
    return Exists(
        Ban.objects.filter(user=user_ref, lifted_at__isnull=True).filter(
            Q(until__isnull=True) | Q(until__gt=now)
        )
    )


def visible_to(user_id: int) -> QuerySet[Notification]:
    """The user's notifications that may be shown now: about a post they can still see
    (or their own post, for moderation notices), from someone not banned since."""
    shown_post = Q(post__isnull=True) | Q(post__author_id=user_id)
    shown_post |= Q(
        post__removed_at__isnull=True,
        post__deleted_by_author=False,
        post__held_for_approval=False,
    )
    return (
        Notification.objects.filter(recipient_id=user_id)
        .filter(shown_post)
        .filter(Q(actor__isnull=True) | ~_active_ban(OuterRef("actor")))
    )


# --- The unread count (the header badge) ---------------------------------------------------


def unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user_id: int) -> int:
    """The badge's number: from the cache, else one query."""
    key = unread_key(user_id)
    try:
        count = cache.get(key)
    except Exception:
        log.warning("notifications: cache unavailable", exc_info=True)
        count = None
    if count is None:
        count = visible_to(user_id).filter(read=False).count()
        with contextlib.suppress(Exception):
            cache.set(key, count, UNREAD_TTL)
    return count


# --- The inbox -------------------------------------------------------------------------------


@dataclass
class ThreadGroup:
    """The notifications of one thread in the inbox, newest first."""

    thread: Thread | None
    notifications: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(not n.read for n in self.notifications)


def inbox_rows(user_id: int, *, limit: int = INBOX_LIMIT) -> list[Notification]:
    """The user's visible notifications, newest first, with what the inbox shows (one
    query)."""
    return list(
        visible_to(user_id)
        .select_related("actor", "thread", "post")
        .only(
            *("id", "kind", "read", "at", "detail", "post_id", "thread_id", "actor_id"),
            *("actor__id", "actor__username", "thread__id", "thread__title", "thread__slug"),
            *("post__id", "post__thread_id", "post__body_text", "post__author_id"),
            *("post__removed_at", "post__deleted_by_author", "post__held_for_approval"),
        )
        .order_by("-at", "-id")[:limit]
    )


def inbox(user_id: int) -> tuple[list[ThreadGroup], int]:
    """The inbox grouped by thread (the thread of the newest notification first) and
    the unread count, in one query when the user has fewer than INBOX_LIMIT."""
    rows = inbox_rows(user_id)
    groups: dict[int | None, ThreadGroup] = {}
    for row in rows:
        groups.setdefault(row.thread_id, ThreadGroup(row.thread)).notifications.append(row)
    unread = sum(not r.read for r in rows) if len(rows) < INBOX_LIMIT else unread_count(user_id)
    return list(groups.values()), unread


def as_json(row: Notification) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "post": row.post_id,
        "thread": row.thread_id,
        "actor": row.actor.username if row.actor else None,
        "read": row.read,
        "at": row.at.isoformat(),
        "detail": row.detail,
        "url": row.post.get_absolute_url() if row.post else None,
    }


def with_unread(threads: QuerySet[Thread], user_id: int) -> QuerySet[Thread]:
    """Annotate `unread`: posts by others since the user last opened each thread (0 for
    threads they never opened), inside the list's own query."""
    last_visit = ThreadVisit.objects.filter(user_id=user_id, thread_id=OuterRef("thread_id"))
    fresh = (
        Post.objects.filter(thread_id=OuterRef("pk"))
        .new_to(user_id, Subquery(last_visit.values("read_at")[:1]))
        .order_by()
        .values("thread_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return threads.annotate(unread=Coalesce(Subquery(fresh), 0))
