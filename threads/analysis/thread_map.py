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

from .cruxes import consensus_columns, crux_scores
from .graph import base_scores, claim_strength, open_posts, reply_edges
from .groups import (
    agreed_columns,
    group_counts,
    opinion_groups,
    representative_columns,
    representativeness,
)
from .snapshot import DEFAULT_PARAMS, AnalysisParams, ThreadSnapshot
from .stances import build_stances
from .stated import declared_crux_share, merge_credences

# Bump when a change to the maths changes results for the same input, so stored maps
# computed by an older version can be recognised and recomputed.
ALGORITHM_VERSION = "crux-map-1"


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
            "consensus": [{"post": c.post, "score": _r(c.score)} for c in self.consensus],
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
        groups = []
        for g in range(clustering.n_groups):
            members = clustering.clustered[clustering.labels == g]
            representative = tuple(
                RepresentativePost(
                    post=int(column_post[c]),
                    direction="agree" if rep.direction[g, c] > 0 else "disagree",
                    agree_share=_share(counts.agree[g, c], counts.seen[g, c]),
                )
                for c in representative_columns(rep, counts, g, params.max_representative)
            )
            agreed = tuple(
                (int(column_post[c]), float(counts.agree[g, c] / counts.seen[g, c]))
                for c in agreed_columns(rep, counts, g, params.max_agreed_posts)
            )
            groups.append(
                Group(
                    id=group_letter(g),
                    size=len(members),
                    members=tuple(names[i] for i in members),
                    representative=representative,
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
        root_index = next((i for i, post in enumerate(posts) if post.id == snapshot.root), -1)
        root_column = int(stances.column_of_post[root_index]) if root_index >= 0 else -1
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
            )
        )
        # Common ground of fewer people than could form groups is not common ground.
        consensus = (
            tuple(
                ConsensusPost(post=int(column_post[c]), score=score)
                for c, score in consensus_columns(counts, params)
            )
            if len(clustering.clustered) >= params.min_group_participants
            else ()
        )
    with clock.step("strength"):
        base = base_scores(stances.explicit_agree, stances.explicit_disagree, params.wilson_z)
        removed = np.array([post.removed for post in posts], dtype=bool)
        sigma = claim_strength(posts, base, contributes=~removed)
        strength = {post.id: float(sigma[i]) for i, post in enumerate(posts)}
        open_items = tuple(
            OpenItem(post=post_id, kind=kind)
            for post_id, kind in open_posts(posts, sigma, params.open_min_strength, params.wilson_z)
        )
        edges = tuple(Edge(s, t, kind) for s, t, kind in reply_edges(posts))
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
        params=params,
    )
