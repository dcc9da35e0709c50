"""Crux's own JSON form of a parsed debate: written by :func:`debate_to_dict`, read back
by :func:`parse_json`. It lets a corrected import (roles fixed by hand, a quote trimmed)
be re-imported, and is the interchange format the exporters produce.

    {"format": "crux-debate/1", "title": "...", "link": "",
     "opening": {"body": "..."},
     "posts": [{"key": 1, "parent_key": null, "body": "...", "quote": "",
                "role": "comment", "role_inferred": true, "author": "...", "note": ""}]}
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict

from .parsed import ROLES, DumpError, ImportReport, ParsedDebate, ParsedPost
from .rawdump import split_paragraphs

FORMAT_TAG = "crux-debate/1"


def debate_to_dict(debate: ParsedDebate) -> dict:
    return {
        "format": FORMAT_TAG,
        "title": debate.title,
        "link": debate.link,
        "source_format": debate.source_format,
        "opening": asdict(debate.opening),
        "posts": [asdict(post) for post in debate.posts],
    }


def looks_like_json(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("{") and stripped.endswith("}")


def parse_json(text: str, title: str | None = None) -> ParsedDebate:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DumpError(f"Not valid JSON: {error.msg} at line {error.lineno}.") from error
    if not isinstance(data, dict) or not isinstance(data.get("posts", []), list):
        raise DumpError('JSON dump: expected an object with "opening" and a "posts" list.')
    opening_data = data.get("opening")
    if not isinstance(opening_data, dict) or not _text(opening_data.get("body")):
        raise DumpError('JSON dump: "opening" must be an object with a non-empty "body".')
    opening = ParsedPost(
        key=0,
        parent_key=None,
        body=opening_data["body"],
        role="claim",
        author=_text(opening_data.get("author")) or "imported-0",
        note=_text(opening_data.get("note")),
    )
    posts = _posts(data["posts"], opening)
    inferred = Counter(p.role for p in posts if p.role_inferred)
    paragraphs = sum(len(split_paragraphs(p.body)) for p in [opening, *posts])
    report = ImportReport(
        comments=len(posts),
        duplicates_dropped=0,
        attached_by_quote=sum(1 for p in posts if p.quote),
        roles_inferred=dict(inferred),
        paragraphs_in=paragraphs,
        paragraphs_out=paragraphs,
        top_level=sum(1 for p in posts if p.parent_key is None),
    )
    return ParsedDebate(
        title=(title or _text(data.get("title")) or "Imported debate").strip(),
        link=_text(data.get("link")),
        opening=opening,
        posts=posts,
        report=report,
        source_format="json",
    )


def _posts(items: list, opening: ParsedPost) -> list[ParsedPost]:
    """Validate and renumber 1..n in file order; parents must come before children."""
    renumber: dict[object, int] = {}
    posts: list[ParsedPost] = []
    for index, item in enumerate(items, start=1):
        where = f"JSON dump, post #{index}"
        if not isinstance(item, dict) or not _text(item.get("body")):
            raise DumpError(f'{where}: each post needs a non-empty "body".')
        old_key = item.get("key", index)
        if old_key in renumber or old_key == 0:
            raise DumpError(f"{where}: key {old_key!r} is used twice (0 is the opening post).")
        parent_old = item.get("parent_key")
        if parent_old is None or parent_old == 0:
            parent_key, parent = None, opening
        elif parent_old in renumber:
            parent_key = renumber[parent_old]
            parent = posts[parent_key - 1]
        else:
            raise DumpError(f"{where}: parent {parent_old!r} is not an earlier post.")
        quote = _text(item.get("quote"))
        if quote and quote not in parent.body:
            raise DumpError(f"{where}: its quote does not occur in its parent's text.")
        role = item.get("role") or "comment"
        if role not in ROLES or role == "claim":
            raise DumpError(f"{where}: unknown reply role {role!r}.")
        key = len(posts) + 1
        renumber[old_key] = key
        posts.append(
            ParsedPost(
                key=key,
                parent_key=parent_key,
                body=item["body"],
                quote=quote,
                role=role,
                role_inferred=bool(item.get("role_inferred", False)),
                author=_text(item.get("author")) or f"imported-{key}",
                note=_text(item.get("note")),
            )
        )
    return posts


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
