"""LexRank centrality and MMR selection over TF-IDF sentence vectors.

LexRank: Erkan & Radev, "LexRank: Graph-based Lexical Centrality as Salience in Text
Summarization" (JAIR 2004) — sentences are nodes, edges join pairs whose TF-IDF
cosine is at least 0.1 (weighted by the cosine, their "continuous LexRank"), and a
sentence's salience is its PageRank (damping 0.85). MMR: Carbonell & Goldstein
(SIGIR 1998), relevance traded against redundancy with λ = 0.7.

Scale: the similarity graph is the sparse product X·Xᵀ, computed for the upper
triangle in row blocks and thresholded block by block, so memory is bounded by the
edges that survive the threshold rather than by every pair sharing a word; see
`similarity_graph` for the work cap on very large threads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

# scikit-learn's English list misses the stems its own tokeniser leaves from
# contractions ("doesn't" -> "doesn"), which are among the commonest tokens in forum
# prose and would otherwise link unrelated sentences; and a few fillers of argument.
STOP_WORDS = sorted(
    ENGLISH_STOP_WORDS
    | {
        "aren",
        "couldn",
        "didn",
        "doesn",
        "don",
        "hadn",
        "hasn",
        "haven",
        "isn",
        "ll",
        "re",
        "shouldn",
        "ve",
        "wasn",
        "weren",
        "won",
        "wouldn",
        "actually",
        "basically",
        "just",
        "pretty",
        "probably",
        "really",
    }
)


def tfidf_vectors(texts: list[str]) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows (sublinear tf, English stop words); zero rows if no words."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words=STOP_WORDS, dtype=np.float32)
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # every sentence was stop words only
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


def similarity_graph(
    vectors: sp.csr_matrix,
    threshold: float = 0.1,
    max_work: float = 1e7,
    block_rows: int = 512,
) -> sp.csr_matrix:
    """Cosine similarities >= threshold between different rows, as a symmetric CSR.

    The cost of X·Xᵀ is Σ_t df_t² (every pair of sentences sharing term t meets once),
    so it is quadratic in the frequency of the commonest terms. In a thread of a few
    thousand sentences of real prose that is a few million steps and everything is
    exact. (1e7 keeps a 5,000-post thread's summary near a second even when its
    vocabulary is small and nearly every sentence pair shares a word.) Past
    `max_work`, the commonest terms are treated as corpus-specific stop words (what
    scikit-learn's `max_df` does) until the sum fits: in a 25,000-sentence thread that
    drops the top few dozen of ~20,000 terms. Edges then weigh the cosine carried by
    the remaining terms, a lower bound of the full cosine, so a dropped term can only
    remove an edge, never invent one.
    """
    n = vectors.shape[0]
    terms = vectors.shape[1]
    frequency = np.bincount(vectors.indices, minlength=terms).astype(np.float64)
    by_frequency = np.argsort(frequency, kind="stable")
    work = np.cumsum(frequency[by_frequency] ** 2)
    kept = np.zeros(terms, dtype=bool)
    kept[by_frequency[: int(np.searchsorted(work, max_work, side="right"))]] = True
    if not kept.all():
        vectors = vectors.copy()
        vectors.data[~kept[vectors.indices]] = 0
        vectors.eliminate_zeros()
    # Upper triangle only (the graph is symmetric): block i meets rows i.. onwards.
    rows, cols, weights = [], [], []
    for start in range(0, n, block_rows):
        block = (vectors[start : start + block_rows] @ vectors[start:].T).tocoo()
        keep = (block.data >= threshold) & (block.col > block.row)
        # int32 indices: a graph of millions of edges is a worker's largest allocation.
        rows.append((block.row[keep] + start).astype(np.int32))
        cols.append((block.col[keep] + start).astype(np.int32))
        weights.append(block.data[keep])
        del block
    upper_rows = np.concatenate(rows) if rows else np.zeros(0, np.int32)
    upper_cols = np.concatenate(cols) if cols else np.zeros(0, np.int32)
    upper = np.concatenate(weights) if weights else np.zeros(0, np.float32)
    del rows, cols, weights
    return sp.csr_matrix(
        (
            np.concatenate([upper, upper]),
            (np.concatenate([upper_rows, upper_cols]), np.concatenate([upper_cols, upper_rows])),
        ),
        shape=(n, n),
        dtype=np.float32,
    )


def lexrank(
    graph: sp.csr_matrix, damping: float = 0.85, tolerance: float = 1e-6, max_iterations: int = 200
) -> np.ndarray:
    """PageRank of the weighted similarity graph by sparse power iteration (sums to 1).

    Only the order of sentences is used; an L1 change below 1e-6 no longer moves it
    (checked on a 23,588-sentence thread: the same top 50 as at 1e-8, in half the time).

    A sentence with no similar sentence spreads its rank uniformly (the usual
    treatment of dangling nodes), so it keeps only the teleport share.
    """
    n = graph.shape[0]
    if n == 0:
        return np.zeros(0)
    degree = np.asarray(graph.sum(axis=1), dtype=np.float64).ravel()
    dangling = degree == 0
    # float32 throughout, like the graph, so no float64 copy of millions of edges is
    # made; rounding stays far below the tolerance.
    inverse_degree = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, degree)).astype(
        np.float32
    )
    # The graph is symmetric, so Pᵀ·p = W·(p / degree) with W the graph itself.
    weights = graph.astype(np.float32, copy=False)
    rank = np.full(n, 1.0 / n, dtype=np.float32)
    for _ in range(max_iterations):
        spread = weights @ (rank * inverse_degree)
        updated = (1 - damping) / n + damping * (spread + rank[dangling].sum() / n)
        change = np.abs(updated - rank).sum()
        rank = updated
        if change < tolerance:
            break
    return rank.astype(np.float64)


def mmr_select(
    candidates: np.ndarray,
    salience: np.ndarray,
    vectors: sp.csr_matrix,
    count: int,
    trade_off: float = 0.7,
    max_similarity: float = 0.8,
    chosen: Sequence[int] = (),
    owners: np.ndarray | None = None,
    max_per_owner: int | None = None,
    avoid: Sequence[int] = (),
) -> list[int]:
    """Pick up to `count` of `candidates` by maximal marginal relevance.

    score = λ·salience/max salience − (1 − λ)·max cosine to what is already picked.
    A candidate at or above `max_similarity` to a picked sentence is never taken, so
    near-repeats cannot both appear. Ties go to the earlier candidate. `chosen` are
    sentences already in the section: they count for redundancy and for the
    `max_per_owner` limit on sentences sharing an owner (post). `avoid` are sentences
    shown elsewhere: never picked, and counted for redundancy only.
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    in_section = np.asarray(list(chosen), dtype=np.int64)
    already = np.unique(np.concatenate([in_section, np.asarray(list(avoid), dtype=np.int64)]))
    candidates = candidates[~np.isin(candidates, already)]
    if len(candidates) == 0 or count <= 0:
        return []
    pool = np.concatenate([candidates, already])
    rows = vectors[pool]
    similarity = (rows @ rows.T).toarray().astype(np.float64)
    top = salience[candidates].max()
    relevance = salience[candidates] / top if top > 0 else np.zeros(len(candidates))
    m = len(candidates)
    redundancy = similarity[:m, m:].max(axis=1) if len(already) else np.zeros(m)
    available = redundancy < max_similarity
    used: dict[int, int] = {}
    if owners is not None:
        for owner in owners[in_section]:
            used[int(owner)] = used.get(int(owner), 0) + 1
    picked: list[int] = []
    while len(picked) < count and available.any():
        score = np.where(available, trade_off * relevance - (1 - trade_off) * redundancy, -np.inf)
        best = int(np.argmax(score))
        available[best] = False
        if owners is not None and max_per_owner is not None:
            owner = int(owners[candidates[best]])
            if used.get(owner, 0) >= max_per_owner:
                continue
            used[owner] = used.get(owner, 0) + 1
        picked.append(best)
        redundancy = np.maximum(redundancy, similarity[:m, best])
        available &= redundancy < max_similarity
    return [int(candidates[i]) for i in picked]
