"""The rating queue: which post to ask a participant about next.

Computed once per analysis run, for everybody (`rating_priorities`); each request then
only filters out what that participant cannot or need not rate (their own posts, what
they already rated, credenced or passed, what was removed since) and picks from the top
of what is left (`next_post`). After ALGORITHMS.md:

    priority(c) = w1 · Info*(c) · (1 − coverage(c))^γ   what an answer would tell the map
                + w2 · 1 / √(1 + joint(c))            cruxes whose position is unsure
                + w3 · new(c)                         a share of new posts

Info(c), once the map has two or more opinion groups, is the information an answer on
c is expected to give about the answerer's group, averaged over the participants
(`information_gain`): the mutual information between the answer and the group under
the map's own model, a Bernoulli mixture (mixture.py) — the "BALD" criterion of active
learning (Houlsby et al. 2011; Lindley 1956). Each group g agrees with c with
probability θ_gc, its members' share shrunk towards the post's overall share
(θ_gc = (A_gc + κ·p_c)/(S_gc + κ)), so a post a few members of each group saw does not
look divisive by chance. Each participant's group is uncertain: q_i ∝ π_g ·
(Π θ or 1 − θ over their stances)^τ, tempered by τ < 1 because stances on similar
posts are not independent evidence and θ is itself estimated; untempered, three
agreeing answers made a participant "certain" and the queue stopped asking what
separates the groups they sit between. Then

    Info(c) = mean_i [ H(Σ_g q_ig θ_gc) − Σ_g q_ig H(θ_gc) ]   (bits; H binary entropy)

is high for a post that divides groups many participants are still unsure between,
and zero when everyone is sure or the post divides nobody. Two refinements:

- the map's largest group is split in two by the same mixture (mixture.split_in_two)
  before Info is computed. A camp the held-out test cannot confirm yet hides inside a
  group; asking only about the map's groups never gathers the answers that would
  reveal it (on the simulations three camps stayed two groups this way). A split
  without real disagreement behind it costs little: its θ differ by noise, which the
  shrinkage removes.
- before there are two groups, the overall split 1 − |2p − 1| stands in (a post
  everyone agrees with tells the map nothing).

Info* shrinks Info towards its mean over the rated posts by the post's number of stated
stances n, (n·Info + m·mean)/(n + m), so one answer does not make a post look decisive
and an unseen post is expected to be a typical one; it is then scaled so the best post
scores 1, which keeps w2 and w3 in proportion early, when every post is a candidate,
and late, when most participants' groups are settled. coverage(c) = stated stances on
c / participants with any stance (γ = 0: spreading attention is left to next_post).
joint(c) = participants with a side on both c and the root claim: φ(c, root), which
crux ranking rests on, has a standard error of about 1/√n, so a post few people placed
relative to the root is an uncertain crux — and, as it happens, a post worth scouting.
new(c) = 1 for posts written since the previous queue. Questions are not offered (they
state nothing to agree with), nor removed posts or placeholders.

Measured (bench/bench_queue.py --simulate --shapes all, which prints the tables;
`make bench` puts the issue's shape in bench/results.md: 3 planted camps, 150 people,
120 posts, 10 ratings each, the map recomputed between rounds): mean ARI on the
issue's debate 0.82 → 0.95 on seeds 0–5 and 0.71 → 0.80 on seeds 6–11; over six
shapes (unequal camps, careless raters, people in no camp, posts of mixed strength,
all at once) 0.56 → 0.78 and 0.53 → 0.72; random order 0.00–0.09. The constants
were chosen on seeds 0–7; w2 = 0 cost 0.05, τ = 1 about 0.02, m and κ anywhere in
2..10 made no difference beyond noise. What remains: on about one run in seven the
map still settles on two groups for three camps, when the first answers happened to
test one division far more than the others.

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
    from .stances import StanceMatrix


@dataclass(frozen=True)
class QueueWeights:
    """w1, w2, w3; m (the stated stances a post's own Info is trusted as much as the
    typical post's after), κ (group shares shrunk towards the post's overall share),
    τ (how much one stance counts as evidence of a participant's group) and γ."""

    divisive: float = 1.0
    uncertain: float = 0.3
    new: float = 0.25
    prior_stances: float = 5.0
    group_prior: float = 5.0
    evidence: float = 0.3
    coverage_power: float = 0.0


DEFAULT_WEIGHTS = QueueWeights()

# Participants this sure of their group (posterior entropy, bits) learn nothing from
# another answer; leaving them out bounds the cost on big threads, as does the cap.
_CERTAIN_BITS = 0.01
_MAX_UNCERTAIN = 2000
# The largest group is split only when each half could still be a group.
_SPLIT_MIN_MEMBERS = 8


@dataclass(frozen=True)
class QueueEntry:
    post: int
    priority: float


def _bits(p: np.ndarray) -> np.ndarray:
    """Binary entropy in bits."""
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def information_gain(
    stances: StanceMatrix,
    group_of_row: np.ndarray,
    *,
    group_prior: float,
    evidence: float,
) -> np.ndarray:
    """Per column: the information (bits) one more answer on it is expected to give
    about the answerer's group (group_of_row: −1 outside any group), averaged over all
    participants; see the module docstring."""
    import scipy.sparse as sp

    rows, cols, values = stances.rows, stances.cols, stances.values
    weights = stances.weights
    n_rows, n_columns = stances.n_participants, stances.n_columns
    k = int(group_of_row.max()) + 1
    sided = values != 0
    # θ from the members' stated and reply-implied stances, not authors' own.
    member = (group_of_row[rows] >= 0) & sided & stances.counted
    flat = group_of_row[rows[member]] * n_columns + cols[member]

    def tally(mask: np.ndarray) -> np.ndarray:
        counts = np.bincount(flat[mask], weights[member][mask], minlength=k * n_columns)
        return counts.reshape(k, n_columns)

    agree = tally(values[member] > 0)
    seen = agree + tally(values[member] < 0)
    overall = (agree.sum(0) + 1) / (seen.sum(0) + 2)
    theta = (agree + group_prior * overall) / (seen + group_prior)

    sizes = np.bincount(group_of_row[group_of_row >= 0], minlength=k).astype(float)
    yes, no = sided & (values > 0), sided & (values < 0)
    shape = (n_rows, n_columns)
    agree_cells = sp.csr_matrix((weights[yes], (rows[yes], cols[yes])), shape=shape)
    disagree_cells = sp.csr_matrix((weights[no], (rows[no], cols[no])), shape=shape)
    log_likelihood = agree_cells @ np.log(theta).T + disagree_cells @ np.log1p(-theta).T
    scores = evidence * log_likelihood + np.log(sizes / sizes.sum())
    scores -= scores.max(1, keepdims=True)
    posterior = np.exp(scores)
    posterior /= posterior.sum(1, keepdims=True)

    entropy = -(posterior * np.log2(np.clip(posterior, 1e-300, 1))).sum(1)
    unsure = np.flatnonzero(entropy > _CERTAIN_BITS)
    if len(unsure) > _MAX_UNCERTAIN:
        unsure = unsure[np.argsort(-entropy[unsure], kind="stable")[:_MAX_UNCERTAIN]]
    q = posterior[unsure]
    # Σ_i H(q_i·θ_c) − q_i·H(θ_c); the second part is linear in q.
    total = _bits(q @ theta).sum(0) - q.sum(0) @ _bits(theta)
    return np.maximum(total, 0.0) / max(n_rows, 1)


def _group_rows(stances: StanceMatrix, groups: Iterable[Iterable[str]]) -> np.ndarray:
    """Group number per row of the stance matrix (−1: in no group), the largest group
    split in two (see the module docstring); all −1 with fewer than two groups."""
    row_of = {name: i for i, name in enumerate(stances.participants)}
    member_rows = [[row_of[m] for m in members if m in row_of] for members in groups]
    member_rows = sorted((g for g in member_rows if g), key=len, reverse=True)
    group_of_row = np.full(stances.n_participants, -1)
    if len(member_rows) < 2:
        return group_of_row
    for g, members in enumerate(member_rows):
        group_of_row[members] = g
    largest = np.array(member_rows[0])
    if len(largest) >= 2 * _SPLIT_MIN_MEMBERS:
        from .mixture import split_in_two

        inside = np.full(stances.n_participants, -1)
        inside[largest] = np.arange(len(largest))
        cells = (inside[stances.rows] >= 0) & (stances.values != 0)
        halves = split_in_two(
            inside[stances.rows[cells]],
            stances.cols[cells],
            stances.values[cells].astype(np.int64),
            stances.weights[cells],
            (len(largest), stances.n_columns),
            seed=0,
        )
        if min(np.bincount(halves, minlength=2)) >= _SPLIT_MIN_MEMBERS:
            group_of_row[largest[halves == 1]] = len(member_rows)
    return group_of_row


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

    group_of_row = _group_rows(stances, groups)
    if group_of_row.max() >= 1:
        informative = information_gain(
            stances, group_of_row, group_prior=weights.group_prior, evidence=weights.evidence
        )
    else:
        # No groups yet: a post people split on may divide camps the map cannot see
        # yet; one everybody agrees with (or rejects) tells it nothing.
        agree = np.bincount(cols[values == 1], minlength=n_columns)
        disagree = np.bincount(cols[values == -1], minlength=n_columns)
        p = (agree + 1) / (agree + disagree + 2)
        informative = 1 - np.abs(2 * p - 1)
    rated = stated > 0
    typical = float(informative[rated].mean()) if rated.any() else 1.0
    informative = (stated * informative + weights.prior_stances * typical) / (
        stated + weights.prior_stances
    )
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
    columns = np.flatnonzero(np.array([post.role != "question" for post in posts]))
    post_ids = np.array([post.id for post in posts])
    # Ties (a fresh thread: everything unknown) go to the oldest post, the root first.
    order = columns[np.lexsort((post_ids[columns], created[columns], -priority[columns]))]
    return tuple(QueueEntry(int(post_ids[c]), round(float(priority[c]), 4)) for c in order)


# How many of the best posts not yet answered a participant's pick is spread over:
# WIDE for somebody who has answered nothing yet, narrowing with each answer to NARROW
# after SETTLE (counting their own posts, which they are never offered). A newcomer's
# first answers scout a wide top of the queue, about as many people per post as it
# takes to see whether it divides; later answers go to the one post that settles the
# most, so everyone answers much the same sequence (the overlap clustering needs, and
# each person gets posts of every division). A fixed window of 6 for everyone sent
# those who had answered the few posts known to divide onto the same handful of
# untested ones — 25–70 people on one untested post in a round, a third of all answers
# on posts that divide nobody — and left each person a random mix of divisions.
WIDE = 20
NARROW = 1
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
    not in `excluded` (by default `window(len(excluded))`; `excluded` holds what they
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
