"""Moderation: readers' reports and the public, append-only moderation log."""

from __future__ import annotations

from typing import Any, Never

from django.conf import settings
from django.db import models
from django.utils import timezone

from threads.models.debate import Post, Tag, Thread


class Report(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        QUALITY_CONTRIBUTION = "quality", "Quality contribution nomination"

    class Resolution(models.TextChoices):
        REMOVED = "removed", "Post removed"
        DISMISSED = "dismissed", "Dismissed"
        TAGGED = "tagged", "Tagged"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REPORT)
    reason = models.CharField(max_length=500)
    created = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], name="one_report_per_user_per_post"
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "post"], name="report_open_idx")]

    def __str__(self) -> str:
        return f"Report by {self.reporter} on post {self.post_id}"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of the moderation log."""


class ModActionQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> Never:
        raise AppendOnlyError("The moderation log is append-only.")

    def delete(self) -> Never:
        raise AppendOnlyError("The moderation log is append-only.")


class ModAction(models.Model):
    """One line of the public moderation log. Append-only, in the app and in PostgreSQL."""

    class Action(models.TextChoices):
        TAG = "tag", "tagged"
        UNTAG = "untag", "untagged"
        ROLE = "role", "changed the role of"
        REMOVE = "remove", "removed"
        RESTORE = "restore", "restored"
        APPROVE = "approve", "approved"
        LOCK = "lock", "locked"
        UNLOCK = "unlock", "unlocked"
        BAN = "ban", "banned"
        UNBAN = "unban", "unbanned"
        RESOLVE_REPORT = "resolve", "resolved reports on"
        TAG_CREATE = "tag_create", "created tag"
        TAG_RENAME = "tag_rename", "renamed tag"
        TAG_MERGE = "tag_merge", "merged tag"
        TAG_RETIRE = "tag_retire", "retired tag"
        GRANT_MODERATION = "mod_grant", "made a moderator:"
        REVOKE_MODERATION = "mod_revoke", "ended the moderator role of"
        DUPLICATE = "duplicate", "marked as a duplicate"
        UNDUPLICATE = "unduplicate", "unmarked as a duplicate"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    objects = ModActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.moderator} {self.get_action_display()} ({self.created:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Never:
        raise AppendOnlyError("The moderation log is append-only.")
