"""Crux's lossless thread format, "crux-thread/1".

    {"format": "crux-thread/1", "title", "url", "link", "created", "locked",
     "posts": [{"id", "parent", "author", "role", "role_inferred", "quote", "body",
                "created", "edited", "note", "deleted_by_author", "held_for_approval",
                "tags": [{"slug", "name", "kind", "by", "note"}],
                "removed": null | {"reason", "by", "at"},
                "revisions": [{"body", "quote", "role", "created", "replaced", "editor"}],
                "votes": [{"user", "axis": "quality" | "agree", "value": 1 | -1}]}]}

Posts come in depth-first order, the opening post first; `parent` is another post's
`id` in the same file (null for the opening post). Authors, voters, taggers and editors
are usernames; unknown ones become placeholder accounts with exactly that name. An
export, imported and exported again, gives the same document except for the post
`id`/`parent` numbers and the thread `url`, which the new database assigns.
"""

from __future__ import annotations

import json
from datetime import datetime

from .parsed import DumpError
from .records import (
    PostRecord,
    RemovalRecord,
    RevisionRecord,
    TagUse,
    ThreadRecord,
    VoteRecord,
    check_record,
)

FORMAT = "crux-thread/1"


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: object, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise DumpError(f"{where}: {value!r} is not an ISO 8601 date-time.") from None
    if parsed.tzinfo is None:
        raise DumpError(f"{where}: {value!r} has no time zone.")
    return parsed


def record_to_json(record: ThreadRecord) -> dict:
    return {
        "format": FORMAT,
        "title": record.title,
        "url": record.url,
        "link": record.link,
        "created": _time(record.created),
        "locked": record.locked,
        "posts": [_post_to_json(post) for post in record.posts],
    }


def _post_to_json(post: PostRecord) -> dict:
    return {
        "id": post.key,
        "parent": post.parent_key,
        "author": post.author,
        "role": post.role,
        "role_inferred": post.role_inferred,
        "quote": post.quote,
        "body": post.body,
        "created": _time(post.created),
        "edited": _time(post.edited),
        "note": post.note,
        "deleted_by_author": post.deleted_by_author,
        "held_for_approval": post.held_for_approval,
        "placeholder": post.placeholder,
        "tags": [
            {"slug": t.slug, "name": t.name, "kind": t.kind, "by": t.by, "note": t.note}
            for t in post.tags
        ],
        "removed": None
        if post.removed is None
        else {"reason": post.removed.reason, "by": post.removed.by, "at": _time(post.removed.at)},
        "revisions": [
            {
                "body": r.body,
                "quote": r.quote,
                "role": r.role,
                "created": _time(r.created),
                "replaced": _time(r.replaced),
                "editor": r.editor,
            }
            for r in post.revisions
        ],
        "votes": [{"user": v.user, "axis": v.axis, "value": v.value} for v in post.votes],
    }


def loads(text: str) -> ThreadRecord:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DumpError(f"Not valid JSON: {exc.msg} at line {exc.lineno}.") from None
    return record_from_json(data)


def record_from_json(data: object) -> ThreadRecord:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DumpError(f'Not a Crux thread export: expected "format": "{FORMAT}".')
    posts_data = data.get("posts")
    if not isinstance(posts_data, list):
        raise DumpError('"posts" must be a list.')
    posts = [_post_from_json(item, index) for index, item in enumerate(posts_data)]
    record = ThreadRecord(
        title=_text(data, "title", "the thread").strip(),
        posts=posts,
        link=_text(data, "link", "the thread"),
        url=_text(data, "url", "the thread"),
        created=_parse_time(data.get("created"), "the thread's created"),
        locked=bool(data.get("locked", False)),
    )
    check_record(record)
    return record


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        raise DumpError(f"{where}: {key!r} must be text.")
    return value


def _post_from_json(item: object, index: int) -> PostRecord:
    where = f"post #{index + 1}"
    if not isinstance(item, dict):
        raise DumpError(f"{where} is not an object.")
    if "id" not in item:
        raise DumpError(f"{where} has no id.")
    try:
        removed = item.get("removed")
        return PostRecord(
            key=item["id"],
            parent_key=item.get("parent"),
            author=_text(item, "author", where),
            body=_text(item, "body", where),
            role=_text(item, "role", where) or "comment",
            role_inferred=bool(item.get("role_inferred", False)),
            quote=_text(item, "quote", where),
            created=_parse_time(item.get("created"), f"{where} created"),
            edited=_parse_time(item.get("edited"), f"{where} edited"),
            note=_text(item, "note", where),
            deleted_by_author=bool(item.get("deleted_by_author", False)),
            held_for_approval=bool(item.get("held_for_approval", False)),
            placeholder=item.get("placeholder", False) is True,
            tags=tuple(
                TagUse(
                    slug=str(t["slug"]),
                    name=str(t.get("name") or t["slug"]),
                    kind=str(t.get("kind") or "topic"),
                    by=str(t.get("by") or ""),
                    note=str(t.get("note") or ""),
                )
                if isinstance(t, dict)
                else TagUse(slug=str(t), name=str(t), kind="topic")
                for t in item.get("tags") or ()
            ),
            removed=None
            if not removed
            else RemovalRecord(
                reason=str(removed.get("reason") or ""),
                by=str(removed.get("by") or ""),
                at=_parse_time(removed.get("at"), f"{where} removed at"),
            ),
            revisions=tuple(
                RevisionRecord(
                    body=str(r["body"]),
                    quote=str(r.get("quote") or ""),
                    role=str(r.get("role") or item.get("role") or "comment"),
                    created=_parse_time(r.get("created"), f"{where} revision"),
                    replaced=_parse_time(r.get("replaced"), f"{where} revision"),
                    editor=str(r.get("editor") or item.get("author") or ""),
                )
                for r in item.get("revisions") or ()
            ),
            votes=tuple(
                VoteRecord(user=str(v["user"]), axis=str(v["axis"]), value=int(v["value"]))
                for v in item.get("votes") or ()
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, DumpError):
            raise
        raise DumpError(f"{where} is malformed ({type(exc).__name__}: {exc}).") from None
