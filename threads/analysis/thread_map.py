"""`analyze_thread`: a thread snapshot in, its disagreement map out.

The map is a frozen dataclass; `ThreadMap.to_json()` is the dict the Django side stores
(it adds thread, status, computed_at and watermark). Summaries take the dataclass, not
the JSON, because they also use each group's most-agreed posts, which the map keeps in
memory but does not serialise; run them in the same task as the map.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .bridging import fit_bridging
from .cruxes import consensus_columns, crux_scores, looks_like_question
from .graph import base_scores, claim_strength, open_posts, reply_edges
from .groups import (
    Clustering,
    agreed_columns,
    group_counts,
    opinion_groups,
    representative_columns,
    representativeness,
)
from .snapshot import DEFAULT_PARAMS, AnalysisParams, ThreadSnapshot
from .stances import IMPLIED, OWN, STATED, StanceMatrix, build_stances
from .stated import declared_crux_share, merge_credences

# Bump when a change to the maths changes results for the same input, so stored maps
# computed by an older version can be recognised and recomputed.
ALGORITHM_VERSION = "crux-map-2"


def group_letter(number: int) -> str:
    return chr(ord("A") + number)


def _r(value: float) -> float:
    return round(float(value), 4)


@dataclass(frozen=True)
class RepresentativePost:
    post: int
    direction: str  # "agree" | "disagree"
    agree_share: float | None  # A / S among the group's members who saw it


@dataclass(frozen=True)
class Group:
    id: str
    size: int
    members: tuple[str, ...]
    representative: tuple[RepresentativePost, ...]
    # Mean share of its members' pairs that stay together when the groups are refitted
    # on subsamples of participants (1.0 for a single group).
    stability: float = 1.0
    # (post, agree share) the group agrees with most; used by camp summaries, not
    # serialised.
    agreed_posts: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class ParticipantPoint:
    participant: str
    x: float
    y: float
    group: str | None  # None: too few stances to be clustered


@dataclass(frozen=True)
class Crux:
    post: int
    score: float
    double: bool
    by_group: tuple[tuple[str, float | None], ...]  # (group, agree share)


@dataclass(frozen=True)
class ConsensusPost:
    post: int
    score: float  # geometric-mean group-informed consensus
    supporters: tuple[str, ...] = ()  # who agrees, besides the author


@dataclass(frozen=True)
class BridgingPost:
    post: int
    score: float  # the post's intercept after the camp factor is taken out
    factor: float  # its loading on the camp axis
    votes: int  # quality votes it was fitted from
    valued_across_groups: bool


@dataclass(frozen=True)
class OpenItem:
    post: int
    kind: str  # unanswered_rebuttal | unanswered_claim | unanswered_question


@dataclass(frozen=True)
class Edge:
    source: int  # the reply
    target: int  # the post it answers
    kind: str  # attack | support | neutral


@dataclass(frozen=True)
class ThreadMap:
    thread_id: int
    root: int
    participants: int  # people with at least one stance (the points on the map)
    groups: tuple[Group, ...]
    points: tuple[ParticipantPoint, ...]
    cruxes: tuple[Crux, ...]
    consensus: tuple[ConsensusPost, ...]
    strength: dict[int, float]  # post id -> DF-QuAD σ, every post incl. removed ones
    open: tuple[OpenItem, ...]
    edges: tuple[Edge, ...]
    timings: dict[str, float]
    counts: dict[str, int]
    single_group_reason: str | None
    bridging: tuple[BridgingPost, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)
    params: AnalysisParams = field(default=DEFAULT_PARAMS)
    version: str = ALGORITHM_VERSION

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict: ints as ints, floats to 4 dp, groups named "A", "B"…"""
        return {
            "participants": self.participants,
            "groups": [
                {
                    "id": group.id,
                    "size": group.size,
                    "stability": _r(group.stability),
                    "members": list(group.members),
                    "representative": [
                        {
                            "post": rep.post,
                            "direction": rep.direction,
                            "agree_share": None if rep.agree_share is None else _r(rep.agree_share),
                        }
                        for rep in group.representative
                    ],
                }
                for group in self.groups
            ],
            "points": [
                {"participant": p.participant, "x": _r(p.x), "y": _r(p.y), "group": p.group}
                for p in self.points
            ],
            "cruxes": [
                {
                    "post": crux.post,
                    "score": _r(crux.score),
                    "double": crux.double,
                    "by_group": {g: None if s is None else _r(s) for g, s in crux.by_group},
                }
                for crux in self.cruxes
            ],
            "consensus": [
                {"post": c.post, "score": _r(c.score), "supporters": list(c.supporters)}
                for c in self.consensus
            ],
            "bridging": [
                {
                    "post": b.post,
                    "score": _r(b.score),
                    "factor": _r(b.factor),
                    "votes": b.votes,
                    "valued_across_groups": b.valued_across_groups,
                }
                for b in self.bridging
            ],
            "evidence": self.evidence,
            "strength": {str(post): _r(sigma) for post, sigma in self.strength.items()},
            "open": [{"post": item.post, "kind": item.kind} for item in self.open],
            "timings": {step: _r(seconds) for step, seconds in self.timings.items()},
            "algorithm": {"version": self.version, "params": dataclasses.asdict(self.params)},
            "counts": dict(self.counts),
            "single_group_reason": self.single_group_reason,
            "edges": [{"source": e.source, "target": e.target, "kind": e.kind} for e in self.edges],
        }


class _Stopwatch:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = time.perf_counter() - start


def _share(agree: float, seen: float) -> float | None:
    return agree / seen if seen > 0 else None


def analyze_thread(snapshot: ThreadSnapshot, params: AnalysisParams = DEFAULT_PARAMS) -> ThreadMap:
    """Disagreement map of one thread: groups, cruxes, consensus, strength, open items."""
    # One BLAS/OpenMP thread whatever the worker's environment says: on small matrices
    # extra threads only add start-up cost, and with two threads on two busy cores
    # k-means timings jittered tenfold. (threadpoolctl is a dependency of scikit-learn.)
    with threadpool_limits(limits=1):
        return _analyze(snapshot, params)


def _analyze(snapshot: ThreadSnapshot, params: AnalysisParams) -> ThreadMap:
    clock = _Stopwatch()
    started = time.perf_counter()
    posts = snapshot.posts

    with clock.step("stances"):
        stances, sources = merge_credences(
            build_stances(snapshot),
            snapshot.credences,
            vote_participant=snapshot.vote_participant,
            vote_post=snapshot.vote_post,
        )
    with clock.step("groups"):
        clustering = opinion_groups(stances, params)
    with clock.step("repness"):
        counts = group_counts(stances, clustering)
        rep = representativeness(counts, params.repness_z)
        column_post = stances.post_ids[stances.live_columns]
        names = stances.participants
        live_posts = [posts[i] for i in stances.live_columns]
        question = np.array([looks_like_question(p.role, p.text) for p in live_posts], bool)
        flagged = np.array([p.flagged for p in live_posts], bool)
        # A group's representative is a claim nobody flagged for quality or fallacy.
        representable = ~question & ~flagged
        groups = []
        for g in range(clustering.n_groups):
            members = clustering.clustered[clustering.labels == g]
            representative = tuple(
                RepresentativePost(
                    post=int(column_post[c]),
                    direction="agree" if rep.direction[g, c] > 0 else "disagree",
                    agree_share=_share(counts.agree[g, c], counts.seen[g, c]),
                )
                for c in representative_columns(
                    rep, counts, g, params.max_representative, representable
                )
            )
            agreed = tuple(
                (int(column_post[c]), float(counts.agree[g, c] / counts.seen[g, c]))
                for c in agreed_columns(rep, counts, g, params.max_agreed_posts, representable)
            )
            groups.append(
                Group(
                    id=group_letter(g),
                    size=len(members),
                    members=tuple(names[i] for i in members),
                    representative=representative,
                    stability=float(clustering.stability[g]) if clustering.n_groups > 1 else 1.0,
                    agreed_posts=agreed,
                )
            )
        points = tuple(
            ParticipantPoint(
                participant=names[i],
                x=float(clustering.points[j, 0]),
                y=float(clustering.points[j, 1]),
                group=group_letter(int(clustering.point_groups[j]))
                if clustering.point_groups[j] >= 0
                else None,
            )
            for j, i in enumerate(clustering.active)
        )
    with clock.step("cruxes"):
        # Supporters and opposers of each post: everyone but its author, from stated
        # stances and those implied by replies (never the author's own).
        author_row = {name: i for i, name in enumerate(names)}
        column_author = np.array([author_row[p.author] for p in live_posts], dtype=np.int64)
        counted = stances.counted & (stances.rows != column_author[stances.cols])
        supporters = np.bincount(
            stances.cols[counted & (stances.values == 1)], minlength=stances.n_columns
        )
        opposers = np.bincount(
            stances.cols[counted & (stances.values == -1)], minlength=stances.n_columns
        )
        # An objection or question nobody has answered is open, not common ground,
        # however many agree with it: one badge never contradicts another.
        unanswered = open_posts(posts, params.wilson_z)
        contested = {post_id for post_id, kind in unanswered if kind != "unanswered_claim"}
        undisputed = representable & ~np.isin(column_post, list(contested))
        common = consensus_columns(counts, params, supporters, opposers, undisputed)
        common_set = {c for c, _ in common}
        backing = counted & (stances.values == 1) & np.isin(stances.cols, list(common_set))
        who_backs: dict[int, list[str]] = {}
        for row, col in zip(stances.rows[backing], stances.cols[backing], strict=True):
            who_backs.setdefault(int(col), []).append(names[row])
        consensus = tuple(
            ConsensusPost(
                post=int(column_post[c]), score=score, supporters=tuple(sorted(who_backs[c]))
            )
            for c, score in common
        )
        root_index = next((i for i, post in enumerate(posts) if post.id == snapshot.root), -1)
        root_column = int(stances.column_of_post[root_index]) if root_index >= 0 else -1
        # A crux is a claim that divides; a question or common ground is not one.
        crux_eligible = ~question
        crux_eligible[list(common_set)] = False
        cruxes = tuple(
            Crux(
                post=int(column_post[found.column]),
                score=found.score,
                double=found.double,
                by_group=tuple(
                    (
                        group_letter(g),
                        _share(counts.agree[g, found.column], counts.seen[g, found.column]),
                    )
                    for g in range(clustering.n_groups)
                ),
            )
            for found in crux_scores(
                stances,
                clustering,
                counts,
                root_column,
                params,
                declared=declared_crux_share(snapshot.reactions, column_post),
                eligible=crux_eligible,
            )
        )
    with clock.step("strength"):
        base = base_scores(stances.explicit_agree, stances.explicit_disagree, params.wilson_z)
        removed = np.array([post.removed for post in posts], dtype=bool)
        sigma = claim_strength(posts, base, contributes=~removed)
        strength = {post.id: float(sigma[i]) for i, post in enumerate(posts)}
        # A claim nobody replied to but everyone accepts is common ground, not open.
        agreed_posts = {c.post for c in consensus}
        open_items = tuple(
            OpenItem(post=post_id, kind=kind)
            for post_id, kind in unanswered
            if post_id not in agreed_posts
        )
        edges = tuple(Edge(s, t, kind) for s, t, kind in reply_edges(posts))
    with clock.step("bridging"):
        bridging = _bridging(snapshot, stances, clustering, params)

    stated = int((stances.sources == STATED).sum())
    evidence = {
        "stated_stances": stated,
        "implied_stances": int((stances.sources == IMPLIED).sum()),
        "own_post_stances": int((stances.sources == OWN).sum()),
        "participants_with_a_stance": len(clustering.active),
        "participants_clustered": len(clustering.clustered),
        "groups_shown": clustering.n_groups,
        "groups_reason": clustering.reason
        or (
            f"{clustering.n_groups} groups: each predicts hidden votes better than one "
            f"fewer and stays together on refits (stability ≥ {params.min_group_stability:.2f})."
        ),
        "held_out_gain": [_r(gain) for gain in clustering.held_out_gain],
        "min_group_stability": params.min_group_stability,
        "common_ground_rule": (
            f"at least {params.min_supporters} supporters besides the author, more for than "
            "against, and a majority in every group"
        ),
    }
    clock.timings["total"] = time.perf_counter() - started

    return ThreadMap(
        thread_id=snapshot.thread_id,
        root=snapshot.root,
        participants=len(clustering.active),
        groups=tuple(groups),
        points=points,
        cruxes=cruxes,
        consensus=consensus,
        strength=strength,
        open=open_items,
        edges=edges,
        timings=clock.timings,
        counts={
            "participants": stances.n_participants,
            "active_participants": len(clustering.active),
            "clustered_participants": len(clustering.clustered),
            "posts": len(posts),
            "live_posts": stances.n_columns,
            "votes": stances.explicit_votes,
            "stances": len(stances.values),
            "stated_stances": sources.stated,
            "implied_stances": sources.implied,
            "credences": sources.credences,
        },
        single_group_reason=clustering.reason,
        bridging=bridging,
        evidence=evidence,
        params=params,
    )


def _bridging(
    snapshot: ThreadSnapshot,
    stances: StanceMatrix,
    clustering: Clustering,
    params: AnalysisParams,
) -> tuple[BridgingPost, ...]:
    """Bridging scores of the posts with enough quality votes; only with 2+ groups,
    where there are camps for a post to bridge."""
    if clustering.n_groups < 2 or len(snapshot.quality_value) == 0:
        return ()
    # Start each rater's factor at their place on the map's main axis of disagreement.
    # Participants beyond the snapshot's list (post authors) never rate here: they
    # vote through the snapshot's participants, so indices line up.
    start = np.zeros(len(snapshot.participants))
    known = clustering.active < len(start)
    start[clustering.active[known]] = clustering.points[known, 0]
    order = np.argsort(stances.post_ids, kind="stable")
    sorted_ids = stances.post_ids[order]
    position = np.clip(np.searchsorted(sorted_ids, snapshot.quality_post), 0, len(order) - 1)
    known = sorted_ids[position] == snapshot.quality_post
    columns = stances.column_of_post[order[position[known]]]
    live = columns >= 0
    raters = snapshot.quality_participant[known][live].astype(np.int64)
    columns = columns[live]
    ups = (snapshot.quality_value[known][live] > 0).astype(np.int8)
    fit = fit_bridging(
        raters, columns, ups, len(snapshot.participants), stances.n_columns, params.seed, start
    )
    column_post = stances.post_ids[stances.live_columns]
    scored = np.flatnonzero(fit.votes >= params.bridging_min_votes)
    scored = scored[np.lexsort((scored, -fit.intercept[scored]))]
    return tuple(
        BridgingPost(
            post=int(column_post[c]),
            score=float(fit.intercept[c]),
            factor=float(fit.factor[c]),
            votes=int(fit.votes[c]),
            valued_across_groups=bool(
                fit.intercept[c] >= params.bridging_min_score
                and abs(fit.factor[c]) <= params.bridging_max_factor
            ),
        )
        for c in scored
    )
