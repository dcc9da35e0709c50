"""The post-fragment cache: the one room that owns the keys of cached page HTML.

A thread page of a hundred posts renders in one database query for the tree and one
cache round trip for the posts because each post's viewer-independent markup is kept
here, keyed by what changes it. `forum.cache.ResilientRedisCache` already turns a Redis
outage into misses and dropped writes, so nothing here wraps cache calls.

CSRF tokens belong to one session: cached markup carries `CSRF_PLACEHOLDER` (written by
`{% csrf_field %}`) and `fill_csrf()` puts each response's own token in its place.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

if TYPE_CHECKING:
    from threads.models import Post, Thread
    from threads.queries import Viewer

# A cached post is thrown away after this long even if nothing changed, so that its
# "5 min ago" is never more than a minute behind.
FRAGMENT_TTL = 60
CSRF_FIELD_NAME = "csrfmiddlewaretoken"
FRAGMENT_TEMPLATES = (
    "threads/thread.html",
    "moderation/post_controls.html",
    "threads/stances.html",
)
# What {% csrf_field %} leaves in a cached fragment; fill_csrf() puts each response's own
# token there. Text from users can never contain it: it starts with "<" (escaped in text,
# and nh3 allows no <input>).
CSRF_PLACEHOLDER = '<input type="hidden" data-crux-csrf-field>'
_CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


@lru_cache(maxsize=1)
def _templates_stamp() -> str:
    """Changes when the templates of a post change, so a deploy never serves old markup."""
    from django.template.loader import get_template

    digest = hashlib.sha1()
    for name in FRAGMENT_TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:10]


class PostFragments:
    """The viewer-independent parts of the rendered posts of one page, read from the
    cache in one round trip and written back in one.

    A fragment is keyed by what changes it: the post and its Post.version (bumped by
    edits, votes, removal, tags, role changes), the kind of viewer (reader, member,
    moderator: they get different controls), whether the thread is locked, whether the
    post is the viewer's own, how the viewer voted on it and their credence (issue 13),
    and the post's tags. Most viewers have not voted on most posts, so they share one
    fragment per post. CSRF
    tokens are filled in per response (see {% csrf_field %}).
    """

    def __init__(
        self, posts: Iterable[Post], viewer: Viewer, *, locked: bool, names: Iterable[str] = ()
    ) -> None:
        self.audience = viewer.audience
        self.locked = locked
        self.rendered: dict[str, str] = {}
        keys = [self.key(post, name) for post in posts for name in names]
        self.found: dict[str, str] = cache.get_many(keys) if keys else {}

    def key(self, post: Post, name: str) -> str:
        tags = ",".join(tag.slug for tag in getattr(post, "tag_list", ()))
        return (
            f"post:{_templates_stamp()}:{name}:{post.pk}:{post.version}:"
            f"{self.audience}:{int(self.locked)}:{int(post.mine)}:"
            f"{post.my_quality}:{post.my_agree}:{getattr(post, 'my_credence', None) or 0}:{tags}"
        )

    def get_or_render(self, post: Post, name: str, render: Callable[[], str]) -> str:
        key = self.key(post, name)
        html = self.found.get(key)
        if html is None:
            html = self.rendered[key] = render()
        return html

    def save(self) -> None:
        cache_pieces(self.rendered)  # leaves out any holding a real CSRF token
        self.rendered = {}


def shared_page_key(thread: Thread, viewer: Viewer, *, sort: str, tag: str) -> str:
    """The cache key of a thread's tree as every viewer of a kind (reader, member,
    moderator) sees it who has not taken part in the thread: no own posts, no votes.

    Thread.data_version moves with every change to its posts that they see (posts,
    votes, edits, deletions, removals, approvals, tags, roles); a lock changes the page
    too. The rest (a renamed tag or user, "5 min ago") is at most FRAGMENT_TTL old.
    """
    return (
        f"shared:{_templates_stamp()}:{thread.pk}:{thread.data_version}:"
        f"{int(thread.locked)}:{viewer.audience}:{sort}:{tag}"
    )


def cached_html(key: str) -> str | None:
    return cache.get(key)


def cache_html(key: str, html: str) -> None:
    cache_pieces({key: html})


def personal_key(pk: int, marks: tuple, viewer: Viewer, *, locked: bool) -> str:
    """The cache key of a post's whole `post_main` as one participant sees it: the post's
    version and what of it is theirs (queries.Marks), so their page needs no full row of
    a post they wrote or gave a credence while neither changes."""
    return f"main:{_templates_stamp()}:{pk}:{viewer.audience}:{int(locked)}:" + ":".join(
        str(value) for value in marks
    )


def cached_pieces(keys: Iterable[str]) -> dict[str, str]:
    keys = list(keys)
    return cache.get_many(keys) if keys else {}


def cache_pieces(pieces: dict[str, str]) -> None:
    """Store rendered pieces; one holding a real CSRF token belongs to one session."""
    shareable = {key: html for key, html in pieces.items() if CSRF_FIELD_NAME not in html}
    if shareable:
        cache.set_many(shareable, FRAGMENT_TTL)


POST_MAIN_ID = re.compile(rb' id="post-main-(\d+)"')


def post_main_ids(content: bytes) -> list[int]:
    """The ids of the posts whose `post_main` element is on a rendered page."""
    return [int(pk) for pk in POST_MAIN_ID.findall(content)]


def splice_post_mains(
    content: bytes,
    pieces: dict[int, str],
    patches: dict[int, list[tuple[bytes, bytes]]] | None = None,
) -> bytes:
    """A rendered thread page with the `post_main` element (thread.html#post_main) of each
    post in `pieces` replaced by that HTML, and in that of each post in `patches` each
    (old, new) pair replaced once: how a participant's page is made from the shared tree
    (views.thread._personalise). Posts not on the page are skipped. One pass over the
    page, however many posts change.

    The element is found by its id and ends at its closing tag just before the post's
    form slot (the `post` partial puts the two side by side); user text cannot forge
    either, as it is escaped or sanitised (no id attributes)."""
    patches = patches or {}
    cuts = []
    for found in POST_MAIN_ID.finditer(content):
        pk = int(found.group(1))
        if pk not in pieces and pk not in patches:
            continue
        at = found.start()
        slot = content.find(b'<div class="form-slot" id="form-slot-%d">' % pk, at)
        if slot < 0:
            continue
        start = content.rfind(b"<div ", 0, at)
        end = content.rfind(b"</div>", at, slot) + len(b"</div>")
        if pk in pieces:
            html = pieces[pk].strip().encode()
        else:
            html = content[start:end]
            for old, new in patches[pk]:
                html = html.replace(old, new, 1)
        cuts.append((start, end, html))
    if not cuts:
        return content
    parts, done = [], 0
    for start, end, html in cuts:
        parts += [content[done:start], html]
        done = end
    parts.append(content[done:])
    return b"".join(parts)


def _csrf_field(request: HttpRequest) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD_NAME}" value="{get_token(request)}">'


def csrf_filled(request: HttpRequest, html: str) -> str:
    """`html` with this response's CSRF token where cached markup left CSRF_PLACEHOLDER."""
    if CSRF_PLACEHOLDER not in html:
        return html
    return html.replace(CSRF_PLACEHOLDER, _csrf_field(request))


def fill_csrf(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Put this response's CSRF token where cached markup left CSRF_PLACEHOLDER."""
    if _CSRF_PLACEHOLDER_BYTES in response.content:
        field = _csrf_field(request).encode()
        response.content = response.content.replace(_CSRF_PLACEHOLDER_BYTES, field)
    return response
