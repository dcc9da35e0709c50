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
    """w1, w2, w3, m (the stances Div* trusts as much as the mean) and γ (see above)."""

    divisive: float = 1.0
    uncertain: float = 0.1
    new: float = 0.25
    prior_stances: float = 5.0
    coverage_power: float = 0.0


DEFAULT_WEIGHTS = QueueWeights()


@dataclass(frozen=True)
class QueueEntry:
    post: int
    priority: float


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
        k = len(group_lists)
        g_cell = group_of_row[rows]
        inside = g_cell >= 0
        flat = g_cell[inside] * n_columns + cols[inside]

        def tally(mask: np.ndarray) -> np.ndarray:
            counts = np.bincount(flat[mask[inside]], minlength=k * n_columns)
            return counts.reshape(k, n_columns)

        agree, disagree = tally(values == 1), tally(values == -1)
        p = (agree + 1) / (agree + disagree + 2)
        informative = p.max(0) - p.min(0)
    else:
        agree = np.bincount(cols[values == 1], minlength=n_columns)
        disagree = np.bincount(cols[values == -1], minlength=n_columns)
        p = (agree + 1) / (agree + disagree + 2)
        informative = 1 - np.abs(2 * p - 1)

    rated = stated > 0
    prior = float(np.average(informative[rated], weights=stated[rated])) if rated.any() else 0.5
    informative = (stated * informative + weights.prior_stances * prior) / (
        stated + weights.prior_stances
    )

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
    offered = np.array(
        [post.role != "question" and not getattr(post, "is_placeholder", False) for post in posts]
    )
    columns = np.flatnonzero(offered)
    post_ids = np.array([post.id for post in posts])
    # Ties (a fresh thread: everything unknown) go to the oldest post, the root first.
    order = columns[np.lexsort((post_ids[columns], created[columns], -priority[columns]))]
    return tuple(QueueEntry(int(post_ids[c]), round(float(priority[c]), 4)) for c in order)


# How many of the best remaining posts a participant's pick is spread over. With 1,
# everyone answers the same posts in the same order (the densest overlap); a small
# spread lets the groups' divisions show on more posts per analysis run.
SPREAD = 6


def next_post(
    order: Iterable[int],
    excluded: set[int] | frozenset[int],
    *,
    participant: str,
    spread: int = SPREAD,
) -> int | None:
    """The post to offer `participant` next: among the first `spread` posts of `order`
    not in `excluded`, the one a stable hash of (participant, post) ranks first, so a
    participant sees the same post until they answer it, and different people spread
    over the top of the queue."""
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
