"""Which sentences a summary quotes: every sentence ranked once (TF-IDF, the similarity
graph, LexRank salience), then `Sections`, the choices all of a summary's sections share —
a post's key sentence, MMR picks away from what is already quoted, and the rule that no
sentence is quoted twice. threads/analysis/summaries.py assembles the sections from them.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from .attribution import OwnSentences
from .lexrank import lexrank, mmr_select, similarity_graph, tfidf_vectors
from .sentences import strip_footnotes

if TYPE_CHECKING:
    from .summaries import SummaryParams

# A post's first sentence of its own usually states its point (the "lead" of news
# summarisation); it wins over a later sentence up to 1.5× as central.
LEAD_WEIGHT = 1.5
_COMPLETE = re.compile(r"[.!?…][\"'”’)\]]*$")


def _complete(sentence: str) -> bool:
    """Ends like a sentence and is not a bracketed aside."""
    return bool(_COMPLETE.search(sentence)) and not sentence.startswith(("(", "["))


@dataclass(frozen=True)
class Extract:
    text: str  # verbatim slice of the cited post's own text
    post: int
    # Brief items only: the line of the argument the sentence stands for —
    # opening | objection | support | reply | answer | concession | conceded.
    line: str | None = None
    # Common ground only: who agrees with the post, besides its author (from the map).
    supporters: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "post": self.post}
        if self.line is not None:
            data["line"] = self.line
        if self.supporters is not None:
            data["supporters"] = list(self.supporters)
        return data


@dataclass(frozen=True, eq=False)
class Ranked:
    """TF-IDF vectors, the similarity graph and LexRank salience of the sentences."""

    vectors: sp.csr_matrix
    graph: sp.csr_matrix
    salience: np.ndarray
    informative: np.ndarray  # at least `min_terms` content words


def rank_sentences(sentences: OwnSentences, params: SummaryParams) -> Ranked:
    vectors = tfidf_vectors([strip_footnotes(text) for text in sentences.texts])
    graph = similarity_graph(vectors, params.similarity_threshold)
    salience = lexrank(graph, params.damping)
    # Sentences with under `min_terms` content words ("When not told to, it doesn't.")
    # stay in the graph but are not quoted where a fuller sentence will do; LexRank
    # otherwise favours them, as a short vector is close to anything sharing a word.
    informative = np.diff(vectors.indptr) >= params.min_terms
    return Ranked(vectors, graph, salience, informative)


class Sections:
    """The choices every section shares: the best unused sentence of a post, and the
    rule that no sentence is quoted in two sections (or twice in one)."""

    def __init__(
        self, sentences: OwnSentences, ranked: Ranked, params: SummaryParams, placeholders: set
    ) -> None:
        self.sentences = sentences
        self.ranked = ranked
        self.params = params
        self.placeholders = placeholders
        self.used: set[int] = set()

    def key_sentence(self, post_id: int, prefer_question: bool = False) -> int | None:
        """The post's unused sentence repliers quoted most, then the most central one."""
        indices = [i for i in self.sentences.by_post.get(post_id, []) if i not in self.used]
        if any(self.ranked.informative[i] for i in indices):
            indices = [i for i in indices if self.ranked.informative[i]]
        if prefer_question and any(self.sentences.texts[i].rstrip().endswith("?") for i in indices):
            indices = [i for i in indices if self.sentences.texts[i].rstrip().endswith("?")]
        if not indices:
            return None
        quoted, salience, texts = self.sentences.quoted, self.ranked.salience, self.sentences.texts
        lead = self.sentences.by_post[post_id][0]
        # A complete sentence before a fragment (a list item, a heading): "Assume have
        # some ML system" is central to nothing but shares the thread's commonest words.
        return max(
            indices,
            key=lambda i: (
                int(quoted[i]),
                _complete(texts[i]),
                salience[i] * (LEAD_WEIGHT if i == lead else 1.0),
                -i,
            ),
        )

    def asks(self, post_id: int) -> bool:
        """Whether the post has a question among its own sentences."""
        texts = self.sentences.texts
        return any(texts[i].rstrip().endswith("?") for i in self.sentences.by_post.get(post_id, []))

    def not_repeating(self, index: int, also: Collection[int] = ()) -> bool:
        """Not a near-repeat (cosine ≥ max_similarity) of a sentence already quoted
        (or of `also`)."""
        if index in self.used or index in also:
            return False
        if not self.used and not also:
            return True
        shown = sorted({*self.used, *also})
        similarity = self.ranked.vectors[shown] @ self.ranked.vectors[index].T
        return similarity.max() < self.params.max_similarity if similarity.nnz else True

    def take(self, index: int) -> Extract:
        self.used.add(index)
        return Extract(self.sentences.texts[index], int(self.sentences.posts[index]))

    def pick(self, candidates: np.ndarray, scores: np.ndarray, count: int) -> list[int]:
        """MMR over the most salient unused candidates, away from everything already
        quoted; the result in thread order."""
        candidates = np.array([i for i in candidates if i not in self.used], dtype=np.int64)
        if len(candidates) == 0:
            return []
        pool = candidates[np.lexsort((candidates, -scores[candidates]))]
        pool = pool[: max(count * self.params.candidates_per_pick, 30)]
        chosen = mmr_select(
            pool,
            scores,
            self.ranked.vectors,
            count,
            self.params.mmr_trade_off,
            self.params.max_similarity,
            owners=self.sentences.posts,
            max_per_owner=self.params.max_per_post,
            avoid=sorted(self.used),
        )
        return sorted(chosen)
