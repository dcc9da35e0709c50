"""Notifications: who hears about what, and when they have read it.

The posting and moderation services call one function each (`post_created`,
`post_published`, `post_moderated`); the analysis calls `top_crux_changed`, the
credences `minds_changed_on` (`notify_minds_changed` takes ids). Fan-out to many
recipients happens in a Celery task after the post's transaction commits
(`fan_out_post`, the body of threads.tasks.notify_post); only a single direct recipient
is written inline.

Rules, checked when a notification is made and again when it is shown: never for your
own actions, never from a banned user or one the recipient muted, nothing in a thread
the recipient muted, never about a post the recipient may not see (held, removed,
deleted) — bar the moderation notices to the post's own author.

Which notifications may be shown and the badge's unread count are reads
(threads.queries.notifications); opening a thread page is a visit (threads.services.visits).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from celery import Task
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from forum.cache import REDIS_BREAKER
from threads import markdown
from threads.models import (
    PATH_SEGMENT,
    Ban,
    Draft,
    Notification,
    NotificationSettings,
    Post,
    Role,
    User,
    Watch,
)
from threads.queries.notifications import unread_key

log = logging.getLogger(__name__)

Kind = Notification.Kind
# A post naming more people than this notifies the first ones only (a mass-mention is spam).
MAX_MENTIONS = 20
# A reply with one of these roles to a question or an objection answers it.
ANSWERS = {Role.ANSWER, Role.REBUTTAL, Role.CONCESSION}
ANSWERABLE = {Role.QUESTION, Role.REBUTTAL}
# When a recipient would get several kinds for one post, the most personal one wins.
DIRECT_KINDS = (Kind.MENTION, Kind.ANSWERED, Kind.REPLY, Kind.QUOTE)
# The detail of a REPLY notice sent only because the recipient watches the thread.
WATCHED_POST = "posted in a thread you watch"


# --- Mentions ------------------------------------------------------------------------------


def profile_links(names: set[str]) -> dict[str, str]:
    """`@name` -> profile URL for the names that are users (markdown.render_post's hook)."""
    known = User.objects.filter(username__in=names, is_active=True).values_list(
        "username", flat=True
    )
    return {name: reverse("profile", args=[name]) for name in known}


def forget_unread(user_ids: Iterable[int]) -> None:
    keys = [unread_key(pk) for pk in set(user_ids)]
    if not keys:
        return
    try:
        cache.delete_many(keys)
    except Exception:
        log.warning("notifications: cache unavailable", exc_info=True)


def _forget_on_commit(user_ids: Iterable[int]) -> None:
    user_ids = list(user_ids)
    transaction.on_commit(lambda: forget_unread(user_ids))


def mark_read(*, user: User, ids: list[int]) -> int:
    """Mark some of the user's notifications read; returns how many changed."""
    changed = Notification.objects.filter(recipient=user, pk__in=ids, read=False).update(read=True)
    if changed:
        forget_unread([user.pk])
    return changed


def mark_all_read(*, user: User) -> int:
    changed = Notification.objects.filter(recipient=user, read=False).update(read=True)
    forget_unread([user.pk])
    return changed


# --- Hooks called by the other services ----------------------------------------------------


def _enqueue(task: Task, *args: object) -> None:
    """Send a task; a broker outage is logged, never raised into the write that asked,
    and while the Redis circuit breaker is open nothing waits on Redis at all."""
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    if not eager and REDIS_BREAKER.is_open:
        log.warning("notifications: Redis unavailable, %s%r not sent", task.name, args)
        return
    try:
        task.apply_async(args, retry=False)
    except Exception as exc:  # kombu and redis-py raise many kinds when the broker is down
        if not eager:
            REDIS_BREAKER.failed()
        log.warning("notifications: could not enqueue %s%r (%s)", task.name, args, exc)


# A post's author after posting, in one statement: they follow the thread (an existing
# level stays), the draft of this post is dropped, and what the thread held for them
# counts as read (replying in a thread is reading it). The UPDATE's row count is that.
_POSTED_SQL = """
WITH watch AS (
    INSERT INTO threads_watch (user_id, thread_id, level, updated)
    VALUES (%(user)s, %(thread)s, %(level)s, %(now)s)
    ON CONFLICT (user_id, thread_id) DO NOTHING
), draft AS (
    DELETE FROM threads_draft WHERE user_id = %(user)s AND {draft_parent}
)
UPDATE threads_notification SET read = true
WHERE recipient_id = %(user)s AND thread_id = %(thread)s AND NOT read
"""


def _author_caught_up(post: Post) -> int:
    """The author's side of a new post (see _POSTED_SQL); returns how many of their
    notifications it marked read."""
    level = Watch.Level.WATCHING if post.parent_id is None else Watch.Level.TRACKING
    user_id, thread_id = post.author_id, post.thread_id
    if connection.vendor == "postgresql":
        draft_parent = "parent_id IS NULL" if post.parent_id is None else "parent_id = %(parent)s"
        sql = _POSTED_SQL.format(draft_parent=draft_parent)
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "user": user_id,
                    "thread": thread_id,
                    "parent": post.parent_id,
                    "level": level,
                    "now": timezone.now(),
                },
            )
            return cursor.rowcount
    Watch.objects.bulk_create(
        [Watch(user_id=user_id, thread_id=thread_id, level=level)], ignore_conflicts=True
    )
    Draft.objects.filter(user_id=user_id, parent_id=post.parent_id).delete()
    return Notification.objects.filter(
        recipient_id=user_id, thread_id=thread_id, read=False
    ).update(read=True)


def post_created(post: Post) -> None:
    """A post was written: its author follows the thread (watching their own thread,
    tracking one they reply in), their draft of it is dropped, their notifications in
    the thread count as read, and the fan-out runs after commit. Call inside the
    posting transaction."""
    from threads.tasks import notify_post

    if _author_caught_up(post):
        _forget_on_commit([post.author_id])
    if post.parent_id is None and not markdown.mentioned_names(post.body):
        return  # a new thread concerns nobody else yet, unless it names someone
    post_id = post.pk
    transaction.on_commit(lambda: _enqueue(notify_post, post_id))


def post_edited(post: Post) -> None:
    """An edit may name new people: they are told (each mention once, ever)."""
    from threads.tasks import notify_post

    if markdown.mentioned_names(post.body):
        post_id = post.pk
        transaction.on_commit(lambda: _enqueue(notify_post, post_id, True))


def post_published(post: Post) -> None:
    """A held post was approved: it notifies now, as if just written."""
    from threads.tasks import notify_post

    post_id = post.pk
    transaction.on_commit(lambda: _enqueue(notify_post, post_id))


MODERATION_VERBS = {
    "remove": "removed your post",
    "restore": "restored your post",
    "tag": "tagged your post",
    "role": "changed the role of your post",
}


def post_moderated(*, post: Post, moderator: User, action: str, reason: str = "") -> None:
    """Tell a post's author what a moderator did to it and why (inline: one recipient)."""
    if action in ("remove", "restore"):
        # Whoever was told about the post sees one more or one less unread.
        told = Notification.objects.filter(post_id=post.pk).values_list("recipient_id", flat=True)
        _forget_on_commit(told)
    if post.author_id == moderator.pk:
        return
    verb = MODERATION_VERBS.get(action, action)
    detail = f"{verb}: {reason}" if reason else verb
    Notification.objects.create(
        recipient_id=post.author_id,
        kind=Kind.MODERATION,
        post_id=post.pk,
        thread_id=post.thread_id,
        actor=moderator,
        detail=detail[:500],
    )
    _forget_on_commit([post.author_id])


def top_crux_changed(*, thread_id: int, post_id: int) -> None:
    """The analysis found a new top crux: tell the thread's watchers (in a task)."""
    from threads.tasks import notify_top_crux

    transaction.on_commit(lambda: _enqueue(notify_top_crux, thread_id, post_id))


def notify_minds_changed(
    *, post: Post | int, user: User | int, before: int, after: int
) -> Notification | None:
    """Someone moved their credence on a post (a belief update): tell the post's author.

    For the credences service to call when it records an update; `post` and `user` may be
    objects or ids. Returns the notification, or None when the rules say nobody hears."""
    post_id: int = post.pk if isinstance(post, Post) else post
    user_id: int = user.pk if isinstance(user, User) else user
    fields = ("author_id", "thread_id", "removed_at", "deleted_by_author", "held_for_approval")
    row = Post.objects.filter(pk=post_id).only(*fields).first()
    if row is None:
        return None
    return minds_changed_on(row, user_id=user_id, before=before, after=after)


def minds_changed_on(post: Post, *, user_id: int, before: int, after: int) -> Notification | None:
    """notify_minds_changed for a post the caller has just read from the database (the
    credences service, which holds it locked): its author and visibility are taken as
    they are on `post`."""
    if post.author_id == user_id or not post.is_visible:
        return None
    recipients = _allowed({post.author_id: Kind.CRUX}, actor_id=user_id, thread_id=post.thread_id)
    if not recipients:
        return None
    notification = Notification.objects.create(
        recipient_id=post.author_id,
        kind=Kind.CRUX,
        post_id=post.pk,
        thread_id=post.thread_id,
        actor_id=user_id,
        detail=f"changed their mind on your post: {before}% → {after}%",
    )
    _forget_on_commit([post.author_id])
    return notification


# --- Fan-out (the bodies of the Celery tasks) -----------------------------------------------


def _banned(user_id: int) -> bool:
    return (
        Ban.objects.filter(user_id=user_id, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))
        .exists()
    )


def _allowed(kinds: dict[int, str], *, actor_id: int | None, thread_id: int) -> dict[int, str]:
    """`kinds` less those who muted the thread or the actor, or are no longer active."""
    if not kinds:
        return kinds
    # One query: the recipients who are inactive, muted the thread or muted the actor.
    muted_thread = Watch.objects.filter(
        thread_id=thread_id, level=Watch.Level.MUTED, user_id=OuterRef("pk")
    )
    refused = Q(is_active=False) | Q(Exists(muted_thread))
    if actor_id is not None:
        muted_actor = NotificationSettings.objects.filter(
            user_id=OuterRef("pk"), muted_users=actor_id
        )
        refused |= Q(Exists(muted_actor))
    refuse = set(User.objects.filter(refused, pk__in=list(kinds)).values_list("pk", flat=True))
    return {pk: kind for pk, kind in kinds.items() if pk not in refuse and pk != actor_id}


_QUOTE_LINE = re.compile(r"^\s{0,3}>\s?(.*)$")


def _quotes_in(post: Post) -> list[str]:
    """The words a post quotes: its quote of the parent and its Markdown block quotes."""
    quotes = [post.quote] if post.quote else []
    block: list[str] = []
    for line in [*post.body.splitlines(), ""]:
        match = _QUOTE_LINE.match(line)
        if match:
            block.append(match.group(1))
        elif block:
            quotes.append(" ".join(block))
            block = []
    squashed = (" ".join(q.split()) for q in quotes)
    return [q for q in squashed if len(q) >= 8]


def _quoted_authors(post: Post) -> set[int]:
    """Authors above the post's parent whose own words the post quotes."""
    quotes = _quotes_in(post)
    if not quotes or post.depth < 2:
        return set()
    path = post.path
    above = [int(path[i : i + PATH_SEGMENT]) for i in range(0, len(path), PATH_SEGMENT)][:-2]
    rows = Post.objects.filter(
        pk__in=above, removed_at__isnull=True, deleted_by_author=False, held_for_approval=False
    ).values_list("author_id", "body_text")
    authors = set()
    for author_id, text in rows:
        own = " ".join(text.split())
        if any(q in own for q in quotes):
            authors.add(author_id)
    return authors


def fan_out_post(post_id: int, *, mentions_only: bool = False) -> list[int]:
    """Notify everyone a new (or newly approved) post concerns — with `mentions_only`
    (after an edit) only the people it names; returns the ids of the notifications to
    mail at once. Idempotent: a second run adds nothing."""
    post = (
        Post.objects.select_related("parent", "thread")
        .only(
            *("id", "thread_id", "parent_id", "author_id", "role", "quote", "body", "path"),
            *("depth", "removed_at", "deleted_by_author", "held_for_approval", "created"),
            *("parent__id", "parent__author_id", "parent__role", "thread__id"),
        )
        .filter(pk=post_id)
        .first()
    )
    if post is None or not post.is_visible or _banned(post.author_id):
        return []
    if not Post.objects.visible_to(None).filter(pk=post.pk).exists():
        return []  # below a post still held for approval: nobody else sees it yet
    actor_id = post.author_id
    kinds: dict[int, str] = {}

    via_watch: set[int] = set()  # told only because they watch the thread

    def offer(user_ids: Iterable[int], kind: str, *, watching: bool = False) -> None:
        for user_id in user_ids:
            if user_id != actor_id and user_id not in kinds:
                kinds[user_id] = kind
                if watching:
                    via_watch.add(user_id)

    names = markdown.mentioned_names(post.body)[:MAX_MENTIONS]
    if names:
        offer(User.objects.filter(username__in=names).values_list("pk", flat=True), Kind.MENTION)
    if post.parent_id is not None and not mentions_only:
        parent = post.parent
        assert parent is not None
        answered = parent.role in ANSWERABLE and post.role in ANSWERS
        offer([parent.author_id], Kind.ANSWERED if answered else Kind.REPLY)
        offer(_quoted_authors(post), Kind.QUOTE)
        watchers = Watch.objects.filter(
            thread_id=post.thread_id, level=Watch.Level.WATCHING
        ).values_list("user_id", flat=True)
        offer(watchers.iterator(chunk_size=5000), Kind.REPLY, watching=True)
    kinds = _allowed(kinds, actor_id=actor_id, thread_id=post.thread_id)
    if not kinds:
        return []
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                kind=kind,
                post_id=post.pk,
                thread_id=post.thread_id,
                actor_id=actor_id,
                at=now,
                detail=WATCHED_POST if user_id in via_watch else "",
            )
            for user_id, kind in kinds.items()
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    forget_unread(kinds)
    # Watchers' "new post" notices go to the digest, not to mail at once.
    direct = {pk for pk, kind in kinds.items() if kind in DIRECT_KINDS and pk not in via_watch}
    mail_to = _wants_mail_now({pk: kinds[pk] for pk in direct}, parent=post.parent)
    return list(
        Notification.objects.filter(
            post_id=post.pk, recipient_id__in=mail_to, emailed=False
        ).values_list("pk", flat=True)
    )


def _wants_mail_now(kinds: dict[int, str], *, parent: Post | None) -> list[int]:
    if not kinds:
        return []
    chosen = {
        row["user_id"]: row
        for row in NotificationSettings.objects.filter(user_id__in=list(kinds)).values(
            "user_id", "email_replies", "email_mentions"
        )
    }
    defaults = {"email_replies": False, "email_mentions": True}
    wanted = []
    for user_id, kind in kinds.items():
        choice = chosen.get(user_id, defaults)
        mail_now = choice["email_mentions"] if kind == Kind.MENTION else choice["email_replies"]
        if mail_now:
            wanted.append(user_id)
    return wanted


def fan_out_top_crux(thread_id: int, post_id: int) -> int:
    """Tell the watchers of a thread that it has a new top crux; returns how many."""
    post = (
        Post.objects.filter(pk=post_id, thread_id=thread_id)
        .only("id", "author_id", "removed_at", "deleted_by_author", "held_for_approval")
        .first()
    )
    if post is None or not post.is_visible or _banned(post.author_id):
        return 0
    watchers = Watch.objects.filter(thread_id=thread_id, level=Watch.Level.WATCHING)
    kinds: dict[int, str] = dict.fromkeys(
        watchers.values_list("user_id", flat=True), Kind.CRUX.value
    )
    # The crux's author is told too if they watch: the analysis found it, they did not act.
    kinds = _allowed(kinds, actor_id=None, thread_id=thread_id)
    muted_author = set(
        NotificationSettings.objects.filter(
            user_id__in=list(kinds), muted_users=post.author_id
        ).values_list("user_id", flat=True)
    )
    rows = [
        Notification(
            recipient_id=pk,
            kind=Kind.CRUX,
            post_id=post_id,
            thread_id=thread_id,
            actor_id=post.author_id,
            detail="is the new top crux of a thread you watch",
        )
        for pk in kinds
        if pk not in muted_author
    ]
    Notification.objects.bulk_create(rows, batch_size=2000)
    forget_unread(r.recipient_id for r in rows)
    return len(rows)


# --- Muting people -------------------------------------------------------------------------


def set_user_muted(*, user: User, other: User, muted: bool) -> bool:
    """Mute (or unmute) another user: their posts never notify `user`. Returns whether
    it changed."""
    from django.core.exceptions import ValidationError

    if other.pk == user.pk:
        raise ValidationError({"username": "You cannot mute yourself."})
    chosen, _ = NotificationSettings.objects.get_or_create(user=user)
    already = chosen.muted_users.filter(pk=other.pk).exists()
    if already == muted:
        return False
    if muted:
        chosen.muted_users.add(other)
    else:
        chosen.muted_users.remove(other)
    return True
