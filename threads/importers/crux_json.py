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
import math
import re
from datetime import datetime

from .parsed import DumpError
from .records import (
    PostRecord,
    RemovalRecord,
    RevisionRecord,
    TagUse,
    ThreadRecord,
    VoteRecord,
    check_date,
    check_record,
)

FORMAT = "crux-thread/1"

# Ids and vote values are small; 18 digits fit a bigint and Python parses them fast.
_MAX_INT_DIGITS = 18
# thread -> posts -> post -> revisions/votes/tags -> item -> field: six levels are used.
_MAX_NESTING = 12
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: object, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DumpError(f"{where}: {_show(value)} is not an ISO 8601 date-time.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise DumpError(f"{where}: {_show(value)} is not an ISO 8601 date-time.") from None
    if parsed.tzinfo is None:
        raise DumpError(f"{where}: {_show(value)} has no time zone.")
    check_date(parsed, where)
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
    return record_from_json(parse_json(text))


def parse_json(text: str) -> object:
    """``json.loads`` that refuses what JSON allows but no export contains: NaN and
    Infinity, numbers too large for a database column, nesting deeper than a thread
    export ever needs, and strings with NUL or lone surrogates (PostgreSQL cannot
    store either)."""
    try:
        data = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_small_int, parse_float=_finite
        )
    except json.JSONDecodeError as exc:
        raise DumpError(f"Not valid JSON: {exc.msg} at line {exc.lineno}.") from None
    except RecursionError:
        raise DumpError("Not a thread export: the JSON is nested too deeply.") from None
    _check_values(data)
    return data


def _refuse_constant(name: str) -> float:
    raise DumpError(f"Not valid JSON for an export: {name} is not a number.")


def _small_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _MAX_INT_DIGITS:
        raise DumpError(f"A number in the file has {len(digits)} digits; ids and values are small.")
    return int(digits)


def _finite(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise DumpError(f"The number {digits[:40]} is too large.")
    return value


def _check_values(data: object) -> None:
    """Walk the document once (without recursion): depth, and what every string holds."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_NESTING:
            raise DumpError("Not a thread export: the JSON is nested too deeply.")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            if "\x00" in value:
                raise DumpError(f"The text {_show(value)} contains a NUL character.")
            if _SURROGATE_RE.search(value):
                raise DumpError(
                    f"The text {_show(value)} holds a broken character (a lone surrogate)."
                )


def _show(value: object, limit: int = 40) -> str:
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "\u2026"


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
        link=_text(data, "link", "the thread").strip(),
        url=_text(data, "url", "the thread"),
        created=_parse_time(data.get("created"), "the thread's created"),
        locked=_flag(data, "locked", "the thread"),
    )
    check_record(record)
    return record


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DumpError(f"{where}: {key!r} must be text, not {_kind(value)}.")
    return value


def _flag(data: dict, key: str, where: str) -> bool:
    """A JSON boolean; "false" (a string) is refused rather than read as true."""
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise DumpError(f"{where}: {key!r} must be true or false, not {_show(value)}.")
    return value


def _key(data: dict, key: str, where: str) -> int | str | None:
    value = data.get(key)
    if (
        value is None
        or isinstance(value, str)
        or (isinstance(value, int) and not isinstance(value, bool))
    ):
        return value
    raise DumpError(f"{where}: {key!r} must be a number or text, not {_kind(value)}.")


def _items(data: dict, key: str, where: str) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise DumpError(f"{where}: {key!r} must be a list, not {_kind(value)}.")
    return value


def _object(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise DumpError(f"{where} must be an object, not {_kind(value)}.")
    return value


def _kind(value: object) -> str:
    return {
        dict: "an object", list: "a list", bool: "true/false", int: "a number",
        float: "a number", str: "text",
    }.get(type(value), "null")  # fmt: skip


def _post_from_json(item: object, index: int) -> PostRecord:
    where = f"post #{index + 1}"
    item = _object(item, where)
    if item.get("id") is None:
        raise DumpError(f"{where} has no id.")
    removed = item.get("removed")
    return PostRecord(
        key=_key(item, "id", where),
        parent_key=_key(item, "parent", where),
        author=_text(item, "author", where),
        body=_text(item, "body", where),
        role=_text(item, "role", where) or ("claim" if item.get("parent") is None else "comment"),
        role_inferred=_flag(item, "role_inferred", where),
        quote=_text(item, "quote", where),
        created=_parse_time(item.get("created"), f"{where} created"),
        edited=_parse_time(item.get("edited"), f"{where} edited"),
        note=_text(item, "note", where),
        deleted_by_author=_flag(item, "deleted_by_author", where),
        held_for_approval=_flag(item, "held_for_approval", where),
        placeholder=_flag(item, "placeholder", where),
        tags=tuple(_tag(t, f"{where} tag") for t in _items(item, "tags", where)),
        removed=None if removed is None else _removal(_object(removed, f"{where} removed")),
        revisions=tuple(
            _revision(_object(r, f"{where} revision"), item, f"{where} revision")
            for r in _items(item, "revisions", where)
        ),
        votes=tuple(_vote(_object(v, f"{where} vote"), f"{where} vote")
                    for v in _items(item, "votes", where)),
    )  # fmt: skip


def _tag(tag: object, where: str) -> TagUse:
    if isinstance(tag, str):
        return TagUse(slug=tag, name=tag, kind="topic")
    tag = _object(tag, where)
    slug = _text(tag, "slug", where)
    if not slug.strip():
        raise DumpError(f"{where} has no slug.")
    return TagUse(
        slug=slug,
        name=_text(tag, "name", where) or slug,
        kind=_text(tag, "kind", where) or "topic",
        by=_text(tag, "by", where),
        note=_text(tag, "note", where),
    )


def _removal(removed: dict) -> RemovalRecord:
    where = "a removal"
    return RemovalRecord(
        reason=_text(removed, "reason", where),
        by=_text(removed, "by", where),
        at=_parse_time(removed.get("at"), f"{where} at"),
    )


def _revision(revision: dict, post: dict, where: str) -> RevisionRecord:
    return RevisionRecord(
        body=_text(revision, "body", where),
        quote=_text(revision, "quote", where),
        role=_text(revision, "role", where) or _text(post, "role", where) or "comment",
        created=_parse_time(revision.get("created"), where),
        replaced=_parse_time(revision.get("replaced"), where),
        editor=_text(revision, "editor", where) or _text(post, "author", where),
    )


def _vote(vote: dict, where: str) -> VoteRecord:
    value = vote.get("value")
    if isinstance(value, bool) or value not in (1, -1):
        raise DumpError(f"{where}: the value must be 1 or -1, not {_show(value)}.")
    return VoteRecord(user=_text(vote, "user", where), axis=_text(vote, "axis", where), value=value)
