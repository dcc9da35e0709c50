"""The debate itself: threads of posts that reply to each other with a role, their
revisions, votes on two axes and moderator tags.

Nothing a user wrote is ever deleted by the app: edits keep a Revision, removals and
author deletions are flags on the Post.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from threads.managers import PostQuerySet, TagQuerySet

# Width of one materialised-path segment: the post id, zero-padded. Digits only, so
# ordering by path is depth-first in every database collation.
PATH_SEGMENT = 10


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
