"""Atom feeds: new threads, and new posts in one thread.

Entries carry the post's stored, sanitised body_html (threads/markdown.py made it);
removed, deleted and held posts are left out, and a thread whose opening post is
hidden keeps its title but not the text. The importer's stand-in opening post is
never an entry nor quoted: its thread says, in our words, that the post is missing.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from threads.models import Post, Thread

FEED_LENGTH = 30
# Characters XML 1.0 cannot carry: C0 controls (Django's feed writer raises on them) and
# U+FFFE/U+FFFF (it writes them, and readers reject the document).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: object) -> object:
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


class AtomFeed(Atom1Feed):
    """Atom without the control characters a post or title may hold: one pasted form
    feed would otherwise make the whole feed fail, for every reader."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*map(_xml_text, args), **{k: _xml_text(v) for k, v in kwargs.items()})

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        super().add_item(*map(_xml_text, args), **{k: _xml_text(v) for k, v in kwargs.items()})


STAND_IN_NOTE = "<p>Comments imported from another site; the post they discuss is not on Crux.</p>"


def brief_html(thread: Thread, stand_in: int | None = None) -> str:
    """The summary's "debate in brief" as escaped HTML, when the thread has one.

    Nothing is quoted from `stand_in`, the importer's stand-in opening post (summaries
    no longer cite it; ones stored before may)."""
    analysis = getattr(thread, "analysis", None)
    summary = (analysis.summary if analysis else None) or {}
    brief = [item for item in summary.get("brief") or () if item.get("post") != stand_in]
    if summary.get("status") != "ok" or not brief:
        return ""
    items = format_html_join("", "<li>{}</li>", ((item["text"],) for item in brief))
    return format_html("<h3>The debate in brief</h3><ul>{}</ul>", items)


class NewThreadsFeed(Feed):
    feed_type = AtomFeed
    title = "Crux: new threads"
    subtitle = "Threads just opened on Crux, structured debate about AI risk."

    def link(self) -> str:
        return reverse("home") + "?sort=new"

    def feed_url(self) -> str:
        return reverse("feed_threads")

    def items(self) -> QuerySet[Thread]:
        opening = Prefetch(
            "posts", queryset=Post.objects.public().filter(parent__isnull=True), to_attr="opening"
        )
        return (
            Thread.objects.select_related("author", "analysis")
            .defer("analysis__map")  # the brief is in the summary; the map can be large
            .prefetch_related(opening)
            .order_by("-created", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Thread) -> str:
        return item.title

    def item_description(self, item: Thread) -> str:
        opening = item.opening[0] if item.opening else None
        if opening is not None and opening.is_placeholder:
            return STAND_IN_NOTE + brief_html(item, stand_in=opening.pk)
        body = opening.body_html if opening else "<p>[This post is hidden.]</p>"
        return body + brief_html(item)

    def item_link(self, item: Thread) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Thread) -> str:
        return item.author.username

    def item_author_link(self, item: Thread) -> str:
        return item.author.get_absolute_url()

    def item_pubdate(self, item: Thread) -> datetime:
        return item.created

    def item_guid(self, item: Thread) -> str:
        return f"crux-thread-{item.pk}"

    item_guid_is_permalink = False


TITLE_WORDS = 12
TITLE_CHARS = 90


def first_words(text: str, *, words: int = TITLE_WORDS, chars: int = TITLE_CHARS) -> str:
    """The first `words` words of a text (at most `chars` characters), with "…" if cut."""
    found = text.split()
    title = " ".join(found[:words])
    if len(title) > chars:
        title = title[:chars].rsplit(" ", 1)[0]
    return title + ("…" if title != " ".join(found) else "")


class ThreadPostsFeed(Feed):
    feed_type = AtomFeed

    def get_object(self, request: HttpRequest, pk: int) -> Thread:
        return get_object_or_404(Thread, pk=pk)

    def title(self, obj: Thread) -> str:
        return f"Crux: {obj.title}"

    def subtitle(self, obj: Thread) -> str:
        return f"New posts in “{obj.title}”."

    def link(self, obj: Thread) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Thread) -> str:
        return reverse("feed_thread", args=[obj.pk])

    def items(self, obj: Thread) -> QuerySet[Post]:
        return (
            Post.objects.public()
            .filter(thread=obj, is_placeholder=False)
            .select_related("author")
            .order_by("-created", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Post) -> str:
        """The post's first words, as a reader would name it; a post with no words of its
        own (only a quote, or an image) says who did what instead."""
        words = first_words(item.body_text)
        if words:
            return words
        if item.is_opening:
            return f"{item.author.username} opened the thread"
        return f"{item.author.username} {item.get_role_display()} post {item.parent_id}"

    def item_description(self, item: Post) -> str:
        return item.body_html

    def item_link(self, item: Post) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Post) -> str:
        return item.author.username

    def item_pubdate(self, item: Post) -> datetime:
        return item.created

    def item_updateddate(self, item: Post) -> datetime:
        return item.edited or item.created

    def item_guid(self, item: Post) -> str:
        return f"crux-post-{item.pk}"

    item_guid_is_permalink = False
