"""What the analysis reads: a frozen picture of one thread, and the tuning knobs.

The Django side builds a `ThreadSnapshot` from the database (posts in any order,
agreement votes as three parallel numpy arrays so a quarter of a million votes load
without creating Python objects) and hands it to `analyze_thread`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .stated import CredenceInput, ReactionInput

ROLES = ("claim", "rebuttal", "support", "question", "answer", "concession", "comment")

# Edge kinds of the argument graph. A rebuttal attacks its parent; support and
# concession strengthen it (a concession grants the parent's point); the other roles
# neither attack nor support, so DF-QuAD ignores them.
ATTACK_ROLES = frozenset({"rebuttal"})
SUPPORT_ROLES = frozenset({"support", "concession"})


def edge_kind(role: str) -> str:
    """`attack`, `support` or `neutral` for a reply with this role."""
    if role in ATTACK_ROLES:
        return "attack"
    if role in SUPPORT_ROLES:
        return "support"
    return "neutral"


@dataclass(frozen=True)
class PostInput:
    """One post of the thread, as the analysis sees it.

    `text` is the post's own plain text (Markdown stripped, blockquotes removed,
    paragraphs separated by blank lines); `quote` is the exact span of the parent the
    reply answers ("" if none). The opening post has `parent=None` and role "claim".
    `quoted` is the text of the block quotes in its body (words of others it repeats);
    `placeholder` marks the importer's stand-in opening post, which is never cited.
    `tags` are moderator tag slugs.
    """

    id: int
    parent: int | None
    author: str
    role: str
    text: str = ""
    quote: str = ""
    created: float = 0.0
    quality_up: int = 0
    quality_down: int = 0
    removed: bool = False
    tags: tuple[str, ...] = ()
    # The importer's stand-in opening post of a comment section: it holds the replies
    # together but says nothing, so the map never takes a stance on it or cites it.
    placeholder: bool = False
    quoted: str = ""
    # A moderator tagged it with a quality/fallacy mark (ad hominem, strawman…): it can
    # still divide people, but it is never common ground or a group's representative.
    flagged: bool = False

    @property
    def citable(self) -> bool:
        return not (self.removed or self.placeholder)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"post {self.id}: unknown role {self.role!r}")


def _frozen_array(values: object, dtype: type) -> np.ndarray:
    array: np.ndarray = np.array(values, dtype=dtype, copy=True).reshape(-1)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class ThreadSnapshot:
    """A thread's posts and explicit agreement votes.

    Votes are parallel arrays: `vote_participant[i]` indexes `participants`,
    `vote_post[i]` is a post id, `vote_value[i]` is +1 agree, -1 disagree, 0 pass.
    When the same person voted twice on a post the later entry wins. Authors do not
    have to be listed in `participants`; the analysis adds them.
    """

    thread_id: int
    root: int
    posts: tuple[PostInput, ...]
    participants: tuple[str, ...] = ()
    vote_participant: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    vote_post: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    vote_value: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    # Stated stances beyond agreement votes (threads/analysis/stated.py).
    credences: tuple[CredenceInput, ...] = ()
    reactions: tuple[ReactionInput, ...] = ()
    # Quality votes (+1 / −1) per (participant, post), the same layout: the input of
    # the bridging score. Empty when the caller has none.
    quality_participant: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    quality_post: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    quality_value: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))

    def __post_init__(self) -> None:
        object.__setattr__(self, "credences", tuple(self.credences))
        object.__setattr__(self, "reactions", tuple(self.reactions))
        # Copies, made read-only, so the snapshot really is frozen even if the caller
        # keeps writing into the arrays it passed in.
        object.__setattr__(self, "posts", tuple(self.posts))
        object.__setattr__(self, "participants", tuple(self.participants))
        object.__setattr__(self, "vote_participant", _frozen_array(self.vote_participant, np.int32))
        object.__setattr__(self, "vote_post", _frozen_array(self.vote_post, np.int64))
        object.__setattr__(self, "vote_value", _frozen_array(self.vote_value, np.int8))
        for name, dtype in (
            ("quality_participant", np.int32),
            ("quality_post", np.int64),
            ("quality_value", np.int8),
        ):
            object.__setattr__(self, name, _frozen_array(getattr(self, name), dtype))
        q = len(self.quality_participant)
        if len(self.quality_post) != q or len(self.quality_value) != q:
            raise ValueError("quality vote arrays must have the same length")
        if q and (
            self.quality_participant.min() < 0
            or self.quality_participant.max() >= len(self.participants)
        ):
            raise ValueError("quality_participant must index participants")
        if q and not np.isin(self.quality_value, (-1, 1)).all():
            raise ValueError("quality_value must be -1 or +1")
        n = len(self.vote_participant)
        if len(self.vote_post) != n or len(self.vote_value) != n:
            raise ValueError("vote arrays must have the same length")
        if n and (
            self.vote_participant.min() < 0 or self.vote_participant.max() >= len(self.participants)
        ):
            raise ValueError("vote_participant must index participants")
        if n and not np.isin(self.vote_value, (-1, 0, 1)).all():
            raise ValueError("vote_value must be -1, 0 or +1")
        ids = [post.id for post in self.posts]
        if len(set(ids)) != len(ids):
            raise ValueError("post ids must be unique")
        if self.posts and self.root not in set(ids):
            raise ValueError(f"root post {self.root} is not among the posts")


@dataclass(frozen=True)
class AnalysisParams:
    """Every number the map depends on; stored with each result so it can be reproduced.

    The Polis numbers (7 stances, 15 participants, 100 base clusters, 2..5 groups,
    z 1.2816) and DF-QuAD's Wilson base score follow their sources; the remaining
    thresholds are ours and are explained next to each.
    """

    # Polis: a participant enters the clustering with >= min(7, #posts) stances; if
    # fewer than 15 qualify, the most active are added until 15 (or all).
    min_stances: int = 7
    min_clustered: int = 15
    max_groups: int = 5
    # Fewer participants than this cannot be split into opinion groups meaningfully.
    min_group_participants: int = 4
    # A "group" of one or two outliers is not an opinion group: every group must hold
    # at least this many clustered participants and this share of them (ours).
    min_group_size: int = 2
    min_group_share: float = 0.05
    # A group is shown only if, refitted on 80 % subsamples of participants, on
    # average at least this share of its members' pairs stay together (ours; the
    # planted debates give 0.9+ for real camps and < 0.6 for splits of one camp).
    min_group_stability: float = 0.8
    # One-sided 90% z, Polis's representativeness cut-off.
    repness_z: float = 1.2816
    max_representative: int = 5
    # Posts per group kept as "what this group agrees with most" for camp summaries.
    max_agreed_posts: int = 8
    # A phi coefficient needs this many participants with a side on both the post
    # and the root claim; below it crux scores fall back to Div * (1 - consensus).
    min_joint_stances: int = 5
    min_crux_score: float = 0.05
    max_cruxes: int = 5
    # Common ground needs this many supporters besides the author (agree votes,
    # support or concession replies), a majority of those who took a side, and with
    # 2+ groups a majority inside every group; the geometric-mean GIC only ranks.
    min_supporters: int = 3
    min_consensus: float = 0.5
    max_consensus: int = 5
    # DF-QuAD base score: Wilson lower bound at z = 1.2816 (80% two-sided).
    wilson_z: float = 1.2816
    # Bridging (Community Notes-style matrix factorisation of quality votes): a post
    # needs this many quality votes to be scored, and is "valued across groups" when
    # its intercept is at least `bridging_min_score` and its factor loading small.
    bridging_min_votes: int = 5
    bridging_min_score: float = 0.3
    bridging_max_factor: float = 0.5
    max_bridging: int = 5
    seed: int = 0


DEFAULT_PARAMS = AnalysisParams()
