"""Opinion groups as a Bernoulli mixture (latent classes) over the observed stances.

Each group g has, for every post j, a probability θ_gj of agreeing given that a member
takes a side on j. A participant's likelihood under g multiplies θ over the posts they
agreed with and (1 − θ) over those they rejected; posts they never saw contribute
nothing — a missing stance is missing, not a zero (the mistake of clustering a
zero-filled matrix). Fitted by EM (Dempster, Laird & Rubin 1977; latent class
analysis, Lazarsfeld; Goodman 1974) on sparse matrices, so one iteration costs
O(stances · k).

The number of groups is chosen the way the data can confirm it, never by a 2-D
silhouette:

1. held-out likelihood — a seeded tenth of the stances is hidden, each k = 1..K is
   fitted on the rest (EM seeded by k-means on the top singular directions, and by
   the k − 1 fit with its largest group split), and the smallest k whose prediction
   of the hidden stances is within `min_gain` nats per stance of the best k is taken.
   On a small thread this is repeated on further disjoint tenths (up to
   `_MAX_FOLDS`) until `_HELD_OUT_TARGET` stances have been predicted, and the
   predictions pooled: one tenth of 150 people × 10 stances is ~150 stances, on which
   the gain of the true third camp swung between 0.003 and 0.09 nats from one hold-out
   seed to another (the rating-queue simulations), so three camps were often two;
2. distinct opinions — every pair of groups must take opposite sides (θ on both sides
   of ½, each confidently) on at least `min_distinct_posts` posts, so a "group" of
   careless voters who lean the same way as everyone else is not a camp;
3. stability — the fit is repeated on subsamples (80 %) of participants; a group's
   stability is the mean share of pairs of its members that land in the same group
   again. If any group falls below `min_stability`, k is lowered.

Stance weights (stated 1.0, implied 0.5, a credence c |c − 50|/50) scale each stance's
contribution.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackError, svds

_ALPHA = 1.0  # Beta(1, 1) prior on each θ_gj: a post nobody in g saw sits at ½
# In stability, a participant with this much stance weight or more counts fully
# (Polis's 7 stances to enter the clustering).
_FULL_WEIGHT_STANCES = 7.0
# Stability refits use subsamples of 80 % of the participants, drawn without
# replacement (consensus clustering, Monti et al. 2003): a bootstrap of a 16-person
# thread often keeps one member of a camp, which then cannot be "kept together".
_SUBSAMPLE = 0.8
_HOLD_OUT_STREAM = 0x4C43  # spawns the hold-out's random stream from the map's seed
_SMALL = 200  # participants: below this every fit tries several starts
# Held-out stances the choice of k should rest on, and the most folds used to get them.
_HELD_OUT_TARGET = 600
_MAX_FOLDS = 4


@dataclass(frozen=True, eq=False)
class MixtureFit:
    labels: np.ndarray  # group per row
    theta: np.ndarray  # k × columns
    weights: np.ndarray  # k
    log_likelihood: float


@dataclass(frozen=True, eq=False)
class GroupChoice:
    labels: np.ndarray
    k: int
    stability: np.ndarray  # per group, 0..1
    theta: np.ndarray
    held_out_gain: tuple[float, ...]  # nats per held-out stance of k over k − 1, k = 2..K
    reason: str | None  # why fewer groups than the likelihood alone would give


def _fit(
    agree: sp.csr_matrix,
    disagree: sp.csr_matrix,
    k: int,
    rng: np.random.Generator,
    restarts: int,
    iterations: int,
    init_theta: np.ndarray | None = None,
) -> MixtureFit:
    n, m = agree.shape
    seen = agree + disagree
    agree_t, disagree_t = agree.T.tocsr(), disagree.T.tocsr()
    best: MixtureFit | None = None
    for restart in range(restarts):
        if init_theta is not None and restart == 0:
            theta = init_theta.copy()
        else:
            # Seeds: k distinct participants, weighted by how much they said (k-means++
            # would need distances on missing data; heavy voters are informative seeds).
            activity = np.asarray(seen.sum(1)).ravel() + 1e-9
            rows = rng.choice(n, size=k, replace=False, p=activity / activity.sum())
            a = np.asarray(agree[rows].todense())
            s = np.asarray(seen[rows].todense())
            theta = (a + 0.5 * _ALPHA) / (s + _ALPHA)
        pi = np.full(k, 1.0 / k)
        previous = -np.inf
        for _ in range(iterations):
            scores = agree @ np.log(theta).T + disagree @ np.log1p(-theta).T + np.log(pi)
            top = scores.max(1, keepdims=True)
            resp = np.exp(scores - top)
            total = resp.sum(1, keepdims=True)
            resp /= total
            log_likelihood = float((np.log(total) + top).sum())
            said_yes = np.asarray(agree_t @ resp).T
            theta = (said_yes + _ALPHA) / (said_yes + np.asarray(disagree_t @ resp).T + 2 * _ALPHA)
            pi = (resp.sum(0) + 1e-3) / (n + 1e-3 * k)
            if log_likelihood - previous < 1e-4 * max(1.0, abs(log_likelihood)):
                break
            previous = log_likelihood
        labels = resp.argmax(1)
        if best is None or log_likelihood > best.log_likelihood:
            best = MixtureFit(labels, theta, pi, log_likelihood)
    assert best is not None
    return best


def _predictive(
    fit_rows_resp: np.ndarray,
    theta: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
) -> np.ndarray:
    """log P(held-out stance) under the mixture, per row's posterior, per stance."""
    p_agree = np.einsum("ik,ki->i", fit_rows_resp[rows], theta[:, cols])
    p = np.where(values > 0, p_agree, 1 - p_agree)
    return np.log(np.clip(p, 1e-9, 1))


def _posterior(agree: sp.csr_matrix, disagree: sp.csr_matrix, fit: MixtureFit) -> np.ndarray:
    scores = agree @ np.log(fit.theta).T + disagree @ np.log1p(-fit.theta).T
    scores = scores + np.log(fit.weights)
    scores = scores - scores.max(1, keepdims=True)
    resp = np.exp(scores)
    return resp / resp.sum(1, keepdims=True)


def _distinct(theta: np.ndarray, counts: np.ndarray, margin: float, need: int) -> bool:
    """Does every pair of groups take opposite sides on enough posts?

    Opposite: θ on either side of ½ by at least `margin`, on a post at least 2 members
    of each group took a side on. Enough: `need` posts and a tenth of the posts both
    groups took sides on — two groups that agree on nearly everything and part on a
    handful of posts by chance are one group of more and less careful voters.
    """
    k = theta.shape[0]
    leaning = np.sign(theta - 0.5) * (np.abs(theta - 0.5) >= margin)
    for a in range(k):
        for b in range(a + 1, k):
            both = (counts[a] >= 2) & (counts[b] >= 2)
            opposite = int((both & (leaning[a] * leaning[b] < 0)).sum())
            if opposite < max(need, 0.1 * int(both.sum())):
                return False
    return True


def _co_assignment(
    labels_full: np.ndarray, labels_sample: np.ndarray, rows: np.ndarray, weight: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per full-fit group: (weight of its member pairs among `rows` that the refit keeps
    together, weight of all its member pairs among `rows`). A pair weighs the product
    of its members' weights, so a participant with two stances, who may honestly go
    either way, counts little."""
    together, total = np.zeros(k), np.zeros(k)
    for g in range(k):
        mine = labels_full[rows] == g
        inside, w = labels_sample[mine], weight[rows][mine]
        if len(inside) < 2:
            continue
        by_label = np.bincount(inside, weights=w)
        by_label_sq = np.bincount(inside, weights=w * w)
        total[g] = w.sum() ** 2 - (w * w).sum()
        together[g] = ((by_label**2) - by_label_sq).sum()
    return together, total


def _theta_from_labels(
    agree_cells: tuple[np.ndarray, np.ndarray, np.ndarray],
    disagree_cells: tuple[np.ndarray, np.ndarray, np.ndarray],
    labels: np.ndarray,
    k: int,
    m: int,
) -> np.ndarray:
    """θ (k × m) of a hard assignment of rows to groups, from (row, col, weight) cells;
    rows with label −1 are left out."""

    def tally(cells: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
        rows, cols, weights = cells
        group = labels[rows]
        inside = group >= 0
        flat = np.bincount(group[inside] * m + cols[inside], weights[inside], minlength=k * m)
        return flat.reshape(k, m)

    said_yes, said_no = tally(agree_cells), tally(disagree_cells)
    return (said_yes + _ALPHA) / (said_yes + said_no + 2 * _ALPHA)


def _cells(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coo = matrix.tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, n_init: int) -> np.ndarray:
    """Labels of Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii 2007),
    best of `n_init`; only ever run on ≤ 300 points in ≤ 6 dimensions, where
    scikit-learn's per-call overhead would cost more than the clustering."""
    best_labels, best_inertia = np.zeros(len(points), np.int64), np.inf
    for _ in range(n_init):
        centres = [points[rng.integers(len(points))]]
        for _ in range(1, k):
            d2 = ((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1).min(1)
            total = d2.sum()
            pick = rng.choice(len(points), p=d2 / total) if total > 0 else rng.integers(len(points))
            centres.append(points[pick])
        centre = np.array(centres)
        labels = np.zeros(len(points), np.int64)
        for _ in range(50):
            d2 = ((points[:, None, :] - centre[None]) ** 2).sum(-1)
            new = d2.argmin(1)
            if _ and np.array_equal(new, labels):
                break
            labels = new
            for g in range(k):
                if (labels == g).any():
                    centre[g] = points[labels == g].mean(0)
        inertia = float(((points - centre[labels]) ** 2).sum())
        if inertia < best_inertia:
            best_labels, best_inertia = labels, inertia
    return best_labels


def _embedding(
    agree: sp.csr_matrix, disagree: sp.csr_matrix, seed: int, dims: int
) -> np.ndarray | None:
    """Participants in the top singular directions of the column-centred stances, to
    seed EM with k-means there (spectral initialisation); None when too small."""
    n, m = agree.shape
    dims = min(dims, n - 1, m - 1)
    if dims < 1:
        return None
    signed = (agree - disagree).tocsr()
    seen = (agree + disagree).tocsr()
    means = np.asarray(signed.sum(0)).ravel() / np.maximum(np.asarray(seen.sum(0)).ravel(), 1e-9)
    centred = signed - seen.multiply(means[None, :]).tocsr()
    v0 = np.random.default_rng(seed).standard_normal(min(n, m))
    try:
        u, s, _ = svds(centred, k=dims, v0=v0)
    except (ArpackError, ValueError):
        return None
    scale = np.sqrt(m / np.maximum(np.asarray(seen.sum(1)).ravel(), 1.0))
    return (u * s) * scale[:, None]


def _distinct_points(points: np.ndarray) -> int:
    return len(np.unique(np.round(points, 9), axis=0))


def _matrices(
    rows: np.ndarray,
    cols: np.ndarray,
    signs: np.ndarray,
    weights: np.ndarray,
    shape: tuple[int, int],
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    agree = signs > 0
    a = sp.csr_matrix((weights[agree], (rows[agree], cols[agree])), shape=shape)
    d = sp.csr_matrix((weights[~agree], (rows[~agree], cols[~agree])), shape=shape)
    return a, d


def split_in_two(
    rows: np.ndarray,
    cols: np.ndarray,
    signs: np.ndarray,
    weights: np.ndarray,
    shape: tuple[int, int],
    *,
    seed: int,
    max_rows: int = 300,
    restarts: int = 4,
    iterations: int = 60,
) -> np.ndarray:
    """Labels 0/1 of the best two-class mixture of these `shape[0]` participants, from
    stance cells as `choose_groups` takes them. Nothing checks that the split is real:
    the rating queue uses it as a hypothesis to ask about (queue.py). Fitted on the
    `max_rows` most active, then everyone goes to the class their stances favour."""
    n, _ = shape
    agree, disagree = _matrices(rows, cols, signs, weights, shape)
    if n < 4:
        return np.zeros(n, np.int64)
    activity = np.bincount(rows, minlength=n)
    fitted = np.sort(np.argsort(-activity, kind="stable")[:max_rows])
    fit = _fit(
        agree[fitted], disagree[fitted], 2, np.random.default_rng(seed), restarts, iterations
    )
    return _posterior(agree, disagree, fit).argmax(1)


def _held_out_curve(
    train: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    hidden: tuple[np.ndarray, np.ndarray, np.ndarray],
    shape: tuple[int, int],
    *,
    max_groups: int,
    rng: np.random.Generator,
    seed: int,
    restarts: int,
    iterations: int,
) -> tuple[dict[int, MixtureFit], dict[int, np.ndarray], np.ndarray | None]:
    """Fits for k = 1..max_groups on the `train` cells and, per k, the log probability
    of each `hidden` stance (nats); and the spectral embedding the starts came from."""
    n, m = shape
    train_agree, train_disagree = _matrices(*train, shape)
    embedding = _embedding(train_agree, train_disagree, seed, max_groups + 1)
    train_agree_cells, train_disagree_cells = _cells(train_agree), _cells(train_disagree)
    hidden_rows, hidden_cols, hidden_signs = hidden
    fits: dict[int, MixtureFit] = {}
    held: dict[int, np.ndarray] = {}
    for k in range(1, max_groups + 1):
        if k > n // 2:
            break
        start = None
        if k > 1 and embedding is not None and _distinct_points(embedding) >= k:
            seeded = _kmeans(embedding, k, rng, 3)
            start = _theta_from_labels(train_agree_cells, train_disagree_cells, seeded, k, m)
        fit = _fit(train_agree, train_disagree, k, rng, restarts if k > 1 else 1, iterations, start)
        if k > 2 and embedding is not None:
            # A second start: the k − 1 fit with its largest group split in two, so a
            # poor spectral start cannot hide a camp (EM only finds local optima).
            previous = fits[k - 1].labels
            members = np.flatnonzero(previous == np.bincount(previous).argmax())
            if len(members) >= 4 and _distinct_points(embedding[members]) >= 2:
                split = previous.copy()
                halves = _kmeans(embedding[members], 2, rng, 2)
                split[members[halves == 1]] = k - 1
                split_start = _theta_from_labels(
                    train_agree_cells, train_disagree_cells, split, k, m
                )
                alternative = _fit(train_agree, train_disagree, k, rng, 1, iterations, split_start)
                if alternative.log_likelihood > fit.log_likelihood:
                    fit = alternative
        resp = _posterior(train_agree, train_disagree, fit)
        fits[k] = fit
        held[k] = _predictive(resp, fit.theta, hidden_rows, hidden_cols, hidden_signs)
    return fits, held, embedding


def choose_groups(  # noqa: C901 - one pipeline (select k, then check it), read top to bottom
    rows: np.ndarray,
    cols: np.ndarray,
    signs: np.ndarray,
    weights: np.ndarray,
    shape: tuple[int, int],
    *,
    max_groups: int,
    min_size: float,
    seed: int,
    min_gain: float = 0.015,
    min_distinct_posts: int = 2,
    distinct_margin: float = 0.15,
    min_stability: float = 0.8,
    resamples: int = 4,
    max_selection_rows: int = 300,
    restarts: int = 1,
    iterations: int = 60,
) -> GroupChoice:
    """Groups (0..k−1) of the `shape[0]` participants from their stance cells.

    One cell per (row, col): `signs` +1 agree / −1 disagree (passes left out),
    `weights` how much the stance counts. `min_size` is the smallest allowed group.
    """
    rng = np.random.default_rng(seed)
    n, m = shape
    if n < _SMALL:
        # Small threads have local optima worth escaping, and restarts cost little.
        restarts = max(restarts, 4)
    agree, disagree = _matrices(rows, cols, signs, weights, shape)
    one = GroupChoice(np.zeros(n, np.int64), 1, np.ones(1), np.full((1, m), 0.5), (), None)
    if n < 4 or max_groups < 2:
        return one

    # Model selection on at most `max_selection_rows` participants (the most active),
    # so a 5,000-person thread costs what a 300-person one does; the final fit is on all.
    activity = np.bincount(rows, minlength=n)
    if n > max_selection_rows:
        sample = np.sort(np.argsort(-activity, kind="stable")[:max_selection_rows])
    else:
        sample = np.arange(n)
    where = np.full(n, -1)
    where[sample] = np.arange(len(sample))
    inside = where[rows] >= 0
    s_rows, s_cols = where[rows[inside]], cols[inside]
    s_signs, s_weights = signs[inside], weights[inside]
    s_shape = (len(sample), m)
    # Hide a seeded tenth of the stances of everyone who has at least 3: ten disjoint
    # folds, of which as many are used as it takes to hold out `_HELD_OUT_TARGET`
    # stances (see the module docstring). A big thread uses one, as before.
    per_row = np.bincount(s_rows, minlength=len(sample))
    # Its own random stream: a caller who generated the votes with the same seed (as
    # tests do) must not find the hidden cells lined up with the draws behind the votes.
    hiding = np.random.default_rng([seed, _HOLD_OUT_STREAM])
    fold = np.where(per_row[s_rows] >= 3, (hiding.random(len(s_rows)) * 10).astype(np.int64), -1)
    per_fold = max(int((fold == 0).sum()), 1)
    n_folds = int(min(_MAX_FOLDS, max(1, np.ceil(_HELD_OUT_TARGET / per_fold))))
    if not (fold == 0).any():
        # Nobody has three stances to spare one: no division can be checked.
        return dataclasses.replace(one, reason="sparse")

    held_each: dict[int, list[np.ndarray]] = {}
    fits: dict[int, MixtureFit] = {}
    embedding: np.ndarray | None = None
    for f in range(n_folds):
        hide = fold == f
        train = (s_rows[~hide], s_cols[~hide], s_signs[~hide], s_weights[~hide])
        fold_fits, fold_held, fold_embedding = _held_out_curve(
            train,
            (s_rows[hide], s_cols[hide], s_signs[hide]),
            s_shape,
            max_groups=max_groups,
            rng=rng,
            seed=seed,
            restarts=restarts,
            iterations=iterations,
        )
        if f == 0:
            fits, embedding = fold_fits, fold_embedding
        for k, each in fold_held.items():
            held_each.setdefault(k, []).append(each)
    each_k = {k: np.concatenate(parts) for k, parts in held_each.items()}
    held = {k: float(each.mean()) for k, each in each_k.items()}
    gains = [held[k] - held[k - 1] for k in sorted(held) if k > 1]

    # The fewest groups that predict the hidden stances within `min_gain` of the best
    # k: every further group must earn its place (a real camp gained 0.03–0.2 nats per
    # stance on the planted debates, a split of one camp at most 0.016).
    best = max(held.values())
    chosen = min(k for k, value in held.items() if value >= best - min_gain)

    sample_agree, sample_disagree = _matrices(s_rows, s_cols, s_signs, s_weights, s_shape)
    sample_seen = (sample_agree + sample_disagree).tocsr()
    reason = None
    while chosen > 1:
        fit = _fit(sample_agree, sample_disagree, chosen, rng, 1, iterations, fits[chosen].theta)
        sizes = np.bincount(fit.labels, minlength=chosen)
        member = sp.csr_matrix(
            (np.ones(len(sample)), (np.arange(len(sample)), fit.labels)),
            shape=(len(sample), chosen),
        )
        counts = np.asarray((sample_seen.T @ member).todense()).T
        if sizes.min() < min_size * len(sample) / n:
            reason = "size"
        elif not _distinct(fit.theta, counts, distinct_margin, min_distinct_posts):
            reason = "distinct"
        else:
            stability = _stability(
                sample_agree,
                sample_disagree,
                fit,
                chosen,
                rng,
                resamples,
                iterations,
                embedding,
                restarts,
            )
            if stability.min() >= min_stability:
                final = _fit(agree, disagree, chosen, rng, 1, iterations, fit.theta)
                if len(np.unique(final.labels)) == chosen:
                    return GroupChoice(
                        final.labels, chosen, stability, final.theta, tuple(gains), reason
                    )
            reason = "stability"
        chosen -= 1
    return GroupChoice(one.labels, 1, np.ones(1), one.theta, tuple(gains), reason)


def _stability(
    agree: sp.csr_matrix,
    disagree: sp.csr_matrix,
    fit: MixtureFit,
    k: int,
    rng: np.random.Generator,
    resamples: int,
    iterations: int,
    embedding: np.ndarray | None,
    restarts: int,
) -> np.ndarray:
    """Per group: pooled share of its members' pairs that refits on subsamples of
    participants put in one group again. Each refit starts afresh (k-means
    on the resampled rows' singular coordinates, or random seeds), not from `fit`."""
    n = agree.shape[0]
    stances = np.asarray((agree + disagree).sum(1)).ravel()
    weight = np.minimum(stances, _FULL_WEIGHT_STANCES) / _FULL_WEIGHT_STANCES
    together, total = np.zeros(k), np.zeros(k)
    agree_cells, disagree_cells = _cells(agree), _cells(disagree)
    for _ in range(resamples):
        rows = np.sort(rng.choice(n, size=max(2, int(round(_SUBSAMPLE * n))), replace=False))
        start = None
        if embedding is not None and _distinct_points(embedding[rows]) >= k:
            seeded = np.full(n, -1)
            seeded[rows] = _kmeans(embedding[rows], k, rng, 1)
            start = _theta_from_labels(agree_cells, disagree_cells, seeded, k, agree.shape[1])
        refit = _fit(agree[rows], disagree[rows], k, rng, restarts, iterations, start)
        kept, pairs = _co_assignment(fit.labels, refit.labels, rows, weight, k)
        together += kept
        total += pairs
    # Pairs pooled over the refits: a subsample that happens to hold one member of a
    # group says little about it and weighs little.
    return np.where(total > 0, together / np.where(total > 0, total, 1), 1.0)
