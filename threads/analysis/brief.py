"""The debate in brief: the main lines of the argument, each in its author's words.

A brief is not the most central sentences of the thread (word centrality favours
whatever repeats the thread's commonest words, often a fragment of a list). It walks
the argument the way a reader would retell it:

1. the opening claim (skipped when the opening post is the importer's stand-in);
2. the most-engaged objections — replies that rebut or question, then other replies —
   ranked by how much they were answered and quoted, each followed by the best
   answer it got;
3. what was conceded: a concession's own point, or the sentence of its parent it
   quoted to concede, cited to the parent that wrote it.

Every line is a sentence of the post it cites (see `attribution.py`), never banter,
and the sentence chosen within a post is the one repliers quoted most, then the most
central one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .attribution import OwnSentences, citable
from .snapshot import PostInput, ThreadSnapshot

OBJECTION_ROLES = frozenset({"rebuttal", "question"})
# Objections lead the brief; a support of the opening is a line too, though a weaker
# one (the brief is about what is disputed).
LINE_WEIGHTS = {"rebuttal": 1.5, "question": 1.5, "support": 0.75}
LINE_NAMES = {"rebuttal": "objection", "question": "objection", "support": "support"}
# Roles an answer to an objection is expected to have, preferred over other replies.
REPLY_TO_OBJECTION_ROLES = frozenset({"answer", "rebuttal", "support", "concession"})


@dataclass(frozen=True)
class BriefLine:
    index: int  # sentence index in OwnSentences
    line: str  # opening | objection | support | reply | answer | concession | conceded


@dataclass(frozen=True)
class Engagement:
    """How much of the debate a post drew: replies by others, quotes of its sentences,
    the size of the discussion under it, and its quality votes."""

    replies: dict[int, list[PostInput]]
    score: dict[int, float]


def engagement(snapshot: ThreadSnapshot, sentences: OwnSentences) -> Engagement:
    by_id = {post.id: post for post in snapshot.posts}
    replies: dict[int, list[PostInput]] = {}
    for post in snapshot.posts:
        parent = by_id.get(post.parent) if post.parent is not None else None
        if parent is not None and citable(post) and post.author != parent.author:
            replies.setdefault(parent.id, []).append(post)
    below: dict[int, int] = {}
    for post in sorted(snapshot.posts, key=lambda p: (-p.created, -p.id)):
        if post.parent is not None and post.parent in by_id:
            below[post.parent] = below.get(post.parent, 0) + 1 + below.get(post.id, 0)
    score = {}
    for post in snapshot.posts:
        quoted = sum(int(sentences.quoted[i]) for i in sentences.by_post.get(post.id, ()))
        votes = max(0, post.quality_up - post.quality_down)
        score[post.id] = (
            len(replies.get(post.id, ()))
            + quoted
            + 0.25 * below.get(post.id, 0)
            + 0.5 * math.log1p(votes)
        )
    return Engagement(replies, score)


@dataclass
class _Brief:
    """The brief as it is written: its lines so far, and every sentence taken (the
    caller's list, so the rest of the summary avoids them too)."""

    taken: list[int]
    accept: Callable[[int, Sequence[int]], bool]
    max_lines: int
    lines: list[BriefLine] = field(default_factory=list)

    def add(self, index: int | None, line: str) -> bool:
        """Take the sentence unless it is taken, near-repeats one, or the brief is full."""
        if (
            index is None
            or index in self.taken
            or len(self.lines) >= self.max_lines
            or not self.accept(index, ())
        ):
            return False
        self.taken.append(index)
        self.lines.append(BriefLine(index, line))
        return True


def debate_brief(
    snapshot: ThreadSnapshot,
    sentences: OwnSentences,
    engaged: Engagement,
    key_sentence: Callable[[int], int | None],
    accept: Callable[[int, Sequence[int]], bool],
    taken: list[int],
    *,
    max_lines: int,
    max_objections: int,
    max_concessions: int,
) -> list[BriefLine]:
    """The brief's lines in reading order (see the module docstring).

    `key_sentence(post)` chooses a post's sentence; `accept(index)` says whether a
    sentence may still be quoted (not near-repeating anything quoted, `taken`
    included); `taken` collects the brief's sentences as they are chosen.

    Steps: the opening claim → the most-engaged lines, each with its best answer, in
    the room the concessions leave → what was conceded.
    """
    brief = _Brief(taken, accept, max_lines)
    root = next((post for post in snapshot.posts if post.id == snapshot.root), None)
    if root is not None and citable(root):
        brief.add(key_sentence(root.id), "opening")
    # Save room for what was conceded: it is the part of a debate most often lost.
    concessions = _concessions(snapshot, sentences, engaged)[:max_concessions]
    chosen = _most_engaged(snapshot, sentences, engaged, key_sentence, brief, max_objections)
    _add_lines(brief, chosen, engaged, key_sentence, room=max_lines - len(concessions))
    for post in concessions:
        _add_concession(brief, post, sentences, key_sentence)
    return brief.lines


def _most_engaged(
    snapshot: ThreadSnapshot,
    sentences: OwnSentences,
    engaged: Engagement,
    key_sentence: Callable[[int], int | None],
    brief: _Brief,
    limit: int,
) -> list[tuple[PostInput, int]]:
    """Up to `limit` (post, sentence) pairs for the brief's middle: the replies
    (objections weighed most) that drew the most engagement, none repeating another."""

    def rank(post: PostInput) -> tuple[float, float, int]:
        weight = LINE_WEIGHTS.get(post.role, 1.0)
        return (-weight * engaged.score[post.id], post.created, post.id)

    candidates = [
        post
        for post in snapshot.posts
        if post.id != snapshot.root
        and citable(post)
        and post.role not in ("concession", "answer")
        and sentences.by_post.get(post.id)
    ]
    chosen: list[tuple[PostInput, int]] = []
    for post in sorted(candidates, key=rank):
        if len(chosen) >= limit:
            break
        index = key_sentence(post.id)
        pending = [other for _, other in chosen]
        if index is not None and index not in brief.taken and brief.accept(index, pending):
            chosen.append((post, index))
    return chosen


def _add_lines(
    brief: _Brief,
    chosen: list[tuple[PostInput, int]],
    engaged: Engagement,
    key_sentence: Callable[[int], int | None],
    *,
    room: int,
) -> None:
    """The chosen lines told in thread order, so the brief reads as the conversation
    went; each followed by the best answer it got, unless that answer is itself one of
    the lines. The brief stops at `room` lines."""
    lined = {post.id for post, _ in chosen}
    for post, index in sorted(chosen, key=lambda pair: pair[1]):
        if len(brief.lines) >= room:
            break
        if not brief.add(index, LINE_NAMES.get(post.role, "reply")):
            continue
        answer = _best_answer(post, engaged, key_sentence, brief.accept, brief.taken, lined)
        if answer is not None and len(brief.lines) < room:
            brief.add(answer, "answer")


def _add_concession(
    brief: _Brief,
    post: PostInput,
    sentences: OwnSentences,
    key_sentence: Callable[[int], int | None],
) -> None:
    """What was conceded is the parent's sentence the concession quoted, in the
    parent's words; else the concession's own first point; else the parent's point."""
    granted = [i for i in sentences.conceded.get(post.id, ()) if i not in brief.taken]
    if granted:
        brief.add(max(granted, key=lambda i: (int(sentences.quoted[i]), -i)), "conceded")
        return
    own = [i for i in sentences.by_post.get(post.id, ()) if i not in brief.taken]
    if own:
        brief.add(own[0], "concession")
    elif post.parent is not None:
        brief.add(key_sentence(post.parent), "conceded")


def _best_answer(
    post: PostInput,
    engaged: Engagement,
    key_sentence: Callable[[int], int | None],
    accept: Callable[[int, Sequence[int]], bool],
    taken: list[int],
    lined: set[int],
) -> int | None:
    objection = post.role in OBJECTION_ROLES
    answers = sorted(
        engaged.replies.get(post.id, ()),
        key=lambda r: (
            not (objection and r.role in REPLY_TO_OBJECTION_ROLES),
            -engaged.score[r.id],
            r.created,
            r.id,
        ),
    )
    for reply in answers:
        if reply.id in lined:
            return None  # the best answer is told as a line of its own
        if reply.role == "concession":
            continue  # concessions have their own lines
        index = key_sentence(reply.id)
        if index is not None and index not in taken and accept(index, ()):
            return index
    return None


def _concessions(
    snapshot: ThreadSnapshot, sentences: OwnSentences, engaged: Engagement
) -> Sequence[PostInput]:
    """Concessions by someone other than the conceded post's author, most engaged first."""
    by_id = {post.id: post for post in snapshot.posts}
    found = [
        post
        for post in snapshot.posts
        if post.role == "concession"
        and not post.removed
        and post.parent in by_id
        and by_id[post.parent].author != post.author
    ]
    parent_score = np.array(
        [engaged.score.get(p.parent, 0.0) if p.parent is not None else 0.0 for p in found]
    )
    order = sorted(
        range(len(found)),
        key=lambda k: (-engaged.score[found[k].id] - parent_score[k], found[k].created),
    )
    return [found[k] for k in order]


__all__ = ["BriefLine", "Engagement", "debate_brief", "engagement"]
