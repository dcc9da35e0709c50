"""Which posts a thread page shows first: the pure part of threads.queries.thread_page,
unit-tested without a database (tests/test_thread_page.py).

`select_tree()` takes the light rows of a thread's posts (see Node) and picks the
≤ ~100 worth showing first: the best replies by the chosen sort, breadth before depth
when scores tie, at most `max_depth` levels below the page's root.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from threads.analysis.scores import controversy, wilson_lower_bound

PAGE_BUDGET = 100  # posts shown when a thread page opens (besides the opening post)
MORE_BUDGET = 50  # posts added by one "load more" / "continue this thread"
MAX_DEPTH = 8  # levels of replies shown below the page's root before "continue"

SORTS = {
    "top": "Top",
    "new": "New",
    "old": "Old",
    "controversial": "Controversial",
}
DEFAULT_SORT = "top"
# "Bridging" — posts valued across opinion groups, by the map's Community Notes-style
# score — is offered only on threads whose map found 2+ groups (thread_page.sorts_for).
BRIDGING_SORT = {"bridging": "Bridging"}


def clean_sort(value: str | None) -> str:
    return value if value in SORTS or value in BRIDGING_SORT else DEFAULT_SORT


# --- The pure part: which posts to show ---------------------------------------------------


class Node(NamedTuple):
    """One post of the skeleton: what sorting and tree-shaping need, nothing more.

    The skeleton query yields plain tuples in this order (reading 5,000 rows as tuples is
    several times cheaper than as objects); `created` (seconds since 1970) is only read
    for the "new" and "old" sorts. The functions below index the tuples by position.
    """

    id: int
    parent: int | None
    up: int
    down: int
    created: float = 0.0


ID, PARENT, UP, DOWN, CREATED = range(5)


def _top(node: tuple) -> tuple:
    # Ties (all posts without up votes bound at 0) go to the better net score, so a
    # post voted down sinks below one nobody voted on.
    return (-wilson_lower_bound(node[UP], node[DOWN]), node[DOWN] - node[UP])


def _new(node: tuple) -> tuple:
    return (-node[CREATED],)


def _old(node: tuple) -> tuple:
    return (node[CREATED],)


def _controversial(node: tuple) -> tuple:
    up, down = node[UP], node[DOWN]
    return (-controversy(up, down), -wilson_lower_bound(up, down))


# Keys read the skeleton's plain tuples (a Node is one too, as tests build them).
SORT_KEYS: dict[str, Callable[[tuple], tuple]] = {
    "top": _top,
    "new": _new,
    "old": _old,
    "controversial": _controversial,
}


def _bridging_key(scores: dict[int, float]) -> Callable[[tuple], tuple]:
    def key(node: tuple) -> tuple:
        score = scores.get(node[ID])
        return (score is None, -(score or 0.0), *_top(node))

    return key


@dataclass
class TreeSelection:
    """The posts chosen for a page, as a tree below `root`.

    `replies[p]` are the shown replies of p in display order. `more[p]` counts p's
    direct replies left out (a "load more" link continues at offset `offset[p]`);
    `continued[p]` counts all posts below p when p sits at the depth limit ("continue
    this thread").
    """

    root: int
    replies: dict[int, list[int]] = field(default_factory=dict)
    more: dict[int, int] = field(default_factory=dict)
    offset: dict[int, int] = field(default_factory=dict)
    continued: dict[int, int] = field(default_factory=dict)
    focus: frozenset[int] = frozenset()

    def shown(self) -> list[int]:
        """Every chosen post, the root first, depth-first in display order."""
        order, stack = [], [self.root]
        while stack:
            post = stack.pop()
            order.append(post)
            stack.extend(reversed(self.replies.get(post, ())))
        return order


def children_index(nodes: Iterable[tuple]) -> dict[int | None, list[tuple]]:
    index: dict[int | None, list[tuple]] = {}
    for node in nodes:
        replies = index.get(node[PARENT])
        if replies is None:
            index[node[PARENT]] = [node]
        else:
            replies.append(node)
    return index


def _count_below(index: dict[int | None, list[tuple]], post: int) -> int:
    total, stack = 0, [post]
    while stack:
        below = index.get(stack.pop(), ())
        total += len(below)
        stack.extend(node[ID] for node in below)
    return total


def select_tree(
    nodes: Sequence[tuple],
    root: int,
    *,
    sort: str = DEFAULT_SORT,
    budget: int = PAGE_BUDGET,
    max_depth: int = MAX_DEPTH,
    offset: int = 0,
    focus: Iterable[int] | None = None,
    scores: dict[int, float] | None = None,
) -> TreeSelection:
    """Choose at most `budget` posts below `root` to show.

    A best-first walk (Reddit's comment tree does the same): a post becomes a candidate
    once its parent is shown, and the best candidate by `sort` is shown next, ties going
    to the shallower, then the older post. So every post's shown replies are the first
    ones of its sorted replies, and a "load more" link can continue at an offset.
    `offset` skips the root's first replies (they are already on the page).

    With `focus` (e.g. the posts carrying a tag) only those posts are chosen, best
    first, each with the chain of posts leading to it; depth is not limited then.
    The "bridging" sort ranks by `scores` (post id -> bridging score), unscored posts
    after the scored ones in "top" order.
    """
    key = SORT_KEYS[sort] if sort in SORT_KEYS else _bridging_key(scores or {})
    index = children_index(nodes)
    if focus is not None:
        return _select_focus(nodes, index, root, key=key, budget=budget, focus=set(focus))
    selection = TreeSelection(root=root)
    ranked: dict[int, list[tuple]] = {}

    def ranked_replies(post: int) -> list[tuple]:
        if post not in ranked:
            ranked[post] = sorted((key(n), n[ID]) for n in index.get(post, ()))
        return ranked[post]

    # Heap entries: (sort key, depth, id, parent, position among the parent's replies).
    heap: list[tuple] = []

    def push(parent: int, position: int, depth: int) -> None:
        replies = ranked_replies(parent)
        if position < len(replies):
            node_key, node_id = replies[position]
            heapq.heappush(heap, (node_key, depth, node_id, parent, position))

    push(root, offset, 1)
    shown = 0
    while heap and shown < budget:
        _, depth, post, parent, position = heapq.heappop(heap)
        selection.replies.setdefault(parent, []).append(post)
        shown += 1
        push(parent, position + 1, depth)
        if not index.get(post):
            continue
        if depth < max_depth:
            push(post, 0, depth + 1)
        else:
            selection.continued[post] = _count_below(index, post)

    for post in [root, *(p for replies in selection.replies.values() for p in replies)]:
        if post in selection.continued:
            continue
        start = offset if post == root else 0
        left = len(index.get(post, ())) - start - len(selection.replies.get(post, ()))
        if left > 0:
            selection.more[post] = left
            selection.offset[post] = start + len(selection.replies.get(post, ()))
    return selection


def _select_focus(
    nodes: Sequence[tuple],
    index: dict[int | None, list[tuple]],
    root: int,
    *,
    key: Callable[[tuple], tuple],
    budget: int,
    focus: set[int],
) -> TreeSelection:
    parent_of = {node[ID]: node[PARENT] for node in nodes}
    chosen: set[int] = set()
    candidates = sorted((key(n), n[ID]) for n in nodes if n[ID] in focus and n[ID] != root)
    for _, node_id in candidates:
        if len(chosen) >= budget:
            break
        chain, post = [], node_id
        while post is not None and post != root and post not in chosen:
            chain.append(post)
            post = parent_of.get(post)
        if post is not None:  # reached the root or a chosen post: the chain is reachable
            chosen.update(chain)
    selection = TreeSelection(root=root, focus=frozenset(focus & (chosen | {root})))
    for parent in [root, *chosen]:
        replies = sorted((key(n), n[ID]) for n in index.get(parent, ()) if n[ID] in chosen)
        if replies:
            selection.replies[parent] = [node_id for _, node_id in replies]
        left = len(index.get(parent, ())) - len(replies)
        if left > 0:
            selection.more[parent] = left
    return selection
