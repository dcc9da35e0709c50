"""The reads behind the disagreement map and the exports: the snapshot a map is computed
from, and the thread record as readers may have it (AIF, Argdown)."""

from __future__ import annotations

import dataclasses

import numpy as np

from threads.analysis.sentences import block_quotes
from threads.analysis.snapshot import PostInput, ThreadSnapshot
from threads.importers.records import ThreadRecord
from threads.models import Post, PostTag, Vote
from threads.queries.stances import stated_inputs


def load_snapshot(thread_id: int) -> ThreadSnapshot:
    """Everything the pure analysis needs about a thread, read in a few bulk queries.

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
    for post_id, slug in PostTag.objects.filter(post__thread_id=thread_id).values_list(
        "post_id", "tag__slug"
    ):
        tags.setdefault(post_id, []).append(slug)
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
    votes = Vote.objects.filter(post__thread_id=thread_id, axis=Vote.Axis.AGREE).values_list(
        "user__username", "post_id", "value"
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
    root = next(post.id for post in posts if post.parent is None)
    credences, reactions = stated_inputs(thread_id, shown)  # issue 13
    return ThreadSnapshot(
        thread_id=thread_id,
        root=root,
        posts=posts,
        participants=tuple(participants),
        vote_participant=np.asarray(vote_participant, dtype=np.int32),
        vote_post=np.asarray(vote_post, dtype=np.int64),
        vote_value=np.asarray(vote_value, dtype=np.int8),
        credences=credences,
        reactions=reactions,
    )


def readers_record(record: ThreadRecord) -> ThreadRecord:
    """`record` without the posts held for approval and the replies below them: the
    public exports show what Post.objects.visible_to() shows a logged-out reader."""
    hidden: set[int | str] = set()
    posts = []
    for post in record.posts:  # depth-first: a parent comes before its replies
        if post.held_for_approval or post.parent_key in hidden:
            hidden.add(post.key)
        else:
            posts.append(post)
    if not hidden:
        return record
    return dataclasses.replace(record, posts=posts)
