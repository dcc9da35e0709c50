"""Template helpers for posts: stored Markdown HTML, role badges, ages and post links.

`{% load crux %}`. The only filter that marks anything safe is `body_html`, and it does
so through threads.markdown.safe_html, for HTML that render_markdown produced.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.shortcuts import resolve_url
from django.template.loader import get_template
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone

from threads import markdown
from threads.models import Post, Role, Tag, User
from threads.queries.posts import ShownTag

register = template.Library()


@register.simple_tag(takes_context=True)
def render_partial(context: template.Context, name: str, values: dict) -> str:
    """`{% render_partial "page.html#partial" values %}`: the named partial with the
    `values` a view prepared as its whole context (the page's own variables stay out),
    as the thread page shows the analysis panel."""
    return get_template(name).render(values, request=getattr(context, "request", None))


ROLE_LABELS = {role.value: role.label for role in Role}


@register.filter
def body_html(stored_html: str) -> str:
    """Post.body_html (sanitised when the post was saved) as HTML."""
    return markdown.safe_html(stored_html or "")


@register.filter
def role_label(role: str) -> str:
    """The verb on a reply's badge: "rebuts", "supports", "asks", ..."""
    return ROLE_LABELS.get(role, role)


_UNITS = ((86400 * 365, "year"), (86400 * 30, "month"), (86400, "day"), (3600, "hour"))


@register.filter
def age(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: "just now", "5 min ago", "3 hours ago"."""
    if moment is None:
        return ""
    seconds = ((now or timezone.now()) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    for size, unit in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"  # pragma: no cover - the loop always returns


@register.filter
def iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


_SENTINEL = 987654321


@lru_cache(maxsize=64)
def _pattern(name: str, prefix: str, arity: int) -> str:
    path = reverse(name, args=[_SENTINEL] * arity)
    return path.replace(str(_SENTINEL), "{}")


def post_link(name: str, *args: int) -> str:
    """reverse(name, args) for the post routes, without resolving the URLconf again for
    each of the hundred posts of a page (the pattern is built once per route)."""
    return _pattern(name, get_script_prefix(), len(args)).format(*args)


@register.filter
def link(post: Post, name: str) -> str:
    """`{{ post|link:"reply" }}`: the URL of a post route that takes the post's id;
    `{{ post|link:"post" }}` is the permalink."""
    if name == "post":
        return post_link("post", post.thread_id, post.pk)
    return post_link(name, post.pk)


@register.filter
def tag_url(tag: Tag | ShownTag) -> str:
    """A tag's page (the "tag" route), or the thread filtered by it if there is none."""
    try:
        return _pattern("tag", get_script_prefix(), 1).format(tag.slug)
    except NoReverseMatch:
        return f"?tag={tag.slug}"


@register.filter
def profile_url(user: User) -> str:
    """A user's profile page (the "profile" route), or "" while there is none."""
    try:
        username = quote(user.username, safe="@+.-_~")
        return _pattern("profile", get_script_prefix(), 1).format(username)
    except NoReverseMatch:
        return ""


@register.simple_tag
def login_url(next_path: str = "") -> str:
    """The login page, coming back to `next_path` afterwards."""
    try:
        url = resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        url = "/accounts/login/"
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url
