"""Stated stances: credences, reactions and the rating queue (issue 13)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from threads.models.debate import Post, Thread


class Credence(models.Model):
    """How likely a participant says a post's claim is to be true, in per cent.

    Append-only: a new statement is a new row, and the latest per (user, post) counts.
    `previous` is the value it replaced (None for the first), kept so that belief
    updates (moves of BELIEF_UPDATE_POINTS or more) are one indexed read.
    """

    BELIEF_UPDATE_POINTS = 15

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="credences")
    value = models.PositiveSmallIntegerField()
    previous = models.PositiveSmallIntegerField(null=True, blank=True)
    because = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="credited_credences"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=99), name="credence_value_1_to_99"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "post", "-at"], name="credence_user_post_idx"),
            models.Index(fields=["post", "-at"], name="credence_post_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.value}% on post {self.post_id}"

    @property
    def is_belief_update(self) -> bool:
        return self.previous is not None and abs(self.value - self.previous) >= (
            self.BELIEF_UPDATE_POINTS
        )


class Reaction(models.Model):
    """ "That's a crux for me" and its kin, on a post or on an exact span of it."""

    class Kind(models.TextChoices):
        CRUX = "crux", "That's a crux for me"
        NOT_CRUX = "not_crux", "Not a crux"
        CHANGED_MIND = "changed_mind", "Changed my mind"
        NEEDS_EVIDENCE = "needs_evidence", "Needs evidence"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    quote = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post", "kind", "quote"],
                name="one_reaction_per_user_post_kind_quote",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["crux", "not_crux", "changed_mind", "needs_evidence"]),
                name="reaction_kind_is_known",
            ),
        ]
        indexes = [models.Index(fields=["post", "kind"], name="reaction_post_kind_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} on post {self.post_id}"


class QueuePass(models.Model):
    """A participant skipped a post in the rating queue: it is not offered again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="one_queue_pass_per_user_post")
        ]
        indexes = [models.Index(fields=["user", "thread"], name="queue_pass_user_thread_idx")]

    def __str__(self) -> str:
        return f"{self.user} passed post {self.post_id}"


class RatingQueue(models.Model):
    """What the rating queue asks next in a thread, prepared by the analysis
    (threads/analysis/queue.py): post ids, most informative first. Each participant is
    offered the first one they did not write, rate, credence or pass (queries.stances)."""

    thread = models.OneToOneField(Thread, on_delete=models.CASCADE, related_name="rating_queue")
    watermark = models.BigIntegerField(default=-1)
    posts = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Rating queue of thread {self.thread_id}"
