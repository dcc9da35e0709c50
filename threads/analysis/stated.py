"""Stated stances: credences and reactions, as the analysis reads them.

A credence c ∈ [1, 99] on a post is the stance s = (c − 50)/50 ∈ (−1, 1). It is a
*stated* stance, like an agreement vote, and outranks what a reply implies. In the
stance matrix (which holds agree +1 / disagree −1 / pass 0, the data Polis-style
counts work on) a credence enters as the sign of s, with |s| < DEAD_ZONE (credence
46–54) as a pass: "about even" says the person saw the post and has no side. Its
magnitude is the cell's `strength` |s|, which scales the cell's weight in the
opinion-group mixture (mixture.py): 95 counts 0.9 of a vote, 55 a tenth. For a
Bernoulli likelihood this is the soft label y = (s + 1)/2 = c/100 where it matters:
y·log θ_a/θ_b + (1 − y)·log (1 − θ_a)/(1 − θ_b), the evidence a stance gives for
group a over group b, is s·log θ_a/θ_b when the groups sit on either side of even
(θ_b = 1 − θ_a), and |s|·log θ_a/θ_b is what the weighted sign gives. Shares,
common ground and crux counts stay on the sign: a person either leans to a side or
not. Where both exist for one person and post, the credence wins over the agreement
vote: it is the more deliberate statement, and the newer one in practice (a vote is
one click under the post).

Declared crux reactions ("that's a crux for me" minus "not a crux") enter crux ranking
through one term, `declared_crux_share`; see cruxes.py for where it multiplies.

Nothing here imports Django.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # stances imports snapshot, which imports this module
    from .stances import StanceMatrix

# Credence points a move must cover to count as a belief update (ALGORITHMS.md).
BELIEF_UPDATE_POINTS = 15
# |(c − 50)/50| below this is a pass in the ternary stance matrix: credences 46..54.
DEAD_ZONE = 0.1
# A post every reacting participant calls a crux gets its crux score × (1 + this).
CRUX_DECLARED_WEIGHT = 0.5
REACTION_KINDS = ("crux", "not_crux", "changed_mind", "needs_evidence")


@dataclass(frozen=True)
class CredenceInput:
    """One credence statement. The latest per (participant, post) counts; `previous`
    is the value it replaced, `because` the post credited for the move."""

    participant: str
    post: int
    value: int
    at: float = 0.0
    previous: int | None = None
    because: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.value <= 99:
            raise ValueError(f"credence on post {self.post}: {self.value} is not 1..99")

    @property
    def stance(self) -> float:
        return (self.value - 50) / 50

    @property
    def is_belief_update(self) -> bool:
        return self.previous is not None and abs(self.value - self.previous) >= (
            BELIEF_UPDATE_POINTS
        )


@dataclass(frozen=True)
class ReactionInput:
    participant: str
    post: int
    kind: str  # crux | not_crux | changed_mind | needs_evidence


@dataclass(frozen=True, eq=False)
class StanceSources:
    """How many cells of the stance matrix each source decided (for map.json)."""

    stated: int  # agreement votes and credences
    implied: int  # from replies and authorship
    credences: int  # cells decided by a credence
    stated_cells: np.ndarray  # per cell of the merged matrix: stated (True) or implied


def latest_credences(credences: tuple[CredenceInput, ...]) -> dict[tuple[str, int], CredenceInput]:
    """The statement that counts per (participant, post): the latest by time, then order."""
    latest: dict[tuple[str, int], CredenceInput] = {}
    times = [credence.at for credence in credences]
    in_order = all(a <= b for a, b in zip(times, times[1:], strict=False))
    ordered = credences if in_order else [credences[i] for i in np.argsort(times, kind="stable")]
    for credence in ordered:
        latest[credence.participant, credence.post] = credence
    return latest


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    # Sort-based on purpose: numpy 2.3's hash-based np.unique / np.isin took 1.3 s on
    # 250k int64 cell keys here, sorting takes 20 ms.
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    if len(sorted_set) == 0:
        return np.zeros(len(values), bool)
    at = np.clip(np.searchsorted(sorted_set, values), 0, len(sorted_set) - 1)
    return sorted_set[at] == values


def ternary(stance: float) -> int:
    if abs(stance) < DEAD_ZONE:
        return 0
    return 1 if stance > 0 else -1


def merge_credences(
    stances: StanceMatrix,
    credences: tuple[CredenceInput, ...],
    *,
    vote_participant: np.ndarray,
    vote_post: np.ndarray,
) -> tuple[StanceMatrix, StanceSources]:
    """The stance matrix with credences laid over it (they replace any vote or implied
    stance of the same person on the same post), and the count of cells per source.

    `vote_participant`/`vote_post` are the snapshot's explicit votes, used only to tell
    stated cells from implied ones. Credences on removed posts, or by people the matrix
    does not know yet, are handled like votes: removed posts drop out, new people are
    added as rows.
    """
    from .stances import STATED  # at call time: stances imports snapshot, which imports us

    n_columns = stances.n_columns
    width = max(n_columns, 1)
    participants = list(stances.participants)
    row_of = {name: i for i, name in enumerate(participants)}

    # Post id -> column (-1: removed or unknown), by one sorted search, as build_stances.
    order = np.argsort(stances.post_ids, kind="stable")
    sorted_ids = stances.post_ids[order]

    def columns_of(post_ids: np.ndarray) -> np.ndarray:
        if len(sorted_ids) == 0:
            return np.full(len(post_ids), -1, np.int64)
        at = np.clip(np.searchsorted(sorted_ids, post_ids), 0, len(sorted_ids) - 1)
        found = sorted_ids[at] == post_ids
        return np.where(found, stances.column_of_post[order[at]], -1)

    # Cells decided by an explicit vote (rows of the matrix are the snapshot's
    # participants first, in order, so a vote's participant index is its row).
    vote_columns = columns_of(np.asarray(vote_post, np.int64))
    voted = vote_columns >= 0
    explicit_keys = _sorted_unique(
        vote_participant[voted].astype(np.int64) * width + vote_columns[voted]
    )

    latest = latest_credences(credences)
    credence_posts = np.fromiter((post for _, post in latest), np.int64, len(latest))
    credence_columns = columns_of(credence_posts)
    credence_rows = np.empty(len(latest), np.int64)
    credence_values = np.empty(len(latest), np.int8)
    credence_strength = np.empty(len(latest))
    for k, ((name, _), credence) in enumerate(latest.items()):
        if name not in row_of and credence_columns[k] >= 0:
            row_of[name] = len(participants)
            participants.append(name)
        credence_rows[k] = row_of.get(name, -1)
        credence_values[k] = ternary(credence.stance)
        credence_strength[k] = abs(credence.stance)
    live = credence_columns >= 0
    new_keys = credence_rows[live] * width + credence_columns[live]
    new_values = credence_values[live]
    old_strength = np.ones(len(stances.values)) if stances.strength is None else stances.strength

    keys = stances.rows.astype(np.int64) * width + stances.cols
    keep = ~_member(keys, np.sort(new_keys))
    all_keys = np.concatenate([keys[keep], new_keys])
    values = np.concatenate([stances.values[keep], new_values]).astype(np.int8)
    stated_mask = _member(all_keys, explicit_keys)
    stated_mask[len(all_keys) - len(new_keys) :] = True
    merged = replace(
        stances,
        participants=tuple(participants),
        rows=(all_keys // width).astype(np.int32),
        cols=(all_keys % width).astype(np.int32),
        values=values,
        # A credence is a stated stance (counted in shares like a vote); in the
        # clustering it weighs 1.0 × its strength |s|.
        sources=np.concatenate(
            [stances.sources[keep], np.full(len(new_keys), STATED, np.int8)]
        ).astype(np.int8),
        strength=np.concatenate([old_strength[keep], credence_strength[live]]),
    )
    sources = StanceSources(
        stated=int(stated_mask.sum()),
        implied=int(len(all_keys) - stated_mask.sum()),
        credences=len(new_keys),
        stated_cells=stated_mask,
    )
    return merged, sources


def declared_crux_share(
    reactions: tuple[ReactionInput, ...], column_post: np.ndarray
) -> np.ndarray:
    """Per column: (crux − not_crux) / (participants who reacted either way + 2), at
    least 0. The +2 is a Laplace-style prior: one "crux" gives 1/3, five give 5/7."""
    crux: Counter[int] = Counter()
    not_crux: Counter[int] = Counter()
    seen: set[tuple[str, int, str]] = set()
    for reaction in reactions:
        key = (reaction.participant, reaction.post, reaction.kind)
        if key in seen:  # a reaction on several quoted spans is one declaration
            continue
        seen.add(key)
        if reaction.kind == "crux":
            crux[reaction.post] += 1
        elif reaction.kind == "not_crux":
            not_crux[reaction.post] += 1
    share = np.zeros(len(column_post))
    for c, post_id in enumerate(column_post.tolist()):
        yes, no = crux.get(post_id, 0), not_crux.get(post_id, 0)
        if yes or no:
            share[c] = max(0.0, (yes - no) / (yes + no + 2))
    return share


def belief_updates(credences: tuple[CredenceInput, ...]) -> list[CredenceInput]:
    """Every move of BELIEF_UPDATE_POINTS or more, oldest first."""
    return sorted((c for c in credences if c.is_belief_update), key=lambda c: (c.at, c.post))


def most_credited(
    credences: tuple[CredenceInput, ...], *, exclude: frozenset[int] = frozenset(), limit: int = 5
) -> list[tuple[int, int]]:
    """(post, people it moved) for the posts most credited in belief updates, best first.
    A person counts once per credited post, however often they moved."""
    moved: defaultdict[int, set[str]] = defaultdict(set)
    for update in belief_updates(credences):
        if update.because is not None and update.because not in exclude:
            moved[update.because].add(update.participant)
    ranked = sorted(moved.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(post, len(people)) for post, people in ranked[:limit]]


@dataclass(frozen=True)
class PostStated:
    """What a post shows inline: its credence distribution and reaction counts."""

    post: int
    credences: int
    median: float | None
    # Five bins of 20 points: 1–20, 21–40, 41–60, 61–80, 81–99.
    bins: tuple[int, ...]
    by_group: tuple[tuple[str, float, int], ...]  # (group, median, count)
    reactions: tuple[tuple[str, int], ...]  # (kind, people) for kinds with any


def post_stated(
    credences: tuple[CredenceInput, ...],
    reactions: tuple[ReactionInput, ...],
    group_of: dict[str, str],
) -> dict[int, PostStated]:
    """Per post with any credence or reaction: the latest credence of each person,
    binned, with the median overall and per opinion group (`group_of` maps a participant
    to a group id; people in no group count only overall)."""
    values: defaultdict[int, list[tuple[str, int]]] = defaultdict(list)
    for (name, post_id), credence in latest_credences(credences).items():
        values[post_id].append((name, credence.value))
    people: defaultdict[tuple[int, str], set[str]] = defaultdict(set)
    for reaction in reactions:
        people[reaction.post, reaction.kind].add(reaction.participant)
    post_ids = set(values) | {post for post, _ in people}
    out: dict[int, PostStated] = {}
    for post_id in sorted(post_ids):
        stated = values.get(post_id, [])
        numbers = np.array([v for _, v in stated], dtype=float)
        bins = np.bincount(np.minimum((numbers.astype(int) - 1) // 20, 4), minlength=5)
        groups: defaultdict[str, list[int]] = defaultdict(list)
        for name, value in stated:
            if name in group_of:
                groups[group_of[name]].append(value)
        out[post_id] = PostStated(
            post=post_id,
            credences=len(stated),
            median=float(np.median(numbers)) if len(numbers) else None,
            bins=tuple(int(b) for b in bins),
            by_group=tuple(
                (g, float(np.median(groups[g])), len(groups[g])) for g in sorted(groups)
            ),
            reactions=tuple(
                (kind, len(people[post_id, kind]))
                for kind in REACTION_KINDS
                if people.get((post_id, kind))
            ),
        )
    return out
