"""A whole thread as plain data: what imports produce and exports consume.

Every import (raw dumps, Kialo outlines, Crux JSON) becomes a ThreadRecord, which one
service writes to the database; every export (Crux JSON, AIF, Argdown) starts from the
ThreadRecord of a stored thread. Nothing here knows about Django.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .parsed import ROLES, DumpError, ParsedDebate

AXES = ("quality", "agree")
TAG_KINDS = ("topic", "scheme", "quality")


@dataclass(frozen=True)
class TagUse:
    slug: str
    name: str
    kind: str
    by: str = ""
    note: str = ""


@dataclass(frozen=True)
class VoteRecord:
    user: str
    axis: str
    value: int


@dataclass(frozen=True)
class RevisionRecord:
    body: str
    quote: str
    role: str
    created: datetime | None
    replaced: datetime | None
    editor: str


@dataclass(frozen=True)
class RemovalRecord:
    reason: str
    by: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class PostRecord:
    """One post. `key` names it within the record; `parent_key` None marks the opening
    post, which comes first; a parent always comes before its replies."""

    key: int | str
    parent_key: int | str | None
    author: str
    body: str
    role: str = "comment"
    role_inferred: bool = False
    quote: str = ""
    created: datetime | None = None
    edited: datetime | None = None
    note: str = ""
    tags: tuple[TagUse, ...] = ()
    removed: RemovalRecord | None = None
    deleted_by_author: bool = False
    held_for_approval: bool = False
    placeholder: bool = False
    revisions: tuple[RevisionRecord, ...] = ()
    votes: tuple[VoteRecord, ...] = ()


@dataclass(frozen=True)
class ThreadRecord:
    title: str
    posts: list[PostRecord]
    link: str = ""
    url: str = ""
    created: datetime | None = None
    locked: bool = False
    # Raw dumps and outlines name no one: their "imported-<n>" authors are stand-ins,
    # renamed per thread when written so no two threads share a stand-in person.
    stand_in_authors: bool = False
    # Numbers for the import report (raw dumps), passed through untouched.
    report: dict = field(default_factory=dict)

    @property
    def opening(self) -> PostRecord:
        return self.posts[0]


# Dates a real debate can carry. Outside this range a date is a typo or an attack: year 1
# with a UTC offset is not even representable in UTC, and broke every page listing it.
EARLIEST_YEAR = 1970
LATEST_YEAR = 2100
_LINK_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
LINK_MAX_CHARS = 500


def check_date(moment: datetime, where: str) -> None:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR or not (
        EARLIEST_YEAR <= (moment - (moment.utcoffset() or timedelta(0))).year <= LATEST_YEAR
    ):
        raise DumpError(
            f"{where}: {moment.isoformat()} is outside {EARLIEST_YEAR}\u2013{LATEST_YEAR}."
        )


def check_link(link: str) -> None:
    if not link:
        return
    if len(link) > LINK_MAX_CHARS:
        raise DumpError(f"The thread link is {len(link)} characters; at most {LINK_MAX_CHARS}.")
    if not _LINK_RE.match(link):
        shown = link if len(link) <= 60 else link[:59] + "\u2026"
        raise DumpError(f"The thread link {shown!r} is not an http(s) address.")


def _check_thread(record: ThreadRecord) -> None:
    if not record.posts:
        raise DumpError("The thread has no posts.")
    if not record.title.strip():
        raise DumpError("The thread has no title (use --title).")
    check_link(record.link)
    if record.posts[0].parent_key is not None:
        raise DumpError("The first post must be the opening post (parent null).")


def _check_place(post: PostRecord, index: int, seen: Container, where: str) -> None:
    """The post's place in the tree: a new id, a parent before it, a role that fits."""
    if post.key in seen:
        raise DumpError(f"{where}: the id is used twice.")
    if index and post.parent_key is None:
        raise DumpError(f"{where}: only the first post may have no parent.")
    if index and post.parent_key not in seen:
        raise DumpError(f"{where}: its parent {post.parent_key!r} does not come before it.")
    if post.role not in ROLES:
        raise DumpError(f"{where}: unknown role {post.role!r} (one of {', '.join(ROLES)}).")
    if index == 0 and post.role != "claim":
        raise DumpError(f"{where}: the opening post's role must be claim.")


def _check_text(post: PostRecord, where: str, max_body_chars: int | None) -> None:
    """A body (unless deleted or removed) and an author; no text longer than a post."""
    if not post.body.strip() and not post.deleted_by_author and post.removed is None:
        raise DumpError(f"{where}: the body is empty.")
    if not post.author.strip():
        raise DumpError(f"{where}: no author.")
    if max_body_chars is None:
        return
    for label, text in (
        ("body", post.body),
        ("quote", post.quote),
        ("note", post.note),
        *(("an earlier version", r.body) for r in post.revisions),
    ):
        if len(text) > max_body_chars:
            raise DumpError(
                f"{where}: its {label} is {len(text):,} characters; posts are at most "
                f"{max_body_chars:,}."
            )  # fmt: skip


def _check_marks(post: PostRecord, where: str) -> None:
    """Votes, tags and dates Crux can store."""
    for vote in post.votes:
        if vote.axis not in AXES or vote.value not in (1, -1):
            raise DumpError(f"{where}: a vote must be axis quality|agree, value 1|-1.")
    for tag in post.tags:
        if tag.kind not in TAG_KINDS:
            raise DumpError(f"{where}: tag {tag.slug!r} has unknown kind {tag.kind!r}.")
    for moment in (post.created, post.edited, post.removed and post.removed.at):
        if moment:
            check_date(moment, where)


def check_record(
    record: ThreadRecord, *, max_body_chars: int | None = None, max_depth: int | None = None
) -> None:
    """Refuse a record that would make an inconsistent thread, with a precise message.

    ``max_body_chars`` and ``max_depth`` are the posting limits (the caller reads them
    from the settings): an import may not make a post nobody could have written.
    Steps: the thread → each post in order (its place in the tree, its text, its votes,
    tags and dates, its depth) → the thread's date.
    """
    _check_thread(record)
    depth: dict = {}
    for index, post in enumerate(record.posts):
        where = f"post {post.key!r} (#{index + 1})"
        _check_place(post, index, depth, where)
        _check_text(post, where, max_body_chars)
        _check_marks(post, where)
        depth[post.key] = 0 if not index else depth[post.parent_key] + 1
        if max_depth is not None and depth[post.key] > max_depth:
            raise DumpError(
                f"{where}: replies nest {depth[post.key]} deep; threads allow {max_depth}."
            )
    if record.created:
        check_date(record.created, "the thread")


def record_from_parsed(debate: ParsedDebate) -> ThreadRecord:
    """A parsed raw dump or Kialo outline as a ThreadRecord."""
    posts = [
        PostRecord(
            key=post.key,
            parent_key=None if post is debate.opening else (post.parent_key or 0),
            author=post.author,
            body=post.body,
            role="claim" if post is debate.opening else post.role,
            role_inferred=post.role_inferred,
            quote=post.quote,
            note=post.note,
            placeholder=post.placeholder,
        )
        for post in [debate.opening, *debate.posts]
    ]
    return ThreadRecord(
        title=debate.title,
        link=debate.link,
        posts=posts,
        stand_in_authors=True,
        report=debate.report.as_dict(),
    )
