"""Opinion groups, implemented from the maths of the Polis pipeline.

Sources: Small et al., "Polis: Scaling Deliberation by Mapping High Dimensional
Opinion Spaces" (2021) and the description of compdemocracy/polis `math/` and of
red-dwarf; no Polis code is copied (it is AGPL).

1. Participants with >= min(7, #posts) stances enter the clustering; if fewer than 15
   qualify the most active are added until 15 (or everybody with a stance).
2. Column means over observed cells; the centred matrix keeps unobserved cells at 0,
   so it stays sparse; PCA = top-2 right singular vectors.
3. Sparsity-aware projection: x_i = sqrt(C / n_i) · Xc_i · components, so someone who
   voted on few posts is not pulled towards the centre.
4. k-means into <= 100 base clusters, then weighted k-means of the base centres for
   k = 2..min(5, 2 + n_base // 12), keeping the k with the best silhouette. A
   silhouette <= 0 (no structure) or fewer than 4 participants gives one group, and
   the reason is reported rather than inventing camps.
5. Representativeness (pa, pat, ra, rat) per group and post.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackError, svds
from sklearn.cluster import KMeans

from .snapshot import AnalysisParams
from .stances import StanceMatrix


@dataclass(frozen=True, eq=False)
class Clustering:
    clustered: np.ndarray  # participant indices that entered the clustering
    labels: np.ndarray  # group number (0 = largest) per clustered participant
    n_groups: int
    active: np.ndarray  # participant indices with at least one stance
    points: np.ndarray  # active × 2
    point_groups: np.ndarray  # group per active participant, -1 if not clustered
    reason: str | None


def _components(matrix: sp.csr_matrix, seed: int) -> np.ndarray:
    """Top-2 right singular vectors (2 × columns), signs fixed for determinism."""
    rows, cols = matrix.shape
    if not np.any(matrix.data):
        return np.zeros((2, cols))  # nobody deviates from the column means
    vt = None
    if min(rows, cols) > 3:
        v0 = np.random.default_rng(seed).standard_normal(min(rows, cols))
        try:
            _, s, vt = svds(matrix, k=2, v0=v0)
            vt = vt[np.argsort(-s)]
        except ArpackError:
            vt = None  # rank-deficient corner cases: the dense solver below handles them
    if vt is None:
        _, _, vt = np.linalg.svd(matrix.toarray(), full_matrices=False)
        vt = vt[:2]
    if vt.shape[0] < 2:
        vt = np.vstack([vt, np.zeros((2 - vt.shape[0], cols))])
    # A singular vector is defined up to sign; make its largest entry positive so the
    # map does not flip between runs or solvers.
    for row in vt:
        if row.size and row[np.argmax(np.abs(row))] < 0:
            row *= -1
    return vt


def _weighted_silhouette(
    centres: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int
) -> float:
    """Silhouette of the participants, with each one placed at its base centre.

    Collapsing participants onto the (<= 100) base centres makes this exact for the
    collapsed points and O(n_base²) instead of O(participants²).
    """
    distance = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    one_hot = np.zeros((len(centres), k))
    one_hot[np.arange(len(centres)), labels] = weights
    sums = distance @ one_hot  # Σ weight·distance from each centre to each group
    sizes = one_hot.sum(0)
    own = sizes[labels]
    rows = np.arange(len(centres))
    within = sums[rows, labels] / np.maximum(own - 1, 1)
    mean_to = sums / sizes
    mean_to[rows, labels] = np.inf
    nearest = mean_to.min(1)
    denominator = np.maximum(within, nearest)
    score = (nearest - within) / np.where(denominator > 0, denominator, 1.0)
    score = np.where(own > 1, score, 0.0)  # a group of one person scores 0 (Rousseeuw)
    return float((score * weights).sum() / weights.sum())


def _base_clusters(
    points: np.ndarray, params: AnalysisParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(centres, weights, label per point)."""
    distinct, inverse = np.unique(np.round(points, 9), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    if len(distinct) <= params.max_base_clusters:
        return distinct, np.bincount(inverse).astype(np.float64), inverse
    kmeans = KMeans(n_clusters=params.max_base_clusters, n_init=1, random_state=params.seed).fit(
        points
    )
    labels = kmeans.labels_
    weights = np.bincount(labels, minlength=params.max_base_clusters).astype(np.float64)
    used = weights > 0
    remap = np.cumsum(used) - 1
    return kmeans.cluster_centers_[used], weights[used], remap[labels]


def opinion_groups(stances: StanceMatrix, params: AnalysisParams) -> Clustering:
    n_columns = stances.n_columns
    counts = np.bincount(stances.rows, minlength=stances.n_participants)
    active = np.flatnonzero(counts > 0)
    empty = np.zeros((len(active), 2))

    def single(reason: str, clustered: np.ndarray, points: np.ndarray) -> Clustering:
        point_groups = np.where(np.isin(active, clustered), 0, -1)
        return Clustering(
            clustered=clustered,
            labels=np.zeros(len(clustered), np.int64),
            n_groups=1 if len(clustered) else 0,
            active=active,
            points=points,
            point_groups=point_groups,
            reason=reason,
        )

    if len(active) == 0:
        return single("Nobody has taken a stance on any post yet.", active, empty)

    need = min(params.min_stances, n_columns)
    by_activity = active[np.lexsort((active, -counts[active]))]
    qualified = counts[by_activity] >= need
    take = max(int(qualified.sum()), min(params.min_clustered, len(active)))
    clustered = np.sort(by_activity[:take])

    # Centre on column means over the clustered participants' observed cells.
    position = np.full(stances.n_participants, -1)
    position[active] = np.arange(len(active))
    in_cluster = np.zeros(stances.n_participants, bool)
    in_cluster[clustered] = True
    cell_in = in_cluster[stances.rows]
    sums = np.bincount(stances.cols[cell_in], stances.values[cell_in], minlength=n_columns)
    seen = np.bincount(stances.cols[cell_in], minlength=n_columns)
    means = sums / np.maximum(seen, 1)
    centred = sp.csr_matrix(
        (stances.values - means[stances.cols], (position[stances.rows], stances.cols)),
        shape=(len(active), n_columns),
    )

    if len(clustered) < params.min_group_participants or n_columns < 2:
        points = empty
        if len(active) >= 2 and n_columns >= 2:
            points = _project(
                centred, centred[position[clustered]], counts[active], n_columns, params
            )
        if n_columns < 2:
            reason = "There is only one post to take a stance on; opinion groups need two."
        else:
            people = "person has" if len(clustered) == 1 else "people have"
            reason = (
                f"Only {len(clustered)} {people} taken a stance; opinion groups need at "
                f"least {params.min_group_participants}."
            )
        return single(reason, clustered, points)

    points = _project(centred, centred[position[clustered]], counts[active], n_columns, params)
    cluster_points = points[position[clustered]]
    centres, weights, base_label = _base_clusters(cluster_points, params)
    n_base = len(centres)
    best: tuple[float, int, np.ndarray] | None = None
    smallest_allowed = max(params.min_group_size, params.min_group_share * len(clustered))
    only_outliers_split = False
    for k in range(2, min(params.max_groups, 2 + n_base // 12, n_base) + 1):
        labels = (
            KMeans(n_clusters=k, n_init=4, random_state=params.seed)
            .fit(centres, sample_weight=weights)
            .labels_
        )
        if len(np.unique(labels)) < k:
            continue
        if np.bincount(labels, weights=weights, minlength=k).min() < smallest_allowed:
            only_outliers_split = True
            continue
        score = _weighted_silhouette(centres, weights, labels, k)
        if best is None or score > best[0] + 1e-12:
            best = (score, k, labels)
    if best is None and only_outliers_split:
        return single(
            f"The only divisions the votes support would split off fewer than "
            f"{int(np.ceil(smallest_allowed))} participants, which is not a group.",
            clustered,
            points,
        )
    if best is None or best[0] <= 0:
        return single(
            "Everyone who has taken a stance sits in one cloud of opinion; no division "
            "into groups is supported by the votes.",
            clustered,
            points,
        )
    _, k, base_groups = best
    labels = base_groups[base_label]
    # Name groups by size (A = largest), ties by their first member, so names are
    # stable for the same input.
    sizes = np.bincount(labels, minlength=k)
    first_member = np.array([np.flatnonzero(labels == g)[0] for g in range(k)])
    order = np.lexsort((first_member, -sizes))
    rename = np.empty(k, np.int64)
    rename[order] = np.arange(k)
    labels = rename[labels]
    point_groups = np.full(len(active), -1)
    point_groups[position[clustered]] = labels
    return Clustering(clustered, labels, k, active, points, point_groups, None)


def _project(
    centred_all: sp.csr_matrix,
    centred_clustered: sp.csr_matrix,
    counts: np.ndarray,
    n_columns: int,
    params: AnalysisParams,
) -> np.ndarray:
    components = _components(centred_clustered, params.seed)
    raw = centred_all @ components.T
    return raw * np.sqrt(n_columns / np.maximum(counts, 1))[:, None]


@dataclass(frozen=True, eq=False)
class GroupCounts:
    """Per group × column counts over the group's members: agree, disagree, seen."""

    agree: np.ndarray
    disagree: np.ndarray
    seen: np.ndarray


def group_counts(stances: StanceMatrix, clustering: Clustering) -> GroupCounts:
    k = max(clustering.n_groups, 1)
    group_of_row = np.full(stances.n_participants, -1)
    group_of_row[clustering.clustered] = clustering.labels

    def tally(mask: np.ndarray) -> np.ndarray:
        g = group_of_row[stances.rows[mask]]
        c = stances.cols[mask]
        inside = g >= 0
        flat = np.bincount(
            g[inside] * stances.n_columns + c[inside], minlength=k * stances.n_columns
        )
        return flat.reshape(k, stances.n_columns).astype(np.float64)

    return GroupCounts(
        agree=tally(stances.values == 1),
        disagree=tally(stances.values == -1),
        seen=tally(np.ones(len(stances.values), bool)),
    )


def _p_test(successes: np.ndarray, seen: np.ndarray) -> np.ndarray:
    # Polis's one-proportion test against ½ with a +1 pseudo-count.
    return 2 * np.sqrt(seen + 1) * ((successes + 1) / (seen + 1) - 0.5)


def _two_proportion_z(
    s_in: np.ndarray, n_in: np.ndarray, s_out: np.ndarray, n_out: np.ndarray
) -> np.ndarray:
    # Two-proportion z-test, adding 1 to every count (Polis repness).
    s1, n1, s2, n2 = s_in + 1, n_in + 1, s_out + 1, n_out + 1
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / spread
    return np.where(spread > 0, z, 0.0)


@dataclass(frozen=True, eq=False)
class Repness:
    """Per group × column: direction (+1 agree / −1 disagree), metric, significance."""

    direction: np.ndarray
    metric: np.ndarray
    significant: np.ndarray
    agree_probability: np.ndarray  # pa = (A+1)/(S+2)


def representativeness(counts: GroupCounts, z: float) -> Repness:
    a, d, s = counts.agree, counts.disagree, counts.seen
    pa, pd = (a + 1) / (s + 2), (d + 1) / (s + 2)
    pat, pdt = _p_test(a, s), _p_test(d, s)
    k = a.shape[0]
    if k == 1:
        # With one group there is no "rest" to compare with: rank by how clearly the
        # group leans (pa·pat), which is what representativeness reduces to.
        agree_metric, disagree_metric = pa * pat, pd * pdt
        agree_ok, disagree_ok = pat > z, pdt > z
    else:
        a_rest, d_rest, s_rest = a.sum(0) - a, d.sum(0) - d, s.sum(0) - s
        ra = pa / ((a_rest + 1) / (s_rest + 2))
        rd = pd / ((d_rest + 1) / (s_rest + 2))
        rat = _two_proportion_z(a, s, a_rest, s_rest)
        rdt = _two_proportion_z(d, s, d_rest, s_rest)
        agree_metric, disagree_metric = ra * rat * pa * pat, rd * rdt * pd * pdt
        agree_ok = (rat > z) & (pat > z)
        disagree_ok = (rdt > z) & (pdt > z)
    # Where both directions qualify (only possible with pseudo-counts) keep the stronger.
    use_agree = np.where(agree_ok == disagree_ok, agree_metric >= disagree_metric, agree_ok)
    return Repness(
        direction=np.where(use_agree, 1, -1),
        metric=np.where(use_agree, agree_metric, disagree_metric),
        significant=np.where(use_agree, agree_ok, disagree_ok),
        agree_probability=pa,
    )


def representative_columns(rep: Repness, counts: GroupCounts, group: int, limit: int) -> list[int]:
    """Top columns by metric among the significant ones; at least the best seen one."""
    seen = counts.seen[group] > 0
    metric = np.where(seen, rep.metric[group], -np.inf)
    columns = np.arange(len(metric))
    chosen = columns[rep.significant[group] & seen]
    chosen = chosen[np.lexsort((chosen, -metric[chosen]))][:limit]
    if len(chosen) == 0 and seen.any():
        chosen = columns[np.lexsort((columns, -metric))][:1]
    return [int(c) for c in chosen]


def geometric_consensus(counts: GroupCounts) -> np.ndarray:
    """Group-informed consensus, reported as the geometric mean Π_g((A+1)/(S+2))^(1/k)."""
    probability = (counts.agree + 1) / (counts.seen + 2)
    return np.exp(np.log(probability).mean(0))


def agreed_columns(rep: Repness, counts: GroupCounts, group: int, limit: int) -> list[int]:
    """Posts the group agrees with most: its agree-side representative posts first (what
    sets it apart), then by smoothed agree probability; only posts a majority of the
    members who saw them agree with."""
    seen = counts.seen[group]
    majority = counts.agree[group] * 2 > seen
    columns = np.flatnonzero(majority)
    distinctive = rep.significant[group][columns] & (rep.direction[group][columns] == 1)
    order = np.lexsort(
        (
            columns,
            -rep.agree_probability[group][columns],
            -np.where(distinctive, rep.metric[group][columns], 0),
            ~distinctive,
        )
    )
    return [int(c) for c in columns[order][:limit]]
