"""Read paths. Each module is one page or area's reads, in a fixed number of queries:

- `thread_page`: the thread page, a post's permalink and "load more" (the tree), and
  `tree`, its pure part: which posts to show first;
- `posts`: loading the chosen posts (full rows, the viewer's marks, what templates read);
- `viewer`: who is looking (`Viewer`);
- `moderation`: the queue, the tag index and tag pages, the moderation log;
- `lists`: the front page, profiles and search result rows;
- `analysis`: the snapshot a map is computed from;
- `exports`: a whole thread as one record, and the record as readers may have it;
- `notifications`: which may be shown, the badge's unread count, the inbox;

The one rule for which posts a reader sees is `Post.objects.visible_to(viewer)`
(threads/managers.py); the modules here build on it.
"""

from threads.queries.posts import Marks, ShownTag, decorate, load_posts, personal_marks, set_classes
from threads.queries.thread_page import (
    ThreadTree,
    ancestor_ids_of,
    attach_tree,
    permalink_tree,
    post_for_page,
    replies_page,
    single_post,
    skeleton,
    sorts_for,
    thread_for_page,
    thread_tree,
    tree_posts,
)
from threads.queries.tree import (
    DEFAULT_SORT,
    MAX_DEPTH,
    MORE_BUDGET,
    PAGE_BUDGET,
    SORTS,
    Node,
    TreeSelection,
    clean_sort,
    select_tree,
)
from threads.queries.viewer import Viewer

__all__ = [
    "DEFAULT_SORT",
    "MAX_DEPTH",
    "MORE_BUDGET",
    "PAGE_BUDGET",
    "SORTS",
    "Marks",
    "Node",
    "ShownTag",
    "ThreadTree",
    "TreeSelection",
    "Viewer",
    "ancestor_ids_of",
    "attach_tree",
    "clean_sort",
    "decorate",
    "load_posts",
    "permalink_tree",
    "personal_marks",
    "post_for_page",
    "replies_page",
    "select_tree",
    "set_classes",
    "single_post",
    "sorts_for",
    "skeleton",
    "thread_for_page",
    "thread_tree",
    "tree_posts",
]
