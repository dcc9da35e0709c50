"""Writing a whole imported thread to the database (reading one back out whole is
threads.queries.exports).

Imports are one transaction and bulk inserts: a file is either imported completely or
not at all, and a 5,000-post thread with 50,000 votes takes a few seconds, not minutes.
Post ids are reserved up front so every post is inserted once with its final parent
and materialised path.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from threads import markdown
from threads.importers.parsed import DumpError, ParsedDebate
from threads.importers.records import (
    TagUse,
    ThreadRecord,
    check_record,
)
from threads.models import PATH_SEGMENT, Post, PostTag, Revision, Tag, Thread, User, Vote
from threads.services.analysis import thread_changed
from threads.services.posting import quote_occurs_in

BATCH = 2000


# One import may create at most this many accounts: a 3 MB file could otherwise make
# 50,000 (one per voter name), and every one of them would be a profile page.
MAX_NEW_ACCOUNTS = 2000
# Raw dumps carry no names: their authors are "imported-<n>" in the record, stored as
# "imported-<thread>-<n>" so no two threads ever share a stand-in person.
STAND_IN_PREFIX = "imported-"


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


def _check_names(names: set[str]) -> None:
    too_long = sorted(name for name in names if len(name) > 150)
    if too_long:
        raise DumpError(f"Username too long (150 characters at most): {too_long[0][:60]}\u2026")
    # The signup rule (letters, digits, @ . + - _): any other name, a "/" above all,
    # could not be put in a profile or moderation URL, and every page naming it would fail.
    invalid = sorted(name for name in names if not _valid_username(name))
    if invalid:
        raise DumpError(
            f"Username {invalid[0][:60]!r} is not allowed: usernames have letters, digits "
            "and @ . + - _ only."
        )


def _check_accounts(names: set[str], *, map_existing: bool) -> dict[str, User]:
    """The existing accounts the names are, refused unless ``map_existing``, and the cap
    on new accounts. Reads only."""
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if users and not map_existing:
        shown = ", ".join(sorted(users)[:3]) + (", \u2026" if len(users) > 3 else "")
        raise DumpError(
            f"The file names {len(users)} existing account(s) ({shown}). Import it with "
            "--map-existing (on the upload page: tick \u201cthese names are the same "
            "people\u201d) to attribute posts and votes to them."
        )
    missing = sorted(names - users.keys())
    if len(missing) > MAX_NEW_ACCOUNTS:
        raise DumpError(
            f"The file would create {len(missing):,} accounts; one import creates at most "
            f"{MAX_NEW_ACCOUNTS:,}."
        )
    return users


def _users_by_name(names: set[str], *, map_existing: bool) -> dict[str, User]:
    """Existing accounts by exact username (only with ``map_existing``: the moderator
    says these names are the same people); unknown names become imported accounts."""
    _check_names(names)
    users = _check_accounts(names, map_existing=map_existing)
    missing = sorted(names - users.keys())
    if missing:
        unusable = make_password(None)
        User.objects.bulk_create(
            [User(username=name, imported=True, password=unusable) for name in missing],
            batch_size=BATCH,
        )
        users.update({u.username: u for u in User.objects.filter(username__in=missing)})
    return users


def _reserve_ids(model: type[Post] | type[Thread], count: int) -> list[int]:
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    # SQLite: the import's transaction holds the database's write lock once it has
    # written (and the thread is reserved right after the accounts are), so no other
    # writer can take these ids before it commits.
    start = (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    return list(range(start, start + count))


def _stand_in_names(record: ThreadRecord, thread_id: int) -> ThreadRecord:
    """The record with its stand-in authors renamed for this thread only."""
    taken = set(
        User.objects.filter(username__startswith=f"{STAND_IN_PREFIX}{thread_id}-").values_list(
            "username", flat=True
        )
    )

    def own(name: str) -> str:
        if not name.startswith(STAND_IN_PREFIX):
            return name
        fresh = f"{STAND_IN_PREFIX}{thread_id}-{name.removeprefix(STAND_IN_PREFIX)}"
        while fresh in taken:  # someone signed up with that name: never reuse it
            fresh += "x"
        return fresh

    posts = [dataclasses.replace(post, author=own(post.author)) for post in record.posts]
    return dataclasses.replace(record, posts=posts)


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


@dataclasses.dataclass
class _Plan:
    """What the writing steps share: ids, authors, dates and counters per post key."""

    record: ThreadRecord
    users: dict[str, User]
    thread_id: int
    ids: dict[int | str, int]
    created: dict[int | str, datetime]
    counts: dict[int | str, Counter]
    now: datetime


def check_import(record: ThreadRecord) -> None:
    """Everything that can refuse a record without writing: structure, the posting
    limits, dates, the link, names and quotes."""
    check_record(
        record,
        max_body_chars=settings.CRUX_MAX_BODY_CHARS,
        max_depth=settings.CRUX_MAX_DEPTH,
    )
    _check_names(_usernames(record) - {""})
    by_key = {post.key: post for post in record.posts}
    for post in record.posts[1:]:
        if (
            post.quote
            and post.parent_key is not None
            and not quote_occurs_in(post.quote, by_key[post.parent_key].body)
        ):
            raise DumpError(f"post {post.key!r}: its quote does not occur in its parent.")
    seen_votes: set[tuple] = set()
    for post in record.posts:
        for vote in post.votes:
            identity = (vote.user, post.key, vote.axis)
            if identity in seen_votes:
                raise DumpError(f"post {post.key!r}: {vote.user} votes twice on {vote.axis}.")
            seen_votes.add(identity)


@transaction.atomic
def import_thread(record: ThreadRecord, *, map_existing: bool = False) -> Thread:
    """Create a thread with all its posts, votes, tags and revisions from a record.

    Steps: check everything; reserve the thread id (stand-in authors are named after
    it); find or create the accounts; write the thread, then posts, votes, revisions
    and tags in bulk; schedule the analysis.
    """
    check_import(record)
    thread_id = _reserve_ids(Thread, 1)[0]
    if record.stand_in_authors:
        record = _stand_in_names(record, thread_id)
    plan = _plan(record, thread_id, _users_by_name(_usernames(record), map_existing=map_existing))
    thread = _write_thread(plan)
    _write_posts(plan, thread)
    _write_votes(plan)
    _write_revisions(plan)
    _write_tags(plan)
    thread_changed(thread.pk)
    return thread


def _plan(record: ThreadRecord, thread_id: int, users: dict[str, User]) -> _Plan:
    now = timezone.now()
    # Posts without dates (raw dumps) keep their page order, a microsecond apart; the
    # pages say their date is unknown (Post.created_unknown).
    created = {
        post.key: post.created or (record.created or now) + timedelta(microseconds=index)
        for index, post in enumerate(record.posts)
    }
    counts: dict[int | str, Counter] = {post.key: Counter() for post in record.posts}
    for post in record.posts:
        for vote in post.votes:
            counts[post.key][vote.axis, vote.value] += 1
    ids = dict(
        zip([p.key for p in record.posts], _reserve_ids(Post, len(record.posts)), strict=True)
    )
    return _Plan(record, users, thread_id, ids, created, counts, now)


def _write_thread(plan: _Plan) -> Thread:
    record, opening = plan.record, plan.record.opening
    votes = plan.counts[opening.key]
    return Thread.objects.create(
        id=plan.thread_id,
        title=record.title[: settings.CRUX_MAX_TITLE_CHARS],
        slug=slugify(record.title)[:200].strip("-") or "thread",
        link=record.link,
        author=plan.users[opening.author],
        created=plan.created[opening.key],
        last_activity=max(plan.created.values()),
        locked=record.locked,
        reply_count=len(record.posts) - 1,
        participant_count=len({post.author for post in record.posts}),
        score=votes["quality", 1] - votes["quality", -1],
    )


def _write_posts(plan: _Plan, thread: Thread) -> None:
    record, ids, users = plan.record, plan.ids, plan.users
    children = Counter(post.parent_key for post in record.posts[1:])
    paths: dict[object, str] = {}
    depths: dict[object, int] = {}
    posts = []
    for post in record.posts:
        parent = post.parent_key
        paths[post.key] = (paths[parent] if parent is not None else "") + (
            f"{ids[post.key]:0{PATH_SEGMENT}d}"
        )
        depths[post.key] = 0 if parent is None else depths[parent] + 1
        count = plan.counts[post.key]
        body_html, body_text = markdown.render_post(post.body)
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
                body_html=body_html,
                body_text=body_text,
                path=paths[post.key],
                depth=depths[post.key],
                created=plan.created[post.key],
                created_unknown=post.created is None and record.created is None,
                edited=post.edited,
                version=1 + len(post.revisions),
                note=post.note,
                deleted_by_author=post.deleted_by_author,
                held_for_approval=post.held_for_approval,
                is_placeholder=post.placeholder,
                removed_at=(post.removed.at or plan.now) if post.removed else None,
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


def _write_votes(plan: _Plan) -> None:
    Vote.objects.bulk_create(
        [
            Vote(
                user=plan.users[vote.user],
                post_id=plan.ids[post.key],
                axis=vote.axis,
                value=vote.value,
                created=plan.now,
                updated=plan.now,
            )
            for post in plan.record.posts
            for vote in post.votes
        ],
        batch_size=BATCH,
    )


def _write_revisions(plan: _Plan) -> None:
    Revision.objects.bulk_create(
        [
            Revision(
                post_id=plan.ids[post.key],
                number=number,
                body=revision.body,
                quote=revision.quote,
                role=revision.role,
                created=revision.created or plan.created[post.key],
                replaced=revision.replaced or plan.created[post.key],
                editor=plan.users[revision.editor or post.author],
            )
            for post in plan.record.posts
            for number, revision in enumerate(post.revisions, start=1)
        ],
        batch_size=BATCH,
    )


def _write_tags(plan: _Plan) -> None:
    posts = plan.record.posts
    tags = _tags_by_slug([use for post in posts for use in post.tags])
    PostTag.objects.bulk_create(
        [
            PostTag(
                post_id=plan.ids[post.key],
                tag=tags[use.slug],
                tagged_by=plan.users.get(use.by) or plan.users[post.author],
                note=use.note[:300],
                created=plan.now,
            )
            for post in posts
            for use in post.tags
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


@dataclasses.dataclass(frozen=True)
class PreparedImport:
    """A file read and checked, not yet written: what the preview shows and the import
    writes. ``debate`` is the parsed tree of a raw dump or outline (None for JSON)."""

    record: ThreadRecord
    fmt: str
    report: dict
    debate: ParsedDebate | None = None


def prepare_import(
    text: str, *, fmt: str = "auto", title: str | None = None, map_existing: bool | None = None
) -> PreparedImport:
    """Parse and check a dump of any supported kind without writing anything.

    JSON is recognised by its structure and read only as JSON: a broken export is
    refused, never re-read as a text dump.
    """
    from threads.importers import crux_json, detect_format, looks_like_json, parse_dump
    from threads.importers.records import record_from_parsed

    if fmt == "auto":
        fmt = detect_format(text)
    elif fmt != "json" and looks_like_json(text):
        raise DumpError(f"This file is JSON, not a {fmt} dump: import it as json (or auto).")
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
        debate = None
    else:
        debate = parse_dump(text, fmt=fmt, title=title)
        record = record_from_parsed(debate)
        report = debate.report.as_dict()
    check_import(record)
    if map_existing is not None:
        _check_accounts(_usernames(record), map_existing=map_existing)
    return PreparedImport(record=record, fmt=fmt, report=report, debate=debate)


def import_prepared(
    prepared: PreparedImport, *, map_existing: bool = False, dry_run: bool = False
) -> tuple[Thread | None, dict]:
    """Write a prepared import (or, with ``dry_run``, run every step and roll back)."""
    record = prepared.record
    try:
        with transaction.atomic():
            thread = import_thread(record, map_existing=map_existing)
            if dry_run:
                transaction.set_rollback(True)
    except (DataError, IntegrityError) as error:
        # Every value is checked before writing; this is the net under those checks.
        raise DumpError(f"The database refused a value in the file ({error}).") from None
    report = {
        "thread": None if dry_run else thread.pk,
        "format": prepared.fmt,
        "posts": len(record.posts),
        **prepared.report,
    }
    return (None if dry_run else thread), report


def import_text(
    text: str,
    *,
    fmt: str = "auto",
    title: str | None = None,
    map_existing: bool = False,
    dry_run: bool = False,
) -> tuple[Thread | None, dict]:
    """Import a dump of any supported kind; returns the thread and the report numbers.

    Raises DumpError (a message for the user) and imports nothing when the text cannot
    be imported whole. With ``dry_run`` nothing is written and the thread is None.
    """
    prepared = prepare_import(text, fmt=fmt, title=title)
    return import_prepared(prepared, map_existing=map_existing, dry_run=dry_run)


# The upload page previews a file before importing it: the text waits in the cache
# under a random token bound to the moderator, for an hour, until Import or Cancel.
_STASH_SECONDS = 3600


def stash_upload(user_id: int, text: str) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(f"import-upload:{user_id}:{token}", text, _STASH_SECONDS)
    return token


def take_upload(user_id: int, token: str) -> str:
    key = f"import-upload:{user_id}:{token}"
    text = cache.get(key)
    if text is None:
        raise DumpError("The previewed file has expired; upload it again.")
    cache.delete(key)
    return text
