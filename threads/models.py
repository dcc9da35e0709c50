"""Crux's data: threads of posts that reply to each other with a role, votes on two
axes, moderator tags, reports, bans, the public moderation log and the latest analysis.

Nothing a user wrote is ever deleted by the app: edits keep a Revision, removals and
author deletions are flags on the Post.
"""

from __future__ import annotations

from typing import Any, Never

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from threads.managers import PostQuerySet, TagQuerySet

# Width of one materialised-path segment: the post id, zero-padded. Digits only, so
# ordering by path is depth-first in every database collation.
PATH_SEGMENT = 10


class User(AbstractUser):
    """A participant. `imported` marks the placeholder authors of imported debates."""

    imported = models.BooleanField(default=False)
    bio = models.TextField(blank=True, max_length=2000)
    # When the owner followed the emailed verification link (threads/views/accounts.py).
    email_verified_at = models.DateTimeField(null=True, blank=True)

    def get_absolute_url(self) -> str:
        return reverse("profile", args=[self.username])

    @cached_property
    def is_moderator(self) -> bool:
        """Holds threads.moderate (directly or through a group). Read from the standing the
        session's user load brought (threads/queries/accounts.py) or one query, remembered
        for the life of this object, i.e. the request; has_perm would make two."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        if hasattr(self, "holds_moderate"):
            return bool(self.holds_moderate)
        return (
            Permission.objects.filter(content_type__app_label="threads", codename="moderate")
            .filter(Q(user=self) | Q(group__user=self))
            .exists()
        )

    def active_ban(self) -> Ban | None:
        if hasattr(self, "ban_pk"):  # loaded with the user (threads/queries/accounts.py)
            if self.ban_pk is None:
                return None
            if not hasattr(self, "_ban_in_force"):  # its words: a query for the banned only
                self._ban_in_force = Ban.objects.filter(pk=self.ban_pk).first()
            return self._ban_in_force
        now = timezone.now()
        return (
            self.bans.filter(lifted_at__isnull=True)
            .filter(Q(until__isnull=True) | Q(until__gt=now))
            .order_by("-created")
            .first()
        )


class Role(models.TextChoices):
    """What a post does to its parent. The label is the verb shown on the badge."""

    CLAIM = "claim", "claims"
    REBUTTAL = "rebuttal", "rebuts"
    SUPPORT = "support", "supports"
    QUESTION = "question", "asks"
    ANSWER = "answer", "answers"
    CONCESSION = "concession", "concedes"
    COMMENT = "comment", "comments"


class Thread(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, allow_unicode=False)
    link = models.URLField(blank=True, max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(default=timezone.now)
    locked = models.BooleanField(default=False)
    # The moderator's reason for the lock, shown on the locked thread (also in the log).
    lock_reason = models.CharField(max_length=500, blank=True)
    # Counters kept in step by the services (the thread list must not count rows).
    reply_count = models.PositiveIntegerField(default=0)
    participant_count = models.PositiveIntegerField(default=1)
    score = models.IntegerField(default=0)
    # Bumped by every change the analysis reads (post, vote, tag, role): an analysis
    # computed at this version is current; one computed earlier is stale.
    data_version = models.BigIntegerField(default=0)

    class Meta:
        permissions = [("moderate", "Can moderate threads, posts, tags, reports and users")]
        indexes = [
            models.Index(fields=["-last_activity"], name="thread_activity_idx"),
            models.Index(fields=["-created"], name="thread_created_idx"),
            models.Index(fields=["-score"], name="thread_score_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("thread", args=[self.pk, self.slug or "-"])


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.COMMENT)
    # Set when the role was guessed (imports) rather than chosen by the author.
    role_inferred = models.BooleanField(default=False)
    quote = models.TextField(blank=True)
    body = models.TextField()
    body_html = models.TextField()
    # The author's own words as plain text (Markdown stripped, block quotes left out),
    # made at save like body_html, so the analysis never re-parses Markdown.
    body_text = models.TextField(blank=True)
    # Concatenated zero-padded ids from the opening post down to this one.
    path = models.CharField(max_length=PATH_SEGMENT * 201, db_index=True, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    edited = models.DateTimeField(null=True, blank=True)
    # Bumped on every change that alters how the post renders (cache key for fragments).
    version = models.PositiveIntegerField(default=1)
    note = models.TextField(blank=True, help_text="Import notes, e.g. Kialo cross-links.")
    # A random token from the reply form: a second submit of the same form (double
    # click, retry after a timeout) finds the first post instead of making another.
    submission_token = models.CharField(max_length=64, blank=True)

    deleted_by_author = models.BooleanField(default=False)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = models.CharField(max_length=500, blank=True)
    # New users' first posts may wait for a moderator (The Motte's filter).
    held_for_approval = models.BooleanField(default=False)
    # The importer's stand-in opening post of a comment section whose article was not in
    # the dump: shown for the tree's sake, never cited or counted as anyone's claim.
    is_placeholder = models.BooleanField(default=False)
    # Imported from a dump that carries no dates: `created` only keeps the page order,
    # and pages say "date unknown" instead of an age.
    created_unknown = models.BooleanField(default=False)
    # Set by a moderator when this post makes the same point as an earlier one: the map
    # then counts agreement with either as agreement with the original.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # The parent's Revision.number whose words `quote` repeats, when an edit of the parent
    # took them out of its current text; None while the quote is in the current text.
    quote_version = models.PositiveIntegerField(null=True, blank=True)

    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    agrees = models.PositiveIntegerField(default=0)
    disagrees = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(role="claim", depth=0),
                name="opening_post_is_a_claim",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="post_role_is_known"
            ),
            models.UniqueConstraint(
                fields=["author", "submission_token"],
                condition=~Q(submission_token=""),
                name="one_post_per_submission_token",
            ),
        ]
        indexes = [
            models.Index(fields=["thread", "path"], name="post_thread_path_idx"),
            # The thread page's outline of every post, read from the index alone in
            # PostgreSQL (4.6 ms -> 0.7 ms on a 5,000-post thread); see queries.skeleton.
            models.Index(
                fields=["thread"],
                include=["parent", "upvotes", "downvotes", "held_for_approval", "author"],
                name="post_skeleton_idx",
            ),
            models.Index(fields=["author", "-created"], name="post_author_created_idx"),
            # The few posts held for approval: visible_to's NOT EXISTS over them (every
            # post lookup, so every write) was a scan of all posts, 5-11 ms at 5,000.
            models.Index(
                fields=["thread", "path"],
                condition=Q(held_for_approval=True),
                name="post_held_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in thread {self.thread_id}"

    def get_absolute_url(self) -> str:
        return reverse("post", args=[self.thread_id, self.pk])

    @property
    def score(self) -> int:
        return self.upvotes - self.downvotes

    @property
    def is_opening(self) -> bool:
        return self.parent_id is None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_visible(self) -> bool:
        """Whether the body is shown to ordinary readers."""
        return not (self.is_removed or self.deleted_by_author or self.held_for_approval)


class Revision(models.Model):
    """The text of a post before an edit. A post's history is its revisions + itself."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    quote = models.TextField(blank=True)
    role = models.CharField(max_length=12, choices=Role.choices)
    created = models.DateTimeField(help_text="When this version was written.")
    replaced = models.DateTimeField(default=timezone.now, help_text="When it was edited away.")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["post", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="one_revision_number_per_post")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of post {self.post_id}"


class Vote(models.Model):
    """One user's vote on one axis of one post (LessWrong's two axes)."""

    class Axis(models.TextChoices):
        QUALITY = "quality", "Quality"
        AGREE = "agree", "Agreement"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    axis = models.CharField(max_length=8, choices=Axis.choices)
    value = models.SmallIntegerField()
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post", "axis"], name="one_vote_per_user_post_axis"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[-1, 1]), name="vote_value_is_plus_or_minus_one"
            ),
        ]
        indexes = [models.Index(fields=["post", "axis"], name="vote_post_axis_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.axis} {self.value:+d} on post {self.post_id}"


class Tag(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", "Topic"
        SCHEME = "scheme", "Argument scheme"
        QUALITY = "quality", "Quality / fallacy"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=70, unique=True)
    description = models.CharField(max_length=300, blank=True)
    retired = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_tags"
    )
    created = models.DateTimeField(default=timezone.now)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tag", args=[self.slug])


class PostTag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="post_tags")
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "tag"], name="one_use_of_a_tag_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.tag} on post {self.post_id}"


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


class Ban(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bans"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True, help_text="Empty means permanent.")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Ban of {self.user} ({self.reason})"


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


class ThreadAnalysis(models.Model):
    """The latest disagreement map and summaries of a thread, and how they were made."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    thread = models.OneToOneField(Thread, on_delete=models.CASCADE, related_name="analysis")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # The Thread.data_version the stored map was computed from (-1: never computed).
    watermark = models.BigIntegerField(default=-1)
    algorithm = models.CharField(max_length=40, blank=True)
    map = models.JSONField(null=True, blank=True)
    summary = models.JSONField(null=True, blank=True)
    # What the thread page's panel shows, prepared by threads/panel.py at analysis time
    # (small, so pages load it instead of the whole map).
    panel = models.JSONField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    vote_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_at = models.DateTimeField(null=True, blank=True)
    # Poison runs (threads/services/analysis.py): how many runs of `attempts_version`
    # started; past CRUX_ANALYSIS_MAX_ATTEMPTS the run is marked failed and the sweep
    # leaves it alone until the thread changes (data_version moves past failed_version).
    attempts = models.PositiveSmallIntegerField(default=0)
    attempts_version = models.BigIntegerField(default=-1)
    failed_version = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "thread analyses"

    def __str__(self) -> str:
        return f"Analysis of thread {self.thread_id} ({self.status})"


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


# --- Stated stances: credences, reactions, the rating queue (issue 13) ---------------------


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


class RateCounter(models.Model):
    """A fixed-window counter for the rate limits and the login guard, used while Redis
    cannot answer (threads/services/limits.py), so neither fails open. `key` names the
    window; rows past `expires` (a Unix time) are deleted by the analysis sweep."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.IntegerField(default=0)
    expires = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"


# --- Staying in the conversation: notifications, watching, drafts, mail settings -------------


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
