"""The argument graph: typed reply edges, claim strength and open objections.

Claim strength is DF-QuAD gradual semantics (Rago, Toni, Aurisicchio & Baroni,
"Discontinuity-Free Decision Support with Quantitative Argumentation Debates",
KR 2016). Each post starts from a base score τ and is weakened by the aggregated
strength of its attackers (rebuttals) and strengthened by its supporters (supports,
concessions):

    F(v1..vn) = 1 − Π(1 − vi), F() = 0;  va = F(attackers), vs = F(supporters)
    σ = τ − τ·(va − vs)          if va ≥ vs
    σ = τ + (1 − τ)·(vs − va)     otherwise

The reply tree is acyclic, so one bottom-up pass suffices; it runs one numpy step per
depth level rather than one Python step per post.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .scores import wilson_lower_bounds
from .snapshot import ATTACK_ROLES, SUPPORT_ROLES, PostInput, edge_kind

_NEUTRAL, _ATTACK, _SUPPORT = 0, 1, 2


def reply_edges(posts: Sequence[PostInput]) -> list[tuple[int, int, str]]:
    """(reply, parent, kind) for every post whose parent is in the thread.

    Removed posts keep their edges so the tree stays connected around them.
    """
    ids = {post.id for post in posts}
    return [
        (post.id, post.parent, edge_kind(post.role))
        for post in posts
        if post.parent is not None and post.parent in ids
    ]


def _parents_and_depths(posts: Sequence[PostInput]) -> tuple[np.ndarray, np.ndarray]:
    index = {post.id: i for i, post in enumerate(posts)}
    parent = np.array(
        [index.get(post.parent, -1) if post.parent is not None else -1 for post in posts],
        dtype=np.int64,
    )
    children: list[list[int]] = [[] for _ in posts]
    for i, p in enumerate(parent):
        if p >= 0:
            children[p].append(i)
    depth = np.full(len(posts), -1, dtype=np.int64)
    frontier = [i for i in range(len(posts)) if parent[i] < 0]
    level = 0
    while frontier:
        depth[frontier] = level
        frontier = [c for i in frontier for c in children[i]]
        level += 1
    # A parent cycle cannot come from the database (replies point at older posts),
    # but if one is passed in, its posts are treated as unattached roots.
    stuck = depth < 0
    parent[stuck] = -1
    depth[stuck] = 0
    return parent, depth


def base_scores(agree: np.ndarray, disagree: np.ndarray, z: float) -> np.ndarray:
    """τ: Wilson lower bound of the agree share, 0.5 for a post nobody voted on."""
    voted = (agree + disagree) > 0
    return np.where(voted, wilson_lower_bounds(agree, disagree, z), 0.5)


def claim_strength(
    posts: Sequence[PostInput], base: np.ndarray, contributes: np.ndarray | None = None
) -> np.ndarray:
    """DF-QuAD strength σ of every post (by position in `posts`).

    `contributes[i]` False means post i does not act on its parent (used for removed
    posts: their argument is gone, though their own subtree is still scored).
    """
    n = len(posts)
    parent, depth = _parents_and_depths(posts)
    kind = np.array(
        [
            _ATTACK if post.role in ATTACK_ROLES else _SUPPORT if post.role in SUPPORT_ROLES else 0
            for post in posts
        ],
        dtype=np.int8,
    )
    if contributes is None:
        contributes = np.ones(n, dtype=bool)
    base = np.asarray(base, dtype=np.float64)
    keep_attack = np.ones(n)  # Π(1 − v) over attackers
    keep_support = np.ones(n)
    sigma = np.zeros(n)
    levels = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[levels], np.arange(int(depth.max(initial=0)) + 2))
    for level in range(len(bounds) - 2, -1, -1):
        nodes = levels[bounds[level] : bounds[level + 1]]
        va = 1.0 - keep_attack[nodes]
        vs = 1.0 - keep_support[nodes]
        tau = base[nodes]
        sigma[nodes] = np.where(va >= vs, tau - tau * (va - vs), tau + (1.0 - tau) * (vs - va))
        acting = nodes[(parent[nodes] >= 0) & contributes[nodes]]
        attackers = acting[kind[acting] == _ATTACK]
        supporters = acting[kind[acting] == _SUPPORT]
        np.multiply.at(keep_attack, parent[attackers], 1.0 - sigma[attackers])
        np.multiply.at(keep_support, parent[supporters], 1.0 - sigma[supporters])
    return sigma


def open_posts(posts: Sequence[PostInput], z: float) -> list[tuple[int, str]]:
    """(post id, kind) of what still needs an answer, most visible first.

    "Unanswered" means no live reply from anyone but the post's own author: an
    objection, a question or a claim that another participant replied to — with an
    answer, a concession, a counter-rebuttal or a comment — has been taken up. Votes
    never answer anything (a Disagree vote is not a reply), so strength is not a
    condition here. The importer's placeholder opening post is never open. Visibility
    is the Wilson lower bound of the post's quality votes, the order the thread page
    sorts by.
    """
    author = {post.id: post.author for post in posts}
    replied: set[int] = set()
    for post in posts:
        if post.removed or post.parent is None or post.parent not in author:
            continue
        if post.author != author[post.parent]:
            replied.add(post.parent)
    kinds = {"rebuttal": "unanswered_rebuttal", "question": "unanswered_question"}
    found: list[tuple[int, str, int]] = []
    for i, post in enumerate(posts):
        if not post.citable or post.id in replied:
            continue
        kind = kinds.get(post.role, "unanswered_claim" if post.role == "claim" else None)
        if kind:
            found.append((i, kind, post.id))
    if not found:
        return []
    positions = np.array([i for i, _, _ in found])
    up = np.array([posts[i].quality_up for i in positions])
    down = np.array([posts[i].quality_down for i in positions])
    visibility = wilson_lower_bounds(up, down, z)
    created = np.array([posts[i].created for i in positions])
    ids = np.array([post_id for _, _, post_id in found])
    order = np.lexsort((ids, created, -visibility))
    return [(found[k][2], found[k][1]) for k in order]
