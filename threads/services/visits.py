"""A member's visits to a thread: opening the page (what is new to them since their last
visit, their notifications about it read) and what they last saw of its map, for "what
changed since your last visit"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from threads.models import Notification, Post, Thread, ThreadAnalysis, ThreadVisit, User, Watch
from threads.services.notifications import forget_unread


def visit_memory(map_json: dict) -> dict:
    """The parts of a map that 'what changed since your last visit' compares."""
    return {
        "cruxes": [{"post": c["post"]} for c in map_json.get("cruxes", [])],
        "groups": [
            {"id": g["id"], "size": g["size"], "members": g["members"]}
            for g in map_json.get("groups", [])
        ],
        "open": [{"post": o["post"]} for o in map_json.get("open", [])],
    }


def record_map_seen(*, user: User, thread: Thread, analysis: ThreadAnalysis) -> ThreadVisit | None:
    """Note that `user` has now seen `analysis`, the thread's current map; returns their
    previous visit (None on the first), whose memory the changes are computed from.
    (update_or_create is atomic itself; a race between two tabs keeps either look.)"""
    previous = ThreadVisit.objects.filter(user=user, thread=thread).first()
    ThreadVisit.objects.update_or_create(
        user=user,
        thread=thread,
        defaults={
            "watermark": analysis.watermark,
            "map_seen": visit_memory(analysis.map or {}),
            "seen_at": timezone.now(),
        },
    )
    return previous


@dataclass(frozen=True)
class Reading:
    """What the thread page tells a logged-in reader about their place in it."""

    read_at: datetime | None  # their previous visit (None: first visit)
    level: str  # their watch level ("" when they chose none)
    new_count: int  # posts by others since read_at
    first_new: int | None  # the earliest of them
    marked_read: int  # notifications of this thread now read


# A visit is the one write of a page view. Losing the last fraction of a second of them in
# a database crash costs nothing (a few replies show as new again), so it does not wait
# for the WAL to reach the disk: through gunicorn that wait, not CPU, held a member's page
# to a third of a reader's throughput. The SET and the statement run as one implicit
# transaction (one simple-protocol query: Django's psycopg cursors bind client-side).
_READING_SQL = """
SET LOCAL synchronous_commit TO OFF;
WITH previous AS (
    SELECT read_at FROM threads_threadvisit WHERE user_id = %(user)s AND thread_id = %(thread)s
), visit AS (
    INSERT INTO threads_threadvisit (user_id, thread_id, seen_at, watermark, read_at)
    VALUES (%(user)s, %(thread)s, %(now)s, -1, %(now)s)
    ON CONFLICT (user_id, thread_id) DO UPDATE SET read_at = EXCLUDED.read_at
), marked AS (
    UPDATE threads_notification SET read = true
    WHERE recipient_id = %(user)s AND thread_id = %(thread)s AND NOT read
    RETURNING 1
), fresh AS (
    SELECT p.id, p.created FROM threads_post p
    WHERE p.thread_id = %(thread)s AND p.created > (SELECT read_at FROM previous)
      AND p.author_id <> %(user)s AND p.removed_at IS NULL
      AND NOT p.deleted_by_author AND NOT p.held_for_approval
)
SELECT (SELECT read_at FROM previous),
       (SELECT level FROM threads_watch WHERE user_id = %(user)s AND thread_id = %(thread)s),
       (SELECT count(*) FROM fresh),
       (SELECT id FROM fresh ORDER BY created, id LIMIT 1),
       (SELECT count(*) FROM marked)
"""


def read_thread(*, user_id: int, thread_id: int) -> Reading:
    """Record that the user opened the thread page and say what is new to them since
    their last visit; their notifications about the thread count as read. One query on
    PostgreSQL (the thread page's budget allows one more)."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_READING_SQL, {"user": user_id, "thread": thread_id, "now": now})
            cursor.nextset()  # past the SET's status, to the visit's row
            read_at, level, new_count, first_new, marked = cursor.fetchone()
    else:
        visit = ThreadVisit.objects.filter(user_id=user_id, thread_id=thread_id).first()
        read_at = visit.read_at if visit else None
        ThreadVisit.objects.update_or_create(
            user_id=user_id, thread_id=thread_id, defaults={"read_at": now}
        )
        marked = Notification.objects.filter(
            recipient_id=user_id, thread_id=thread_id, read=False
        ).update(read=True)
        level = (
            Watch.objects.filter(user_id=user_id, thread_id=thread_id)
            .values_list("level", flat=True)
            .first()
        )
        fresh = Post.objects.none()
        if read_at is not None:
            fresh = Post.objects.filter(thread_id=thread_id).new_to(user_id, read_at)
        new_count = fresh.count()
        first_new = fresh.order_by("created", "id").values_list("pk", flat=True).first()
    if marked:
        forget_unread([user_id])
    return Reading(read_at, level or "", new_count, first_new, marked)


def new_posts_since(*, thread: Thread, user_id: int, since: datetime) -> int:
    """Posts by others in the thread after `since` ("N new replies — show")."""
    return Post.objects.filter(thread=thread).new_to(user_id, since).count()
