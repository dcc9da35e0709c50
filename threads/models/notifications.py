"""Staying in the conversation: notifications, watching, visits, drafts, mail settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from threads.models.debate import Post, Thread


class Notification(models.Model):
    """Something that happened to a user's posts or in a thread they watch. Made by
    threads.services.notifications (fan-out in a Celery task); shown only while its post
    is still visible to the recipient."""

    class Kind(models.TextChoices):
        REPLY = "reply", "replied"
        QUOTE = "quote", "quoted you"
        MENTION = "mention", "mentioned you"
        ANSWERED = "answered", "answered you"
        MODERATION = "moderation", "moderated your post"
        CRUX = "crux", "crux"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What the kind alone does not say: a moderator's reason, "new top crux", a credence move.
    detail = models.CharField(max_length=500, blank=True)
    read = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    emailed = models.BooleanField(default=False)
    digested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["reply", "quote", "mention", "answered", "moderation", "crux"]
                ),
                name="notification_kind_is_known",
            ),
            # A repeated fan-out (a task retried after a worker died) adds nothing.
            models.UniqueConstraint(
                fields=["recipient", "post", "kind"],
                condition=Q(kind__in=["reply", "quote", "mention", "answered"]),
                name="one_post_notification_per_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"], condition=Q(read=False), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on post {self.post_id}"


class Watch(models.Model):
    """How closely a user follows a thread (Discourse's levels)."""

    class Level(models.TextChoices):
        WATCHING = "watching", "Watching: every new post"
        TRACKING = "tracking", "Tracking: replies to you and mentions"
        MUTED = "muted", "Muted: nothing at all"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="watches")
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.TRACKING)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="one_watch_per_user_thread"),
            models.CheckConstraint(
                condition=Q(level__in=["watching", "tracking", "muted"]),
                name="watch_level_is_known",
            ),
        ]
        indexes = [models.Index(fields=["thread", "level"], name="watch_thread_level_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.level} thread {self.thread_id}"


class ThreadVisit(models.Model):
    """When a reader last saw a thread, and which analysis they saw then."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)
    # When they last opened the thread page: posts by others after it are new to them.
    read_at = models.DateTimeField(null=True, blank=True)
    watermark = models.BigIntegerField(default=-1)
    map_seen = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="one_visit_row_per_user_thread")
        ]

    def __str__(self) -> str:
        return f"{self.user} saw thread {self.thread_id}"


class Draft(models.Model):
    """A reply (parent set) or a new thread (parent empty) being written, saved as typed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    quote = models.TextField(blank=True)
    role = models.CharField(max_length=12, blank=True)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "parent"], name="one_draft_per_user_parent"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(parent__isnull=True), name="one_new_thread_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"Draft by {self.user_id} on {self.parent_id or 'a new thread'}"


class NotificationSettings(models.Model):
    """A user's mail choices; a missing row means the defaults."""

    class Digest(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Off"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_replies = models.BooleanField(
        default=False, help_text="Mail me at once when someone replies to me or answers me."
    )
    email_mentions = models.BooleanField(
        default=True, help_text="Mail me at once when someone mentions me."
    )
    digest = models.CharField(max_length=6, choices=Digest.choices, default=Digest.WEEKLY)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    # Users whose posts never notify this user.
    muted_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Mail settings of {self.user_id}"
