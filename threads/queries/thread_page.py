"""The thread page, a post's permalink and "load more", in a fixed number
of SQL queries whatever the size of the thread.

A page is read in three steps:

1. one light query for the *skeleton* of the posts in question (ids, parents, vote
   counts, dates — no bodies);
2. `select_tree()` (threads/queries/tree.py) — pure Python, unit-tested without a
   database — picks the ≤ ~100 posts worth showing first: the best replies by the
   chosen sort, breadth before depth when scores tie, at most `max_depth` levels below
   the page's root;
3. one query for those posts' full rows, with the author, the viewer's own votes and
   the post's tags riding along (`load_posts`, threads/queries/posts.py).

The chosen posts come back as Post objects linked into a tree (`post.shown_replies`),
ready for the recursive `threads/thread.html#post` partial.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, FloatField, Func, OuterRef, Subquery
from django.db.models.functions import Substr
from django.db.models.sql.compiler import SQLCompiler

from threads.models import PATH_SEGMENT, Post, PostTag, Thread, ThreadAnalysis
from threads.queries.posts import ShownPost, load_posts, set_classes
from threads.queries.tree import (
    BRIDGING_SORT,
    DEFAULT_SORT,
    ID,
    MAX_DEPTH,
    MORE_BUDGET,
    PARENT,
    SORTS,
    TreeSelection,
    children_index,
    select_tree,
)
from threads.queries.viewer import Viewer

# --- The database part ---------------------------------------------------------------------

SKELETON_FIELDS = ("id", "parent_id", "upvotes", "downvotes")


class Epoch(Func):
    """A datetime as seconds since 1970 (a float): sorting needs no datetime objects, and
    building 5,000 of them costs more than the rest of the skeleton."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)"

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        template = "date_part('epoch', %(expressions)s)"  # a float8, not a numeric
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return super().as_sql(compiler, connection, template=template, **extra)


def thread_for_page(pk: int, viewer: Viewer | None = None) -> Thread | None:
    """The thread with its analysis; for a logged-in viewer also `viewer_has_held`:
    whether a post of theirs awaits approval (then only they see it, so their page
    cannot come from the shared tree)."""
    # The panel reads ThreadAnalysis.panel; the full map and summary can be large.
    threads = (
        Thread.objects.select_related("analysis")
        .defer("analysis__map", "analysis__summary")
        .filter(pk=pk)
        # The start of the opening post's words, for the page's share description.
        .annotate(
            opening_text=Substr(
                Subquery(
                    Post.objects.filter(thread=OuterRef("pk"), parent__isnull=True).values(
                        "body_text"
                    )[:1]
                ),
                1,
                400,
            )
        )
    )
    if viewer is not None and viewer.user_id is not None:
        threads = threads.annotate(
            viewer_has_held=Exists(
                Post.objects.filter(
                    thread=OuterRef("pk"), author_id=viewer.user_id, held_for_approval=True
                )
            ),
        )
    return threads.first()


def skeleton(
    thread_id: int, viewer: Viewer, *, sort: str = DEFAULT_SORT, below: str = "", tag: str = ""
) -> tuple[list[tuple], set[int]]:
    """The light rows (see Node) of the thread's posts the viewer may see, or of those
    below the path `below`, and with `tag` the ids of those carrying that tag (in the
    same query).

    Post.objects.visible_to() in two halves, so that the query stays an index-only
    scan: the database leaves out the held posts the viewer may not see (unheld_for),
    and reachable() then drops the replies below them."""
    posts = Post.objects.unheld_for(viewer).filter(thread_id=thread_id)
    if below:
        posts = posts.filter(path__startswith=below)
    fields = list(SKELETON_FIELDS)
    if sort in ("new", "old"):
        posts = posts.annotate(epoch=Epoch("created"))
        fields.append("epoch")
    top = ancestor_ids_of(below)[-1] if below else None
    if not tag:
        return reachable(list(posts.order_by().values_list(*fields)), top), set()
    posts = posts.annotate(
        tagged=Exists(PostTag.objects.filter(post=OuterRef("pk"), tag__slug=tag))
    )
    nodes, tagged = [], set()
    for *row, has_tag in posts.order_by().values_list(*fields, "tagged"):
        nodes.append(tuple(row))
        if has_tag:
            tagged.add(row[ID])
    nodes = reachable(nodes, top)
    return nodes, tagged & {node[ID] for node in nodes}


def reachable(nodes: list[tuple], top: int | None = None) -> list[tuple]:
    """The nodes reachable from the opening post (or from post `top`) through their
    parents: replies below a post left out of `nodes` are left out too."""
    index = children_index(nodes)
    start = [node for node in nodes if node[ID] == top] if top else index.get(None, [])
    kept, stack = [], list(start)
    while stack:
        node = stack.pop()
        kept.append(node)
        stack.extend(index.get(node[ID], ()))
    return kept if len(kept) < len(nodes) else nodes


def attach_tree(
    selection: TreeSelection, posts: dict[int, ShownPost], *, root_depth: int = 0
) -> ShownPost:
    """Link the loaded posts into the chosen tree; returns the root post."""
    root = posts[selection.root]
    for parent_id, reply_ids in selection.replies.items():
        parent = posts[parent_id]
        parent.shown_replies = [posts[pk] for pk in reply_ids if pk in posts]
    for pk, count in selection.more.items():
        posts[pk].more_replies = count
        # None in focus mode: the shown replies are not a prefix, so no "load more".
        posts[pk].more_offset = selection.offset.get(pk)
    for pk, count in selection.continued.items():
        posts[pk].continued = count
    for pk in selection.focus:
        if pk in posts:
            posts[pk].tag_match = True
    for post in posts.values():
        post.levels_left = MAX_DEPTH - (post.depth - root_depth)
        set_classes(post)
    return root


@dataclass
class ThreadTree:
    """What a thread page or a permalink shows below its header."""

    root: ShownPost
    shown: int  # posts on the page, the root included
    total: int  # posts the viewer could see in this (sub)tree
    ancestors: list[ShownPost] = field(default_factory=list)
    tagged: int = 0


def bridging_scores_of(analysis: ThreadAnalysis | None) -> dict[int, float]:
    """Post id -> bridging score from a ThreadAnalysis's stored panel (empty if none)."""
    panel = getattr(analysis, "panel", None) or {}
    return {int(post): float(score) for post, score in panel.get("bridging_scores", {}).items()}


def bridging_scores(thread_id: int) -> dict[int, float]:
    """The same for a thread id, in one query (only asked for under the Bridging sort)."""
    analysis = ThreadAnalysis.objects.filter(thread_id=thread_id).only("panel").first()
    return bridging_scores_of(analysis)


def sorts_for(thread: Thread) -> dict[str, str]:
    """The sorts a thread page offers: Bridging too when its map scored posts."""
    if bridging_scores_of(getattr(thread, "analysis", None)):
        return {**SORTS, **BRIDGING_SORT}
    return SORTS


def thread_tree(thread: Thread, viewer: Viewer, *, sort: str, tag: str = "") -> ThreadTree | None:
    """The opening post and the first ~100 replies of a thread, in three queries with a
    tag filter or without: skeleton, posts, tags."""
    nodes, tagged = skeleton(thread.pk, viewer, sort=sort, tag=tag)
    root = next((node[ID] for node in nodes if node[PARENT] is None), None)
    if root is None:
        return None
    scores = bridging_scores_of(getattr(thread, "analysis", None)) if sort == "bridging" else None
    selection = select_tree(nodes, root, sort=sort, focus=tagged if tag else None, scores=scores)
    posts = load_posts(selection.shown(), viewer)
    root_post = attach_tree(selection, posts)
    return ThreadTree(root=root_post, shown=len(posts), total=len(nodes), tagged=len(tagged))


def post_for_page(pk: int, viewer: Viewer) -> Post | None:
    """One post (with its thread) if the viewer may see it."""
    posts = Post.objects.visible_to(viewer).select_related("thread").defer("body", "note")
    return posts.filter(pk=pk).first()


def permalink_tree(post: Post, viewer: Viewer, *, sort: str) -> ThreadTree:
    """A post with the chain of posts it answers and the best of its subtree."""
    nodes, _ = skeleton(post.thread_id, viewer, sort=sort, below=post.path)
    scores = bridging_scores(post.thread_id) if sort == "bridging" else None
    selection = select_tree(nodes, post.pk, sort=sort, scores=scores)
    ancestor_ids = ancestor_ids_of(post.path)[:-1]
    posts = load_posts([*ancestor_ids, *selection.shown()], viewer)
    root = attach_tree(selection, posts, root_depth=post.depth)
    root.permalink_target = True
    set_classes(root)
    # A moderator may answer a post still held for approval; others do not see that one.
    ancestors = [posts[pk] for pk in ancestor_ids if pk in posts]
    shown = len(posts) - len(ancestor_ids)
    return ThreadTree(root=root, shown=shown, total=len(nodes), ancestors=ancestors)


def replies_page(
    post: Post, viewer: Viewer, *, sort: str, offset: int, levels: int
) -> tuple[list[ShownPost], ShownPost]:
    """The next replies of `post` from `offset` on, each with the best of its subtree,
    at most `levels` levels deep; returns them and the post (whose `more_replies` says
    whether yet more are left)."""
    nodes, _ = skeleton(post.thread_id, viewer, sort=sort, below=post.path)
    levels = max(1, min(levels, MAX_DEPTH))
    scores = bridging_scores(post.thread_id) if sort == "bridging" else None
    selection = select_tree(
        nodes,
        post.pk,
        sort=sort,
        budget=MORE_BUDGET,
        max_depth=levels,
        offset=offset,
        scores=scores,
    )
    posts = load_posts(selection.shown(), viewer)
    root = attach_tree(selection, posts, root_depth=post.depth + levels - MAX_DEPTH)
    return root.shown_replies, root


def ancestor_ids_of(path: str) -> list[int]:
    """The ids along a materialised path, the opening post first."""
    return [int(path[i : i + PATH_SEGMENT]) for i in range(0, len(path), PATH_SEGMENT)]


def single_post(pk: int, viewer: Viewer) -> ShownPost | None:
    """One post as the thread page shows it (for the partials htmx swaps in)."""
    return load_posts([pk], viewer).get(pk)


def tree_posts(root: ShownPost) -> list[ShownPost]:
    """The posts of a linked tree, depth-first."""
    posts: list[ShownPost] = []
    stack = [root]
    while stack:
        post = stack.pop()
        posts.append(post)
        stack.extend(reversed(post.shown_replies))
    return posts
