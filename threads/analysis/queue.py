"""The rating queue: which post to ask a participant about next.

Computed once per analysis run, for everybody; each request then only filters out
what that participant cannot or need not rate (their own posts, what they already
rated, credenced or passed, what was removed since). After ALGORITHMS.md:

    priority(c) = w1 · Div*(c) · (1 − coverage(c))^γ    posts that split the groups
                + w2 · 1 / √(1 + joint(c))             cruxes whose position is unsure
                + w3 · new(c)                          a share of new posts

Div(c) = max_g p_g − min_g p_g with p_g = (A_g+1)/(A_g+D_g+2) over the current opinion
groups; before there are two groups, the overall split 1 − |2p − 1| takes its place
(a post everyone agrees with tells the map nothing). Div* shrinks it towards the mean
over the rated posts by its number of stated stances n: (n·Div + m·mean)/(n + m), so
a post that one person rated does not look maximally divisive by chance, and an
unseen post is expected to be as divisive as a typical one. coverage(c) = stated
stances on c / participants with any stance. joint(c) = participants with a side on
both c and the root claim: φ(c, root), which crux ranking rests on, has a standard
error of about 1/√n, so a post few people placed relative to the root is an
uncertain crux. new(c) = 1 for posts written since the previous queue. Questions
are not offered (they state nothing to agree with), nor removed posts.

The weights were chosen by simulation (bench/bench_queue.py: 3 planted camps, 150
people, 120 posts, 10 ratings each). γ = 0 there: the coverage factor pushed raters
off the posts already known to divide onto unseen ones, which thinned the overlap
between raters that clustering needs (mean ARI 0.82 with γ = 1, 0.88 with γ = 0);
"few stances" is left to the w2 term, and per-person coverage to the filter. γ stays
a parameter for threads where spreading attention matters more than the map.

Polis routes comments by a similar mix of "how much we would learn" and "how new";
this is implemented from that idea, no Polis code is used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .snapshot import ThreadSnapshot


@dataclass(frozen=True)
class QueueWeights:
    """w1, w2, w3, m (the stated stances the information estimate of a post is trusted
    as much as the typical post's), κ (group shares shrunk towards the post's overall
    share) and γ (see above)."""

    divisive: float = 1.0
    uncertain: float = 0.1
    new: float = 0.25
    prior_stances: float = 5.0
    group_prior: float = 5.0
    coverage_power: float = 0.0


DEFAULT_WEIGHTS = QueueWeights()

# Participants whose group is this certain (posterior entropy in bits) can learn
# nothing from another answer; leaving them out bounds the cost on big threads.
_CERTAIN_BITS = 0.01
_MAX_UNCERTAIN = 2000


@dataclass(frozen=True)
class QueueEntry:
    post: int
    priority: float


def _bits(p: np.ndarray) -> np.ndarray:
    """Binary entropy in bits."""
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def information_gain(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    weights: np.ndarray,
    counted: np.ndarray,
    group_of_row: np.ndarray,
    n_columns: int,
    *,
    group_prior: float,
) -> np.ndarray:
    """Per column: the expected information (bits) one more answer on it gives about the
    answerer's opinion group, averaged over all participants.

    Each group g agrees with post c with probability θ_gc = (A_gc + κ·p_c)/(S_gc + κ),
    its members' weighted agreements A and sides S shrunk towards the post's overall
    share p_c (a hierarchical Beta prior), so a post a few people of each group saw
    does not look divisive by chance. Each participant i's group is uncertain:
    q_i ∝ π_g · Π θ or (1 − θ) over their own stances (the mixture's posterior,
    π the group sizes; somebody without stances has q = π). Their answer on c is
    informative in the measure of the mutual information between it and their group,
    I_i(c) = H(Σ_g q_ig θ_gc) − Σ_g q_ig H(θ_gc) (Lindley 1956; the BALD criterion of
    active learning, Houlsby et al. 2011). A post scores high when it divides groups
    that many people are still unsure between, and nothing when everyone is sure or
    it divides nobody.
    """
    import scipy.sparse as sp

    n_rows = len(group_of_row)
    k = int(group_of_row.max()) + 1
    sided = values != 0
    member = (group_of_row[rows] >= 0) & sided & counted
    flat = group_of_row[rows[member]] * n_columns + cols[member]

    def tally(mask: np.ndarray) -> np.ndarray:
        counts = np.bincount(flat[mask], weights[member][mask], minlength=k * n_columns)
        return counts.reshape(k, n_columns)

    agree = tally(values[member] > 0)
    seen = agree + tally(values[member] < 0)
    overall = (agree.sum(0) + 1) / (seen.sum(0) + 2)
    theta = (agree + group_prior * overall) / (seen + group_prior)

    sizes = np.bincount(group_of_row[group_of_row >= 0], minlength=k).astype(float)
    log_prior = np.log(sizes / sizes.sum())
    yes, no = sided & (values > 0), sided & (values < 0)
    shape = (n_rows, n_columns)
    agree_cells = sp.csr_matrix((weights[yes], (rows[yes], cols[yes])), shape=shape)
    disagree_cells = sp.csr_matrix((weights[no], (rows[no], cols[no])), shape=shape)
    scores = agree_cells @ np.log(theta).T + disagree_cells @ np.log1p(-theta).T + log_prior
    scores -= scores.max(1, keepdims=True)
    posterior = np.exp(scores)
    posterior /= posterior.sum(1, keepdims=True)

    entropy = -(posterior * np.log2(np.clip(posterior, 1e-300, 1))).sum(1)
    unsure = np.flatnonzero(entropy > _CERTAIN_BITS)
    if len(unsure) > _MAX_UNCERTAIN:
        unsure = unsure[np.argsort(-entropy[unsure], kind="stable")[:_MAX_UNCERTAIN]]
    q = posterior[unsure]
    # Sum over participants of H(q_i·θ) − q_i·H(θ); the second part is linear in q.
    total = _bits(q @ theta).sum(0) - q.sum(0) @ _bits(theta)
    return np.maximum(total, 0.0) / max(n_rows, 1)


def rating_priorities(
    snapshot: ThreadSnapshot,
    groups: Iterable[Iterable[str]],
    *,
    new_since: float | None = None,
    weights: QueueWeights = DEFAULT_WEIGHTS,
) -> tuple[QueueEntry, ...]:
    """Every post the queue may offer, most informative first.

    `groups` are the member names of the current opinion groups (the map's), `new_since`
    the time of the previous queue (posts created after it are new).
    """
    # Imported here: next.json runs next_post in the web process, which must not load
    # SciPy (tests/test_web_imports.py); this function runs in the analysis worker.
    import scipy.sparse as sp

    from .stances import build_stances
    from .stated import merge_credences

    stances, sources = merge_credences(
        build_stances(snapshot),
        snapshot.credences,
        vote_participant=snapshot.vote_participant,
        vote_post=snapshot.vote_post,
    )
    n_columns = stances.n_columns
    if n_columns == 0:
        return ()
    posts = [snapshot.posts[i] for i in stances.live_columns]
    rows, cols, values = stances.rows, stances.cols, stances.values

    active = max(int((np.bincount(rows, minlength=stances.n_participants) > 0).sum()), 1)
    stated = np.bincount(cols[sources.stated_cells], minlength=n_columns)
    coverage = np.minimum(stated / active, 1.0)

    row_of = {name: i for i, name in enumerate(stances.participants)}
    group_lists = [[row_of[m] for m in members if m in row_of] for members in groups]
    group_lists = [g for g in group_lists if g]
    if len(group_lists) >= 2:
        group_of_row = np.full(stances.n_participants, -1)
        for g, members in enumerate(group_lists):
            group_of_row[members] = g
        informative = information_gain(
            rows,
            cols,
            values,
            stances.weights,
            stances.counted,
            group_of_row,
            n_columns,
            group_prior=weights.group_prior,
        )
    else:
        # No groups yet: a post people split on may divide camps the map cannot see
        # yet; one everybody agrees with (or rejects) tells it nothing.
        agree = np.bincount(cols[values == 1], minlength=n_columns)
        disagree = np.bincount(cols[values == -1], minlength=n_columns)
        p = (agree + 1) / (agree + disagree + 2)
        informative = 1 - np.abs(2 * p - 1)

    # Shrink towards the typical rated post (each counted once), so one answer does not
    # make a post look decisive, and an unseen post is expected to be a typical one.
    rated = stated > 0
    prior = float(informative[rated].mean()) if rated.any() else 1.0
    informative = (stated * informative + weights.prior_stances * prior) / (
        stated + weights.prior_stances
    )
    # Relative to the best post, so w2 and w3 weigh the same early, when every post is
    # a candidate, and late, when most participants' groups are settled.
    informative = informative / max(float(informative.max()), 1e-12)
    sided = values != 0
    side = sp.csr_matrix(
        (np.ones(int(sided.sum())), (rows[sided], cols[sided])),
        shape=(stances.n_participants, n_columns),
    )
    root_index = next((i for i, post in enumerate(snapshot.posts) if post.id == snapshot.root), -1)
    root_column = int(stances.column_of_post[root_index]) if root_index >= 0 else -1
    if root_column >= 0:
        on_root = np.asarray(side[:, root_column].todense()).ravel()
        joint = np.asarray(side.T @ on_root).ravel()
    else:
        joint = np.zeros(n_columns)
    uncertain = 1 / np.sqrt(1 + joint)

    created = np.array([post.created for post in posts])
    new = (created > new_since).astype(float) if new_since is not None else np.zeros(n_columns)

    priority = (
        weights.divisive * informative * (1 - coverage) ** weights.coverage_power
        + weights.uncertain * uncertain
        + weights.new * new
    )
    # Removed posts and placeholders have no column; questions state nothing to agree with.
    offered = np.array([post.role != "question" for post in posts])
    columns = np.flatnonzero(offered)
    post_ids = np.array([post.id for post in posts])
    # Ties (a fresh thread: everything unknown) go to the oldest post, the root first.
    order = columns[np.lexsort((post_ids[columns], created[columns], -priority[columns]))]
    return tuple(QueueEntry(int(post_ids[c]), round(float(priority[c]), 4)) for c in order)


# How many of the best remaining posts a participant's pick is spread over: `WIDE`
# for somebody who has answered nothing yet, narrowing by one step per answer to
# `NARROW` after `SETTLE` answers (counting their own posts, which they are never
# offered). A fixed window of 6 sent everyone who had answered the few posts known to
# divide onto the same handful of unknown ones — on the simulations 25–70 people rated
# one untested post in the same round, and a third of all answers went to posts that
# divide nobody. A participant's first answers scout a wide top of the queue (about
# as many people per post as it takes to see whether it divides); later answers go to
# the few posts that settle the most.
WIDE = 20
NARROW = 6
SETTLE = 6


def window(answered: int) -> int:
    """How many of the best posts not yet answered the pick is spread over."""
    return round(NARROW + (WIDE - NARROW) * max(0.0, 1 - answered / SETTLE))


def next_post(
    order: Iterable[int],
    excluded: set[int] | frozenset[int],
    *,
    participant: str,
    spread: int | None = None,
) -> int | None:
    """The post to offer `participant` next: among the first `spread` posts of `order`
    not in `excluded` (by default `window(len(excluded))`: `excluded` holds what they
    wrote, rated, credenced or passed), the one a stable hash of (participant, post)
    ranks first, so a participant sees the same post until they answer it, and
    different people spread over the top of the queue."""
    if spread is None:
        spread = window(len(excluded))
    best: tuple[bytes, int] | None = None
    seen = 0
    for post in order:
        if post in excluded:
            continue
        rank = hashlib.blake2b(f"{participant}:{post}".encode(), digest_size=8).digest()
        if best is None or rank < best[0]:
            best = (rank, post)
        seen += 1
        if seen >= spread:
            break
    return None if best is None else best[1]
