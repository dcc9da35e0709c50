"""The reads of the moderation pages: the queue, a member's record, the tag taxonomy,
the public tag pages and the moderation log. Each page is a fixed number of queries
(tests/test_moderation_views.py counts them)."""

from __future__ import annotations

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from threads.models import Ban, ModAction, Post, PostTag, Report, Role, Tag, User

HELD_SHOWN = 50


def open_reports_prefetch() -> Prefetch:
    return Prefetch(
        "reports",
        queryset=Report.objects.filter(resolved_at__isnull=True)
        .select_related("reporter")
        .order_by("created"),
        to_attr="open_reports",
    )


def report_groups() -> QuerySet[Post]:
    """Posts with open reports, the longest-waiting first, with counts by kind."""
    is_open = Q(reports__resolved_at__isnull=True)
    return (
        Post.objects.filter(
            pk__in=Report.objects.filter(resolved_at__isnull=True).values("post_id")
        )
        .select_related("thread", "author")
        .annotate(
            report_count=Count("reports", filter=is_open & Q(reports__kind=Report.Kind.REPORT)),
            nomination_count=Count(
                "reports", filter=is_open & Q(reports__kind=Report.Kind.QUALITY_CONTRIBUTION)
            ),
            first_reported=Min("reports__created", filter=is_open),
        )
        .order_by("first_reported", "pk")
    )


def held_posts(limit: int = HELD_SHOWN) -> list[Post]:
    """Posts waiting for approval, the longest-waiting first."""
    return list(Post.objects.held().select_related("thread", "author").order_by("created")[:limit])


def live_tags() -> list[Tag]:
    """Tags that can be applied: not retired, not merged into another."""
    return list(Tag.objects.live().filter(retired=False).order_by("kind", "name"))


def tags_with_counts() -> QuerySet[Tag]:
    """Every tag with how many posts carry it (moderators' taxonomy page)."""
    return (
        Tag.objects.select_related("merged_into")
        .annotate(uses=Count("post_tags", distinct=True))
        .order_by("kind", "name")
    )


def member_bans(member: User) -> list[Ban]:
    return list(
        Ban.objects.filter(user=member)
        .select_related("moderator", "lifted_by")
        .order_by("-created")
    )


def member_counts(member: User) -> dict[str, int]:
    return {
        "post_count": member.posts.count(),
        "removed_count": member.posts.filter(removed_at__isnull=False).count(),
    }


def public_tags(kind: str = "") -> list[Tag]:
    """Live tags (of one kind, if given) with how many posts readers can see carry them."""
    tags = Tag.objects.live().annotate(
        uses=Count("post_tags", filter=Q(post_tags__post__in=Post.objects.public()))
    )
    if kind:
        tags = tags.filter(kind=kind)
    return list(tags.order_by("retired", "name"))


def tag_uses(tag: Tag, role: str = "") -> QuerySet[PostTag]:
    """Where a tag is used on posts readers can see, newest tagging first."""
    uses = (
        PostTag.objects.filter(tag=tag, post__in=Post.objects.public())
        .select_related("post", "post__thread", "post__author", "tagged_by")
        .order_by("-created", "-pk")
    )
    if role in Role.values:
        uses = uses.filter(post__role=role)
    return uses


def log_entries(action: str = "") -> QuerySet[ModAction]:
    """The moderation log, newest first, of one kind of action if given."""
    actions = ModAction.objects.select_related("moderator", "post", "thread", "user", "tag")
    if action in ModAction.Action.values:
        actions = actions.filter(action=action)
    return actions.order_by("-created", "-id")
