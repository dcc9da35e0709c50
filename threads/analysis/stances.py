"""The stance matrix: who agrees (+1), disagrees (−1) or passes (0) on which post.

Two sources, explicit first (LessWrong-style agreement votes), then stances implied by
what people wrote: an author agrees with their own post, a rebuttal's author disagrees
with the parent, a support's or concession's author agrees with it. An explicit vote
always wins over an implied stance for the same (participant, post) cell; among
several entries of the same source the later one wins (a person who rebuts their own
earlier post has changed their mind).

Each cell also records its *source* (`STATED`, `IMPLIED`, `OWN`) and a weight
(`SOURCE_WEIGHTS`): a stated stance counts 1.0, one implied by a typed reply 0.5, and
an author's own implied agreement 0.5 for where the author stands — but it is never
counted toward a post's agreement share, common ground or consensus (one self-vote
would otherwise give (1+1)/(1+2) = 0.67). A stated credence is a STATED cell whose
`strength` is its distance from even (stated.py), which scales its weight.

Removed posts contribute nothing here: neither their votes nor the stances their
text implies shape the map. Everything is vectorised over the vote arrays, which is
what keeps 250k votes in the low tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .snapshot import ATTACK_ROLES, SUPPORT_ROLES, ThreadSnapshot

STATED, IMPLIED, OWN = 0, 1, 2
SOURCE_WEIGHTS = {STATED: 1.0, IMPLIED: 0.5, OWN: 0.5}


@dataclass(frozen=True, eq=False)
class StanceMatrix:
    """Deduplicated stance cells plus the lookups the later steps need.

    Posts are addressed two ways: *post index* (position in `snapshot.posts`) and
    *column* (position among live, i.e. not removed, posts).
    """

    participants: tuple[str, ...]
    post_ids: np.ndarray  # by post index
    live_columns: np.ndarray  # column -> post index
    column_of_post: np.ndarray  # post index -> column, -1 if removed
    rows: np.ndarray  # one entry per stance cell
    cols: np.ndarray
    values: np.ndarray
    sources: np.ndarray  # STATED | IMPLIED | OWN per cell
    explicit_agree: np.ndarray  # per post index, explicit votes only (base scores)
    explicit_disagree: np.ndarray
    explicit_votes: int
    # Per cell, how firmly the stance is held, 0..1: 1 for votes and implied stances,
    # |(c − 50)/50| for a credence c (stated.merge_credences). None: all 1.
    strength: np.ndarray | None = None

    @property
    def n_participants(self) -> int:
        return len(self.participants)

    @property
    def n_columns(self) -> int:
        return len(self.live_columns)

    @property
    def weights(self) -> np.ndarray:
        """How much each cell counts in the clustering: its source's weight times its
        strength, so a credence of 95 weighs 0.9 and one of 55 weighs 0.1."""
        table = np.zeros(max(SOURCE_WEIGHTS) + 1)
        for source, weight in SOURCE_WEIGHTS.items():
            table[source] = weight
        weights = table[self.sources]
        return weights if self.strength is None else weights * self.strength

    @property
    def counted(self) -> np.ndarray:
        """Cells that count toward shares and support: everything but authors' own."""
        return self.sources != OWN

    def indicator(self, value: int | None) -> sp.csr_matrix:
        """participants × columns 0/1 matrix of cells with this value (None: any stance)."""
        mask = np.ones(len(self.values), bool) if value is None else self.values == value
        return sp.csr_matrix(
            (np.ones(int(mask.sum())), (self.rows[mask], self.cols[mask])),
            shape=(self.n_participants, self.n_columns),
        )


def _last_wins(keys: np.ndarray) -> np.ndarray:
    """Positions of the last occurrence of each distinct key, in key order."""
    if len(keys) == 0:
        return np.zeros(0, np.int64)
    _, first_in_reversed = np.unique(keys[::-1], return_index=True)
    return len(keys) - 1 - first_in_reversed


def build_stances(snapshot: ThreadSnapshot) -> StanceMatrix:
    posts = snapshot.posts
    n_posts = len(posts)
    post_ids = np.array([post.id for post in posts], dtype=np.int64)
    # Removed posts and the importer's placeholder take no part in the stance matrix.
    removed = np.array([not post.citable for post in posts], dtype=bool)
    index_of_id = {post.id: i for i, post in enumerate(posts)}

    participants = list(snapshot.participants)
    participant_index: dict[str, int] = {}
    for i, name in enumerate(participants):
        participant_index.setdefault(name, i)
    for post in posts:
        if post.author not in participant_index:
            participant_index[post.author] = len(participants)
            participants.append(post.author)

    # Explicit votes: map post ids to post indices with one sorted search.
    order = np.argsort(post_ids, kind="stable")
    sorted_ids = post_ids[order]
    vote_post = snapshot.vote_post
    position = np.clip(np.searchsorted(sorted_ids, vote_post), 0, max(n_posts - 1, 0))
    known = (sorted_ids[position] == vote_post) if n_posts else np.zeros(len(vote_post), bool)
    vote_index = order[position[known]] if n_posts else np.zeros(0, np.int64)
    vote_who = snapshot.vote_participant[known].astype(np.int64)
    vote_value = snapshot.vote_value[known]
    explicit_keys = vote_who * n_posts + vote_index
    keep = _last_wins(explicit_keys)
    explicit_keys = explicit_keys[keep]
    explicit_values = vote_value[keep]
    explicit_post = vote_index[keep]
    explicit_agree = np.bincount(explicit_post[explicit_values == 1], minlength=n_posts)
    explicit_disagree = np.bincount(explicit_post[explicit_values == -1], minlength=n_posts)

    # Implied stances, generated in creation order so that "later wins" means the
    # more recent post.
    implied_keys: list[int] = []
    implied_values: list[int] = []
    implied_sources: list[int] = []
    for post in sorted(posts, key=lambda p: (p.created, p.id)):
        if not post.citable:
            continue
        who = participant_index[post.author]
        implied_keys.append(who * n_posts + index_of_id[post.id])
        implied_values.append(1)
        implied_sources.append(OWN)
        parent = index_of_id.get(post.parent) if post.parent is not None else None
        if parent is None or removed[parent]:
            continue
        if post.role in ATTACK_ROLES:
            implied_keys.append(who * n_posts + parent)
            implied_values.append(-1)
            implied_sources.append(IMPLIED)
        elif post.role in SUPPORT_ROLES:
            implied_keys.append(who * n_posts + parent)
            implied_values.append(1)
            implied_sources.append(IMPLIED)
    imp_keys = np.array(implied_keys, dtype=np.int64)
    imp_values = np.array(implied_values, dtype=np.int8)
    imp_sources = np.array(implied_sources, dtype=np.int8)
    keep = _last_wins(imp_keys)
    imp_keys, imp_values, imp_sources = imp_keys[keep], imp_values[keep], imp_sources[keep]
    # explicit_keys is sorted (np.unique order), so membership is a sorted search.
    overridden = np.isin(imp_keys, explicit_keys, assume_unique=True)
    imp_keys, imp_values = imp_keys[~overridden], imp_values[~overridden]
    imp_sources = imp_sources[~overridden]

    live_explicit = ~removed[explicit_post] if n_posts else np.zeros(0, bool)
    keys = np.concatenate([explicit_keys[live_explicit], imp_keys])
    values = np.concatenate([explicit_values[live_explicit], imp_values]).astype(np.int8)
    sources = np.concatenate(
        [np.full(int(live_explicit.sum()), STATED, np.int8), imp_sources]
    ).astype(np.int8)
    live_columns = np.flatnonzero(~removed)
    column_of_post = np.full(n_posts, -1, dtype=np.int64)
    column_of_post[live_columns] = np.arange(len(live_columns))
    rows = (keys // max(n_posts, 1)).astype(np.int32)
    cols = column_of_post[keys % max(n_posts, 1)].astype(np.int32)
    return StanceMatrix(
        participants=tuple(participants),
        post_ids=post_ids,
        live_columns=live_columns,
        column_of_post=column_of_post,
        rows=rows,
        cols=cols,
        values=values,
        sources=sources,
        explicit_agree=explicit_agree,
        explicit_disagree=explicit_disagree,
        explicit_votes=int(len(explicit_keys)),
    )
