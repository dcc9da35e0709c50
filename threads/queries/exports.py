"""The reads behind the whole-thread exports: a thread as one ThreadRecord, and that
record as readers may have it (the public Crux JSON, AIF and Argdown)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from threads.importers.records import (
    PostRecord,
    RemovalRecord,
    RevisionRecord,
    TagUse,
    ThreadRecord,
    VoteRecord,
)
from threads.models import Post, PostTag, Revision, Thread, Vote


def export_record(thread: Thread) -> ThreadRecord:
    """Everything about a thread as a ThreadRecord: posts in depth-first order with their
    tags, removal, revisions and votes. A fixed number of queries."""
    posts = list(
        Post.objects.filter(thread=thread).order_by("path").select_related("author", "removed_by")
    )
    votes = defaultdict(list)
    for post_id, user, axis, value in (
        Vote.objects.filter(post__thread=thread)
        .order_by("post_id", "axis", "user__username")
        .values_list("post_id", "user__username", "axis", "value")
    ):
        votes[post_id].append(VoteRecord(user=user, axis=axis, value=value))
    revisions = defaultdict(list)
    for revision in (
        Revision.objects.filter(post__thread=thread).select_related("editor").order_by("number")
    ):
        revisions[revision.post_id].append(
            RevisionRecord(
                body=revision.body,
                quote=revision.quote,
                role=revision.role,
                created=revision.created,
                replaced=revision.replaced,
                editor=revision.editor.username,
            )
        )
    tags = defaultdict(list)
    for use in (
        PostTag.objects.filter(post__thread=thread)
        .select_related("tag", "tagged_by")
        .order_by("tag__slug")
    ):
        tags[use.post_id].append(
            TagUse(
                slug=use.tag.slug,
                name=use.tag.name,
                kind=use.tag.kind,
                by=use.tagged_by.username,
                note=use.note,
            )
        )
    return ThreadRecord(
        title=thread.title,
        link=thread.link,
        url=thread.get_absolute_url(),
        created=thread.created,
        locked=thread.locked,
        posts=[
            PostRecord(
                key=post.pk,
                parent_key=post.parent_id,
                author=post.author.username,
                body=post.body,
                role=post.role,
                role_inferred=post.role_inferred,
                quote=post.quote,
                created=None if post.created_unknown else post.created,
                edited=post.edited,
                note=post.note,
                tags=tuple(tags[post.pk]),
                removed=None
                if post.removed_at is None
                else RemovalRecord(
                    reason=post.removed_reason,
                    by=post.removed_by.username if post.removed_by else "",
                    at=post.removed_at,
                ),
                deleted_by_author=post.deleted_by_author,
                held_for_approval=post.held_for_approval,
                placeholder=post.is_placeholder,
                revisions=tuple(revisions[post.pk]),
                votes=tuple(votes[post.pk]),
            )
            for post in posts
        ],
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
