"""The analysis run's part for stated stances (issue 13), kept apart from the map code:
after the map is computed, prepare the rating queue, the inline credence/reaction
tallies and "minds changed" (the snapshot's credences and reactions are read by
threads.queries.stances.stated_inputs).

Called from threads.services.analysis.run_analysis, nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from threads.models import RatingQueue

if TYPE_CHECKING:  # the analysis modules load scikit-learn; only the worker imports them
    from threads.analysis.snapshot import ThreadSnapshot
    from threads.analysis.thread_map import ThreadMap

# The "Minds changed" section and the summary list at most this many posts.
MAX_CREDITED = 5
EXCERPT_CHARS = 160
# The queue keeps this many posts: next.json reads the whole list, and nobody rates
# more than this many posts of one thread between two analysis runs.
QUEUE_LENGTH = 2000


@dataclass(frozen=True)
class StatedOutputs:
    queue: list[int]  # post ids, most informative first (the first QUEUE_LENGTH)
    panel: dict[str, Any]  # ThreadAnalysis.panel["stated"]
    most_credited: list[dict[str, Any]]  # ThreadAnalysis.summary["most_credited"]


def stated_outputs(
    snapshot: ThreadSnapshot, thread_map: ThreadMap, *, new_since: float | None
) -> StatedOutputs:
    from threads.analysis.queue import rating_priorities
    from threads.analysis.stated import most_credited, post_stated

    groups = [group.members for group in thread_map.groups]
    queue = rating_priorities(snapshot, groups, new_since=new_since)
    group_of = {m: group.id for group in thread_map.groups for m in group.members}
    hidden = frozenset(post.id for post in snapshot.posts if post.removed)
    texts = {post.id: (post.author, post.text) for post in snapshot.posts}
    credited = [
        {
            "post": post,
            "people": people,
            "author": texts[post][0],
            "excerpt": _excerpt(texts[post][1]),
        }
        for post, people in most_credited(snapshot.credences, exclude=hidden, limit=MAX_CREDITED)
        if post in texts
    ]
    tallies = {
        str(post): {
            "credences": found.credences,
            "median": found.median,
            "bins": list(found.bins),
            "groups": [[g, median, n] for g, median, n in found.by_group],
            "reactions": dict(found.reactions),
        }
        for post, found in post_stated(snapshot.credences, snapshot.reactions, group_of).items()
        if post not in hidden
    }
    return StatedOutputs(
        queue=[entry.post for entry in queue[:QUEUE_LENGTH]],
        panel={"posts": tallies, "minds_changed": credited},
        most_credited=credited,
    )


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def previous_queue_time(thread_id: int) -> float | None:
    computed = (
        RatingQueue.objects.filter(thread_id=thread_id)
        .values_list("computed_at", flat=True)
        .first()
    )
    return computed.timestamp() if computed else None


def store_queue(thread_id: int, watermark: int, queue: list[int]) -> None:
    RatingQueue.objects.update_or_create(
        thread_id=thread_id,
        defaults={"watermark": watermark, "posts": queue, "computed_at": timezone.now()},
    )
