"""Literal debates for the pure analysis tests: posts and a snapshot of their votes."""

from __future__ import annotations

import numpy as np

from threads.analysis.snapshot import PostInput, ThreadSnapshot


def post(id, parent, role, author="alice", **extra) -> PostInput:
    """A post whose creation time follows its id, so thread order is id order."""
    return PostInput(id=id, parent=parent, author=author, role=role, created=float(id), **extra)


def snapshot(posts, votes=(), participants=()) -> ThreadSnapshot:
    """A snapshot of `posts` with agreement `votes` given as (who, post id, value).

    Participants are `participants` first, then voters in order of their first vote.
    """
    people = list(participants)
    for who, _, _ in votes:
        if who not in people:
            people.append(who)
    return ThreadSnapshot(
        thread_id=1,
        root=posts[0].id,
        posts=tuple(posts),
        participants=tuple(people),
        vote_participant=np.array([people.index(who) for who, _, _ in votes], dtype=np.int32),
        vote_post=np.array([p for _, p, _ in votes], dtype=np.int64),
        vote_value=np.array([v for _, _, v in votes], dtype=np.int8),
    )
