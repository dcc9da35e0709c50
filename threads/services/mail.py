"""Mail: notices sent at once (replies, mentions), digests (daily or weekly), and the
signed one-click unsubscribe links both carry.

Everything goes through Django's mail API to the configured SMTP server, from Celery
tasks only: a bounce, a refusing or a dead server is logged and never reaches the
request that posted. Each message has a plain-text and an HTML part and a
`List-Unsubscribe` header (RFC 2369).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from threads.models import Notification, NotificationSettings, User, Watch
from threads.queries.notifications import visible_to

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "crux.unsubscribe"
# What an unsubscribe link turns off.
LISTS = {
    "digest": "the digest",
    "replies": "mail when someone replies to you",
    "mentions": "mail when someone mentions you",
}
DIGEST_PERIODS = {
    NotificationSettings.Digest.DAILY: timedelta(days=1),
    NotificationSettings.Digest.WEEKLY: timedelta(days=7),
}
DIGEST_MAX_ITEMS = 50


def settings_for(user: User) -> NotificationSettings:
    chosen, _ = NotificationSettings.objects.get_or_create(user=user)
    return chosen


# --- Unsubscribing -------------------------------------------------------------------------


def unsubscribe_token(user: User, what: str) -> str:
    if what not in LISTS:
        raise ValueError(f"unknown list {what!r}")
    return signing.dumps({"u": user.pk, "w": what}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user: User, what: str) -> str:
    path = reverse("unsubscribe", args=[unsubscribe_token(user, what)])
    return f"{settings.CRUX_SITE_URL}{path}"


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The user and list a token names; raises signing.BadSignature when it is not one
    of ours (tampered, or for a user who is gone)."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(value, dict) or value.get("w") not in LISTS:
        raise signing.BadSignature("not an unsubscribe token")
    user_id = value.get("u")
    if not isinstance(user_id, int):
        raise signing.BadSignature("not an unsubscribe token")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise signing.BadSignature("no such user")
    return user, value["w"]


def set_subscribed(*, user: User, what: str, subscribed: bool) -> bool:
    """Switch one kind of mail on or off; returns whether it changed."""
    chosen = settings_for(user)
    if what == "digest":
        target = (
            NotificationSettings.Digest.WEEKLY if subscribed else NotificationSettings.Digest.OFF
        )
        if (chosen.digest != NotificationSettings.Digest.OFF) == subscribed:
            return False
        chosen.digest = target
        chosen.save(update_fields=["digest"])
        return True
    field = {"replies": "email_replies", "mentions": "email_mentions"}[what]
    if getattr(chosen, field) == subscribed:
        return False
    setattr(chosen, field, subscribed)
    chosen.save(update_fields=[field])
    return True


# --- Building and sending ------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.CRUX_SITE_URL}{path}"


def _message(
    *, user: User, subject: str, template: str, context: dict, what: str
) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(user, what)
    context = {
        **context,
        "user": user,
        "site_url": settings.CRUX_SITE_URL,
        "unsubscribe_url": unsubscribe,
        "unsubscribe_what": LISTS[what],
        "settings_url": _absolute(reverse("notification_settings")),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"email/{template}.txt", context),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return message


def _send(messages: list) -> list[bool]:
    """Send each message on one connection; a failure is logged and the others go on."""
    sent = []
    try:
        connection = get_connection()
        connection.open()
    except Exception as exc:  # smtplib, socket and TLS errors alike
        log.warning("mail: cannot reach the mail server (%s); %d not sent", exc, len(messages))
        return [False] * len(messages)
    try:
        for message in messages:
            message.connection = connection
            try:
                sent.append(bool(message.send()))
            except Exception as exc:
                log.warning("mail: sending to %s failed (%s)", message.to, exc)
                sent.append(False)
    finally:
        try:
            connection.close()
        except Exception:
            log.warning("mail: closing the connection failed", exc_info=True)
    return sent


def _describe(notification: Notification) -> str:
    actor = notification.actor.username if notification.actor else "Crux"
    thread = notification.thread.title if notification.thread else ""
    kind = notification.kind
    if kind == Notification.Kind.MENTION:
        return f"{actor} mentioned you in “{thread}”"
    if kind == Notification.Kind.ANSWERED:
        return f"{actor} answered you in “{thread}”"
    if kind == Notification.Kind.QUOTE:
        return f"{actor} quoted you in “{thread}”"
    if kind == Notification.Kind.REPLY and notification.detail:
        return f"{actor} {notification.detail}: “{thread}”"
    if kind == Notification.Kind.REPLY:
        return f"{actor} replied to you in “{thread}”"
    if kind == Notification.Kind.MODERATION:
        return f"A moderator {notification.detail} in “{thread}”"
    return f"“{thread}”: {actor} {notification.detail}"


def _item(notification: Notification) -> dict:
    post = notification.post
    url = _absolute(post.get_absolute_url()) if post else _absolute(reverse("inbox"))
    excerpt = " ".join(post.body_text.split()[:60]) if post and post.is_visible else ""
    return {"text": _describe(notification), "url": url, "excerpt": excerpt, "at": notification.at}


def send_immediate(notification_ids: list[int]) -> int:
    """Mail the given notifications now (each once); returns how many were sent."""
    rows = list(
        Notification.objects.filter(pk__in=notification_ids, emailed=False)
        .select_related("recipient", "actor", "thread", "post")
        .exclude(recipient__email="")
    )
    # The post may have been removed or held since the fan-out.
    rows = [
        r for r in rows if r.post is None or r.post.is_visible or r.post.author_id == r.recipient_id
    ]
    messages = [
        _message(
            user=row.recipient,
            subject=_describe(row),
            template="notification",
            context={"item": _item(row)},
            what="mentions" if row.kind == Notification.Kind.MENTION else "replies",
        )
        for row in rows
    ]
    results = _send(messages)
    done = [row.pk for row, ok in zip(rows, results, strict=True) if ok]
    Notification.objects.filter(pk__in=done).update(emailed=True)
    return len(done)


# --- Digests -------------------------------------------------------------------------------


def _due(chosen: NotificationSettings | None, now: datetime, force: bool) -> bool:
    digest = chosen.digest if chosen else NotificationSettings.Digest.WEEKLY
    if digest == NotificationSettings.Digest.OFF:
        return False
    if force or chosen is None or chosen.last_digest_at is None:
        return True
    return chosen.last_digest_at + DIGEST_PERIODS[NotificationSettings.Digest(digest)] <= now


def digest_for(user: User, *, since: datetime | None) -> dict:
    """What a user's digest says: unread notifications not yet in a digest, and the
    watched threads that have new posts since the last digest."""
    items = list(
        visible_to(user.pk)
        .filter(read=False, digested=False)
        .select_related("actor", "thread", "post")
        .order_by("-at")[:DIGEST_MAX_ITEMS]
    )
    watched = Watch.objects.filter(user=user, level=Watch.Level.WATCHING)
    if since is not None:
        watched = watched.filter(thread__last_activity__gt=since)
    new_posts = Q(
        thread__posts__removed_at__isnull=True,
        thread__posts__held_for_approval=False,
        thread__posts__deleted_by_author=False,
    ) & ~Q(thread__posts__author=user)
    if since is not None:
        new_posts &= Q(thread__posts__created__gt=since)
    threads = (
        watched.annotate(new=Count("thread__posts", filter=new_posts))
        .filter(new__gt=0)
        .values("thread_id", "thread__title", "thread__slug", "new")
        .order_by("-new")[:20]
    )
    activity = [
        {
            "title": row["thread__title"],
            "new": row["new"],
            "url": _absolute(
                reverse("thread", args=[row["thread_id"], row["thread__slug"] or "-"])
            ),
        }
        for row in threads
    ]
    return {"items": [_item(n) for n in items], "ids": [n.pk for n in items], "threads": activity}


def send_digests(*, force: bool = False, now: datetime | None = None) -> int:
    """Send every digest that is due (with `force`, every pending one regardless of the
    schedule); returns how many were sent. A user with nothing new gets no mail."""
    now = now or timezone.now()
    candidates = set(
        Notification.objects.filter(read=False, digested=False).values_list(
            "recipient_id", flat=True
        )
    )
    candidates |= set(
        Watch.objects.filter(level=Watch.Level.WATCHING, thread__last_activity__gt=F("updated"))
        .values_list("user_id", flat=True)
        .distinct()
    )
    users = User.objects.filter(pk__in=candidates, is_active=True).exclude(email="")
    chosen = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=candidates)}
    sent = 0
    for user in users.iterator():
        user_settings = chosen.get(user.pk)
        if not _due(user_settings, now, force):
            continue
        since = user_settings.last_digest_at if user_settings else None
        digest = digest_for(user, since=since)
        if not digest["items"] and not digest["threads"]:
            _digest_done(user, now)
            continue
        count = len(digest["items"])
        subject = (
            f"Crux digest: {count} unread" if count else "Crux digest: new in threads you watch"
        )
        message = _message(
            user=user, subject=subject, template="digest", context=digest, what="digest"
        )
        if _send([message])[0]:  # else it is tried again at the next run
            Notification.objects.filter(pk__in=digest["ids"]).update(digested=True)
            _digest_done(user, now)
            sent += 1
    return sent


def _digest_done(user: User, now: datetime) -> None:
    NotificationSettings.objects.update_or_create(user=user, defaults={"last_digest_at": now})
