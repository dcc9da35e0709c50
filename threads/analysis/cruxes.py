"""Cruxes: posts whose stance divides the groups *and* goes with the stance on the root.

Div(c) = max_g p_g(c) − min_g p_g(c), p_g = (A_g+1)/(A_g+D_g+2): how differently the
groups side on c. φ(c, r) is the phi coefficient between agreeing with c and agreeing
with the thread's root claim r over everyone who took a side on both; a crux is a
post whose answer predicts the answer to the thread's question (CFAR's double-crux
idea), so Crux(c) = Div(c)·|φ(c, r)|. Where φ is undefined (fewer than
`min_joint_stances` joint sides, or nobody on one side) the score falls back to
Div(c)·(1 − GIC(c)), GIC as the geometric mean so it does not shrink with the number
of groups. A crux is "double" when φ inside every group has the same sign as overall:
it is the crux for each camp, not only between them.

The root itself is not a candidate: it is the question, the cruxes are what it turns on.
Nor is any question: a crux is a claim one can agree or disagree with ("Does anyone
still think that …?" divides nobody). Common ground is never a crux.

Common ground (`consensus_columns`) needs evidence, not smoothing: at least
`min_supporters` participants other than the author behind the post (agree votes,
support or concession replies; the author's own implied stance never counts), more of
them agreeing than disagreeing, and with 2+ groups a majority in every group. The
geometric-mean GIC only ranks what qualifies. Questions and posts a moderator tagged
with a quality/fallacy mark are never common ground.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .groups import Clustering, GroupCounts, geometric_consensus
from .snapshot import AnalysisParams
from .stances import StanceMatrix
from .stated import CRUX_DECLARED_WEIGHT


@dataclass(frozen=True)
class CruxScore:
    column: int
    score: float
    double: bool


def _phi(n11: np.ndarray, n10: np.ndarray, n01: np.ndarray, n00: np.ndarray) -> np.ndarray:
    """Phi coefficient per entry; NaN where a margin is empty."""
    denominator = np.sqrt((n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, (n11 * n00 - n10 * n01) / denominator, np.nan)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def looks_like_question(role: str, text: str) -> bool:
    """A question by role, or a post whose own sentences are mostly questions."""
    if role == "question":
        return True
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    if not sentences:
        return False
    asked = sum(sentence.rstrip().endswith("?") for sentence in sentences)
    return asked * 2 > len(sentences)


def crux_scores(
    stances: StanceMatrix,
    clustering: Clustering,
    counts: GroupCounts,
    root_column: int,
    params: AnalysisParams,
    declared: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
) -> list[CruxScore]:
    """Cruxes best first; only `eligible` columns (claims, not common ground) qualify.

    `declared`: per column, the share of participants declaring the post a crux for
    them (stated.declared_crux_share); it multiplies the score by 1 + 0.5·share, so
    declarations reorder posts the votes already show dividing, never make one."""
    if clustering.n_groups < 2:
        return []
    a, d = counts.agree, counts.disagree
    side_probability = (a + 1) / (a + d + 2)
    divergence = side_probability.max(0) - side_probability.min(0)

    agree = stances.indicator(1).T.tocsr()  # columns × participants
    disagree = stances.indicator(-1).T.tocsr()
    if root_column >= 0:
        root_agree = np.asarray(agree[root_column].todense()).ravel()
        root_disagree = np.asarray(disagree[root_column].todense()).ravel()
    else:
        root_agree = root_disagree = np.zeros(stances.n_participants)

    # Joint 2×2 tables, per post (overall) and per post and group (for "double").
    k = clustering.n_groups
    membership = sp.csr_matrix(
        (np.ones(len(clustering.clustered)), (clustering.clustered, clustering.labels)),
        shape=(stances.n_participants, k),
    )
    tables = {}
    for name, side, root_side in (
        ("n11", agree, root_agree),
        ("n10", agree, root_disagree),
        ("n01", disagree, root_agree),
        ("n00", disagree, root_disagree),
    ):
        weighted = side.multiply(root_side[None, :]).tocsr()
        tables[name] = (
            np.asarray(weighted.sum(1)).ravel(),
            np.asarray((weighted @ membership).todense()),
        )
    overall = {name: value[0] for name, value in tables.items()}
    by_group = {name: value[1] for name, value in tables.items()}
    joint = sum(overall.values())
    phi = _phi(overall["n11"], overall["n10"], overall["n01"], overall["n00"])
    usable = (joint >= params.min_joint_stances) & ~np.isnan(phi)
    consensus = geometric_consensus(counts)
    score = np.where(usable, divergence * np.abs(np.nan_to_num(phi)), divergence * (1 - consensus))
    if declared is not None:
        score = score * (1 + CRUX_DECLARED_WEIGHT * declared)
    group_phi = _phi(by_group["n11"], by_group["n10"], by_group["n01"], by_group["n00"])
    sign = np.sign(np.nan_to_num(phi))[:, None]
    double = usable & (np.nan_to_num(group_phi * sign) > 0).all(1)

    candidates = np.flatnonzero((score >= params.min_crux_score) & (divergence > 0))
    candidates = candidates[candidates != root_column]
    if eligible is not None:
        candidates = candidates[eligible[candidates]]
    order = candidates[np.lexsort((candidates, -score[candidates]))][: params.max_cruxes]
    return [CruxScore(int(c), float(score[c]), bool(double[c])) for c in order]


def consensus_columns(
    counts: GroupCounts,
    params: AnalysisParams,
    supporters: np.ndarray,
    opposers: np.ndarray,
    eligible: np.ndarray,
) -> list[tuple[int, float]]:
    """(column, geometric GIC) of the posts that are common ground, best first.

    `supporters`/`opposers` per column count participants other than the author who
    agree/disagree (stated or implied by a reply)."""
    gic = geometric_consensus(counts)
    backed = (supporters >= params.min_supporters) & (supporters > opposers) & eligible
    if counts.agree.shape[0] > 1:
        backed &= (counts.agree * 2 > counts.seen).all(0)
    columns = np.flatnonzero(backed & (gic >= params.min_consensus))
    order = columns[np.lexsort((columns, -gic[columns]))][: params.max_consensus]
    return [(int(c), float(gic[c])) for c in order]
