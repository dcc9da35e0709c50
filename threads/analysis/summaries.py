"""Extractive, cited summaries of a thread.

Nothing is written here that a participant did not write: every extract is a verbatim
sentence of the post it cites, and only of words that post wrote itself — not its
quote of the parent, its block quotes, or a line it pasted from a post above it (see
`attribution.py`). Banter, thanks and talk about the conversation never enter
(`sentences.is_banter`), nor does the importer's stand-in opening post.

Sections, each quoting sentences no other section quotes (claimed in the order
cruxes, brief, common ground, open items, camps):

- the debate in brief: the opening claim, the most-engaged objections with the
  answers they got, and what was conceded (`brief.py`), in reading order, each item
  labelled with its `line`;
- each top crux with its strongest support and rebuttal by DF-QuAD strength;
- common ground (one sentence per consensus post);
- open questions and unanswered objections, most visible first;
- one section per opinion group with at least 3 members: LexRank (TF-IDF cosine graph
  ≥ 0.1, damping 0.85) restricted to the posts the group agrees with most, then MMR
  (λ 0.7, never two sentences ≥ 0.8 alike), in thread order.

When there is too little to say the summary says so, in a sentence (`reason`).

The ranking of sentences and the choices every section shares (a post's key sentence,
MMR picks, nothing quoted twice) are `selection.py`; this module assembles the sections.

`summarize_thread` takes the `ThreadMap` dataclass (not its JSON): camp summaries need
the groups' most-agreed posts, which the map keeps in memory only.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .attribution import OwnSentences, citable, own_sentences, thread_order
from .brief import debate_brief, engagement
from .lexrank import lexrank
from .selection import Extract, Sections, rank_sentences
from .snapshot import ATTACK_ROLES, SUPPORT_ROLES, PostInput, ThreadSnapshot
from .thread_map import ThreadMap


@dataclass(frozen=True)
class SummaryParams:
    min_words: int = 4  # shorter fragments ("Agree.", "Well put.") carry no content
    # Below this many sentences that make a point the summary says there is too little
    # to summarise instead of padding.
    min_sentences: int = 5
    min_participants: int = 2
    similarity_threshold: float = 0.1
    damping: float = 0.85
    mmr_trade_off: float = 0.7
    max_similarity: float = 0.8
    brief_max: int = 8
    brief_objections: int = 3  # each followed by the best answer it got
    brief_concessions: int = 2
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


class _Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.mark = self.started
        self.timings: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = self.timings.get(step, 0.0) + now - self.mark
        self.mark = now

    def done(self) -> dict[str, float]:
        self.timings["total"] = time.perf_counter() - self.started
        return self.timings


def _too_little_reason(
    thread_map: ThreadMap, sentences: OwnSentences, params: SummaryParams
) -> str | None:
    """Why there is nothing worth summarising yet, in plain words; None if there is."""
    if thread_map.participants < params.min_participants:
        who = "Nobody has" if thread_map.participants == 0 else "Only one person has"
        return f"{who} taken part so far; a summary needs at least {params.min_participants}."
    n = len(sentences.texts)
    if n < params.min_sentences:
        what = "no sentence" if n == 0 else "one sentence" if n == 1 else f"only {n} sentences"
        return (
            f"The thread has {what} making a point of its own so far (thanks, agreement "
            f"and quotes of others do not count); a summary needs at least "
            f"{params.min_sentences}."
        )
    return None


def _brief(
    snapshot: ThreadSnapshot, sections: Sections, params: SummaryParams
) -> tuple[Extract, ...]:
    sentences = sections.sentences
    chosen: list[int] = []

    def fresh(index: int, pending: Sequence[int]) -> bool:
        return sections.not_repeating(index, also=[*chosen, *pending])

    lines = debate_brief(
        snapshot,
        sentences,
        engagement(snapshot, sentences),
        sections.key_sentence,
        fresh,
        chosen,
        max_lines=params.brief_max,
        max_objections=params.brief_objections,
        max_concessions=params.brief_concessions,
    )
    brief = []
    for line in lines:
        taken = sections.take(line.index)
        brief.append(Extract(taken.text, taken.post, line.line))
    return tuple(brief)


def _cruxes(
    snapshot: ThreadSnapshot, thread_map: ThreadMap, sections: Sections, params: SummaryParams
) -> tuple[CruxSummary, ...]:
    replies: dict[int, list[PostInput]] = {}
    for post in snapshot.posts:
        if post.parent is not None and citable(post):
            replies.setdefault(post.parent, []).append(post)
    strength = thread_map.strength

    def strongest_reply(post_id: int, roles: frozenset[str]) -> Extract | None:
        candidates = [reply for reply in replies.get(post_id, []) if reply.role in roles]
        candidates.sort(key=lambda reply: (-strength.get(reply.id, 0.0), reply.id))
        for reply in candidates:
            index = sections.key_sentence(reply.id)
            if index is not None:
                return sections.take(index)
        return None

    found: list[CruxSummary] = []
    for crux in thread_map.cruxes:
        if len(found) >= params.top_cruxes:
            break
        if crux.post in sections.placeholders:
            continue
        central = sections.key_sentence(crux.post)
        found.append(
            CruxSummary(
                post=crux.post,
                text=sections.take(central).text if central is not None else None,
                support=strongest_reply(crux.post, SUPPORT_ROLES),
                rebuttal=strongest_reply(crux.post, ATTACK_ROLES),
                by_group=crux.by_group,
            )
        )
    return tuple(found)


def _common_ground(thread_map: ThreadMap, sections: Sections) -> tuple[Extract, ...]:
    common = []
    for agreed in thread_map.consensus:
        index = sections.key_sentence(agreed.post)
        if index is not None and sections.not_repeating(index):
            taken = sections.take(index)
            # The map names the evidence behind each common-ground post; maps computed
            # before it did carry none.
            supporters = tuple(getattr(agreed, "supporters", ()))
            common.append(Extract(taken.text, taken.post, supporters=supporters))
    return tuple(common)


def _open_items(
    thread_map: ThreadMap, sections: Sections, params: SummaryParams
) -> tuple[OpenSummary, ...]:
    open_items: list[OpenSummary] = []
    shown_short: set[str] = set()
    for item in thread_map.open:
        if len(open_items) >= params.max_open:
            break
        if item.post in sections.placeholders:
            continue
        question = item.kind == "unanswered_question"
        if sections.sentences.by_post.get(item.post):
            # Shown already in another section: listing a weaker sentence of the same
            # post instead would only read as a different point.
            index = sections.key_sentence(item.post, prefer_question=question)
            if index is not None and question and not sections.sentences.texts[index].endswith("?"):
                index = None if sections.asks(item.post) else index
            if index is not None and sections.not_repeating(index):
                open_items.append(OpenSummary(sections.take(index).text, item.post, item.kind))
        elif sections.sentences.short_by_post.get(item.post):
            # A short question ("Source?") is still the question; show it whole.
            text = sections.sentences.short_by_post[item.post][0]
            if text not in shown_short:
                shown_short.add(text)
                open_items.append(OpenSummary(text, item.post, item.kind))
    return tuple(open_items)


def _camps(
    thread_map: ThreadMap, sections: Sections, params: SummaryParams
) -> tuple[CampSummary, ...]:
    sentences, ranked = sections.sentences, sections.ranked
    n = len(sentences.texts)
    total_clustered = sum(group.size for group in thread_map.groups)
    camps = []
    for group in thread_map.groups:
        if group.size < params.min_camp_size:
            continue
        shares = dict(group.agreed_posts)
        indices = np.array(
            [
                i
                for post, _ in group.agreed_posts
                if post not in sections.placeholders
                for i in sentences.by_post.get(post, [])
            ],
            dtype=np.int64,
        )
        chosen: list[int] = []
        if len(indices):
            # LexRank again, within what this group agrees with: the centre of its view.
            local = np.zeros(n)
            local[indices] = lexrank(ranked.graph[indices][:, indices], params.damping)
            posts_with_text = len({int(sentences.posts[i]) for i in indices})
            count = min(params.camp_max, max(params.camp_min, posts_with_text))
            fuller = indices[ranked.informative[indices]]
            chosen = sections.pick(fuller if len(fuller) >= count else indices, local, count)
        camps.append(
            CampSummary(
                group=group.id,
                share=group.size / total_clustered if total_clustered else 0.0,
                sentences=tuple(sections.take(i) for i in chosen),
                agree_shares=tuple(shares[int(sentences.posts[i])] for i in chosen),
            )
        )
    return tuple(camps)


def summarize_thread(
    snapshot: ThreadSnapshot,
    thread_map: ThreadMap,
    params: SummaryParams = DEFAULT_SUMMARY_PARAMS,
) -> ThreadSummary:
    """Cited extractive summary of the thread, organised by the map's groups and cruxes.

    Steps: split into each post's own sentences → say so plainly if there is too
    little → rank (TF-IDF, LexRank) → the sections, in the order they claim sentences:
    cruxes, brief, common ground, open items, camps.
    """
    clock = _Clock()
    sentences = own_sentences(snapshot.posts, params.min_words)
    clock.lap("split")
    reason = _too_little_reason(thread_map, sentences, params)
    if reason is not None:
        return ThreadSummary(status="too_little", reason=reason, timings=clock.done())
    ranked = rank_sentences(sentences, params)
    clock.lap("rank")
    placeholders = {post.id for post in snapshot.posts if post.placeholder}
    sections = Sections(sentences, ranked, params, placeholders)
    # Cruxes first: a crux is named by its own sentence, while the brief can tell the
    # same line of argument in another sentence or pass on to the next line.
    cruxes = _cruxes(snapshot, thread_map, sections, params)
    brief = _brief(snapshot, sections, params)
    common_ground = _common_ground(thread_map, sections)
    open_items = _open_items(thread_map, sections, params)
    camps = _camps(thread_map, sections, params)
    # h13: a "most-credited posts" section (posts whose credences moved people) goes
    # here, choosing its sentences through `sections` so none repeats another section.
    clock.lap("select")
    return ThreadSummary(
        status="ok",
        reason=None,
        brief=brief,
        groups=camps,
        cruxes=cruxes,
        common_ground=common_ground,
        open=open_items,
        timings=clock.done(),
    )


__all__ = [
    "DEFAULT_SUMMARY_PARAMS",
    "CampSummary",
    "CruxSummary",
    "Extract",
    "OpenSummary",
    "SummaryParams",
    "ThreadSummary",
    "citable",
    "own_sentences",
    "summarize_thread",
    "thread_order",
]
