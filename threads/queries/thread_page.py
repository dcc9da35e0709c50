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
   the post's tags riding along (`TagsJSON`).

The chosen posts come back as Post objects linked into a tree (`post.shown_replies`),
ready for the recursive `threads/thread.html#post` partial.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Subquery,
    TextField,
)
from django.db.models.functions import Substr
from django.db.models.sql.compiler import SQLCompiler
from django.utils import formats

from threads.models import (
    PATH_SEGMENT,
    Credence,
    Post,
    PostTag,
    Tag,
    Thread,
    ThreadAnalysis,
    User,
    Vote,
)
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

if TYPE_CHECKING:

    class ShownPost(Post):
        """A Post as the thread page shows it: the attributes `decorate()` and
        `attach_tree()` add, declared for the type checker (at run time it is a Post)."""

        pid: str
        mine: bool
        my_quality: int
        my_agree: int
        shown_replies: list[ShownPost]
        more_replies: int
        more_offset: int | None
        continued: int
        tag_list: list[ShownTag]
        tag_match: bool
        permalink_target: bool
        levels_left: int
        css: str
        main_css: str

        class Meta:
            abstract = True
else:
    ShownPost = Post


# --- Who is looking ------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The reader of a page, as far as what they may see and do differs."""

    user_id: int | None = None
    is_moderator: bool = False
    # "until 5 Jan 2027 12:00 UTC: reason" (or "permanently: …") for a banned member,
    # who reads like a member but gets no reply, vote or report controls.
    ban: str = ""

    @classmethod
    def of(cls, user: User) -> Viewer:
        if not user.is_authenticated:
            return cls()
        if user.is_moderator:
            return cls(user_id=user.pk, is_moderator=True)
        ban = user.active_ban()
        if ban is None:
            return cls(user_id=user.pk)
        until = (
            f"until {formats.date_format(ban.until, 'DATETIME_FORMAT')} UTC"
            if ban.until
            else "permanently"
        )
        return cls(user_id=user.pk, ban=f"{until}: {ban.reason}")

    @property
    def banned(self) -> bool:
        return bool(self.ban)

    @property
    def audience(self) -> str:
        """The kind of viewer, as far as the controls on a post differ."""
        if self.is_moderator:
            return "mod"
        if self.banned:
            return "banned"
        return "member" if self.user_id is not None else "reader"

    def neutral(self) -> Viewer:
        """A viewer of the same kind who has taken part in nothing: what the shared,
        cached tree of a thread is rendered for (no user has id 0)."""
        return Viewer(user_id=0, is_moderator=self.is_moderator)


# --- The database part ---------------------------------------------------------------------

SKELETON_FIELDS = ("id", "parent_id", "upvotes", "downvotes")
# What the thread page shows of a post and its author; not the Markdown source (up to
# 40,000 characters), nor the author's password hash and bio.
SHOWN_FIELDS = (
    "id", "thread_id", "parent_id", "author_id", "role", "role_inferred", "quote",
    "body_html", "path", "depth", "created", "edited", "version", "deleted_by_author",
    "removed_at", "removed_reason", "held_for_approval", "upvotes", "downvotes", "agrees",
    "disagrees", "reply_count", "author__id", "author__username", "author__imported",
    "created_unknown",
    "quote_version",
)  # fmt: skip


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


_TAG_ROWS = (
    f"SELECT t.kind, t.name, t.slug FROM {PostTag._meta.db_table} pt"
    f" JOIN {Tag._meta.db_table} t ON t.id = pt.tag_id WHERE pt.post_id = %(expressions)s"
)


class TagsJSON(Func):
    """A post's tags as JSON text, [[kind, name, slug], …] in display order (NULL or
    "[]" for none): a column of the post rows, so the tags need no query of their own."""

    output_field = TextField()
    # By database: SQLite's json_group_array keeps the order of the ordered subquery it reads.
    vendor_templates = {
        "postgresql": "(SELECT json_agg(json_build_array(r.kind, r.name, r.slug)"
        f" ORDER BY r.kind, r.name)::text FROM ({_TAG_ROWS}) r)",
        "sqlite": "(SELECT json_group_array(json_array(r.kind, r.name, r.slug))"
        f" FROM ({_TAG_ROWS} ORDER BY t.kind, t.name) r)",
    }

    def __init__(self) -> None:
        super().__init__(F("pk"))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        template = self.vendor_templates[connection.vendor]
        return super().as_sql(compiler, connection, template=template, **extra)

    as_sqlite = as_postgresql  # with SQLite's own template


def load_posts(ids: Iterable[int], viewer: Viewer) -> dict[int, ShownPost]:
    """The full rows of the given posts, with author, tags and the viewer's votes and
    credence: one query (the viewer's marks and the tags ride along as subqueries)."""
    posts = (
        Post.objects.visible_to(viewer)
        .filter(pk__in=list(ids))
        .select_related("author")
        .only(*SHOWN_FIELDS)
        .annotate(tags_json=TagsJSON())
    )
    if viewer.user_id is not None:
        posts = posts.annotate(**_marks_of(viewer.user_id))
    by_id = {}
    for post in posts.order_by():
        if post.tags_json:
            post.tag_list = [
                ShownTag(name, slug, kind) for kind, name, slug in json.loads(post.tags_json)
            ]
        by_id[post.pk] = decorate(post, viewer)
    return by_id


def _marks_of(user_id: int) -> dict[str, Subquery]:
    """The viewer's own marks on a post, as annotations: their quality and agreement
    votes and their latest credence (issue 13)."""
    mine = Vote.objects.filter(post=OuterRef("pk"), user_id=user_id)
    return {
        "my_quality": Subquery(
            mine.filter(axis=Vote.Axis.QUALITY).values("value")[:1], output_field=IntegerField()
        ),
        "my_agree": Subquery(
            mine.filter(axis=Vote.Axis.AGREE).values("value")[:1], output_field=IntegerField()
        ),
        "my_credence": Subquery(
            Credence.objects.filter(post=OuterRef("pk"), user_id=user_id)
            .order_by("-at", "-id")
            .values("value")[:1],
            output_field=IntegerField(),
        ),
    }


class Marks(NamedTuple):
    """What of a shown post is the viewer's own, and the post's version (which, with
    these, keys the viewer's rendering of it: fragments.personal_key)."""

    version: int
    mine: bool
    quality: int
    agree: int
    credence: int | None


def personal_marks(ids: Iterable[int], viewer: Viewer) -> dict[int, Marks]:
    """Of the given posts (those on a shared page), the ones the viewer wrote, voted on
    or gave a credence, with what they did: one light query, no post bodies. A reaction
    shows in the shared counts only, so nothing of it is the viewer's own.

    Written as SQL: this runs on every member's page view, and compiling it through the
    ORM (five correlated subqueries) cost 4 ms of CPU, more than the rest of what a
    member's page adds to a reader's (bench/profile_page.py)."""
    ids = [int(pk) for pk in ids]
    if viewer.user_id is None or not ids:
        return {}
    me = viewer.user_id
    sql = _MARKS_SQL.format(ids=", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [me, me, me, *ids, me, me, me])
        rows = cursor.fetchall()
    return {
        pk: Marks(version, author == me, quality or 0, agree or 0, credence)
        for pk, version, author, quality, agree, credence in rows
    }


# The viewer's id is every %s but the post ids, which fill {ids}.
_MARKS_SQL = f"""
SELECT p.id, p.version, p.author_id,
  (SELECT v.value FROM {Vote._meta.db_table} v
    WHERE v.post_id = p.id AND v.user_id = %s AND v.axis = '{Vote.Axis.QUALITY.value}'),
  (SELECT v.value FROM {Vote._meta.db_table} v
    WHERE v.post_id = p.id AND v.user_id = %s AND v.axis = '{Vote.Axis.AGREE.value}'),
  (SELECT c.value FROM {Credence._meta.db_table} c
    WHERE c.post_id = p.id AND c.user_id = %s ORDER BY c.at DESC, c.id DESC LIMIT 1)
FROM {Post._meta.db_table} p
WHERE p.id IN ({{ids}})
  AND (p.author_id = %s
    OR EXISTS (SELECT 1 FROM {Vote._meta.db_table} v WHERE v.post_id = p.id AND v.user_id = %s)
    OR EXISTS (SELECT 1 FROM {Credence._meta.db_table} c WHERE c.post_id = p.id AND c.user_id = %s))
"""


class ShownTag(NamedTuple):
    name: str
    slug: str
    kind: str


def decorate(row: Post, viewer: Viewer) -> ShownPost:
    """Attach what the templates read besides the model's own fields."""
    post = cast(ShownPost, row)
    post.pid = str(post.pk)  # a str renders without going through number localisation
    post.mine = viewer.user_id is not None and post.author_id == viewer.user_id
    post.my_quality = getattr(post, "my_quality", None) or 0
    post.my_agree = getattr(post, "my_agree", None) or 0
    post.shown_replies = []
    post.more_replies = 0
    post.more_offset = 0
    post.continued = 0
    post.tag_list = getattr(post, "tag_list", [])
    post.tag_match = False
    post.permalink_target = False
    post.levels_left = MAX_DEPTH
    set_classes(post)
    return post


def set_classes(post: ShownPost) -> None:
    """The CSS classes of a post's element and of its main part."""
    css = ["post"]
    if post.parent_id is None:
        css.append("opening-post")
    if post.tag_match:
        css.append("tag-match")
    if post.permalink_target:
        css.append("permalink-target")
    if post.depth > 12:
        css.append("deep")  # stop indenting: keep a readable width on small screens
    post.css = " ".join(css)
    main = ["post-main"]
    if post.held_for_approval:
        main.append("held")
    if post.removed_at is not None:
        main.append("removed")
    if post.deleted_by_author:
        main.append("deleted")
    post.main_css = " ".join(main)


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
