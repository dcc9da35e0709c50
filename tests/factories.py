"""Building blocks for tests: users, threads and replies made through the real services;
import dumps parsed once per module."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from threads.importers import ParsedDebate, ParsedPost, load_dump
from threads.models import Post, Role, Thread, User
from threads.services import posting

DEMO_DUMPS = Path(__file__).resolve().parents[1] / "threads" / "demo"  # the demo debates
TEST_DUMPS = Path(__file__).resolve().parent / "importers" / "data"

_counter = itertools.count(1)


def make_user(username: str | None = None, *, moderator: bool = False, **extra) -> User:
    username = username or f"user{next(_counter)}"
    user = User.objects.create_user(username=username, password="correct horse battery", **extra)
    if moderator:
        user.groups.add(Group.objects.get(name="moderators"))
    return user


def make_thread(
    author: User | None = None, *, title: str = "Will AI be agentic?", body: str | None = None
) -> Thread:
    return posting.start_thread(
        author=author or make_user(),
        title=title,
        body=body or "Language models trained to predict text will not become agents.",
    )


def opening_post(thread: Thread) -> Post:
    return thread.posts.get(parent__isnull=True)


def make_reply(
    parent: Post,
    author: User | None = None,
    *,
    body: str = "I disagree: prediction needs planning.",
    role: str = Role.REBUTTAL,
    quote: str = "",
) -> Post:
    return posting.reply(
        author=author or make_user(), parent=parent, body=body, role=role, quote=quote
    )


def claim_and_question() -> tuple[Thread, Post, Post, Post]:
    """A thread whose opening post has two replies by other people: a claim (with some
    Markdown) and a question. Returns (thread, opening post, claim, question)."""
    thread = make_thread(make_user("opener"))
    root = opening_post(thread)
    claim = make_reply(root, make_user("author"), body="Scaling alone **will** give agents.")
    question = make_reply(root, make_user("asker"), body="What is an agent?", role=Role.QUESTION)
    return thread, root, claim, question


PLANNING = "Prediction at scale forces planning, because the future depends on plans."


def planning_debate() -> dict:
    """Alice's thread "Do language models become agents?" with Bob's reply that
    prediction forces planning (the point the similar-arguments list should find)."""
    alice, bob = make_user("alice"), make_user("bob")
    thread = make_thread(alice, title="Do language models become agents?")
    root = opening_post(thread)
    planning = make_reply(root, bob, body=PLANNING)
    return {"thread": thread, "root": root, "planning": planning, "bob": bob}


def make_big_thread(size: int, *, authors: int = 20, seed: int = 1) -> Thread:
    """A thread of `size` posts (the opening post included) with a realistic shape —
    many top-level replies, long back-and-forth chains, scattered votes — bulk-created
    level by level with correct paths, depths and counters (not `size` service calls)."""
    import random

    from threads import markdown
    from threads.models import PATH_SEGMENT

    rng = random.Random(seed)
    people = [make_user() for _ in range(authors)]
    thread = make_thread(people[0], title=f"A big debate of {size} posts")
    root = opening_post(thread)
    posts: list[Post] = [root]
    levels: dict[int, list[Post]] = {}
    parents: list[Post] = []
    for _ in range(size - 1):
        parent = root if rng.random() < 0.15 or not parents else rng.choice(parents[-200:])
        post = Post(
            thread=thread,
            parent=parent,
            author=rng.choice(people),
            role=rng.choice([Role.REBUTTAL, Role.SUPPORT, Role.QUESTION, Role.COMMENT]),
            body="A reply that argues a point.",
            body_html=markdown.render_markdown("A reply that argues a point."),
            body_text="A reply that argues a point.",
            depth=parent.depth + 1,
            upvotes=rng.choice([0, 0, 1, 2, 5, 9]),
            downvotes=rng.choice([0, 0, 0, 1, 3]),
            agrees=rng.choice([0, 1, 2]),
            disagrees=rng.choice([0, 1, 2]),
        )
        post.parent_post = parent
        levels.setdefault(post.depth, []).append(post)
        parents.append(post)
        posts.append(post)
    for depth in sorted(levels):
        level = levels[depth]
        for post in level:
            post.parent_id = post.parent_post.pk
        Post.objects.bulk_create(level, batch_size=500)
        for post in level:
            post.path = post.parent_post.path + f"{post.pk:0{PATH_SEGMENT}d}"
            post.parent_post.reply_count += 1
        Post.objects.bulk_update(level, ["path"], batch_size=500)
    replied = [post for post in posts if post.reply_count]
    Post.objects.bulk_update(replied, ["reply_count"], batch_size=500)
    Thread.objects.filter(pk=thread.pk).update(reply_count=size - 1, participant_count=authors)
    thread.refresh_from_db()
    return thread


# --- Parsed import dumps -------------------------------------------------------------------


def dump_fixture(name: str, path: Path) -> Callable[[], ParsedDebate]:
    """A module-scoped fixture called `name`: the dump at `path`, parsed once."""

    def parsed() -> ParsedDebate:
        return load_dump(path)

    return pytest.fixture(scope="module", name=name)(parsed)


def post_starting(debate: ParsedDebate, text: str) -> ParsedPost:
    """The one parsed post whose body starts with `text`."""
    matches = [p for p in debate.posts if p.body.startswith(text)]
    assert len(matches) == 1, f"{len(matches)} posts start with {text!r}"
    return matches[0]
