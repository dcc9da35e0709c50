"""Loading the posts a page shows: their full rows in one query (author, tags and the
viewer's own marks riding along), the viewer's marks alone for a shared cached page, and
what the templates read besides the model's fields (`decorate`, `set_classes`).

Which posts to load is the caller's choice: threads.queries.thread_page picks them for the
thread page, a permalink and "load more".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Func, IntegerField, OuterRef, Subquery, TextField
from django.db.models.sql.compiler import SQLCompiler

from threads.models import Credence, Post, PostTag, Tag, Vote
from threads.queries.tree import MAX_DEPTH
from threads.queries.viewer import Viewer

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
