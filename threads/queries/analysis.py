"""The reads behind the disagreement map: the snapshot a map is computed from, and whose
stances count in it (untrusted_voters)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from threads.analysis.sentences import block_quotes
from threads.analysis.snapshot import PostInput, ThreadSnapshot
from threads.models import Post, PostTag, Tag, User, Vote
from threads.queries.stances import stated_inputs

# Quality-kind tags that praise a post rather than mark a fault; every other quality
# tag (ad hominem, strawman, motte-and-bailey, a fallacy a moderator adds later…) keeps
# the post out of common ground and of a group's representative posts.
PRAISE_TAGS = frozenset({"steelman", "quality-contribution"})


def untrusted_voters(thread_id: int) -> set[int]:
    """Ids of the thread's agree/disagree voters whose stances do not shape the groups.

    Sockpuppets are cheap (issue #17), so a stance counts only from a trusted account: a
    verified email (when CRUX_EMAIL_VERIFICATION is on) and an account at least
    CRUX_TRUSTED_MIN_ACCOUNT_DAYS old or with at least CRUX_TRUSTED_MIN_POSTS posts.
    Staff and the placeholder authors of imported debates are trusted.
    """
    verification = settings.CRUX_EMAIL_VERIFICATION
    days, posts = settings.CRUX_TRUSTED_MIN_ACCOUNT_DAYS, settings.CRUX_TRUSTED_MIN_POSTS
    if not verification and (days <= 0 or posts <= 0):
        return set()  # everyone passes: no query
    trusted = Q(date_joined__lte=timezone.now() - timedelta(days=days)) if days > 0 else Q()
    if posts > 0:
        active = Q(post_count__gte=posts)
        trusted = (trusted | active) if days > 0 else active
    if verification:
        trusted &= Q(email_verified_at__isnull=False)
    trusted |= Q(imported=True) | Q(is_staff=True)
    voters = Vote.objects.filter(post__thread_id=thread_id, axis=Vote.Axis.AGREE)
    return set(
        User.objects.filter(pk__in=voters.values("user_id"))
        .annotate(post_count=Count("posts"))
        .exclude(trusted)
        .values_list("pk", flat=True)
    )


def load_snapshot(thread_id: int) -> ThreadSnapshot:
    """The snapshot of a thread (load_snapshot_counting_trust without the count)."""
    return load_snapshot_counting_trust(thread_id)[0]


def load_snapshot_counting_trust(thread_id: int) -> tuple[ThreadSnapshot, int]:
    """Everything the pure analysis needs about a thread, read in a few bulk queries, and
    how many voters the trust rule (untrusted_voters) left out.

    What a logged-out reader may see (Post.objects.visible_to): a post held for approval
    and the replies below it are not in the map until a moderator approves it, nor are
    the votes on them. Removed and deleted posts stay as tombstones (the tree keeps its
    shape; the analysis cites none of their text)."""
    rows = list(
        Post.objects.visible_to(None)
        .filter(thread_id=thread_id)
        .order_by("path")
        .values_list(
            "id",
            "parent_id",
            "author__username",
            "role",
            "body_text",
            "quote",
            "created",
            "upvotes",
            "downvotes",
            "removed_at",
            "deleted_by_author",
            "is_placeholder",
            "body",
        )
    )
    shown = {row[0] for row in rows}
    tags: dict[int, list[str]] = {}
    flagged: set[int] = set()  # posts a moderator marked with a quality/fallacy tag
    for post_id, slug, kind in PostTag.objects.filter(post__thread_id=thread_id).values_list(
        "post_id", "tag__slug", "tag__kind"
    ):
        tags.setdefault(post_id, []).append(slug)
        if kind == Tag.Kind.QUALITY and slug not in PRAISE_TAGS:
            flagged.add(post_id)
    posts = tuple(
        PostInput(
            id=pid,
            parent=parent,
            author=author,
            role=role,
            text=body_text,
            quote=quote,
            created=created.timestamp(),
            quality_up=up,
            quality_down=down,
            removed=bool(removed_at or deleted),
            tags=tuple(sorted(tags.get(pid, ()))),
            placeholder=placeholder,
            quoted=block_quotes(body),
            flagged=pid in flagged,
        )
        for (
            pid,
            parent,
            author,
            role,
            body_text,
            quote,
            created,
            up,
            down,
            removed_at,
            deleted,
            placeholder,
            body,
        ) in rows
    )
    left_out = untrusted_voters(thread_id)
    votes = (
        Vote.objects.filter(post__thread_id=thread_id, axis=Vote.Axis.AGREE)
        .exclude(user_id__in=left_out)
        .values_list("user__username", "post_id", "value")
    )
    # A post a moderator marked as a duplicate pools its stances with the original's: an
    # agreement with either counts for the original (the voter's own vote on the original
    # wins over one on a duplicate), so one point is not split across two map nodes.
    duplicate_of = dict(
        Post.objects.filter(thread_id=thread_id, duplicate_of__isnull=False).values_list(
            "id", "duplicate_of_id"
        )
    )
    participants: dict[str, int] = {}
    stances: dict[tuple[int, int], tuple[int, bool]] = {}
    for username, post_id, value in votes.iterator(chunk_size=10_000):
        target = duplicate_of.get(post_id, post_id)
        if post_id not in shown or target not in shown:
            continue
        person = participants.setdefault(username, len(participants))
        direct = target == post_id
        if direct or (person, target) not in stances:
            stances[(person, target)] = (value, direct)
    vote_participant = [person for person, _ in stances]
    vote_post = [post for _, post in stances]
    vote_value = [value for value, _ in stances.values()]
    # Quality votes, per voter, feed the bridging score (Community Notes-style).
    quality_participant, quality_post, quality_value = [], [], []
    quality = (
        Vote.objects.filter(post__thread_id=thread_id, axis=Vote.Axis.QUALITY)
        .exclude(user_id__in=left_out)
        .values_list("user__username", "post_id", "value")
    )
    for username, post_id, value in quality.iterator(chunk_size=10_000):
        if post_id not in shown:
            continue
        quality_participant.append(participants.setdefault(username, len(participants)))
        quality_post.append(post_id)
        quality_value.append(value)
    root = next(post.id for post in posts if post.parent is None)
    credences, reactions = stated_inputs(thread_id, shown)  # issue 13
    snapshot = ThreadSnapshot(
        thread_id=thread_id,
        root=root,
        posts=posts,
        participants=tuple(participants),
        vote_participant=np.asarray(vote_participant, dtype=np.int32),
        vote_post=np.asarray(vote_post, dtype=np.int64),
        vote_value=np.asarray(vote_value, dtype=np.int8),
        credences=credences,
        reactions=reactions,
        quality_participant=np.asarray(quality_participant, dtype=np.int32),
        quality_post=np.asarray(quality_post, dtype=np.int64),
        quality_value=np.asarray(quality_value, dtype=np.int8),
    )
    return snapshot, len(left_out)
