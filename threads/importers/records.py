"""A whole thread as plain data: what imports produce and exports consume.

Every import (raw dumps, Kialo outlines, Crux JSON) becomes a ThreadRecord, which one
service writes to the database; every export (Crux JSON, AIF, Argdown) starts from the
ThreadRecord of a stored thread. Nothing here knows about Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
    # Numbers for the import report (raw dumps), passed through untouched.
    report: dict = field(default_factory=dict)

    @property
    def opening(self) -> PostRecord:
        return self.posts[0]


def check_record(record: ThreadRecord) -> None:
    """Refuse a record that would make an inconsistent thread, with a precise message."""
    if not record.posts:
        raise DumpError("The thread has no posts.")
    if not record.title.strip():
        raise DumpError("The thread has no title (use --title).")
    if record.posts[0].parent_key is not None:
        raise DumpError("The first post must be the opening post (parent null).")
    seen: set = set()
    for index, post in enumerate(record.posts):
        where = f"post {post.key!r} (#{index + 1})"
        if post.key in seen:
            raise DumpError(f"{where}: the id is used twice.")
        if index and post.parent_key is None:
            raise DumpError(f"{where}: only the first post may have no parent.")
        if index and post.parent_key not in seen:
            raise DumpError(f"{where}: its parent {post.parent_key!r} does not come before it.")
        _check_post(post, where)
        seen.add(post.key)


def _check_post(post: PostRecord, where: str) -> None:
    """One post's own fields: role, body, author, votes and tags."""
    if post.role not in ROLES:
        raise DumpError(f"{where}: unknown role {post.role!r} (one of {', '.join(ROLES)}).")
    if not post.body.strip() and not post.deleted_by_author and post.removed is None:
        raise DumpError(f"{where}: the body is empty.")
    if not post.author.strip():
        raise DumpError(f"{where}: no author.")
    for vote in post.votes:
        if vote.axis not in AXES or vote.value not in (1, -1):
            raise DumpError(f"{where}: a vote must be axis quality|agree, value 1|-1.")
    for tag in post.tags:
        if tag.kind not in TAG_KINDS:
            raise DumpError(f"{where}: tag {tag.slug!r} has unknown kind {tag.kind!r}.")


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
        title=debate.title, link=debate.link, posts=posts, report=debate.report.as_dict()
    )
