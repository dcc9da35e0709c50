"""The reads every page shares, as QuerySet methods on the models (`Post.objects.…`,
`Tag.objects.…`), so that "which posts may this reader see" is written once."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import Combinable
from django.db.models.lookups import StartsWith


def _reader(viewer: object) -> tuple[int | None, bool]:
    """(user id, moderates?) of a User, an AnonymousUser, a queries.Viewer or None."""
    if viewer is None:
        return None, False
    if hasattr(viewer, "is_authenticated"):  # a User or AnonymousUser
        if not viewer.is_authenticated:
            return None, False
        return viewer.pk, bool(viewer.is_moderator)
    return getattr(viewer, "user_id", None), bool(getattr(viewer, "is_moderator", False))


class PostQuerySet(models.QuerySet):
    """The reads of posts that every page shares; the one visibility rule is here."""

    def held(self) -> PostQuerySet:
        """Posts waiting for a moderator's approval (not removed meanwhile)."""
        return self.filter(held_for_approval=True, removed_at__isnull=True)

    def visible_to(self, viewer: object = None) -> PostQuerySet:
        """The posts `viewer` (a User, AnonymousUser, queries.Viewer or None for a
        logged-out reader) may see at all.

        A post held for approval is seen only by its author and the moderators, and so
        are the replies below it (a moderator may answer a held post): until it is
        approved, no page, feed, export, map, profile, API or search shows either. The
        post's materialised path lists it and its ancestors, so one NOT EXISTS (an
        anti-join in PostgreSQL, over the few held posts of the thread) decides it.
        Removed and deleted posts stay visible as tombstones; `shown()` drops those too.
        """
        user_id, moderator = _reader(viewer)
        if moderator:
            return self.all()
        held_on_path = self.model.objects.filter(
            StartsWith(OuterRef("path"), F("path")),
            thread_id=OuterRef("thread_id"),
            held_for_approval=True,
        )
        if user_id is not None:
            held_on_path = held_on_path.exclude(author_id=user_id)
        return self.filter(~Exists(held_on_path))

    def unheld_for(self, viewer: object = None) -> PostQuerySet:
        """The per-post half of visible_to: not held, or held but the viewer's own (or the
        viewer moderates). For index-only reads of a whole tree (queries.skeleton) that
        then drop every post not reachable from the opening post — the other half."""
        user_id, moderator = _reader(viewer)
        if moderator:
            return self.all()
        if user_id is None:
            return self.filter(held_for_approval=False)
        return self.filter(Q(held_for_approval=False) | Q(author_id=user_id))

    def shown(self) -> PostQuerySet:
        """Posts whose text is there to read: not removed by a moderator, not deleted by
        the author (lists, search and tag pages leave tombstones out)."""
        return self.filter(removed_at__isnull=True, deleted_by_author=False)

    def new_to(self, user_id: int, since: datetime | Combinable) -> PostQuerySet:
        """What is new to a reader back in a thread: posts others wrote after `since`
        (a time, or an expression of the outer query's) that are there to read, not
        removed, deleted or held ("N new replies", the inbox's unread counts)."""
        fresh = self.shown().filter(created__gt=since, held_for_approval=False)
        return fresh.exclude(author_id=user_id)

    def public(self, viewer: object = None) -> PostQuerySet:
        """What lists of posts (search, profiles, tag pages) show `viewer`."""
        return self.visible_to(viewer).shown()


class TagQuerySet(models.QuerySet):
    def live(self) -> TagQuerySet:
        """Tags that still exist in their own right: not merged into another (a retired
        tag is live: it stays on its posts and its page)."""
        return self.filter(merged_into__isnull=True)
