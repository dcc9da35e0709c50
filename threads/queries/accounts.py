"""The signed-in user, loaded with their standing: whether they moderate and their active
ban, in the one query Django's session authentication makes anyway. Every page and every
write asks both, so answering them here saves two queries per request."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from threads.models import Ban, User


def user_with_standing(user_id: object) -> User | None:
    """The user with `standing_loaded`, `holds_moderate` and `ban_*` annotations, which
    `User.is_moderator` and `User.active_ban` read instead of querying."""
    moderate = Q(content_type__app_label="threads", codename="moderate")
    holds = Permission.objects.filter(moderate).filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
    )
    bans = (
        Ban.objects.filter(user=OuterRef("pk"), lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))
        .order_by("-created")
    )
    return (
        User.objects.filter(pk=user_id)
        .annotate(
            holds_moderate=Exists(holds),
            ban_pk=Subquery(bans.values("pk")[:1]),
            ban_reason=Subquery(bans.values("reason")[:1]),
            ban_until=Subquery(bans.values("until")[:1]),
            ban_created=Subquery(bans.values("created")[:1]),
        )
        .first()
    )
