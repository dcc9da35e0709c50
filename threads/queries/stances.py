"""Reads for stated stances (issue 13): the next post of the rating queue, belief
updates, one post's live credence tallies, and the credences and reactions a map is
computed from.

`next_post_for` answers `next.json` in two queries whatever the thread's size: the
queue the analysis prepared (one row), and one UNION telling which of the queue's
posts this participant must not be offered — their own posts, their agreement
votes, credences and passes, and which of the queue's first CANDIDATES posts were
removed or held since the queue was computed. The order itself is a list in
the queue row; the pick is threads.analysis.queue.next_post, the same code the
simulation (bench/bench_queue.py) runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import F, Q, QuerySet

from threads.models import Credence, Post, QueuePass, RatingQueue, Reaction, Role, User, Vote

# Posts of the queue checked for removal per query; a participant who has answered
# all of them costs one more query per further block.
CANDIDATES = 200


def _excluded_sql(n_candidates: int) -> str:
    """Which posts the user must not be offered: their own posts, agreement votes,
    credences and passes in the thread, and which of the candidates are hidden or
    questions now. Written out in SQL: the ORM spent more time compiling the
    five-part UNION than PostgreSQL spent answering it (17 ms against ~2 ms on a
    5,000-post thread). PostgreSQL gets the candidates as one array (`= ANY`), which
    plans faster than a list of 200 parameters; SQLite gets the list."""
    post, vote = Post._meta.db_table, Vote._meta.db_table
    credence, passed = Credence._meta.db_table, QueuePass._meta.db_table
    if connection.vendor == "postgresql":
        among = "= ANY(%s)"
    else:
        among = f"IN ({', '.join(['%s'] * n_candidates) or 'NULL'})"
    return (
        f"SELECT id FROM {post} WHERE id {among} AND (removed_at IS NOT NULL"
        " OR deleted_by_author = %s OR held_for_approval = %s OR role = %s)"
        f" UNION SELECT id FROM {post} WHERE author_id = %s AND thread_id = %s"
        f" UNION SELECT v.post_id FROM {vote} v JOIN {post} p ON p.id = v.post_id"
        "  WHERE v.user_id = %s AND v.axis = %s AND p.thread_id = %s"
        f" UNION SELECT c.post_id FROM {credence} c JOIN {post} p ON p.id = c.post_id"
        "  WHERE c.user_id = %s AND p.thread_id = %s"
        f" UNION SELECT post_id FROM {passed} WHERE user_id = %s AND thread_id = %s"
    )


def _excluded_ids(thread_id: int, user_id: int, candidates: list[int]) -> set[int]:
    """One query (see _excluded_sql)."""
    among = [list(candidates)] if connection.vendor == "postgresql" else list(candidates)
    params = [
        *among, True, True, Role.QUESTION.value,
        user_id, thread_id,
        user_id, Vote.Axis.AGREE.value, thread_id,
        user_id, thread_id,
        user_id, thread_id,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_excluded_sql(len(candidates)), params)
        return {pk for (pk,) in cursor.fetchall()}


def next_post_for(thread_id: int, user: User) -> int | None | bool:
    """The id of the post to offer `user` next; None when nothing is left; False when
    the thread has no queue yet (it has never been analysed)."""
    from threads.analysis.queue import next_post

    order = RatingQueue.objects.filter(thread_id=thread_id).values_list("posts", flat=True).first()
    if order is None:
        return False
    for start in range(0, max(len(order), 1), CANDIDATES):
        chunk = order[start : start + CANDIDATES]
        excluded = _excluded_ids(thread_id, user.pk, chunk)
        found = next_post(chunk, excluded, participant=user.username)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class BeliefUpdate:
    user: str
    post: int
    thread: int
    before: int
    after: int
    because: int | None
    at: datetime


def _updates(credences: QuerySet[Credence]) -> list[BeliefUpdate]:
    moved = credences.filter(previous__isnull=False).filter(
        Q(value__gte=F("previous") + Credence.BELIEF_UPDATE_POINTS)
        | Q(value__lte=F("previous") - Credence.BELIEF_UPDATE_POINTS)
    )
    # `previous` is never null here: the filter above asks for it.
    return [
        BeliefUpdate(user, post, thread, before or 0, after, because, at)
        for user, post, thread, before, after, because, at in moved.order_by(
            "at", "id"
        ).values_list(
            "user__username", "post_id", "post__thread_id", "previous", "value", "because_id", "at"
        )
    ]


def visible_credences() -> QuerySet[Credence]:
    """Credences on posts readers see (held, removed and deleted posts' are withheld)."""
    return Credence.objects.filter(
        post__removed_at__isnull=True,
        post__deleted_by_author=False,
        post__held_for_approval=False,
    )


def thread_belief_updates(thread_id: int) -> list[BeliefUpdate]:
    """Every move of 15 points or more in the thread, oldest first (one query)."""
    return _updates(visible_credences().filter(post__thread_id=thread_id))


def user_belief_updates(user: User, *, limit: int = 100) -> list[BeliefUpdate]:
    """A user's belief updates, newest first."""
    return _updates(visible_credences().filter(user=user))[::-1][:limit]


@dataclass(frozen=True)
class LiveTally:
    credences: int
    median: float | None
    bins: tuple[int, ...]
    reactions: dict[str, int]


def live_tally(post: Post) -> LiveTally:
    """One post's credence distribution and reaction counts as they are now (two
    queries; for the fragment answering a credence or reaction, not for pages)."""
    from threads.analysis.stated import CredenceInput, ReactionInput, post_stated

    credences = tuple(
        CredenceInput(participant=str(user), post=post.pk, value=value, at=at.timestamp())
        for user, value, at in Credence.objects.filter(post=post)
        .order_by("at", "id")
        .values_list("user_id", "value", "at")
    )
    reactions = tuple(
        ReactionInput(participant=str(user), post=post.pk, kind=kind)
        for user, kind in Reaction.objects.filter(post=post).values_list("user_id", "kind")
    )
    found = post_stated(credences, reactions, {}).get(post.pk)
    if found is None:
        return LiveTally(0, None, (0, 0, 0, 0, 0), {})
    return LiveTally(found.credences, found.median, found.bins, dict(found.reactions))


def stated_inputs(thread_id: int, shown: set[int]) -> tuple[tuple, tuple]:
    """Every credence statement and reaction on the `shown` posts of the thread, for
    ThreadSnapshot (two queries). Participants are named by username, as the votes are;
    a `because` pointing at a post not shown is dropped."""
    from threads.analysis.stated import CredenceInput, ReactionInput

    credences = tuple(
        CredenceInput(
            participant=username,
            post=post,
            value=value,
            at=at.timestamp(),
            previous=previous,
            because=because if because in shown else None,
        )
        for username, post, value, at, previous, because in Credence.objects.filter(
            post__thread_id=thread_id
        )
        .order_by("at", "id")
        .values_list("user__username", "post_id", "value", "at", "previous", "because_id")
        if post in shown
    )
    reactions = tuple(
        ReactionInput(participant=username, post=post, kind=kind)
        for username, post, kind in Reaction.objects.filter(post__thread_id=thread_id).values_list(
            "user__username", "post_id", "kind"
        )
        if post in shown
    )
    return credences, reactions
