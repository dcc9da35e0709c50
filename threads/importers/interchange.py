"""Argument-interchange exports of a thread: AIF JSON and Argdown text.

Both are views of the reply tree: every post is a statement (an AIF I-node, an Argdown
`[P<id>]` statement), every rebuttal an attack and every support or concession a
support of its parent (AIF CA/RA scheme nodes, Argdown `-`/`+` relations). Questions,
answers and comments are statements without an inferential relation. Removed posts keep
their place in the structure but not their text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from threads.analysis.snapshot import ATTACK_ROLES, SUPPORT_ROLES

from .records import PostRecord, ThreadRecord

AIF_TIME = "%Y-%m-%d %H:%M:%S"
REMOVED_TEXT = "[removed]"


def _visible_text(post: PostRecord, plain: Callable[[str], str]) -> str:
    if post.removed is not None or post.deleted_by_author or post.held_for_approval:
        return REMOVED_TEXT
    return plain(post.body)


def record_to_aif(record: ThreadRecord, plain: Callable[[str], str]) -> dict:
    """AIF JSON (nodes, edges, locutions, participants), as the AIFdb/OVA tools read it."""
    nodes, edges, locutions = [], [], []
    participants: dict[str, int] = {}

    def timestamp(post: PostRecord) -> str:
        return post.created.strftime(AIF_TIME) if post.created else ""

    for post in record.posts:
        node_id = f"{post.key}"
        nodes.append(
            {
                "nodeID": node_id,
                "text": _visible_text(post, plain),
                "type": "I",
                "timestamp": timestamp(post),
            }
        )
        person = participants.setdefault(post.author, len(participants) + 1)
        locutions.append({"nodeID": node_id, "personID": str(person), "timestamp": timestamp(post)})
        if post.parent_key is None:
            continue
        if post.role in ATTACK_ROLES:
            kind, scheme = "CA", "Default Conflict"
        elif post.role in SUPPORT_ROLES:
            kind, scheme = "RA", "Default Inference"
        else:
            continue
        scheme_id = f"s{post.key}"
        nodes.append(
            {"nodeID": scheme_id, "text": scheme, "type": kind, "timestamp": timestamp(post)}
        )
        edges.append({"edgeID": f"e{post.key}a", "fromID": node_id, "toID": scheme_id})
        edges.append({"edgeID": f"e{post.key}b", "fromID": scheme_id, "toID": f"{post.parent_key}"})
    return {
        "nodes": nodes,
        "edges": edges,
        "locutions": locutions,
        "participants": [
            {"participantID": str(number), "firstname": name, "surname": ""}
            for name, number in participants.items()
        ],
    }


_ARGDOWN_SPECIAL = str.maketrans({"[": "(", "]": ")", "<": "‹", ">": "›", "#": "♯"})


def _argdown_text(text: str) -> str:
    # One line, with the characters Argdown reads as references or tags replaced.
    return re.sub(r"\s+", " ", text).strip().translate(_ARGDOWN_SPECIAL) or REMOVED_TEXT


def record_to_argdown(record: ThreadRecord, plain: Callable[[str], str]) -> str:
    """Argdown: each post a `[P<id>]` statement, each typed reply an incoming `+`/`-`
    relation under its parent (`- [P7]` reads "P7 attacks the statement above")."""
    lines = ["===", f"title: {_argdown_text(record.title)}", "===", ""]
    lines.append(f"# {_argdown_text(record.title)}")
    lines.append("")
    for post in record.posts:
        lines.append(f"[P{post.key}]: {_argdown_text(_visible_text(post, plain))}")
        lines.append("")
    children: dict[object, list[PostRecord]] = {}
    for post in record.posts[1:]:
        if post.role in ATTACK_ROLES or post.role in SUPPORT_ROLES:
            children.setdefault(post.parent_key, []).append(post)
    for parent in record.posts:
        typed = children.get(parent.key)
        if not typed:
            continue
        lines.append(f"[P{parent.key}]")
        for child in typed:
            sign = "-" if child.role in ATTACK_ROLES else "+"
            lines.append(f"  {sign} [P{child.key}]")
        lines.append("")
    return "\n".join(lines)
