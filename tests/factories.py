"""Building blocks for tests: users, threads and replies made through the real services."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group

from threads.models import Post, Role, Thread, User
from threads.services import posting

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
