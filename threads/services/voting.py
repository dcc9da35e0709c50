"""Votes on two axes: quality (up/down) and agreement (agree/disagree).

Votes are idempotent: casting the vote one already has changes nothing (a retried POST
is a no-op), voting the other way switches it, and taking a vote back is its own action
(value 0). The post row is locked while its counters change, so counts stay exact under
concurrent votes; the unique (user, post, axis) constraint backs that up in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.expressions import Combinable
from django.utils import timezone

from threads.models import Post, User, Vote
from threads.services import limits
from threads.services.analysis import thread_changed
from threads.services.permissions import ensure_can_participate

COUNTER: dict[tuple[str, int], str] = {
    (Vote.Axis.QUALITY, 1): "upvotes",
    (Vote.Axis.QUALITY, -1): "downvotes",
    (Vote.Axis.AGREE, 1): "agrees",
    (Vote.Axis.AGREE, -1): "disagrees",
}


@dataclass(frozen=True)
class VoteResult:
    post: Post
    axis: str
    value: int  # the user's vote now: +1, -1, or 0 for none
    changed: bool = True  # False when the vote was already so (a retry)


def locked_for_rating(post: Post, *, doing: str, **annotations: Any) -> Post:
    """The post row, locked, after the rules on what may be rated (votes, credences,
    reactions and queue passes share them); `doing` ("vote on", "rate") is what the
    messages say the user cannot do, and `annotations` are read in the same query.

    Only the post row (its counters and version change): ratings elsewhere in the thread
    proceed. While it is locked no other write can change the row, so the counters read
    here plus this rating's change are the stored ones after it (no reload)."""
    locked = Post.objects.select_for_update(of=("self",)).select_related("thread")
    post = locked.annotate(**annotations).get(pk=post.pk)
    if post.thread.locked:
        raise ValidationError("This thread is locked: votes are closed.")
    if post.is_removed or post.deleted_by_author:
        raise ValidationError(f"You cannot {doing} a removed or deleted post.")
    if post.held_for_approval:
        raise ValidationError(f"This post is waiting for a moderator's approval; {doing} it later.")
    return post


@transaction.atomic
def cast_vote(*, user: User, post: Post, axis: str, value: int) -> VoteResult:
    ensure_can_participate(user)
    if axis not in Vote.Axis.values:
        raise ValidationError(f"Unknown vote axis {axis!r}.")
    if value not in (1, -1, 0):
        raise ValidationError("A vote is +1 or -1, or 0 to take it back.")
    post = locked_for_rating(post, doing="vote on")
    if axis == Vote.Axis.AGREE and post.author_id == user.pk:
        raise ValidationError("You cannot agree or disagree with your own post.")
    limits.check(user, "vote")

    mine = Vote.objects.filter(user=user, post=post, axis=axis)
    existing = mine.values_list("value", flat=True).first() or 0
    if existing == value:  # already so: a retry changes nothing
        return VoteResult(post=post, axis=axis, value=value, changed=False)
    if existing == 0:
        Vote.objects.create(user=user, post=post, axis=axis, value=value)
    elif value == 0:  # taking the vote back
        mine.delete()
    else:
        mine.update(value=value, updated=timezone.now())
    changes = {COUNTER[axis, existing]: -1} if existing else {}
    if value:
        changes[COUNTER[axis, value]] = 1
    counters: dict[str, Combinable] = {name: F(name) + delta for name, delta in changes.items()}
    Post.objects.filter(pk=post.pk).update(version=F("version") + 1, **counters)
    for name, delta in changes.items():
        setattr(post, name, getattr(post, name) + delta)
    post.version += 1
    # The opening post's quality score is the thread's score (lists sort by it); the
    # thread's row changes in the same UPDATE that asks for a fresh analysis.
    if axis == Vote.Axis.QUALITY and post.parent_id is None:
        thread_changed(post.thread_id, score=F("score") + (value - existing))
    else:
        thread_changed(post.thread_id)
    return VoteResult(post=post, axis=axis, value=value)
