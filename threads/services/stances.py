"""Stated stances: credences, reactions and passes in the rating queue.

The same rules as votes (threads.services.voting): an active, unbanned account; not in
a locked thread; not on a removed, deleted or held post; the vote rate limit (a
credence, a reaction and a pass each count as one vote). Every function validates
everything before it writes, runs in one transaction and asks for a fresh analysis
when it commits. Bad input raises ValidationError with a message naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from threads.models import Credence, Post, QueuePass, Reaction, Role, User
from threads.services import limits
from threads.services.analysis import thread_changed
from threads.services.notifications import notify_minds_changed
from threads.services.permissions import ensure_can_participate
from threads.services.posting import quote_occurs_in


@dataclass(frozen=True)
class CredenceResult:
    credence: Credence
    previous: int | None

    @property
    def is_belief_update(self) -> bool:
        return self.credence.is_belief_update


@dataclass(frozen=True)
class ReactionResult:
    post: Post
    kind: str
    quote: str
    active: bool  # whether the user now has this reaction (False: taken back)


def _whole_number(value: object, field: str, what: str) -> int:
    text = str(value if value is not None else "").strip()
    try:
        number = float(text)
    except ValueError:
        raise ValidationError({field: f"{what} must be a whole number; got {text!r}."}) from None
    if number != int(number):
        raise ValidationError({field: f"{what} must be a whole number; got {text!r}."})
    return int(number)


def clean_credence(value: object) -> int:
    """A credence in per cent: a whole number from 1 to 99 (certainty is not on offer)."""
    if value is None or str(value).strip() == "":
        raise ValidationError({"value": "Give a credence from 1 to 99 (per cent)."})
    number = _whole_number(value, "value", "A credence")
    if not 1 <= number <= 99:
        raise ValidationError(
            {"value": f"A credence is from 1 to 99 (per cent); {number} is out of range."}
        )
    return number


def _locked_post(post: Post) -> Post:
    """The post row, locked (its version changes), after the checks every stance shares."""
    post = Post.objects.select_for_update(of=("self",)).select_related("thread").get(pk=post.pk)
    if post.thread.locked:
        raise ValidationError("This thread is locked: votes are closed.")
    if post.is_removed or post.deleted_by_author:
        raise ValidationError("You cannot rate a removed or deleted post.")
    if post.held_for_approval:
        raise ValidationError("This post is waiting for a moderator's approval; rate it later.")
    return post


def _clean_because(because: object, post: Post) -> Post | None:
    if because is None or str(because).strip() == "":
        return None
    number = _whole_number(because, "because", "The post that moved you")
    credited = (
        Post.objects.filter(pk=number, thread_id=post.thread_id)
        .only("pk", "thread_id", "removed_at", "deleted_by_author", "held_for_approval")
        .first()
    )
    if credited is None:
        raise ValidationError(
            {"because": f"Post {number} is not in this thread; credit a post of this thread."}
        )
    if not credited.is_visible:
        raise ValidationError({"because": f"Post {number} is not shown; credit another post."})
    return credited


@transaction.atomic
def state_credence(
    *, user: User, post: Post, value: object, because: object = None
) -> CredenceResult:
    """Record how likely `user` thinks `post` is true. History is kept: a new row each
    time; the latest counts, and a move of 15 points or more is a belief update."""
    ensure_can_participate(user)
    number = clean_credence(value)
    post = _locked_post(post)
    if post.role == Role.QUESTION:
        mine = " your own" if post.author_id == user.pk else " a"
        raise ValidationError(
            {"value": f"This is{mine} question: a credence is for claims, not questions."}
        )
    credited = _clean_because(because, post)
    limits.check(user, "vote")
    previous = (
        Credence.objects.filter(user=user, post=post)
        .order_by("-at", "-id")
        .values_list("value", flat=True)
        .first()
    )
    credence = Credence.objects.create(
        user=user, post=post, value=number, previous=previous, because=credited
    )
    Post.objects.filter(pk=post.pk).update(version=F("version") + 1)
    thread_changed(post.thread_id)
    if previous is not None and abs(number - previous) >= Credence.BELIEF_UPDATE_POINTS:
        notify_minds_changed(post=post, user=user, before=previous, after=number)
    return CredenceResult(credence=credence, previous=previous)


def _clean_reaction_quote(quote: object, post: Post) -> str:
    """Validated as reply quotes are: the exact words of the post, squashed spaces."""
    quote = " ".join(str(quote or "").split())
    if not quote:
        return ""
    if len(quote) > settings.CRUX_MAX_BODY_CHARS:
        raise ValidationError({"quote": "The quote is longer than a post may be."})
    body = Post.objects.values_list("body", flat=True).get(pk=post.pk)
    if not quote_occurs_in(quote, body):
        raise ValidationError({"quote": "The quoted words do not occur in this post."})
    return quote


@transaction.atomic
def react(*, user: User, post: Post, kind: str, quote: object = "") -> ReactionResult:
    """ "That's a crux for me" and its kin, on the post or a span of it. Reacting the same
    way on the same span again takes the reaction back."""
    ensure_can_participate(user)
    if kind not in Reaction.Kind.values:
        known = ", ".join(Reaction.Kind.values)
        raise ValidationError({"kind": f"Unknown reaction {kind!r}; choose one of {known}."})
    post = _locked_post(post)
    clean_quote = _clean_reaction_quote(quote, post)
    limits.check(user, "vote")
    existing = Reaction.objects.filter(user=user, post=post, kind=kind, quote=clean_quote)
    if existing.exists():
        existing.delete()
        active = False
    else:
        Reaction.objects.create(user=user, post=post, kind=kind, quote=clean_quote)
        active = True
    Post.objects.filter(pk=post.pk).update(version=F("version") + 1)
    thread_changed(post.thread_id)
    return ReactionResult(post=post, kind=kind, quote=clean_quote, active=active)


@transaction.atomic
def pass_post(*, user: User, post: Post) -> bool:
    """Skip a post in the rating queue; returns whether this is a new pass."""
    ensure_can_participate(user)
    post = _locked_post(post)
    limits.check(user, "vote")
    _, created = QueuePass.objects.get_or_create(
        user=user, post=post, defaults={"thread_id": post.thread_id}
    )
    return created
