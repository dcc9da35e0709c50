"""Writing a whole imported thread to the database, and reading one back out whole.

Imports are one transaction and bulk inserts: a file is either imported completely or
not at all, and a 5,000-post thread with 50,000 votes takes a few seconds, not minutes.
Post ids are reserved up front so every post is inserted once with its final parent
and materialised path.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from threads import markdown
from threads.importers.parsed import DumpError
from threads.importers.records import (
    PostRecord,
    RemovalRecord,
    RevisionRecord,
    TagUse,
    ThreadRecord,
    VoteRecord,
    check_record,
)
from threads.models import PATH_SEGMENT, Post, PostTag, Revision, Tag, Thread, User, Vote
from threads.services.analysis import thread_changed
from threads.services.posting import quote_occurs_in

BATCH = 2000


def _usernames(record: ThreadRecord) -> set[str]:
    names = set()
    for post in record.posts:
        names.add(post.author)
        names.update(v.user for v in post.votes)
        names.update(t.by for t in post.tags if t.by)
        names.update(r.editor for r in post.revisions if r.editor)
        if post.removed and post.removed.by:
            names.add(post.removed.by)
    return names


def _valid_username(name: str) -> bool:
    try:
        User.username_validator(name)
    except ValidationError:
        return False
    return True


def _users_by_name(names: set[str]) -> dict[str, User]:
    """Existing accounts by exact username; unknown names become placeholder accounts."""
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = sorted(names - users.keys())
    too_long = [name for name in missing if len(name) > 150]
    if too_long:
        raise DumpError(f"Username too long (150 characters at most): {too_long[0][:60]}…")
    # The signup rule (letters, digits, @ . + - _): any other name, a "/" above all,
    # could not be put in a profile or moderation URL, and every page naming it would fail.
    invalid = [name for name in missing if not _valid_username(name)]
    if invalid:
        raise DumpError(
            f"Username {invalid[0][:60]!r} is not allowed: usernames have letters, digits "
            "and @ . + - _ only."
        )
    if missing:
        unusable = make_password(None)
        User.objects.bulk_create(
            [User(username=name, imported=True, password=unusable) for name in missing],
            batch_size=BATCH,
        )
        users.update({u.username: u for u in User.objects.filter(username__in=missing)})
    return users


def _reserve_post_ids(count: int) -> list[int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('threads_post', 'id')) "
                "FROM generate_series(1, %s)",
                [count],
            )
            return [row[0] for row in cursor.fetchall()]
    # SQLite: this transaction already wrote the thread row, so it holds the database's
    # write lock and no other writer can take these ids before it commits.
    start = (Post.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    return list(range(start, start + count))


def _tags_by_slug(uses: list[TagUse]) -> dict[str, Tag]:
    """The tag for each slug the file names. Slugs are normalised as Crux makes them, so
    "a b" and "a-b" are one tag, found or created once."""
    normal = {use.slug: slugify(use.slug)[:70] or "tag" for use in uses}
    found = {tag.slug: tag for tag in Tag.objects.filter(slug__in=set(normal.values()))}
    for use in uses:
        if normal[use.slug] not in found:
            found[normal[use.slug]] = Tag.objects.create(
                slug=normal[use.slug], name=use.name[:60], kind=use.kind
            )
    return {given: found[slug] for given, slug in normal.items()}


@transaction.atomic
def import_thread(record: ThreadRecord) -> Thread:
    """Create a thread with all its posts, votes, tags and revisions from a record."""
    check_record(record)
    users = _users_by_name(_usernames(record))
    by_key = {post.key: post for post in record.posts}
    for post in record.posts[1:]:
        if (
            post.quote
            and post.parent_key is not None
            and not quote_occurs_in(post.quote, by_key[post.parent_key].body)
        ):
            raise DumpError(f"post {post.key!r}: its quote does not occur in its parent.")

    now = timezone.now()
    # Posts without dates (raw dumps) keep their page order, a microsecond apart.
    created = {
        post.key: post.created or (record.created or now) + timedelta(microseconds=index)
        for index, post in enumerate(record.posts)
    }
    counts: dict[object, Counter] = {post.key: Counter() for post in record.posts}
    for post in record.posts:
        for vote in post.votes:
            counts[post.key][vote.axis, vote.value] += 1
    children = Counter(post.parent_key for post in record.posts[1:])

    opening = record.opening
    thread = Thread.objects.create(
        title=record.title[:200],
        slug=slugify(record.title)[:200].strip("-") or "thread",
        link=record.link,
        author=users[opening.author],
        created=created[opening.key],
        last_activity=max(created.values()),
        locked=record.locked,
        reply_count=len(record.posts) - 1,
        participant_count=len({post.author for post in record.posts}),
        score=counts[opening.key]["quality", 1] - counts[opening.key]["quality", -1],
    )
    ids = dict(zip(by_key, _reserve_post_ids(len(record.posts)), strict=True))
    rendered = {post.key: markdown.render_post(post.body) for post in record.posts}
    paths: dict[object, str] = {}
    depths: dict[object, int] = {}
    posts = []
    for post in record.posts:
        parent = post.parent_key
        paths[post.key] = (paths[parent] if parent is not None else "") + (
            f"{ids[post.key]:0{PATH_SEGMENT}d}"
        )
        depths[post.key] = 0 if parent is None else depths[parent] + 1
        count = counts[post.key]
        posts.append(
            Post(
                id=ids[post.key],
                thread=thread,
                parent_id=None if parent is None else ids[parent],
                author=users[post.author],
                role=post.role,
                role_inferred=post.role_inferred,
                quote=post.quote,
                body=post.body,
                body_html=rendered[post.key][0],
                body_text=rendered[post.key][1],
                path=paths[post.key],
                depth=depths[post.key],
                created=created[post.key],
                edited=post.edited,
                version=1 + len(post.revisions),
                note=post.note,
                deleted_by_author=post.deleted_by_author,
                held_for_approval=post.held_for_approval,
                is_placeholder=post.placeholder,
                removed_at=(post.removed.at or now) if post.removed else None,
                removed_by=users.get(post.removed.by) if post.removed else None,
                removed_reason=post.removed.reason[:500] if post.removed else "",
                upvotes=count["quality", 1],
                downvotes=count["quality", -1],
                agrees=count["agree", 1],
                disagrees=count["agree", -1],
                reply_count=children[post.key],
            )
        )
    Post.objects.bulk_create(posts, batch_size=BATCH)

    seen_votes: set[tuple] = set()
    votes = []
    for post in record.posts:
        for vote in post.votes:
            identity = (vote.user, post.key, vote.axis)
            if identity in seen_votes:
                raise DumpError(f"post {post.key!r}: {vote.user} votes twice on {vote.axis}.")
            seen_votes.add(identity)
            votes.append(
                Vote(
                    user=users[vote.user],
                    post_id=ids[post.key],
                    axis=vote.axis,
                    value=vote.value,
                    created=now,
                    updated=now,
                )
            )
    Vote.objects.bulk_create(votes, batch_size=BATCH)

    Revision.objects.bulk_create(
        [
            Revision(
                post_id=ids[post.key],
                number=number,
                body=revision.body,
                quote=revision.quote,
                role=revision.role,
                created=revision.created or created[post.key],
                replaced=revision.replaced or created[post.key],
                editor=users[revision.editor or post.author],
            )
            for post in record.posts
            for number, revision in enumerate(post.revisions, start=1)
        ],
        batch_size=BATCH,
    )
    tag_uses = [use for post in record.posts for use in post.tags]
    tags = _tags_by_slug(tag_uses)
    PostTag.objects.bulk_create(
        [
            PostTag(
                post_id=ids[post.key],
                tag=tags[use.slug],
                tagged_by=users.get(use.by) or users[post.author],
                note=use.note[:300],
                created=now,
            )
            for post in record.posts
            for use in post.tags
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    thread_changed(thread.pk)
    return thread


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
                created=post.created,
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


def import_text(text: str, *, fmt: str = "auto", title: str | None = None) -> tuple[Thread, dict]:
    """Import a dump of any supported kind; returns the thread and the report numbers.

    Raises DumpError (a message for the user) and imports nothing when the text cannot
    be imported whole.
    """
    from threads.importers import crux_json, detect_format, parse_dump
    from threads.importers.records import record_from_parsed

    if fmt == "auto":
        fmt = detect_format(text)
    if fmt == "json":
        record = crux_json.loads(text)
        if title:
            record = dataclasses.replace(record, title=title)
        report = {
            "comments": len(record.posts) - 1,
            "duplicates_dropped": 0,
            "attached_by_quote": 0,
            "roles_inferred": {},
            "paragraphs_in": None,
            "paragraphs_out": None,
            "votes": sum(len(post.votes) for post in record.posts),
        }
    else:
        debate = parse_dump(text, fmt=fmt, title=title)
        record = record_from_parsed(debate)
        report = debate.report.as_dict()
    thread = import_thread(record)
    return thread, {"thread": thread.pk, "format": fmt, "posts": len(record.posts), **report}
