"""Reading a thread: the tree, a post's permalink, its history and "load more" of a big
thread. What a participant writes on the page (reply, preview, vote, edit, delete) is in
threads/views/posts.py, which renders with the helpers here.

Thin views: threads.queries reads.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from threads import fragments, queries
from threads.models import Post, Thread
from threads.queries import Viewer
from threads.views import inbox as inbox_views
from threads.views.analysis import panel_for_reader
from threads.views.decorators import HtmxHttpRequest

THREAD = "threads/thread.html"
PERMALINK = "threads/post.html"
HISTORY = "threads/history.html"
TAG_SLUG = re.compile(r"^[-\w]{1,70}$")
# A vote's state in thread.html#vote_bar: for each (axis, value) the button as the shared
# tree has it (not pressed) and as the viewer who voted so sees it (pressed; sends 0 to
# take the vote back). tests/test_thread_page.py compares the result with a page built
# for the viewer alone, so a change to the template that this misses fails there.
PRESSED = {
    (axis, value): (
        f'value="{value}" class="vote {name}" aria-pressed="false"'.encode(),
        f'value="0" class="vote {name}" aria-pressed="true"'.encode(),
    )
    for axis, value, name in (
        ("quality", 1, "up"),
        ("quality", -1, "down"),
        ("agree", 1, "agree"),
        ("agree", -1, "disagree"),
    )
}


def _viewer(request: HtmxHttpRequest) -> Viewer:
    if not hasattr(request, "_crux_viewer"):
        request._crux_viewer = Viewer.of(request.user)
    return request._crux_viewer


def _visible_post_or_404(pk: int, viewer: Viewer) -> Post:
    post = queries.post_for_page(pk, viewer)
    if post is None:
        raise Http404("No such post.")
    return post


def _render(
    request: HtmxHttpRequest, template: str, context: dict, *, status: int = 200
) -> HttpResponse:
    """render(), with what every post partial reads: the viewer and the sort in use."""
    context.setdefault("viewer", _viewer(request))
    context.setdefault("sort", queries.clean_sort(request.GET.get("sort")))
    return fragments.fill_csrf(request, render(request, template, context, status=status))


# The {% postfragment %} parts of a post in thread.html.
FRAGMENTS = ("post",)


def _render_posts(
    request: HtmxHttpRequest,
    template: str,
    context: dict,
    posts: list[Post],
    *,
    locked: bool,
    status: int = 200,
) -> HttpResponse:
    """Render a page or partial of many posts, their cacheable parts through one cache
    read and one cache write (see fragments.PostFragments)."""
    page_fragments = fragments.PostFragments(
        posts, _viewer(request), locked=locked, names=FRAGMENTS
    )
    context["fragments"] = page_fragments
    response = _render(request, template, context, status=status)
    page_fragments.save()
    return response


# --- Reading -------------------------------------------------------------------------------


@require_GET
def thread_redirect(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    thread = get_object_or_404(Thread.objects.only("pk", "slug"), pk=pk)
    return redirect(thread.get_absolute_url(), permanent=True)


@require_GET
def thread_page(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    """The opening post, then the best ~100 replies as a tree, sorted by ?sort=."""
    viewer = _viewer(request)
    thread = queries.thread_for_page(pk, viewer)
    if thread is None:
        raise Http404("No such thread.")
    if slug != (thread.slug or "-"):
        query = request.META.get("QUERY_STRING", "")
        return redirect(thread.get_absolute_url() + (f"?{query}" if query else ""), permanent=True)
    sort = queries.clean_sort(request.GET.get("sort"))
    tag = request.GET.get("tag", "")
    tag = tag if TAG_SLUG.match(tag) else ""
    context = {
        "thread": thread,
        "analysis": getattr(thread, "analysis", None),
        "panel": panel_for_reader(request, thread),
        "sort": sort,
        "sorts": queries.sorts_for(thread),
        "tag": tag,
        "viewer": viewer,
        **inbox_views.reading_context(request, thread),
    }
    member = viewer.user_id is not None
    if not getattr(thread, "viewer_has_held", False):
        # Every reader of a kind (logged out, member, moderator) gets the same tree:
        # while the thread does not change it comes from the cache whole (see
        # {% sharedpage %} in thread.html). For a member, the posts on it they wrote,
        # voted on or gave a credence are then marked or re-rendered for them
        # (_personalise); one with a post held for approval (seen by them alone) gets a
        # tree of their own below.
        context["shared_key"] = fragments.shared_page_key(thread, viewer, sort=sort, tag=tag)
        context["shared_html"] = fragments.cached_html(context["shared_key"])
        if context["shared_html"] is not None:
            response = _render(request, THREAD, context)
            return _personalise(request, response, context) if member else response
        if member:
            # Build the shared tree (it is cached on the way), then personalise it.
            tree = queries.thread_tree(thread, viewer.neutral(), sort=sort, tag=tag)
            if tree is None:
                raise Http404("This thread has no opening post.")
            tag_name = _tag_name(tree.root, tag) if tag else ""
            context.update(tree=tree, root=tree.root, tag_name=tag_name)
            posts = queries.tree_posts(tree.root)
            response = _render_posts(request, THREAD, context, posts, locked=thread.locked)
            return _personalise(request, response, context)
    tree = queries.thread_tree(thread, viewer, sort=sort, tag=tag)
    if tree is None:
        raise Http404("This thread has no opening post.")
    context.update(tree=tree, root=tree.root, tag_name=_tag_name(tree.root, tag) if tag else "")
    posts = queries.tree_posts(tree.root)
    return _render_posts(request, THREAD, context, posts, locked=thread.locked)


def _personalise(request: HtmxHttpRequest, response: HttpResponse, context: dict) -> HttpResponse:
    """A member's page from the shared tree. One light query finds which posts on it
    they wrote, voted on or gave a credence (queries.personal_marks); posts they only
    voted on differ in the pressed vote buttons alone, patched in place; their own
    posts (edit, delete, no agreement form) and those they gave a credence (shown in
    the credence control) get their own `post_main`, from the cache while the post's
    version and their marks stay the same (fragments.personal_key), else loaded in one
    more query and rendered; then spliced in (fragments.splice_post_mains). Nothing else
    is computed per viewer.

    How per-viewer pieces slot in (credences, reactions, unread markers, badges):
    - a piece in the page header or outside {% sharedpage %} is rendered as usual;
    - a per-post piece that differs for the posts a viewer acted on (their credence)
      lives inside `post_main`, is one of queries.personal_marks()'s columns and part of
      PostFragments.key();
    - a piece that may differ on every post (unread since the last visit) must not
      re-render posts: put the facts in a small data attribute or JSON on the page
      (e.g. the viewer's last-visit time next to each post's data-created) and let
      CSS/JS mark them, so the shared tree stays shared.
    """
    content = response.content
    viewer = _viewer(request)
    marks = queries.personal_marks(fragments.post_main_ids(content), viewer)
    if not marks:
        return response
    patches = {
        pk: [
            PRESSED[axis, value]
            for axis, value in (("quality", mark.quality), ("agree", mark.agree))
            if value
        ]
        for pk, mark in marks.items()
        if not mark.mine and not mark.credence
    }
    locked = context["thread"].locked
    keys = {
        pk: fragments.personal_key(pk, mark, viewer, locked=locked)
        for pk, mark in marks.items()
        if pk not in patches
    }
    found = fragments.cached_pieces(keys.values())
    pieces = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in pieces]
    if missing:
        posts = list(queries.load_posts(missing, viewer).values())
        page_fragments = fragments.PostFragments(posts, viewer, locked=locked, names=FRAGMENTS)
        # What the page's own posts were rendered with (the thread, its analysis, the
        # sort…), less the shared tree itself.
        base = {k: v for k, v in context.items() if k not in ("shared_html", "shared_key", "tree")}
        base.update(viewer=viewer, fragments=page_fragments)
        rendered = {
            post.pk: render_to_string(f"{THREAD}#post_main", {**base, "post": post}, request)
            for post in posts
        }
        page_fragments.save()
        pieces.update(rendered)
        fragments.cache_pieces({keys[pk]: html for pk, html in rendered.items()})
    # The shared part already carries this response's CSRF token: fill only the pieces.
    pieces = {pk: fragments.csrf_filled(request, html) for pk, html in pieces.items()}
    response.content = fragments.splice_post_mains(content, pieces, patches)
    return response


def _tag_name(root: Post, slug: str) -> str:
    """The filtered tag's name, from the shown posts (no query of its own)."""
    stack = [root]
    while stack:
        post = stack.pop()
        for tag in post.tag_list:
            if tag.slug == slug:
                return tag.name
        stack.extend(post.shown_replies)
    return slug


def _permalink_context(request: HtmxHttpRequest, post: Post, **extra: Any) -> dict:
    viewer = _viewer(request)
    sort = queries.clean_sort(request.GET.get("sort"))
    tree = queries.permalink_tree(post, viewer, sort=sort)
    return {
        "thread": post.thread,
        "tree": tree,
        "root": tree.root,
        "ancestors": tree.ancestors,
        "sort": sort,
        "sorts": queries.SORTS,
        "viewer": viewer,
        **extra,
    }


def _permalink_response(
    request: HtmxHttpRequest, post: Post, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _permalink_context(request, post, **extra)
    posts = [*context["ancestors"], *queries.tree_posts(context["root"])]
    return _render_posts(
        request, PERMALINK, context, posts, locked=post.thread.locked, status=status
    )


@require_GET
def post_page(request: HtmxHttpRequest, thread_id: int, pk: int) -> HttpResponse:
    """A post's permalink: the chain of posts it answers, the post, and its subtree."""
    post = _visible_post_or_404(pk, _viewer(request))
    if post.thread_id != thread_id:
        return redirect(post.get_absolute_url(), permanent=True)
    return _permalink_response(request, post)


@require_GET
def post_replies(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """ "Load more replies" / "continue this thread": the next replies of a post as a
    partial. Without htmx the permalink shows them."""
    viewer = _viewer(request)
    post = _visible_post_or_404(pk, viewer)
    if not request.htmx:
        return redirect(post.get_absolute_url())
    offset = _int(request.GET.get("offset"), 0, low=0)
    levels = _int(request.GET.get("levels"), queries.MAX_DEPTH, low=1, high=queries.MAX_DEPTH)
    sort = queries.clean_sort(request.GET.get("sort"))
    replies, parent = queries.replies_page(post, viewer, sort=sort, offset=offset, levels=levels)
    context = {"thread": post.thread, "replies": replies, "post": parent, "sort": sort}
    posts = [p for reply in replies for p in queries.tree_posts(reply)]
    return _render_posts(
        request, f"{THREAD}#more_replies", context, posts, locked=post.thread.locked
    )


def _int(value: str | None, default: int, *, low: int, high: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    number = max(low, number)
    return min(high, number) if high is not None else number


@require_GET
def post_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Every version of a post, oldest first, each with its changes from the one before."""
    viewer = _viewer(request)
    post = _visible_post_or_404(pk, viewer)
    hidden = post.is_removed or post.deleted_by_author
    if hidden and not (viewer.is_moderator or post.author_id == viewer.user_id):
        raise Http404("The history of a deleted or removed post is not public.")
    full = Post.objects.only("body", "quote", "role", "created", "edited").get(pk=post.pk)
    revisions = list(post.revisions.select_related("editor").order_by("number"))
    versions = [
        {"number": rev.number, "body": rev.body, "quote": rev.quote, "role": rev.role,
         "written": rev.created, "editor": rev.editor}
        for rev in revisions
    ]  # fmt: skip
    versions.append(
        {"number": len(revisions) + 1, "body": full.body, "quote": full.quote, "role": full.role,
         "written": full.edited or full.created, "editor": None, "current": True}
    )  # fmt: skip
    for before, after in zip(versions, versions[1:], strict=False):
        after["diff"] = word_diff(before["body"], after["body"])
        after["quote_changed"] = before["quote"] != after["quote"]
        after["role_changed"] = before["role"] != after["role"]
    context = {"post": post, "thread": post.thread, "versions": versions[::-1]}
    if request.htmx:
        return _render(request, f"{HISTORY}#history", context)
    return _render(request, HISTORY, context)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The changes between two texts as (op, text) pieces, op one of "same", "del",
    "ins"; compared word by word, keeping line breaks. The template escapes the text."""
    a, b = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("del", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces
