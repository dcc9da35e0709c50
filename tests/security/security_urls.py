"""Every URL of the site, built with real objects for its arguments.

The security walks (headers, CSRF, authorisation) iterate `site_urls()`, so a new URL
pattern is covered the day it is added. A pattern with an argument this module cannot
fill fails the walk with a message saying where to teach it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from threads.models import (
    Draft,
    Notification,
    NotificationSettings,
    Post,
    RateCounter,
    Tag,
    Thread,
    ThreadAnalysis,
    ThreadVisit,
    User,
)
from threads.services import moderation, posting, stances, voting
from threads.services.stated_analysis import store_queue


@dataclass(frozen=True)
class SiteUrl:
    route: str  # the pattern, e.g. "p/<int:pk>/vote/"
    name: str  # "vote", "admin:threads_post_change", or "" for unnamed patterns
    path: str  # the URL with real arguments, e.g. "/p/12/vote/"
    view: object

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def label(self) -> str:
        return f"{self.name or self.route} ({self.path})"


@dataclass
class World:
    """The objects URLs point at: a thread by `author` with a reply by `other`."""

    author: User
    other: User
    moderator: User
    thread: Thread
    opening: Post
    reply: Post
    tag: Tag


# Routes whose `pk` is a post's; every other `pk` is a thread's.
POST_PK_ROUTES = {"post", "reply", "vote", "edit_post", "delete_post", "post_history",
                  "post_replies", "save_reply_draft"}  # fmt: skip


def _patterns(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name or "", pattern


def argument(route: str, name: str, kwarg: str, view, world: World) -> str:
    """A real value for one URL argument."""
    model_admin = getattr(view, "model_admin", None)
    bare = name.split(":")[-1]
    if kwarg == "object_id" and model_admin is not None:
        obj = model_admin.model._default_manager.order_by("pk").first()
        if obj is None:
            raise LookupError(f"no {model_admin.model.__name__} row for {route}")
        return str(obj.pk)
    if kwarg == "id":  # the admin's password change for a user
        return str(world.author.pk)
    if kwarg == "pk":
        return str(world.reply.pk if bare in POST_PK_ROUTES else world.thread.pk)
    if kwarg == "post_id":
        return str(world.reply.pk)
    if kwarg == "thread_id":
        return str(world.thread.pk)
    if kwarg == "slug":
        return world.tag.slug if "tag" in bare else world.thread.slug
    if kwarg == "username":
        return world.other.username
    if kwarg == "uidb64":
        return urlsafe_base64_encode(force_bytes(world.author.pk))
    if kwarg == "token":
        return default_token_generator.make_token(world.author)
    if kwarg == "app_label":
        return "threads"
    if kwarg == "object_id":  # admin's "view on site" shortcut: an object of any model
        return str(world.thread.pk)
    if kwarg == "content_type_id":
        return str(ContentType.objects.get_for_model(Thread).pk)
    if kwarg == "url":
        return "no-such-page/"
    raise LookupError(
        f"The URL pattern {route!r} ({name or 'unnamed'}) takes {kwarg!r}, which "
        "tests/security/security_urls.py:argument() cannot fill yet: teach it."
    )


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def _fill(route: str, values: dict[str, str]) -> str:
    if route.startswith("admin/^") or "(?P<" in route:  # a regex pattern (admin's own)
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route)
        return "/" + path.replace("^", "").replace("$", "")
    return "/" + _CONVERTER.sub(lambda m: values[m.group("parameter")], route)


def site_urls(world: World) -> list[SiteUrl]:
    urls = []
    for route, name, pattern in _patterns(get_resolver().url_patterns):
        kwargs = list(pattern.pattern.regex.groupindex)
        view = pattern.callback
        values = {k: argument(route, name, k, view, world) for k in kwargs}
        urls.append(SiteUrl(route=route, name=name, path=_fill(route, values), view=view))
    return urls


def make_world() -> World:
    from tests.factories import make_reply, make_thread, make_user, opening_post

    author = make_user("walk-author", email="author@example.org")
    other = make_user("walk-other", email="other@example.org")
    moderator = make_user("walk-mod", moderator=True)
    thread = make_thread(author, title="Is scaling enough?", body="Scaling is all you need.")
    opening = opening_post(thread)
    reply = make_reply(opening, other, body="It is not: **data** runs out.", quote="all you need")
    tag = Tag.objects.filter(retired=False).order_by("pk").first()
    # A row of every model, so that every admin URL has an object to point at.
    posting.edit_post(post=reply, editor=other, body="It is not: **data** runs out soon.")
    voting.cast_vote(user=author, post=reply, axis="quality", value=1)
    moderation.tag_post(moderator=moderator, post=reply, tag=tag)
    moderation.report_post(reporter=author, post=reply, reason="Off topic")
    troll = make_user("walk-troll")
    moderation.ban_user(moderator=moderator, user=troll, reason="Spam")
    ThreadAnalysis.objects.create(thread=thread)
    ThreadVisit.objects.create(user=author, thread=thread)
    Notification.objects.get_or_create(
        recipient=author, kind="reply", post=reply, thread=thread, actor=other
    )
    Draft.objects.create(user=other, parent=opening, text="Half a reply")
    NotificationSettings.objects.create(user=author)
    stances.state_credence(user=author, post=reply, value=60)
    stances.react(user=author, post=reply, kind="crux")
    stances.pass_post(user=author, post=opening)
    store_queue(thread.pk, thread.data_version, [reply.pk])
    RateCounter.objects.create(key="walk:1", count=1, expires=time.time() + 60)
    return World(author, other, moderator, thread, opening, reply, tag)
