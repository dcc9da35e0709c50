"""Search over thread titles and posts.

On PostgreSQL: full-text search (English stemming), ranked with ts_rank and excerpted
with ts_headline. The expressions here are the ones the GIN indexes of migration
0001 (once 0005_search_indexes) are built on, so the planner can use them. On SQLite (the
laptop default): a plain case-insensitive substring match, newest first.

Highlighting never trusts the database's markup: ts_headline wraps matches in random
markers that user text cannot contain (a new pair per search), the text is split on
them into (text, hit) segments, and the template escapes every segment and adds <mark>
itself. Nothing from a post is ever marked safe here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from threads.models import Post, Thread

CONFIG = "english"
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
# One word or one "quoted phrase"; anything else in the query is ignored.
_TERM = re.compile(r'"([^"]+)"|([\w][\w\'-]*)', re.UNICODE)


@dataclass(frozen=True)
class Segment:
    text: str
    hit: bool


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool


def parse_terms(query: str) -> list[Term]:
    """The words and quoted phrases of a query, at most MAX_TERMS of them."""
    terms: list[Term] = []
    for phrase, word in _TERM.findall((query or "")[:MAX_QUERY_CHARS]):
        text = " ".join((phrase or word).split())
        if text and Term(text, bool(phrase)) not in terms:
            terms.append(Term(text, bool(phrase)))
    return terms[:MAX_TERMS]


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def post_vector() -> SearchVector:
    return SearchVector("body", config=CONFIG)


def title_vector() -> SearchVector:
    return SearchVector("title", config=CONFIG)


def _ts_query(terms: list[Term]) -> SearchQuery:
    """Any of the terms matches (OR); ranking puts documents that match more of them
    first, so a loose query still finds something and a precise one sorts well."""
    combined = None
    for term in terms:
        one = SearchQuery(
            term.text, config=CONFIG, search_type="phrase" if term.phrase else "plain"
        )
        combined = one if combined is None else combined | one
    return combined


class Markers:
    """A fresh pair of highlight markers: letters and digits only (ts_headline's option
    syntax needs no quoting then) and random, so no post can contain them."""

    def __init__(self) -> None:
        token = secrets.token_hex(8)
        self.start = f"HLS{token}"
        self.stop = f"HLE{token}"

    def split(self, marked: str) -> list[Segment]:
        """Text with markers -> segments; markers never reach the page."""
        segments: list[Segment] = []
        rest = marked or ""
        while rest:
            before, found, after = rest.partition(self.start)
            if before:
                segments.append(Segment(before, False))
            if not found:
                break
            hit, _, rest = after.partition(self.stop)
            if hit:
                segments.append(Segment(hit, True))
        return segments


def _ranked(
    rows: QuerySet, field: str, terms: list[Term], markers: Markers, **options: Any
) -> QuerySet:
    """The rows whose `field` matches the terms, annotated with their `rank` and their
    `headline` (the field excerpted between the markers; `options` tune the excerpt)."""
    ts_query = _ts_query(terms)
    vector = SearchVector(field, config=CONFIG)  # = post_vector() / title_vector()
    return rows.annotate(
        search=vector,
        rank=SearchRank(vector, ts_query),
        headline=SearchHeadline(
            field,
            ts_query,
            config=CONFIG,
            start_sel=markers.start,
            stop_sel=markers.stop,
            **options,
        ),
    ).filter(search=ts_query)


def search_threads(query: str, *, limit: int = 10) -> list[tuple[Thread, list[Segment]]]:
    """Threads whose title matches, best first, each with its highlighted title."""
    terms = parse_terms(query)
    if not terms:
        return []
    threads = Thread.objects.select_related("author")
    if full_text_available():
        markers = Markers()
        found = _ranked(threads, "title", terms, markers, highlight_all=True)
        found = found.order_by("-rank", "-last_activity", "-pk")[:limit]
        return [(thread, markers.split(thread.headline)) for thread in found]
    found = threads.filter(_any_icontains("title", terms)).order_by("-last_activity", "-pk")
    return [(thread, highlight_plain(thread.title, terms)) for thread in found[:limit]]


def search_posts(query: str) -> tuple[QuerySet[Post], Markers | None]:
    """Visible posts that match, best first (not yet evaluated, so it can be paginated).

    Returns the markers to split each post's `headline` with (None on SQLite, where
    the caller highlights with highlight_plain)."""
    terms = parse_terms(query)
    # The importer's stand-in opening post says nothing anyone wrote: never a result.
    posts = Post.objects.public().filter(is_placeholder=False).select_related("thread", "author")
    if not terms:
        return posts.none(), None
    if full_text_available():
        markers = Markers()
        found = _ranked(posts, "body", terms, markers, max_words=45, min_words=20)
        found = found.order_by("-rank", "-created", "-pk")
        return found, markers
    return posts.filter(_any_icontains("body", terms)).order_by("-created", "-pk"), None


def _any_icontains(field: str, terms: list[Term]) -> Q:
    condition = Q()
    for term in terms:
        condition |= Q(**{f"{field}__icontains": term.text})
    return condition


def highlight_plain(text: str, terms: list[Term], *, context_chars: int = 160) -> list[Segment]:
    """The SQLite fallback's highlight: an excerpt around the first match, every
    case-insensitive occurrence of a term marked."""
    if not text:
        return []
    pattern = re.compile("|".join(re.escape(t.text) for t in terms), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - context_chars // 2) if first else 0
    excerpt = text[start : start + 2 * context_chars]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + 2 * context_chars < len(text) else ""
    segments: list[Segment] = [Segment(prefix, False)] if prefix else []
    position = 0
    for match in pattern.finditer(excerpt):
        if match.start() > position:
            segments.append(Segment(excerpt[position : match.start()], False))
        segments.append(Segment(match.group(), True))
        position = match.end()
    if position < len(excerpt):
        segments.append(Segment(excerpt[position:], False))
    if suffix:
        segments.append(Segment(suffix, False))
    return segments


def highlighted(
    posts: Iterable[Post], markers: Markers | None, query: str
) -> list[tuple[Post, list[Segment]]]:
    """Pair each post of a page of results with its highlighted excerpt."""
    terms = parse_terms(query)
    return [
        (post, markers.split(post.headline) if markers else highlight_plain(post.body, terms))
        for post in posts
    ]
