"""Moderation: tagging arguments, fixing roles, removing and restoring posts, approving
held posts, locking threads, banning users, reports, and who moderates (the tag taxonomy
is in threads/services/tags.py).

Each function here is the only way to do its action: the views, the admin and commands
all call it, so the public log stays complete. Each one checks that the actor is a
moderator, validates (raising ValidationError with a message a moderator can act on),
then makes the change and writes its ModAction row in one transaction: an action is
either done and logged, or neither. They return whether anything changed (False for a
repeat, e.g. removing a removed post), so a double click is harmless and the caller can
say "already done".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import formats, timezone

from threads.models import Ban, ModAction, Post, PostTag, Report, Role, Tag, Thread, User
from threads.services import limits, notifications
from threads.services.analysis import thread_changed
from threads.services.permissions import ensure_can_participate, ensure_moderator

# The limits are the columns' own (the forms read them from here).


def _max_length(model: type[models.Model], name: str) -> int:
    """The limit of one of the model's CharFields (the forms read the same)."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    if length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{name} has no max_length")
    return length


REASON_MAX = _max_length(ModAction, "reason")
NOTE_MAX = _max_length(PostTag, "note")


# --- Helpers ------------------------------------------------------------------------------


def _clean_text(text: str | None, *, field: str, limit: int, required: str | None = None) -> str:
    text = " ".join((text or "").split())
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > limit:
        raise ValidationError({field: f"At most {limit} characters, please ({len(text)} now)."})
    return text


def _reason(reason: str | None, *, required: str | None = None) -> str:
    return _clean_text(reason, field="reason", limit=REASON_MAX, required=required)


def _log(moderator: User, action: str, *, reason: str = "", **targets: Any) -> ModAction:
    details = targets.pop("details", {})
    return ModAction.objects.create(
        moderator=moderator, action=action, reason=reason, details=details, **targets
    )


def _lock_post(post: Post) -> Post:
    """The post's current row, locked for this transaction (a concurrent moderator or
    reply waits), so every check below sees the state the change is applied to."""
    try:
        return Post.objects.select_for_update().get(pk=post.pk)
    except Post.DoesNotExist:
        raise ValidationError("That post does not exist (any more).") from None


def _moderating(
    moderator: User, post: Post, reason: str | None, *, required: str | None = None
) -> tuple[Post, str]:
    """The first steps of every change to a post: the actor must be a moderator and the
    reason fit the log; then the post's row is locked. Returns (locked post, reason)."""
    ensure_moderator(moderator)
    reason = _reason(reason, required=required)
    return _lock_post(post), reason


def _bump(post: Post, **changes: Any) -> None:
    """Write `changes` to the post's row and bump Post.version, the cache key of its
    rendered fragment: every moderation changes how the post shows."""
    Post.objects.filter(pk=post.pk).update(version=F("version") + 1, **changes)


def _post_moderated(
    moderator: User,
    action: str,
    post: Post,
    *,
    reason: str = "",
    tell_author: str | None = None,
    **log: Any,
) -> None:
    """How every change a moderator makes to a post ends: the thread's map is stale, the
    public log gets its entry, and with `tell_author` the post's author is told why."""
    thread_changed(post.thread_id)
    _log(moderator, action, post=post, thread_id=post.thread_id, reason=reason, **log)
    if tell_author is not None:
        notifications.post_moderated(
            post=post, moderator=moderator, action=action, reason=tell_author
        )


def _ensure_taggable(post: Post) -> None:
    if post.is_removed:
        raise ValidationError("This post is removed; restore it first.")
    if post.deleted_by_author:
        raise ValidationError("This post was deleted by its author.")


def _active_tag(tag: Tag) -> Tag:
    try:
        tag = Tag.objects.select_related("merged_into").get(pk=tag.pk)
    except Tag.DoesNotExist:
        raise ValidationError({"tag": "That tag does not exist."}) from None
    if tag.merged_into is not None:
        raise ValidationError(
            {"tag": f"The tag “{tag.name}” was merged into “{tag.merged_into.name}”; use that."}
        )
    if tag.retired:
        raise ValidationError({"tag": f"The tag “{tag.name}” is retired."})
    return tag


# --- Posts: tags and roles ----------------------------------------------------------------


@transaction.atomic
def tag_post(*, moderator: User, post: Post, tag: Tag, note: str = "") -> bool:
    """Put `tag` on `post`, with an optional note on why. False if it was already there."""
    ensure_moderator(moderator)
    note = _clean_text(note, field="note", limit=NOTE_MAX)
    post = _lock_post(post)
    _ensure_taggable(post)
    tag = _active_tag(tag)
    if PostTag.objects.filter(post=post, tag=tag).exists():
        return False
    PostTag.objects.create(post=post, tag=tag, tagged_by=moderator, note=note)
    _bump(post)
    told = f"{tag.name} ({note})" if note else tag.name
    _post_moderated(moderator, ModAction.Action.TAG, post, tag=tag, reason=note, tell_author=told)
    return True


@transaction.atomic
def untag_post(*, moderator: User, post: Post, tag: Tag, reason: str = "") -> bool:
    """Take `tag` off `post`. False if the post did not have it."""
    post, reason = _moderating(moderator, post, reason)
    use = PostTag.objects.filter(post=post, tag_id=tag.pk).first()
    if use is None:
        return False
    details = {"tagged_by": use.tagged_by_id, "note": use.note}
    use.delete()
    _bump(post)
    _post_moderated(
        moderator, ModAction.Action.UNTAG, post, tag_id=tag.pk, reason=reason, details=details
    )
    return True


@transaction.atomic
def change_role(*, moderator: User, post: Post, role: str, reason: str = "") -> bool:
    """Correct what a reply does to its parent. Setting the role a guessed (imported) role
    already has confirms it. False if nothing changed."""
    post, reason = _moderating(moderator, post, reason)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError({"role": f"Unknown role {role!r}."}) from None
    if post.is_opening:
        raise ValidationError("The opening post is the thread's claim; its role cannot change.")
    if post.role == role and not post.role_inferred:
        return False
    _bump(post, role=role, role_inferred=False)
    details = {"from": post.role, "to": role.value, "was_inferred": post.role_inferred}
    _post_moderated(
        moderator, ModAction.Action.ROLE, post, reason=reason, details=details, tell_author=reason
    )
    return True


# --- Posts: removal and approval ----------------------------------------------------------


@transaction.atomic
def remove_post(*, moderator: User, post: Post, reason: str) -> bool:
    """Soft-remove a post: readers see the moderators' reason instead of its text. The
    text stays in the database (and its revisions), its replies stay, and it can be
    restored. False if it was already removed."""
    required = "Say why the post is removed; readers will see it."
    post, reason = _moderating(moderator, post, reason, required=required)
    if post.is_removed:
        return False
    _bump(post, removed_at=timezone.now(), removed_by=moderator, removed_reason=reason)
    _post_moderated(moderator, ModAction.Action.REMOVE, post, reason=reason, tell_author=reason)
    return True


@transaction.atomic
def restore_post(*, moderator: User, post: Post, reason: str = "") -> bool:
    """Undo a removal. False if the post was not removed."""
    post, reason = _moderating(moderator, post, reason)
    if not post.is_removed:
        return False
    details = {"removed_by": post.removed_by_id, "removed_reason": post.removed_reason}
    _bump(post, removed_at=None, removed_by=None, removed_reason="")
    _post_moderated(
        moderator,
        ModAction.Action.RESTORE,
        post,
        reason=reason,
        details=details,
        tell_author=reason,
    )
    return True


@transaction.atomic
def approve_post(*, moderator: User, post: Post, reason: str = "") -> bool:
    """Publish a post held for approval (CRUX_HOLD_FIRST_POSTS). False if it was not held."""
    post, reason = _moderating(moderator, post, reason)
    if not post.held_for_approval:
        return False
    if post.is_removed:
        raise ValidationError("This post was removed; restore it before approving it.")
    _bump(post, held_for_approval=False)
    _post_moderated(moderator, ModAction.Action.APPROVE, post, reason=reason)
    notifications.post_published(post)
    return True


# --- Threads ------------------------------------------------------------------------------


def _set_locked(moderator: User, thread: Thread, locked: bool, reason: str) -> bool:
    ensure_moderator(moderator)
    reason = _reason(reason)
    try:
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
    except Thread.DoesNotExist:
        raise ValidationError("That thread does not exist (any more).") from None
    if thread.locked == locked:
        return False
    if locked and not reason:
        raise ValidationError({"reason": "Say why; the reason is shown on the locked thread."})
    Thread.objects.filter(pk=thread.pk).update(locked=locked, lock_reason=reason if locked else "")
    action = ModAction.Action.LOCK if locked else ModAction.Action.UNLOCK
    _log(moderator, action, thread=thread, reason=reason)
    return True


@transaction.atomic
def lock_thread(*, moderator: User, thread: Thread, reason: str = "") -> bool:
    """Close a thread to new replies, edits and votes, saying why (the reason is shown on
    the thread and in the public log). False if it was already locked."""
    return _set_locked(moderator, thread, True, reason)


@transaction.atomic
def unlock_thread(*, moderator: User, thread: Thread, reason: str = "") -> bool:
    """Reopen a locked thread. False if it was not locked."""
    return _set_locked(moderator, thread, False, reason)


# --- Users --------------------------------------------------------------------------------


def describe_ban(ban: Ban) -> str:
    if ban.until is None:
        return "permanently"
    return f"until {formats.date_format(ban.until, 'DATETIME_FORMAT')} UTC"


@transaction.atomic
def ban_user(*, moderator: User, user: User, reason: str, until: datetime | None = None) -> Ban:
    """Ban `user` until a time, or permanently when `until` is None. A banned user can
    read but not post, vote or report, and is told why (permissions.ensure_can_participate)."""
    ensure_moderator(moderator)
    reason = _reason(reason, required="Say why; the user will see this reason.")
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": "The end of the ban must be in the future."})
    # Lock the user row so two moderators cannot ban the same user twice at once.
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == moderator.pk:
        raise ValidationError("You cannot ban yourself.")
    if user.is_staff or user.is_moderator:
        raise ValidationError(
            f"{user.username} is a moderator or staff member; remove that role first."
        )
    current = user.active_ban()
    if current is not None:
        raise ValidationError(
            f"{user.username} is already banned {describe_ban(current)}; "
            "lift that ban first to change it."
        )
    ban = Ban.objects.create(user=user, moderator=moderator, reason=reason, until=until)
    _log(
        moderator,
        ModAction.Action.BAN,
        user=user,
        reason=reason,
        details={"until": until.isoformat() if until else None, "ban": ban.pk},
    )
    return ban


@transaction.atomic
def unban_user(*, moderator: User, user: User, reason: str = "") -> bool:
    """Lift `user`'s ban. False if they were not banned."""
    ensure_moderator(moderator)
    reason = _reason(reason)
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    active = Ban.objects.filter(user=user, lifted_at__isnull=True).exclude(until__lte=now)
    lifted = list(active.values_list("pk", flat=True))
    if not lifted:
        return False
    Ban.objects.filter(pk__in=lifted).update(lifted_at=now, lifted_by=moderator)
    _log(moderator, ModAction.Action.UNBAN, user=user, reason=reason, details={"bans": lifted})
    return True


# --- Reports ------------------------------------------------------------------------------


@transaction.atomic
def report_post(
    *, reporter: User, post: Post, reason: str, kind: str = Report.Kind.REPORT
) -> Report:
    """Flag a post for the moderators, or nominate it as a quality contribution.

    One report per user per post. Not a moderator action, so not in the public log.
    """
    ensure_can_participate(reporter)
    if kind not in Report.Kind.values:
        raise ValidationError({"kind": "Choose whether this is a report or a nomination."})
    required = "Say what is wrong with the post." if kind == Report.Kind.REPORT else None
    reason = _reason(reason, required=required)
    post = _lock_post(post)
    if post.author_id == reporter.pk:
        raise ValidationError("You cannot report or nominate your own post.")
    if not post.is_visible:
        raise ValidationError("This post is not visible any more; there is nothing to report.")
    earlier = Report.objects.filter(post=post, reporter=reporter).first()
    if earlier is not None:
        raise ValidationError(
            f"You already sent a {earlier.get_kind_display().lower()} on this post "
            f"({formats.date_format(earlier.created, 'DATE_FORMAT')}); once per post."
        )
    limits.check(reporter, "report")
    try:
        with transaction.atomic():
            report = Report.objects.create(post=post, reporter=reporter, kind=kind, reason=reason)
    except IntegrityError:  # a concurrent duplicate won the race
        raise ValidationError("You already reported this post; once per post.") from None
    return report


@transaction.atomic
def resolve_reports(
    *, moderator: User, post: Post, resolution: str, reason: str, tag: Tag | None = None
) -> int:
    """Close every open report on `post` at once: remove the post, dismiss the reports, or
    tag the post (e.g. "quality contribution" for a nomination). Returns how many reports
    were closed."""
    ensure_moderator(moderator)
    if resolution not in Report.Resolution.values:
        raise ValidationError({"resolution": "Choose: remove the post, dismiss, or tag."})
    reason = _reason(reason, required="Give a reason; it goes into the public log.")
    if resolution == Report.Resolution.TAGGED and tag is None:
        raise ValidationError({"tag": "Choose the tag to put on the post."})
    post = _lock_post(post)
    open_reports = Report.objects.select_for_update().filter(post=post, resolved_at__isnull=True)
    report_ids = list(open_reports.values_list("pk", flat=True))
    if not report_ids:
        raise ValidationError("There are no open reports on this post; someone resolved them.")
    if resolution == Report.Resolution.REMOVED:
        remove_post(moderator=moderator, post=post, reason=reason)
    elif resolution == Report.Resolution.TAGGED:
        if tag is None:
            raise ValidationError({"tag": "Choose the tag to put on the post."})
        tag_post(moderator=moderator, post=post, tag=tag, note=reason[:NOTE_MAX])
    Report.objects.filter(pk__in=report_ids).update(
        resolved_at=timezone.now(),
        resolved_by=moderator,
        resolution=resolution,
        resolution_reason=reason,
    )
    _log(
        moderator,
        ModAction.Action.RESOLVE_REPORT,
        post=post,
        thread_id=post.thread_id,
        tag=tag if resolution == Report.Resolution.TAGGED else None,
        reason=reason,
        details={"resolution": resolution, "reports": len(report_ids)},
    )
    return len(report_ids)


# --- Who moderates ---------------------------------------------------------------------------

MODERATORS_GROUP = "moderators"  # holds threads.moderate (made by the first migration)


def _ensure_can_change_users(actor: User) -> None:
    if not (actor.is_active and actor.has_perm("threads.change_user")):
        raise PermissionDenied("Only staff who may change users can change who moderates.")


def _set_moderator(actor: User, user: User, reason: str, *, moderator: bool) -> bool:
    _ensure_can_change_users(actor)
    reason = _reason(reason)
    group = Group.objects.get(name=MODERATORS_GROUP)
    if group.user_set.filter(pk=user.pk).exists() == moderator:
        return False
    if moderator:
        group.user_set.add(user)
    else:
        group.user_set.remove(user)
    action = ModAction.Action.GRANT_MODERATION if moderator else ModAction.Action.REVOKE_MODERATION
    _log(actor, action, user=user, reason=reason)
    return True


@transaction.atomic
def grant_moderation(*, granted_by: User, user: User, reason: str = "") -> bool:
    """Make `user` a moderator (the moderators group), in the public log. False if they
    were one already."""
    return _set_moderator(granted_by, user, reason, moderator=True)


@transaction.atomic
def revoke_moderation(*, revoked_by: User, user: User, reason: str = "") -> bool:
    """Take `user` out of the moderators group, in the public log. False if they were not
    in it."""
    return _set_moderator(revoked_by, user, reason, moderator=False)


# --- Duplicate arguments ------------------------------------------------------------------


@transaction.atomic
def mark_duplicate(*, moderator: User, post: Post, original: Post, reason: str = "") -> bool:
    """Say that `post` makes the same point as `original` (an earlier post of the same
    thread): the map then counts agreement with either as agreement with the original.
    False if it was already so marked."""
    post, reason = _moderating(moderator, post, reason)
    try:
        original = Post.objects.get(pk=original.pk)
    except Post.DoesNotExist:
        raise ValidationError({"original": "That post does not exist (any more)."}) from None
    # Point at the first of a chain, so pooling never has to follow one.
    if original.duplicate_of_id is not None:
        original = Post.objects.get(pk=original.duplicate_of_id)
    if original.thread_id != post.thread_id:
        raise ValidationError({"original": "The original must be a post of the same thread."})
    if original.pk == post.pk:
        raise ValidationError({"original": "A post cannot duplicate itself."})
    if post.is_opening:
        raise ValidationError(
            "The opening post is what the thread is about; it duplicates nothing."
        )
    if post.duplicates.exists():
        raise ValidationError(
            "Other posts are marked as duplicates of this one; mark the original instead."
        )
    if post.duplicate_of_id == original.pk:
        return False
    _bump(post, duplicate_of=original)
    details = {"original": original.pk}
    _post_moderated(moderator, ModAction.Action.DUPLICATE, post, reason=reason, details=details)
    return True


@transaction.atomic
def unmark_duplicate(*, moderator: User, post: Post, reason: str = "") -> bool:
    """Undo mark_duplicate. False if the post was not marked."""
    post, reason = _moderating(moderator, post, reason)
    if post.duplicate_of_id is None:
        return False
    details = {"original": post.duplicate_of_id}
    _bump(post, duplicate_of=None)
    _post_moderated(moderator, ModAction.Action.UNDUPLICATE, post, reason=reason, details=details)
    return True
