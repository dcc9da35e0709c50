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

`summarize_thread` takes the `ThreadMap` dataclass (not its JSON): camp summaries need
the groups' most-agreed posts, which the map keeps in memory only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .attribution import OwnSentences, citable, own_sentences, thread_order
from .brief import debate_brief, engagement
from .lexrank import lexrank, mmr_select, similarity_graph, tfidf_vectors
from .sentences import strip_footnotes
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
# A post's first sentence of its own usually states its point (the "lead" of news
# summarisation); it wins over a later sentence up to 1.5× as central.
LEAD_WEIGHT = 1.5
_COMPLETE = re.compile(r"[.!?…][\"'”’)\]]*$")


def _complete(sentence: str) -> bool:
    """Ends like a sentence and is not a bracketed aside."""
    return bool(_COMPLETE.search(sentence)) and not sentence.startswith(("(", "["))


@dataclass(frozen=True)
class Extract:
    text: str  # verbatim slice of the cited post's own text
    post: int
    # Brief items only: the line of the argument the sentence stands for —
    # opening | objection | support | reply | answer | concession | conceded.
    line: str | None = None
    # Common ground only: who agrees with the post, besides its author (from the map).
    supporters: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "post": self.post}
        if self.line is not None:
            data["line"] = self.line
        if self.supporters is not None:
            data["supporters"] = list(self.supporters)
        return data


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


@dataclass(frozen=True, eq=False)
class _Ranked:
    """TF-IDF vectors, the similarity graph and LexRank salience of the sentences."""

    vectors: sp.csr_matrix
    graph: sp.csr_matrix
    salience: np.ndarray
    informative: np.ndarray  # at least `min_terms` content words


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


def _rank(sentences: OwnSentences, params: SummaryParams) -> _Ranked:
    vectors = tfidf_vectors([strip_footnotes(text) for text in sentences.texts])
    graph = similarity_graph(vectors, params.similarity_threshold)
    salience = lexrank(graph, params.damping)
    # Sentences with under `min_terms` content words ("When not told to, it doesn't.")
    # stay in the graph but are not quoted where a fuller sentence will do; LexRank
    # otherwise favours them, as a short vector is close to anything sharing a word.
    informative = np.diff(vectors.indptr) >= params.min_terms
    return _Ranked(vectors, graph, salience, informative)


class _Sections:
    """The choices every section shares: the best unused sentence of a post, and the
    rule that no sentence is quoted in two sections (or twice in one)."""

    def __init__(
        self, sentences: OwnSentences, ranked: _Ranked, params: SummaryParams, placeholders: set
    ) -> None:
        self.sentences = sentences
        self.ranked = ranked
        self.params = params
        self.placeholders = placeholders
        self.used: set[int] = set()

    def key_sentence(self, post_id: int, prefer_question: bool = False) -> int | None:
        """The post's unused sentence repliers quoted most, then the most central one."""
        indices = [i for i in self.sentences.by_post.get(post_id, []) if i not in self.used]
        if any(self.ranked.informative[i] for i in indices):
            indices = [i for i in indices if self.ranked.informative[i]]
        if prefer_question and any(self.sentences.texts[i].rstrip().endswith("?") for i in indices):
            indices = [i for i in indices if self.sentences.texts[i].rstrip().endswith("?")]
        if not indices:
            return None
        quoted, salience, texts = self.sentences.quoted, self.ranked.salience, self.sentences.texts
        lead = self.sentences.by_post[post_id][0]
        # A complete sentence before a fragment (a list item, a heading): "Assume have
        # some ML system" is central to nothing but shares the thread's commonest words.
        return max(
            indices,
            key=lambda i: (
                int(quoted[i]),
                _complete(texts[i]),
                salience[i] * (LEAD_WEIGHT if i == lead else 1.0),
                -i,
            ),
        )

    def asks(self, post_id: int) -> bool:
        """Whether the post has a question among its own sentences."""
        texts = self.sentences.texts
        return any(texts[i].rstrip().endswith("?") for i in self.sentences.by_post.get(post_id, []))

    def not_repeating(self, index: int, also: Collection[int] = ()) -> bool:
        """Not a near-repeat (cosine ≥ max_similarity) of a sentence already quoted
        (or of `also`)."""
        if index in self.used or index in also:
            return False
        if not self.used and not also:
            return True
        shown = sorted({*self.used, *also})
        similarity = self.ranked.vectors[shown] @ self.ranked.vectors[index].T
        return similarity.max() < self.params.max_similarity if similarity.nnz else True

    def take(self, index: int) -> Extract:
        self.used.add(index)
        return Extract(self.sentences.texts[index], int(self.sentences.posts[index]))

    def pick(self, candidates: np.ndarray, scores: np.ndarray, count: int) -> list[int]:
        """MMR over the most salient unused candidates, away from everything already
        quoted; the result in thread order."""
        candidates = np.array([i for i in candidates if i not in self.used], dtype=np.int64)
        if len(candidates) == 0:
            return []
        pool = candidates[np.lexsort((candidates, -scores[candidates]))]
        pool = pool[: max(count * self.params.candidates_per_pick, 30)]
        chosen = mmr_select(
            pool,
            scores,
            self.ranked.vectors,
            count,
            self.params.mmr_trade_off,
            self.params.max_similarity,
            owners=self.sentences.posts,
            max_per_owner=self.params.max_per_post,
            avoid=sorted(self.used),
        )
        return sorted(chosen)


def _brief(
    snapshot: ThreadSnapshot, sections: _Sections, params: SummaryParams
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
    snapshot: ThreadSnapshot, thread_map: ThreadMap, sections: _Sections, params: SummaryParams
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


def _common_ground(thread_map: ThreadMap, sections: _Sections) -> tuple[Extract, ...]:
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
    thread_map: ThreadMap, sections: _Sections, params: SummaryParams
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
    thread_map: ThreadMap, sections: _Sections, params: SummaryParams
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
    ranked = _rank(sentences, params)
    clock.lap("rank")
    placeholders = {post.id for post in snapshot.posts if post.placeholder}
    sections = _Sections(sentences, ranked, params, placeholders)
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
