"""Similar arguments while composing (issue 19): the posts a reply or a new thread may
repeat, found by threads.analysis.similar over the words of public posts.

This module owns the indexes: one per thread (its public posts) and one over every
thread's opening post, each kept in this process and rebuilt only when the posts it was
built from changed (a vote does not rebuild it; a new, edited, removed or restored post
does). A query then costs one aggregate query for that check plus a few milliseconds of
sparse arithmetic, even on a 5,000-post thread (bench/bench_similar.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse

from threads.models import Post, Thread

if TYPE_CHECKING:
    from threads.analysis.similar import Candidate, Match, SimilarityIndex

MAX_QUERY_CHARS = 5_000
# Indexes kept per process: the threads being written in now. A 5,000-post thread's
# index is about 2 MB.
MAX_INDEXES = 16
# Below this many posts a full build takes well under a second: new posts rebuild the
# index (so their own words count). Above, they are appended until the index has grown
# by a quarter since its last full build.
EXTEND_FROM = 500
REBUILD_GROWTH = 1.25

_PUBLIC = Q(
    removed_at__isnull=True, deleted_by_author=False, held_for_approval=False, is_placeholder=False
)
_indexes: OrderedDict[tuple, _Cached] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class SimilarPost:
    post: int
    thread: int
    score: float
    excerpt: str
    url: str
    title: str = ""


def _signature(posts: QuerySet[Post]) -> tuple:
    """What the index depends on: which posts are public (their count, newest id and id
    sum) and the latest edit. Votes, which also bump Post.version, change none of it."""
    row = posts.aggregate(n=Count("id"), last=Max("id"), ids=Sum("id"), edited=Max("edited"))
    return (row["n"], row["last"] or 0, row["ids"] or 0, row["edited"])


@dataclass
class _Cached:
    stamp: object  # what changes with every change to the source (Thread.data_version)
    signature: tuple
    index: SimilarityIndex
    built_size: int  # posts at the last full build (the terms' weights come from them)


def _cached_index(
    key: tuple,
    stamp: object,
    posts: QuerySet[Post],
    candidates: Callable[[QuerySet[Post]], list[Candidate]],
) -> SimilarityIndex:
    # scikit-learn loads with the first similar-arguments request, not in every web process.
    from threads.analysis.similar import build_index, extend_index

    """The index of `posts`, from this process's cache when still right.

    Cheapest first: the same `stamp` → the cached index (one indexed read by the caller).
    Otherwise the signature (one aggregate over the posts) tells a vote, which changes
    nothing here, from new posts, which are appended, from anything else (an edit, a
    removal), which rebuilds; small indexes and ones grown by a quarter rebuild too.
    """
    with _lock:
        cached = _indexes.get(key)
        if cached is not None and cached.stamp == stamp:
            _indexes.move_to_end(key)
            return cached.index
    signature = _signature(posts)
    if cached is not None and cached.signature == signature:
        index, built = cached.index, cached.built_size
    elif (
        cached is not None
        and cached.built_size >= EXTEND_FROM
        and _only_added(cached, signature, posts)
    ):
        index = extend_index(cached.index, candidates(posts.filter(pk__gt=cached.signature[1])))
        built = cached.built_size
        if len(index) > REBUILD_GROWTH * built:
            index = build_index(candidates(posts))
            built = len(index)
    else:
        index = build_index(candidates(posts))
        built = len(index)
    with _lock:
        _indexes[key] = _Cached(stamp, signature, index, built)
        _indexes.move_to_end(key)
        while len(_indexes) > MAX_INDEXES:
            _indexes.popitem(last=False)
    return index


def _only_added(cached: _Cached, signature: tuple, posts: QuerySet[Post]) -> bool:
    """Whether the change since `cached` is new posts only (none edited or hidden)."""
    count, last, ids, edited = cached.signature
    new = posts.filter(pk__gt=last).aggregate(n=Count("id"), ids=Sum("id"))
    added = new["n"] or 0
    return added > 0 and signature == (count + added, signature[1], ids + new["ids"], edited)


def _matches(index: SimilarityIndex, text: str, exclude: set[int]) -> tuple[Match, ...]:
    from threads.analysis.similar import similar

    return similar(index, text[:MAX_QUERY_CHARS], exclude=exclude)


def similar_in_thread(
    thread_id: int, text: str, *, exclude: set[int] = frozenset()
) -> list[SimilarPost]:
    """Up to three public posts of the thread that make the point `text` makes."""
    from threads.analysis.similar import Candidate

    posts = Post.objects.filter(_PUBLIC, thread_id=thread_id)

    def candidates(rows: QuerySet[Post]) -> list[Candidate]:
        return [Candidate(pk, body) for pk, body in rows.values_list("pk", "body_text")]

    stamp = Thread.objects.filter(pk=thread_id).values_list("data_version", flat=True).first()
    index = _cached_index(("thread", thread_id), stamp, posts, candidates)
    found = _matches(index, text, set(exclude))
    return [
        SimilarPost(m.id, thread_id, m.score, m.excerpt, reverse("post", args=[thread_id, m.id]))
        for m in found
    ]


def similar_threads(text: str) -> list[SimilarPost]:
    """Up to three threads whose opening post (with its title) makes the point of `text`."""
    from threads.analysis.similar import Candidate, excerpt

    posts = Post.objects.filter(_PUBLIC, parent__isnull=True)

    def candidates(rows: QuerySet[Post]) -> list[Candidate]:
        rows = rows.values_list("pk", "thread__title", "body_text")
        return [Candidate(pk, f"{title}\n\n{body}") for pk, title, body in rows]

    # Opening posts change far less often than threads are read; no cheaper stamp than
    # the signature itself (one aggregate over one row per thread).
    index = _cached_index(("openings",), object(), posts, candidates)
    found = _matches(index, text, set())
    rows = Post.objects.filter(pk__in=[m.id for m in found]).values_list(
        "pk", "thread_id", "thread__title", "body_text"
    )
    threads = {pk: (thread, title, body) for pk, thread, title, body in rows}
    shown = []
    for match in found:
        if match.id in threads:
            thread, title, body = threads[match.id]
            url = reverse("post", args=[thread, match.id])
            shown.append(
                SimilarPost(match.id, thread, match.score, excerpt(body), url, title=title)
            )
    return shown
