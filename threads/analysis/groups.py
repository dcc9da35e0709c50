"""Opinion groups, implemented from the maths of the Polis pipeline.

Sources: Small et al., "Polis: Scaling Deliberation by Mapping High Dimensional
Opinion Spaces" (2021) and the description of compdemocracy/polis `math/` and of
red-dwarf; no Polis code is copied (it is AGPL).

1. Participants with >= min(7, #posts) stances enter the clustering; if fewer than 15
   qualify the most active are added until 15 (or everybody with a stance).
2. Column means over observed cells; the centred matrix keeps unobserved cells at 0,
   so it stays sparse; PCA = top-2 right singular vectors.
3. Sparsity-aware projection: x_i = sqrt(C / n_i) · Xc_i · components, so someone who
   voted on few posts is not pulled towards the centre. This 2-D projection is the
   picture only.
4. The groups themselves come from the full stance space: a Bernoulli mixture fitted
   by EM over the observed cells, k = 1..5 chosen by held-out likelihood, distinct
   opinions and subsample stability (see mixture.py; measured on planted camps, the
   earlier k-means-on-2-D with a silhouette choice merged 4–5 camps into 2–3 and
   invented groups on sparse votes). Fewer than 4 participants, or no k that passes,
   gives one group, and the reason is reported rather than inventing camps.
5. Representativeness (pa, pat, ra, rat) per group and post.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackError, svds

from .mixture import choose_groups
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
    stability: np.ndarray = field(default_factory=lambda: np.ones(1))  # per group
    held_out_gain: tuple[float, ...] = ()  # nats per hidden stance, k over k − 1
    fewer_because: str | None = None  # what stopped a larger k (size/distinct/stability)


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
            stability=np.ones(1 if len(clustered) else 0),
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
    # Groups come from the full stance space, not from the 2-D picture: a Bernoulli
    # mixture over the observed cells (passes and unseen posts are missing), k chosen
    # by held-out likelihood, distinct opinions and subsample stability (mixture.py).
    row_of = np.full(stances.n_participants, -1)
    row_of[clustered] = np.arange(len(clustered))
    sided = (row_of[stances.rows] >= 0) & (stances.values != 0)
    smallest_allowed = max(params.min_group_size, params.min_group_share * len(clustered))
    choice = choose_groups(
        row_of[stances.rows[sided]],
        stances.cols[sided],
        stances.values[sided].astype(np.int64),
        stances.weights[sided],
        (len(clustered), n_columns),
        max_groups=params.max_groups,
        min_size=smallest_allowed,
        seed=params.seed,
        min_stability=params.min_group_stability,
    )
    gains = choice.held_out_gain
    if choice.k < 2:
        why = {
            "size": (
                f"the only divisions the votes support would split off fewer than "
                f"{int(np.ceil(smallest_allowed))} participants, which is not a group"
            ),
            "distinct": (
                "the divisions the votes allow differ in how consistently people vote, "
                "not in which side they take"
            ),
            "sparse": (
                "nobody has taken enough stances (3 or more) to test a division against "
                "votes held back from the fit"
            ),
            "stability": (
                f"the divisions the votes allow do not survive resampling (a group needs "
                f"stability {params.min_group_stability:.2f})"
            ),
        }
        reason = (
            "Everyone who has taken a stance sits in one cloud of opinion: "
            + why.get(choice.reason or "", "a second group does not predict hidden votes better")
            + "."
        )
        clustering = single(reason, clustered, points)
        return dataclasses.replace(clustering, held_out_gain=gains)
    k = choice.k
    labels = choice.labels
    # Name groups by size (A = largest), ties by their first member, so names are
    # stable for the same input.
    sizes = np.bincount(labels, minlength=k)
    first_member = np.array([np.flatnonzero(labels == g)[0] for g in range(k)])
    order = np.lexsort((first_member, -sizes))
    rename = np.empty(k, np.int64)
    rename[order] = np.arange(k)
    labels = rename[labels]
    stability = np.empty(k)
    stability[rename] = choice.stability
    point_groups = np.full(len(active), -1)
    point_groups[position[clustered]] = labels
    return Clustering(
        clustered, labels, k, active, points, point_groups, None, stability, gains, choice.reason
    )


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

    # An author's own implied agreement places the author but never counts toward a
    # post's shares: one self-vote would otherwise read as (1+1)/(1+2) = 0.67 agreement.
    counted = stances.counted
    return GroupCounts(
        agree=tally(counted & (stances.values == 1)),
        disagree=tally(counted & (stances.values == -1)),
        seen=tally(counted),
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


def representative_columns(
    rep: Repness, counts: GroupCounts, group: int, limit: int, eligible: np.ndarray
) -> list[int]:
    """Top columns by metric among the significant ones; at least the best seen one.
    Only `eligible` columns (not quality/fallacy-tagged, not questions) qualify."""
    seen = (counts.seen[group] > 0) & eligible
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


def agreed_columns(
    rep: Repness, counts: GroupCounts, group: int, limit: int, eligible: np.ndarray
) -> list[int]:
    """Posts the group agrees with most: its agree-side representative posts first (what
    sets it apart), then by smoothed agree probability; only posts a majority of the
    members who saw them agree with."""
    seen = counts.seen[group]
    majority = (counts.agree[group] * 2 > seen) & eligible
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
