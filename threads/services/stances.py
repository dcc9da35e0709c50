"""Stated stances: credences, reactions and passes in the rating queue.

The same rules as votes (threads.services.voting): an active, unbanned account; not in
a locked thread; not on a removed, deleted or held post; the vote rate limit (a
credence, a reaction and a pass each count as one vote). Every function validates
everything before it writes, runs in one transaction and asks for a fresh analysis
when it commits. Bad input raises ValidationError with a message naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone

from threads.models import Credence, Post, QueuePass, Reaction, Role, User
from threads.services import limits, posting
from threads.services.analysis import thread_changed
from threads.services.notifications import minds_changed_on
from threads.services.permissions import ensure_can_participate
from threads.services.voting import locked_for_rating


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


def _because_number(because: object) -> int | None:
    if because is None or str(because).strip() == "":
        return None
    return _whole_number(because, "because", "The post that moved you")


def _credited_shown(number: int) -> Subquery:
    """For the post being rated (OuterRef): whether post `number` of the same thread is
    shown (None when it is not in the thread)."""
    shown = ExpressionWrapper(
        Q(removed_at__isnull=True, deleted_by_author=False, held_for_approval=False),
        output_field=BooleanField(),
    )
    credited = Post.objects.filter(pk=number, thread_id=OuterRef("thread_id"))
    return Subquery(credited.values(shown=shown)[:1])


def _clean_because(number: int | None, post: Post) -> int | None:
    """The credited post's id, checked against what _credited_shown read."""
    if number is None:
        return None
    shown = getattr(post, "credited_shown", None)
    if shown is None:
        raise ValidationError(
            {"because": f"Post {number} is not in this thread; credit a post of this thread."}
        )
    if not shown:
        raise ValidationError({"because": f"Post {number} is not shown; credit another post."})
    return number


# The credence row with the previous value filled in by the database, in one statement:
# the post row is locked, so no other credence of this user on it can come in between.
_CREDENCE_SQL = """
INSERT INTO threads_credence (user_id, post_id, value, previous, because_id, at)
SELECT %(user)s, %(post)s, %(value)s, (
    SELECT value FROM threads_credence WHERE user_id = %(user)s AND post_id = %(post)s
    ORDER BY at DESC, id DESC LIMIT 1
), %(because)s, %(at)s
RETURNING id, previous
"""


def _insert_credence(*, user: User, post: Post, value: int, because: int | None) -> Credence:
    at = timezone.now()
    params = {"user": user.pk, "post": post.pk, "value": value, "because": because, "at": at}
    with connection.cursor() as cursor:
        cursor.execute(_CREDENCE_SQL, params)
        pk, previous = cursor.fetchone()
    credence = Credence(
        pk=pk, user=user, post=post, value=value, previous=previous, because_id=because, at=at
    )
    credence._state.adding, credence._state.db = False, connection.alias  # a stored row
    return credence


@transaction.atomic
def state_credence(
    *, user: User, post: Post, value: object, because: object = None
) -> CredenceResult:
    """Record how likely `user` thinks `post` is true. History is kept: a new row each
    time; the latest counts, and a move of 15 points or more is a belief update."""
    ensure_can_participate(user)
    number = clean_credence(value)
    bad_because: ValidationError | None = None
    try:
        credited_number = _because_number(because)
    except ValidationError as error:  # reported after the post's own checks, as before
        credited_number, bad_because = None, error
    shown = {} if credited_number is None else {"credited_shown": _credited_shown(credited_number)}
    post = locked_for_rating(post, doing="rate", **shown)
    if post.role == Role.QUESTION:
        mine = " your own" if post.author_id == user.pk else " a"
        raise ValidationError(
            {"value": f"This is{mine} question: a credence is for claims, not questions."}
        )
    if bad_because is not None:
        raise bad_because
    credited = _clean_because(credited_number, post)
    limits.check(user, "vote")
    credence = _insert_credence(user=user, post=post, value=number, because=credited)
    Post.objects.filter(pk=post.pk).update(version=F("version") + 1)
    thread_changed(post.thread_id)
    previous = credence.previous
    if previous is not None and abs(number - previous) >= Credence.BELIEF_UPDATE_POINTS:
        minds_changed_on(post, user_id=user.pk, before=previous, after=number)
    return CredenceResult(credence=credence, previous=previous)


@transaction.atomic
def react(*, user: User, post: Post, kind: str, quote: object = "") -> ReactionResult:
    """ "That's a crux for me" and its kin, on the post or a span of it. Reacting the same
    way on the same span again takes the reaction back."""
    ensure_can_participate(user)
    if kind not in Reaction.Kind.values:
        known = ", ".join(Reaction.Kind.values)
        raise ValidationError({"kind": f"Unknown reaction {kind!r}; choose one of {known}."})
    post = locked_for_rating(post, doing="rate")
    clean_quote = posting.clean_quote(quote, post, where="this post")
    limits.check(user, "vote")
    # Taken back if it was there (the locked post keeps a second click from interleaving).
    taken_back, _ = Reaction.objects.filter(
        user=user, post=post, kind=kind, quote=clean_quote
    ).delete()
    if not taken_back:
        Reaction.objects.create(user=user, post=post, kind=kind, quote=clean_quote)
    Post.objects.filter(pk=post.pk).update(version=F("version") + 1)
    thread_changed(post.thread_id)
    return ReactionResult(post=post, kind=kind, quote=clean_quote, active=not taken_back)


@transaction.atomic
def pass_post(*, user: User, post: Post) -> bool:
    """Skip a post in the rating queue; returns whether this is a new pass."""
    ensure_can_participate(user)
    post = locked_for_rating(post, doing="rate")
    limits.check(user, "vote")
    _, created = QueuePass.objects.get_or_create(
        user=user, post=post, defaults={"thread_id": post.thread_id}
    )
    return created
