"""Scoring an import against a hand annotation: comment boundaries, parents, roles.

An annotation lists each comment a careful reader sees, in page order, by its first
words, with its parent (an index into the list, null for the opening post) and role.
An imported post matches an annotated comment when the post starts with those words
(its quote first, if it has one). Matching walks both lists in page order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from threads.importers import ParsedDebate
from threads.importers.textmatch import normalise

ANNOTATIONS = Path(__file__).parent / "data" / "annotations"
_PREFIX = 40  # normalised characters of the first words compared


@dataclass(frozen=True)
class Score:
    annotated: int
    imported: int
    matched: int
    parents_right: int
    roles: dict[str, tuple[float | None, float | None]]  # role -> (precision, recall)

    @property
    def precision(self) -> float:
        return self.matched / self.imported if self.imported else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.annotated if self.annotated else 0.0

    @property
    def parent_accuracy(self) -> float:
        return self.parents_right / self.matched if self.matched else 0.0

    def line(self) -> str:
        roles = ", ".join(
            f"{role} {_pct(p)}/{_pct(r)}" for role, (p, r) in sorted(self.roles.items())
        )
        return (
            f"comments {self.imported} (hand {self.annotated}), boundaries P {self.precision:.2f}"
            f" R {self.recall:.2f}, parents {self.parents_right}/{self.matched}, roles P/R: {roles}"
        )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def load(name: str) -> dict:
    return json.loads((ANNOTATIONS / f"{name}.json").read_text())


def _start(post) -> str:
    body = post.body.lstrip()
    text = body if not post.quote or body.startswith(">") else f"{post.quote} {body}"
    return normalise(text.lstrip("> "))


def score(debate: ParsedDebate, annotation: dict) -> Score:
    gold = annotation["comments"]
    wanted = [normalise(c["start"]) for c in gold]
    match: dict[int, int] = {}  # post key -> annotation index
    nxt = 0
    for post in debate.posts:
        start = _start(post)
        fits = [
            j
            for j in range(nxt, len(gold))
            if start.startswith(wanted[j][:_PREFIX]) or wanted[j].startswith(start[:_PREFIX])
        ]
        if fits:
            # Earliest first: comments are annotated in page order. (A post that opens
            # with a quote of an earlier comment's first words can match that comment
            # when the comment itself was merged away; such a post then counts as a hit
            # for the wrong annotation and its parent and role are scored against it.)
            match[post.key] = fits[0]
            nxt = fits[0] + 1

    parents_right = 0
    pairs = []
    for post in debate.posts:
        if post.key not in match:
            continue
        j = match[post.key]
        parent = None if post.parent_key is None else match.get(post.parent_key, -1)
        parents_right += parent == gold[j]["parent"]
        pairs.append((post.role, gold[j]["role"]))
    roles = {}
    for role in sorted({r for pair in pairs for r in pair}):
        predicted = sum(1 for p, _ in pairs if p == role)
        actual = sum(1 for _, g in pairs if g == role)
        right = sum(1 for p, g in pairs if p == g == role)
        roles[role] = (right / predicted if predicted else None, right / actual if actual else None)
    return Score(len(gold), len(debate.posts), len(match), parents_right, roles)
