"""The tag taxonomy: moderators create, rename, merge and retire the tags that put
arguments in topics, schemes and quality classes. Like every moderation service, each
checks the actor, validates, changes and logs in one transaction (see moderation.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from threads.models import ModAction, Post, PostTag, Tag, User
from threads.services.analysis import thread_changed
from threads.services.moderation import _clean_text, _log, _max_length, _reason
from threads.services.permissions import ensure_moderator

TAG_NAME_MAX = _max_length(Tag, "name")
TAG_DESCRIPTION_MAX = _max_length(Tag, "description")


def _clean_tag_name(name: str, *, kind: str, exclude: Tag | None = None) -> str:
    name = _clean_text(name, field="name", limit=TAG_NAME_MAX, required="Give the tag a name.")
    clash = Tag.objects.filter(name__iexact=name, kind=kind)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a {kind} tag named “{name}”."})
    return name


@transaction.atomic
def create_tag(*, moderator: User, kind: str, name: str, description: str = "") -> Tag:
    ensure_moderator(moderator)
    if kind not in Tag.Kind.values:
        raise ValidationError({"kind": "Choose topic, argument scheme or quality."})
    name = _clean_tag_name(name, kind=kind)
    description = _clean_text(description, field="description", limit=TAG_DESCRIPTION_MAX)
    slug = slugify(name)[:70].strip("-")
    if not slug:
        raise ValidationError({"name": "The name needs at least one letter or digit."})
    if Tag.objects.filter(slug=slug).exists():
        raise ValidationError({"name": f"The address /tags/{slug}/ is taken by another tag."})
    tag = Tag.objects.create(kind=kind, name=name, slug=slug, description=description)
    _log(moderator, ModAction.Action.TAG_CREATE, tag=tag, details={"kind": kind, "name": name})
    return tag


@transaction.atomic
def rename_tag(
    *, moderator: User, tag: Tag, name: str, description: str | None = None, reason: str = ""
) -> bool:
    """Change a tag's name (and description). Its address stays, so links keep working.
    False if nothing changed."""
    ensure_moderator(moderator)
    reason = _reason(reason)
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    if tag.merged_into_id:
        raise ValidationError("This tag was merged into another; rename that one instead.")
    name = _clean_tag_name(name, kind=tag.kind, exclude=tag)
    if description is None:
        description = tag.description
    description = _clean_text(description, field="description", limit=TAG_DESCRIPTION_MAX)
    if (name, description) == (tag.name, tag.description):
        return False
    details = {"from": tag.name, "to": name}
    if description != tag.description:
        details["description"] = description
    Tag.objects.filter(pk=tag.pk).update(name=name, description=description)
    _log(moderator, ModAction.Action.TAG_RENAME, tag=tag, reason=reason, details=details)
    return True


@transaction.atomic
def merge_tag(*, moderator: User, source: Tag, target: Tag, reason: str = "") -> int:
    """Fold `source` into `target`: every use of `source` becomes a use of `target` (a
    post that had both keeps one), `source` is retired and its page redirects. Returns
    how many posts were re-pointed."""
    ensure_moderator(moderator)
    reason = _reason(reason)
    if source.pk == target.pk:
        raise ValidationError({"target": "A tag cannot be merged into itself."})
    # Lock both in id order, so two opposite merges cannot deadlock.
    locked = {
        t.pk: t
        for t in Tag.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError("One of the tags does not exist (any more).")
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id:
        raise ValidationError(f"“{source.name}” was already merged into another tag.")
    if target.merged_into_id or target.retired:
        raise ValidationError({"target": f"“{target.name}” is retired; merge into a live tag."})

    uses = PostTag.objects.filter(tag=source)
    post_ids = list(uses.values_list("post_id", flat=True))
    both = set(
        PostTag.objects.filter(tag=target, post_id__in=post_ids).values_list("post_id", flat=True)
    )
    # The unique (post, tag) constraint: where a post already has the target, the source's
    # use goes (its note is kept in the log); elsewhere the use is re-pointed.
    duplicates = list(uses.filter(post_id__in=both).values("post_id", "note", "tagged_by_id"))
    uses.filter(post_id__in=both).delete()
    moved = uses.update(tag=target)
    Tag.objects.filter(merged_into=source).update(merged_into=target)
    Tag.objects.filter(pk=source.pk).update(merged_into=target, retired=True)
    Post.objects.filter(pk__in=post_ids).update(version=F("version") + 1)
    for thread_id in sorted(
        set(Post.objects.filter(pk__in=post_ids).values_list("thread_id", flat=True))
    ):
        thread_changed(thread_id)
    _log(
        moderator,
        ModAction.Action.TAG_MERGE,
        tag=source,
        reason=reason,
        details={
            "into": target.slug,
            "into_id": target.pk,
            "into_name": target.name,
            "moved": moved,
            "already_had_target": duplicates,
        },
    )
    return moved


@transaction.atomic
def retire_tag(*, moderator: User, tag: Tag, reason: str = "") -> bool:
    """Stop a tag from being applied. Posts keep it and its page stays. False if it was
    already retired."""
    ensure_moderator(moderator)
    reason = _reason(reason)
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    if tag.retired:
        return False
    Tag.objects.filter(pk=tag.pk).update(retired=True)
    _log(moderator, ModAction.Action.TAG_RETIRE, tag=tag, reason=reason)
    return True
