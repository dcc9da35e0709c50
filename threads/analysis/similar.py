"""Similar arguments: the posts that already make the point someone is writing.

While a reply or a new thread is composed, Crux shows up to three existing posts that
say much the same thing, so the writer can quote or answer them instead of repeating
them (Kialo asks for duplicates to be linked; LessWrong shows related comments).

Method: cosine similarity of TF-IDF vectors (sublinear tf, English stop words), as the
summaries use (lexrank.py), over words reduced by a light suffix-stripper so that
"plans", "planning" and "planned" count as one term. Measured on the labelled paraphrase
set (tests/data/paraphrases.json, 50 pairs, against 5,000 synthetic posts): word
bigrams and character n-grams found at most two more paraphrases in the top three for
4–8 times the query time and memory, so they are left out; bench/bench_similar.py
prints the figures.

The index is built once per version of a thread's posts (the caller caches it); a query
is one sparse vector times the index matrix, a few milliseconds for 5,000 posts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .lexrank import STOP_WORDS

# Below this cosine two texts share a word or two, not a point.
MIN_SCORE = 0.2
LIMIT = 3
EXCERPT_CHARS = 220
# Queries shorter than this are not yet an argument (and match everything a little).
MIN_QUERY_WORDS = 3
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    """A post that may already make the point: its id and its words as plain text."""

    id: int
    text: str


@dataclass(frozen=True)
class Match:
    id: int
    score: float
    excerpt: str


@dataclass(frozen=True, eq=False)
class SimilarityIndex:
    """TF-IDF vectors of a set of candidate posts, ready to be queried."""

    ids: np.ndarray
    texts: tuple[str, ...]
    vectorizer: TfidfVectorizer | None
    matrix: sp.csr_matrix

    def __len__(self) -> int:
        return len(self.texts)


# Longest first; a word keeps at least four letters ("being" stays, "planning" -> "plann").
_SUFFIXES = (
    "ations", "ation", "ments", "ment", "ings", "ing", "edly", "ies", "ied", "ers", "er",
    "es", "ed", "ly", "ity", "ive", "al", "s",
)  # fmt: skip
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOP = frozenset(STOP_WORDS)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """The index terms of a text: lower-cased words, stop words dropped, suffixes stripped."""
    return [stem(word) for word in _TOKEN.findall(text.lower()) if word not in _STOP]


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(sublinear_tf=True, analyzer=terms, dtype=np.float32)


def build_index(candidates: Iterable[Candidate]) -> SimilarityIndex:
    """Vectorise the candidates (texts without an index term are left out)."""
    kept = [c for c in candidates if terms(c.text or "")]
    ids = np.asarray([c.id for c in kept], dtype=np.int64)
    texts = tuple(c.text for c in kept)
    if not kept:
        return SimilarityIndex(ids, texts, None, sp.csr_matrix((0, 0), dtype=np.float32))
    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform(texts).tocsr()
    return SimilarityIndex(ids, texts, vectorizer, matrix)


def extend_index(index: SimilarityIndex, candidates: Iterable[Candidate]) -> SimilarityIndex:
    """`index` with more candidates, vectorised with the terms and weights it was built
    with (a new post's words that the index has never seen do not count until the next
    full build)."""
    kept = [c for c in candidates if terms(c.text or "")]
    if not kept:
        return index
    if index.vectorizer is None:  # an empty index: nothing to keep
        return build_index(kept)
    rows = index.vectorizer.transform([c.text for c in kept]).tocsr()
    return SimilarityIndex(
        np.concatenate([index.ids, np.asarray([c.id for c in kept], dtype=np.int64)]),
        index.texts + tuple(c.text for c in kept),
        index.vectorizer,
        sp.vstack([index.matrix, rows], format="csr"),
    )


def similar(
    index: SimilarityIndex,
    text: str,
    *,
    limit: int = LIMIT,
    min_score: float = MIN_SCORE,
    exclude: Iterable[int] = (),
) -> tuple[Match, ...]:
    """The candidates most like `text`, best first: at most `limit`, each scoring at
    least `min_score`, none of the ids in `exclude`."""
    if index.vectorizer is None or len(_WORD.findall(text)) < MIN_QUERY_WORDS:
        return ()
    query = index.vectorizer.transform([text])
    if not query.nnz:
        return ()
    scores = index.matrix @ query.toarray().ravel()  # sparse × dense: one CSR mat-vec
    skip = set(exclude)
    order = np.argsort(-scores, kind="stable")
    matches: list[Match] = []
    for position in order:
        score = float(scores[position])
        if score < min_score or len(matches) == limit:
            break
        post = int(index.ids[position])
        if post in skip:
            continue
        matches.append(Match(post, round(score, 3), excerpt(index.texts[position])))
    return tuple(matches)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of `text` on one line, cut at a word boundary with "…" if longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:—-") + "…"


def recall_at(
    pairs: Sequence[tuple[str, str]], distractors: Sequence[str] = (), *, k: int = LIMIT
) -> float:
    """Share of (original, paraphrase) pairs whose original is among the top `k` when the
    paraphrase is the query, against all the originals and the distractors."""
    texts = [original for original, _ in pairs] + list(distractors)
    index = build_index(Candidate(i, t) for i, t in enumerate(texts))
    hits = 0
    for number, (_, paraphrase) in enumerate(pairs):
        found = similar(index, paraphrase, limit=k, min_score=0.0)
        hits += any(match.id == number for match in found)
    return hits / len(pairs) if pairs else 0.0


# Two texts whose words match this closely (difflib's ratio over their word sequences) are
# the same text re-sent, perhaps with a typo fixed: 0.9 allows about one word in ten.
NEAR_IDENTICAL = 0.9


def near_identical(first: str, second: str) -> bool:
    """Whether two texts are the same words, give or take case, punctuation and a few
    changed words."""
    a, b = _WORD.findall(first.casefold()), _WORD.findall(second.casefold())
    if not a or not b:
        return a == b
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio() >= NEAR_IDENTICAL
