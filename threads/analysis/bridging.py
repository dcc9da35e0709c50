"""Bridging: which posts people value across the camps, not only inside one.

Community Notes' model (twitter/communitynotes, `scoring/matrix_factorization`; Wojcik
et al., "Birdwatch: Crowd Wisdom and Bridging Algorithms can Inform Understanding and
Reduce the Spread of Misinformation", 2022), implemented from the maths: each quality
vote r_up (1 for +1, 0 for −1) is fitted as

    r_up ≈ μ + b_u + b_p + f_u · f_p        (one factor)

by regularised least squares. The factor f soaks up the camp axis — a post that one
camp up-votes and the other down-votes is explained by f_u · f_p — so the post
intercept b_p is how much the post is valued *after* the camp is accounted for: its
bridging score. Intercepts are regularised five times more than factors (Community
Notes uses λ_i = 0.15 and λ_f = 0.03 on a mean loss), which makes "everyone likes
it" the explanation of last resort: a high b_p needs raters from both sides.

Fitted by alternating least squares: with the user side fixed, each post's (b_p, f_p)
is a 2 × 2 ridge solve, and the same the other way round, all vectorised with
bincount. Deterministic (seeded start), O(votes) per sweep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Ridge strengths in units of "one vote's squared error", per parameter.
LAMBDA_INTERCEPT = 5.0
LAMBDA_FACTOR = 1.0
MAX_SWEEPS = 6
TOLERANCE = 1e-3  # stop when no post parameter moves more than this in a sweep


@dataclass(frozen=True, eq=False)
class BridgingFit:
    intercept: np.ndarray  # per post column: the bridging score b_p
    factor: np.ndarray  # per post column: f_p (its loading on the camp axis)
    votes: np.ndarray  # quality votes per post column
    user_factor: np.ndarray  # per rater
    mean: float


def _solve_side(
    index: np.ndarray,
    other: np.ndarray,
    target: np.ndarray,
    size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Ridge solve of target ≈ b[index] + f[index]·other for every entity at once."""
    n = np.bincount(index, minlength=size).astype(np.float64)
    s_o = np.bincount(index, weights=other, minlength=size)
    s_oo = np.bincount(index, weights=other * other, minlength=size)
    s_y = np.bincount(index, weights=target, minlength=size)
    s_yo = np.bincount(index, weights=target * other, minlength=size)
    a11, a12, a22 = n + LAMBDA_INTERCEPT, s_o, s_oo + LAMBDA_FACTOR
    det = a11 * a22 - a12 * a12
    b = (a22 * s_y - a12 * s_yo) / det
    f = (a11 * s_yo - a12 * s_y) / det
    return b, f


def fit_bridging(
    raters: np.ndarray,
    columns: np.ndarray,
    ups: np.ndarray,
    n_raters: int,
    n_columns: int,
    seed: int,
    start: np.ndarray | None = None,
) -> BridgingFit:
    """`raters[i]` gave column `columns[i]` a quality vote, `ups[i]` 1 (up) or 0 (down).

    `start` is an optional first guess of each rater's factor — the map passes each
    participant's position on its main axis of disagreement, which is where the factor
    ends up, so a few sweeps suffice; raters without one start near 0."""
    y = ups.astype(np.float64)
    votes = np.bincount(columns, minlength=n_columns)
    if len(y) == 0:
        zeros = np.zeros(n_columns)
        return BridgingFit(zeros, zeros, votes, np.zeros(n_raters), 0.0)
    rng = np.random.default_rng(seed)
    user_b = np.zeros(n_raters)
    user_f = rng.normal(0, 0.1, n_raters)
    if start is not None:
        spread = np.abs(start).max()
        if spread > 0:
            user_f = user_f * 0.1 + start / spread
    post_b = np.zeros(n_columns)
    post_f = np.zeros(n_columns)
    mean = float(y.mean())
    for _ in range(MAX_SWEEPS):
        before_b, before_f = post_b, post_f
        post_b, post_f = _solve_side(columns, user_f[raters], y - mean - user_b[raters], n_columns)
        user_b, user_f = _solve_side(raters, post_f[columns], y - mean - post_b[columns], n_raters)
        residual = y - user_b[raters] - post_b[columns] - user_f[raters] * post_f[columns]
        mean = float(residual.sum() / (len(y) + LAMBDA_INTERCEPT))
        moved = max(np.abs(post_b - before_b).max(), np.abs(post_f - before_f).max())
        if moved < TOLERANCE:
            break
    # f is defined up to a sign shared by users and posts; fix it for determinism.
    if post_f.size and post_f[np.argmax(np.abs(post_f))] < 0:
        post_f, user_f = -post_f, -user_f
    return BridgingFit(post_b, post_f, votes, user_f, mean)
