"""Extractive, cited summaries of a thread, and what changed since a reader's last visit.

Nothing is written here that a participant did not write: every extract is a verbatim
sentence of the post it cites. The pipeline (see `lexrank.py`):

    sentences of each post (quoted words of the parent dropped) → TF-IDF →
    cosine graph (≥ 0.1) → LexRank → MMR (λ 0.7, never two sentences ≥ 0.8 alike)
    → thread order

Sections: the debate in brief (5–8 sentences of the whole thread); one per opinion
group with at least 3 members (LexRank restricted to the posts the group agrees with
most); each top crux with its strongest support and rebuttal by DF-QuAD strength;
common ground (one sentence per consensus post); open questions and unanswered
objections, most visible first.

`summarize_thread` takes the `ThreadMap` dataclass (not its JSON): camp summaries need
the groups' most-agreed posts, which the map keeps in memory only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .lexrank import lexrank, mmr_select, similarity_graph, tfidf_vectors
from .sentences import has_words, sentence_spans, strip_footnotes
from .snapshot import ATTACK_ROLES, SUPPORT_ROLES, PostInput, ThreadSnapshot
from .thread_map import ThreadMap


@dataclass(frozen=True)
class SummaryParams:
    min_words: int = 4  # shorter fragments ("Agree.", "Well put.") carry no content
    min_sentences: int = 5
    min_participants: int = 2
    similarity_threshold: float = 0.1
    damping: float = 0.85
    mmr_trade_off: float = 0.7
    max_similarity: float = 0.8
    brief_min: int = 5
    brief_max: int = 8
    camp_min: int = 2
    camp_max: int = 4
    min_camp_size: int = 3
    top_cruxes: int = 3
    max_open: int = 8
    # MMR looks at this many of the most salient sentences per requested sentence.
    candidates_per_pick: int = 8
    # No section quotes more than this many sentences of one post, so a long post
    # cannot speak for the whole thread or camp.
    max_per_post: int = 2
    min_terms: int = 3


DEFAULT_SUMMARY_PARAMS = SummaryParams()


@dataclass(frozen=True)
class Extract:
    text: str  # verbatim slice of the cited post's text
    post: int

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "post": self.post}


@dataclass(frozen=True)
class CampSummary:
    group: str
    share: float  # the group's share of clustered participants
    sentences: tuple[Extract, ...]
    agree_shares: tuple[float, ...]  # the group's agree share on each sentence's post


@dataclass(frozen=True)
class CruxSummary:
    post: int
    text: str | None  # the crux post's most central sentence
    support: Extract | None
    rebuttal: Extract | None
    by_group: tuple[tuple[str, float | None], ...]


@dataclass(frozen=True)
class OpenSummary:
    text: str
    post: int
    kind: str


def _r(value: float) -> float:
    return round(float(value), 4)


@dataclass(frozen=True)
class ThreadSummary:
    status: str  # "ok" | "too_little"
    reason: str | None
    brief: tuple[Extract, ...] = ()
    groups: tuple[CampSummary, ...] = ()
    cruxes: tuple[CruxSummary, ...] = ()
    common_ground: tuple[Extract, ...] = ()
    open: tuple[OpenSummary, ...] = ()
    timings: Mapping[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "brief": [e.to_json() for e in self.brief],
            "groups": [
                {
                    "group": camp.group,
                    "share": _r(camp.share),
                    "sentences": [e.to_json() for e in camp.sentences],
                    "agree_shares": [_r(s) for s in camp.agree_shares],
                }
                for camp in self.groups
            ],
            "cruxes": [
                {
                    "post": crux.post,
                    "text": crux.text,
                    "support": crux.support.to_json() if crux.support else None,
                    "rebuttal": crux.rebuttal.to_json() if crux.rebuttal else None,
                    "by_group": {g: None if s is None else _r(s) for g, s in crux.by_group},
                }
                for crux in self.cruxes
            ],
            "common_ground": [e.to_json() for e in self.common_ground],
            "open": [{"text": o.text, "post": o.post, "kind": o.kind} for o in self.open],
            "timings": {step: _r(s) for step, s in (self.timings or {}).items()},
        }


def thread_order(posts: Sequence[PostInput]) -> list[PostInput]:
    """Depth-first from the opening post, replies oldest first (the thread page order).

    Posts whose parent is missing follow, with their own replies, oldest first.
    """
    by_id = {post.id: post for post in posts}
    children: dict[int | None, list[PostInput]] = {}
    for post in posts:
        parent = post.parent if post.parent in by_id else None
        children.setdefault(parent, []).append(post)
    for replies in children.values():
        replies.sort(key=lambda p: (p.created, p.id))
    ordered: list[PostInput] = []
    seen: set[int] = set()
    stack = list(reversed(children.get(None, [])))
    while stack:
        post = stack.pop()
        if post.id in seen:
            continue
        seen.add(post.id)
        ordered.append(post)
        stack.extend(reversed(children.get(post.id, [])))
    ordered.extend(
        post for post in sorted(posts, key=lambda p: (p.created, p.id)) if post.id not in seen
    )
    return ordered


def _normalise(text: str) -> str:
    return " ".join(text.split())


_PLAIN = re.compile(r"[^\s]+(?: [^\s]+)*")  # already normalised: single spaces only


@dataclass(frozen=True, eq=False)
class _Sentences:
    texts: list[str]
    posts: np.ndarray  # post id per sentence, sentences in thread order
    by_post: dict[int, list[int]]
    short_by_post: dict[int, list[str]]  # own sentences below min_words (for open items)


def own_sentences(posts: Sequence[PostInput], min_words: int) -> _Sentences:
    """Each live post's own sentences, in thread order.

    A sentence is the reply's own unless it repeats its parent: contained in the
    reply's `quote` or anywhere in the parent's text. A sentence that already appeared
    verbatim in an earlier post is credited to that earlier post only.
    """
    by_id = {post.id: post for post in posts}
    texts: list[str] = []
    owners: list[int] = []
    by_post: dict[int, list[int]] = {}
    short_by_post: dict[int, list[str]] = {}
    seen: set[str] = set()
    normalised: dict[int, str] = {}
    for post in thread_order(posts):
        if post.removed or not post.text:
            continue
        parent = by_id.get(post.parent) if post.parent is not None else None
        if parent is not None and parent.id not in normalised:
            normalised[parent.id] = _normalise(parent.text)
        quote = _normalise(post.quote)
        parent_text = normalised[parent.id] if parent else ""
        for start, end in sentence_spans(post.text):
            sentence = post.text[start:end]
            key = sentence if _PLAIN.fullmatch(sentence) else _normalise(sentence)
            if key in seen or (quote and key in quote) or (parent_text and key in parent_text):
                continue
            seen.add(key)
            if not has_words(sentence, min_words):
                short_by_post.setdefault(post.id, []).append(sentence)
                continue
            by_post.setdefault(post.id, []).append(len(texts))
            texts.append(sentence)
            owners.append(post.id)
    return _Sentences(texts, np.array(owners, dtype=np.int64), by_post, short_by_post)


def _too_little(reason: str, timings: dict[str, float]) -> ThreadSummary:
    return ThreadSummary(status="too_little", reason=reason, timings=timings)


def summarize_thread(  # noqa: C901 -- split along its steps by the summaries work in flight
    snapshot: ThreadSnapshot,
    thread_map: ThreadMap,
    params: SummaryParams = DEFAULT_SUMMARY_PARAMS,
) -> ThreadSummary:
    """Cited extractive summary of the thread, organised by the map's groups and cruxes."""
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(step: str, since: float) -> float:
        now = time.perf_counter()
        timings[step] = now - since
        return now

    sentences = own_sentences(snapshot.posts, params.min_words)
    mark = lap("split", started)
    n = len(sentences.texts)
    if thread_map.participants < params.min_participants:
        timings["total"] = time.perf_counter() - started
        who = "Nobody has" if thread_map.participants == 0 else "Only one person has"
        return _too_little(
            f"{who} taken part so far; a summary needs at least {params.min_participants}.",
            timings,
        )
    if n < params.min_sentences:
        timings["total"] = time.perf_counter() - started
        what = "no sentence" if n == 0 else "one sentence" if n == 1 else f"only {n} sentences"
        return _too_little(
            f"The thread has {what} of its own text so far; a summary needs at least "
            f"{params.min_sentences}.",
            timings,
        )

    vectors = tfidf_vectors([strip_footnotes(text) for text in sentences.texts])
    mark = lap("tfidf", mark)
    graph = similarity_graph(vectors, params.similarity_threshold)
    mark = lap("graph", mark)
    salience = lexrank(graph, params.damping)
    mark = lap("lexrank", mark)

    def pick(
        candidates: np.ndarray, scores: np.ndarray, count: int, seed: Sequence[int] = ()
    ) -> list[int]:
        """`seed` plus MMR over the most salient candidates; result in thread order."""
        if len(candidates) == 0:
            return sorted(seed)
        pool = candidates[np.lexsort((candidates, -scores[candidates]))]
        pool = pool[: max(count * params.candidates_per_pick, 30)]
        chosen = mmr_select(
            pool,
            scores,
            vectors,
            count - len(seed),
            params.mmr_trade_off,
            params.max_similarity,
            chosen=seed,
            owners=sentences.posts,
            max_per_owner=params.max_per_post,
        )
        return sorted([*seed, *chosen])

    def best_sentence(post_id: int, prefer_question: bool = False) -> int | None:
        indices = sentences.by_post.get(post_id, [])
        if any(informative[i] for i in indices):
            indices = [i for i in indices if informative[i]]
        if prefer_question and any(sentences.texts[i].rstrip().endswith("?") for i in indices):
            indices = [i for i in indices if sentences.texts[i].rstrip().endswith("?")]
        if not indices:
            return None
        return max(indices, key=lambda i: (salience[i], -i))

    def not_repeating(index: int, shown: list[int]) -> bool:
        if not shown:
            return True
        similarity = vectors[shown] @ vectors[index].T
        return similarity.max() < params.max_similarity if similarity.nnz else True

    def extract(index: int) -> Extract:
        return Extract(sentences.texts[index], int(sentences.posts[index]))

    # Sentences with under `min_terms` content words ("When not told to, it doesn't.")
    # stay in the graph but are not quoted where a fuller sentence will do; LexRank
    # otherwise favours them, as a short vector is close to anything sharing a word.
    terms = np.diff(vectors.indptr)
    informative = terms >= params.min_terms
    everything = (
        np.flatnonzero(informative) if informative.sum() >= params.brief_min else np.arange(n)
    )
    # The brief opens with the opening post's central sentence: a debate summarised
    # without the claim it is about reads as a list of replies to nothing.
    brief_count = min(params.brief_max, max(params.brief_min, n // 10))
    opening = best_sentence(snapshot.root)
    seed = [opening] if opening is not None else []
    brief = tuple(extract(i) for i in pick(everything, salience, brief_count, seed))

    total_clustered = sum(group.size for group in thread_map.groups)
    camps = []
    for group in thread_map.groups:
        if group.size < params.min_camp_size:
            continue
        shares = dict(group.agreed_posts)
        indices = np.array(
            [i for post, _ in group.agreed_posts for i in sentences.by_post.get(post, [])],
            dtype=np.int64,
        )
        chosen: list[int] = []
        if len(indices):
            # LexRank again, within what this group agrees with: the centre of its view.
            local = np.zeros(n)
            local[indices] = lexrank(graph[indices][:, indices], params.damping)
            posts_with_text = len({int(sentences.posts[i]) for i in indices})
            count = min(params.camp_max, max(params.camp_min, posts_with_text))
            fuller = indices[informative[indices]]
            chosen = pick(fuller if len(fuller) >= count else indices, local, count)
        camps.append(
            CampSummary(
                group=group.id,
                share=group.size / total_clustered if total_clustered else 0.0,
                sentences=tuple(extract(i) for i in chosen),
                agree_shares=tuple(shares[int(sentences.posts[i])] for i in chosen),
            )
        )

    replies: dict[int, list[PostInput]] = {}
    for post in snapshot.posts:
        if post.parent is not None and not post.removed:
            replies.setdefault(post.parent, []).append(post)
    strength = thread_map.strength

    def strongest_reply(post_id: int, roles: frozenset[str]) -> Extract | None:
        candidates = [reply for reply in replies.get(post_id, []) if reply.role in roles]
        candidates.sort(key=lambda reply: (-strength.get(reply.id, 0.0), reply.id))
        for reply in candidates:
            index = best_sentence(reply.id)
            if index is not None:
                return extract(index)
        return None

    cruxes = []
    for crux in thread_map.cruxes[: params.top_cruxes]:
        central = best_sentence(crux.post)
        cruxes.append(
            CruxSummary(
                post=crux.post,
                text=sentences.texts[central] if central is not None else None,
                support=strongest_reply(crux.post, SUPPORT_ROLES),
                rebuttal=strongest_reply(crux.post, ATTACK_ROLES),
                by_group=crux.by_group,
            )
        )

    common: list[int] = []
    for agreed in thread_map.consensus:
        index = best_sentence(agreed.post)
        if index is not None and not_repeating(index, common):
            common.append(index)

    open_items: list[OpenSummary] = []
    shown: list[int] = []
    for item in thread_map.open:
        if len(open_items) >= params.max_open:
            break
        index = best_sentence(item.post, prefer_question=item.kind == "unanswered_question")
        if index is not None:
            if not_repeating(index, shown):
                shown.append(index)
                open_items.append(OpenSummary(sentences.texts[index], item.post, item.kind))
        elif sentences.short_by_post.get(item.post):
            # A short question ("Source?") is still the question; show it whole.
            text = sentences.short_by_post[item.post][0]
            open_items.append(OpenSummary(text, item.post, item.kind))
    lap("select", mark)
    timings["total"] = time.perf_counter() - started
    return ThreadSummary(
        status="ok",
        reason=None,
        brief=brief,
        groups=tuple(camps),
        cruxes=tuple(cruxes),
        common_ground=tuple(extract(i) for i in common),
        open=tuple(open_items),
        timings=timings,
    )


__all__ = [
    "DEFAULT_SUMMARY_PARAMS",
    "CampSummary",
    "CruxSummary",
    "Extract",
    "OpenSummary",
    "SummaryParams",
    "ThreadSummary",
    "own_sentences",
    "summarize_thread",
    "thread_order",
]
