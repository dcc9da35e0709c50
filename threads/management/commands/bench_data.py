"""A synthetic debate thread of production size, built deterministically from a seed.

    python manage.py bench_data --posts 5000 --participants 300 --votes 50000 --seed 1

prints the new thread's id (alone, on stdout) so scripts and other benchmarks can reuse
it; a one-line description goes to stderr. The same arguments always give the same
thread (posts, authors, roles, quotes, dates, votes), only the database ids differ.

The thread is written through the project's own bulk import path
(threads.services.importing.import_thread), so it is validated like any import, every
body is rendered by threads/markdown.py and the counters are kept as the services keep
them. Participants are placeholder accounts named bench_user_0000 … (shared by every
bench thread, as forum regulars are).

What the generator imitates, from The Motte and LessWrong threads:
- bodies of about 80 words of Markdown in two or three paragraphs (emphasis, a link or a
  short list now and then);
- a tree where most replies are shallow (a quarter answer the opening post) with some
  long back-and-forth chains between two people;
- a third of the replies quote an exact span of their parent;
- activity that follows a power law: a few people write and vote much, most rarely;
- agreement votes that follow opinion camps (so the map has groups to find) and
  quality votes that are mostly positive; nobody agrees or disagrees with themselves.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from threads.importers.parsed import DumpError
from threads.importers.records import PostRecord, ThreadRecord, VoteRecord
from threads.services.importing import import_thread

DEMO_DEBATES = Path(__file__).resolve().parents[2] / "demo"
STARTED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
USERNAME = "bench_user_{:04d}"
MAX_CHAIN_DEPTH = 60

SUBJECTS = (
    "Scaling laws", "A model trained only to predict text", "Gradient descent",
    "The outer training objective", "Deceptive alignment", "Interpretability research",
    "A careful frontier lab", "Reinforcement learning from human feedback",
    "The compute overhang", "An agentic system with tool access", "Open-weight releases",
    "Mesa-optimisation", "The pretrained base model", "A coherent long-term planner",
    "Evaluation before deployment", "Corrigibility", "Situational awareness",
    "Compute governance", "Recursive self-improvement", "A superhuman forecaster",
    "The training distribution", "Reward hacking", "Chain-of-thought monitoring",
    "The scaling hypothesis", "Instrumental convergence", "Goal misgeneralisation",
    "A pause on frontier training", "Market pressure between labs", "Capability elicitation",
    "Automated alignment research",
)  # fmt: skip
VERBS = (
    "does not imply", "makes it more likely that we see", "is evidence against",
    "tends to produce", "cannot rule out", "is compatible with", "strongly predicts",
    "undermines the case for", "only weakly constrains", "will eventually lead to",
    "says very little about", "is the main driver of", "would be hard to tell apart from",
    "depends heavily on", "rarely generalises to", "buys us time before",
)  # fmt: skip
OBJECTS = (
    "long-horizon planning", "goal-directed behaviour", "deception during training",
    "a fast takeoff", "catastrophic misuse", "robust honesty",
    "power-seeking in deployed agents", "human-level research ability",
    "stable values under reflection", "coordination between the labs",
    "a warning shot before any disaster", "reliable human oversight",
    "emergent capabilities", "sandbagging on evaluations", "alignment by default",
    "economic disruption within a decade", "the orthogonality thesis", "a sharp left turn",
    "cheap verification of outputs", "gradual disempowerment",
)  # fmt: skip
QUALIFIERS = (
    "in any system we can build this decade", "unless the training signal changes",
    "as far as the current evidence goes", "once models are trained on their own outputs",
    "if we take the benchmarks at face value", "at least for pretrained transformers",
    "given how labs actually deploy models", "without a much better theory of agency",
    "in the regime that matters for safety", "even under optimistic assumptions",
    "when you look at the historical record", "for the next few model generations",
    "", "", "", "",
)  # fmt: skip
OPENERS = {
    "claim": ("Here is a separate point.", "Consider a different angle on this."),
    "rebuttal": ("I don't think that follows.", "This seems wrong to me.", "Respectfully, no."),
    "support": ("Agreed, and there is more evidence.", "This matches what I have seen."),
    "question": ("What would change your mind here?", "How would we test this?"),
    "answer": ("Good question.", "The short answer is no.", "Here is how I would check it."),
    "concession": ("Fair point, I put that too strongly.", "You are right about that part."),
    "comment": ("A tangent, but worth noting.", "For context, some background."),
}
# What a reply does to its parent (a question is mostly answered).
REPLY_ROLES = ("rebuttal", "support", "question", "answer", "concession", "comment", "claim")
REPLY_WEIGHTS = (0.30, 0.20, 0.12, 0.03, 0.07, 0.18, 0.10)
AFTER_QUESTION_WEIGHTS = (0.10, 0.05, 0.05, 0.70, 0.03, 0.07, 0.00)
# Three opinion camps in a latent plane decide agreement votes (as in bench_analysis.py).
CAMPS = ((1.0, 0.2), (-0.8, 0.6), (0.0, -1.0))
CAMP_SHARES = (0.45, 0.35, 0.20)
AGREE_SHARE = 0.6


@dataclass
class _Post:
    index: int
    parent: int | None
    author: int
    role: str
    depth: int
    body: str
    quotable: list[str]
    quote: str = ""
    created: datetime = STARTED
    votes: list[VoteRecord] = field(default_factory=list)


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


# Characters that Markdown would read as markup, and links: left out of generated text.
_MARKUP = re.compile(r"[*_`\\\[\]#<>|~]|https?://\S*")


@functools.lru_cache(maxsize=1)
def _bigrams() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Which word follows which in the real replies of the demo debates: sentences drawn
    from this bigram model use a real debate's vocabulary at its real frequencies (the
    summaries' cost depends on that), where templates alone would repeat a few hundred
    words."""
    starts: list[str] = []
    following: dict[str, list[str]] = {}
    for path in sorted(DEMO_DEBATES.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line) < 60:  # page chrome, names, dates
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", _MARKUP.sub("", line)):
                words = sentence.split()
                if len(words) < 6:
                    continue
                starts.append(words[0])
                for word, after in itertools.pairwise(words):
                    following.setdefault(word, []).append(after)
    return tuple(starts), {word: tuple(after) for word, after in following.items()}


def _sentence(rng: random.Random) -> str:
    """One sentence: from the demo debates' bigram model, or from the topic templates."""
    starts, following = _bigrams()
    if starts and rng.random() < 0.6:
        words = [rng.choice(starts)]
        while len(words) < 24 and not (len(words) >= 6 and words[-1][-1] in ".!?"):
            after = following.get(words[-1])
            if not after:
                break
            words.append(rng.choice(after))
        sentence = " ".join(words)
        sentence = sentence[0].upper() + sentence[1:]
        return sentence if sentence[-1] in ".!?" else sentence.rstrip(",;:") + "."
    qualifier = rng.choice(QUALIFIERS)
    words = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    return f"{words} {qualifier}." if qualifier else f"{words}."


def _body(rng: random.Random, role: str) -> tuple[str, list[str]]:
    """About 80 words of Markdown, and the sentences in it that appear verbatim."""
    sentences = [_sentence(rng) for _ in range(rng.randint(3, 7))]
    quotable = list(sentences)
    if rng.random() < 0.3:
        target = rng.randrange(len(sentences))
        for obj in OBJECTS:
            if obj in sentences[target]:
                marker = "**" if rng.random() < 0.35 else "*"
                sentences[target] = sentences[target].replace(obj, f"{marker}{obj}{marker}", 1)
                quotable.remove(quotable[target])
                break
    opener = rng.choice(OPENERS[role])
    split = rng.randint(1, len(sentences) - 1)
    paragraphs = [" ".join([opener, *sentences[:split]]), " ".join(sentences[split:])]
    roll = rng.random()
    if roll < 0.10:
        items = rng.sample(OBJECTS, 3)
        paragraphs.append("\n".join(f"- {item.capitalize()}" for item in items))
    elif roll < 0.20:
        paragraphs.append(
            f"See [the earlier write-up](https://example.org/notes/{rng.randrange(10_000)}) "
            "for the details."
        )
    elif roll < 0.23:
        paragraphs.append("The relevant line is `loss = -log p(next token)` and nothing more.")
    if role == "question":
        paragraphs.append(rng.choice(OPENERS["question"]))
    return "\n\n".join(paragraphs), quotable


def _quote(rng: random.Random, parent: _Post) -> str:
    """An exact span of the parent: a whole sentence or a run of at least five words."""
    if not parent.quotable:
        return ""
    words = rng.choice(parent.quotable).split()
    if len(words) <= 6 or rng.random() < 0.4:
        return " ".join(words)
    length = rng.randint(5, len(words) - 1)
    start = rng.randint(0, len(words) - length)
    return " ".join(words[start : start + length])


def _tree(rng: random.Random, n_posts: int, author_weights: list[float]) -> list[_Post]:
    """Posts in creation order: most replies shallow, some long two-person chains."""
    authors = _cumulative(author_weights)
    posts: list[_Post] = []
    by_depth: list[list[int]] = []
    # Back-and-forth exchanges under way: [last post, author of the next one, posts left].
    chains: list[list[int]] = []
    for index in range(n_posts):
        chain = None
        if index == 0:
            parent, author, role = None, _pick(rng, authors), "claim"
        else:
            roll = rng.random()
            if chains and roll < 0.25:
                chain = rng.choice(chains)
                parent, author = chain[0], chain[1]
            elif roll < 0.45:
                parent, author = 0, _pick(rng, authors)
            else:
                # Shallow posts draw most replies: depth d weighs 1 / (1 + d)^2 per post.
                weights = [len(ids) / (1 + depth) ** 2 for depth, ids in enumerate(by_depth)]
                parent = rng.choice(by_depth[_pick(rng, _cumulative(weights))])
                author = _pick(rng, authors)
            if author == posts[parent].author:
                author = _pick(rng, authors)
            after = AFTER_QUESTION_WEIGHTS if posts[parent].role == "question" else REPLY_WEIGHTS
            role = rng.choices(REPLY_ROLES, weights=after)[0]
        depth = 0 if parent is None else posts[parent].depth + 1
        body, quotable = _body(rng, role)
        post = _Post(index, parent, author, role, depth, body, quotable)
        if parent is not None and rng.random() < 0.35:
            post.quote = _quote(rng, posts[parent])
        posts.append(post)
        while len(by_depth) <= depth:
            by_depth.append([])
        by_depth[depth].append(index)
        if chain is not None:
            chain[0], chain[1], chain[2] = index, posts[parent].author, chain[2] - 1
            if chain[2] <= 0 or depth >= MAX_CHAIN_DEPTH:
                chains.remove(chain)
        elif parent is not None and rng.random() < 0.03:
            chains.append([index, posts[parent].author, rng.randint(5, 40)])
    return posts


def _dates(rng: random.Random, posts: list[_Post]) -> None:
    """A few minutes apart on average, in creation order (so after their parents)."""
    moment = STARTED
    for post in posts:
        moment += timedelta(seconds=5 + int(rng.expovariate(1 / 150)))
        post.created = moment


def _votes(
    rng: random.Random,
    posts: list[_Post],
    n_participants: int,
    n_votes: int,
    activity: list[float],
) -> None:
    """n_votes votes (as many as fit) spread over posts by popularity; agreement follows
    opinion camps, quality is mostly positive."""
    camp_of = [_pick(rng, _cumulative(CAMP_SHARES)) for _ in range(n_participants)]
    position = [(CAMPS[c][0] + rng.gauss(0, 0.4), CAMPS[c][1] + rng.gauss(0, 0.4)) for c in camp_of]
    stance = []
    for post in posts:
        x, y = position[post.author]
        if post.role in ("rebuttal", "question") and post.parent is not None:
            px, py = stance[post.parent]
            x, y = (x - px) / 2, (y - py) / 2
        stance.append((x + rng.gauss(0, 0.5), y + rng.gauss(0, 0.5)))
    popularity = _cumulative(rng.paretovariate(1.5) / (1 + post.depth) ** 0.5 for post in posts)
    # Each post gets votes by popularity, at most one per person and axis (and no
    # agreement from its author); what a post cannot take goes to another.
    room = 2 * n_participants - 1
    wanted = [0] * len(posts)
    left = n_votes
    while left and any(count < room for count in wanted):
        index = _pick(rng, popularity)
        if wanted[index] < room:
            wanted[index] += 1
            left -= 1
    voters = _cumulative(activity)
    for post, count in zip(posts, wanted, strict=True):
        taken: set[tuple[int, str]] = set()
        for _ in range(count):
            axis = "agree" if rng.random() < AGREE_SHARE else "quality"
            for _attempt in range(20):
                voter = _pick(rng, voters)
                if (voter, axis) not in taken and (axis == "quality" or voter != post.author):
                    break
            else:  # the active voters are used up on this post: anyone who still may
                free = [
                    (v, a)
                    for v in range(n_participants)
                    for a in ("agree", "quality")
                    if (v, a) not in taken and (a == "quality" or v != post.author)
                ]
                voter, axis = rng.choice(free)
            taken.add((voter, axis))
            if axis == "agree":
                (a, b), (c, d) = position[voter], stance[post.index]
                value = 1 if a * c + b * d + rng.gauss(0, 0.5) > 0 else -1
            else:
                value = 1 if rng.random() < 0.78 else -1
            post.votes.append(VoteRecord(user=USERNAME.format(voter), axis=axis, value=value))
        post.votes.sort(key=lambda v: (v.axis, v.user))


def build_record(
    *, posts: int, participants: int, votes: int | None = None, seed: int = 1
) -> ThreadRecord:
    """The synthetic thread as a ThreadRecord (no database needed)."""
    if posts < 1:
        raise ValueError("A thread needs at least one post.")
    if participants < 2:
        raise ValueError("A debate needs at least two participants.")
    votes = 10 * posts if votes is None else votes
    rng = random.Random(seed)
    # Zipf-like activity: participant k writes and votes about 1 / (k + 3)^0.9 as much.
    activity = [1 / (k + 3) ** 0.9 for k in range(participants)]
    tree = _tree(rng, posts, activity)
    _dates(rng, tree)
    _votes(rng, tree, participants, votes, activity)
    return ThreadRecord(
        title=f"Bench: does scaling produce agents? ({posts:,} posts, seed {seed})",
        created=STARTED,
        posts=[
            PostRecord(
                key=post.index,
                parent_key=post.parent,
                author=USERNAME.format(post.author),
                body=post.body,
                role=post.role,
                quote=post.quote,
                created=post.created,
                votes=tuple(post.votes),
            )
            for post in tree
        ],
    )


def depth_of_record(record: ThreadRecord) -> int:
    depth: dict = {}
    for post in record.posts:
        depth[post.key] = 0 if post.parent_key is None else depth[post.parent_key] + 1
    return max(depth.values())


class Command(BaseCommand):
    help = (
        "Create one synthetic debate thread (deterministic for a seed) through the bulk "
        "import path and print its id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--posts", type=int, default=1000, help="Posts, opening included.")
        parser.add_argument(
            "--participants", type=int, default=300, help="People who post or vote."
        )
        parser.add_argument(
            "--votes", type=int, default=None, help="Votes in all (default: 10 per post)."
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(
        self, *args: Any, posts: int, participants: int, votes: int | None, seed: int, **opts: Any
    ) -> None:
        if posts < 1 or participants < 2 or (votes is not None and votes < 0):
            raise CommandError("Need --posts >= 1, --participants >= 2 and --votes >= 0.")
        started = time.perf_counter()
        record = build_record(posts=posts, participants=participants, votes=votes, seed=seed)
        built = time.perf_counter() - started
        try:
            # The synthetic participants are the same people in every thread it builds.
            thread = import_thread(record, map_existing=True)
        except DumpError as exc:
            raise CommandError(f"The synthetic thread did not import: {exc}") from None
        n_votes = sum(len(post.votes) for post in record.posts)
        quotes = sum(1 for post in record.posts if post.quote)
        self.stderr.write(
            f"thread {thread.pk}: {len(record.posts):,} posts by "
            f"{len({p.author for p in record.posts})} authors, {n_votes:,} votes, "
            f"{quotes:,} quotes, depth {depth_of_record(record)}; generated in {built:.2f} s, "
            f"imported in {time.perf_counter() - started - built:.2f} s"
        )
        self.stdout.write(str(thread.pk))
