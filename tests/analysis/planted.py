"""Seeded debates with planted opinion camps, for known-answer tests of the map.

`planted_debate(camps=3, seed=1)` returns a `ThreadSnapshot` and each participant's true
camp. The shape follows the debates people have here:

- `people` participants split evenly into `camps` camps; each camp has a side
  (agree/disagree) on every post. With two camps the sides are opposite on
  `2 - shared` … most posts and equal on a `shared` fraction (common ground); with
  more camps each camp's side on each post is an independent coin flip.
- every participant takes a stance on `votes_per_voter` posts picked at random
  (10 of 200 posts is 5 % density); a vote follows the camp's side except with
  probability `flip` (ordinary voters) or `noisy_flip` (the `noisy` share of voters,
  30 % by default); `passes` of the votes are passes.
- only `root_share` of the participants vote on the opening post (partial root votes).
- post authors are participants; a reply is a rebuttal when its author's camp
  disagrees with the parent, else a support (or a comment), so the stances implied by
  what people wrote agree with the votes, as they do in real threads.

Nothing here imports Django; the same generator feeds the tests and the ARI table.
"""

from __future__ import annotations

import numpy as np

from threads.analysis.snapshot import PostInput, ThreadSnapshot


def planted_debate(
    camps: int = 2,
    *,
    seed: int = 0,
    people: int = 300,
    posts: int = 200,
    votes_per_voter: int = 40,
    noisy: float = 0.3,
    flip: float = 0.1,
    noisy_flip: float = 0.25,
    passes: float = 0.05,
    shared: float = 0.2,
    root_share: float = 0.5,
    authors: int = 40,
) -> tuple[ThreadSnapshot, np.ndarray]:
    rng = np.random.default_rng(seed)
    camp = np.arange(people) % camps
    rng.shuffle(camp)
    # side[c, j] = +1 if camp c agrees with post j.
    if camps == 2:
        first = rng.choice([-1, 1], posts)
        same = rng.random(posts) < shared
        side = np.vstack([first, np.where(same, first, -first)])
    else:
        side = rng.choice([-1, 1], (camps, posts))
    # The opening claim divides the debate: camp 0 agrees, the others mostly not.
    side[:, 0] = -1
    side[0, 0] = 1

    author_of = rng.integers(0, min(authors, people), posts)
    # Authors agree with what they wrote: give the post the author's camp's side.
    for j in range(posts):
        if side[camp[author_of[j]], j] < 0:
            if camps == 2:
                side[:, j] *= -1
            else:
                side[camp[author_of[j]], j] = 1
    names = tuple(f"p{i}" for i in range(people))
    post_rows = [PostInput(id=1, parent=None, author=names[author_of[0]], role="claim", created=0)]
    for j in range(1, posts):
        parent = int(rng.integers(0, j))
        author_camp = camp[author_of[j]]
        if side[author_camp, parent] < 0:
            role = "rebuttal"
        else:
            role = "support" if rng.random() < 0.6 else "comment"
        post_rows.append(
            PostInput(
                id=j + 1,
                parent=parent + 1,
                author=names[author_of[j]],
                role=role,
                created=float(j),
            )
        )

    who, what = [], []
    for person in range(people):
        chosen = rng.choice(
            np.arange(1, posts), size=min(votes_per_voter, posts - 1), replace=False
        )
        if rng.random() < root_share:
            chosen[0] = 0
        who.extend([person] * len(chosen))
        what.extend(chosen.tolist())
    who_a = np.array(who, dtype=np.int64)
    what_a = np.array(what, dtype=np.int64)
    is_noisy = rng.random(people) < noisy
    flip_rate = np.where(is_noisy[who_a], noisy_flip, flip)
    value = side[camp[who_a], what_a]
    value = np.where(rng.random(len(value)) < flip_rate, -value, value)
    value = np.where(rng.random(len(value)) < passes, 0, value)
    snapshot = ThreadSnapshot(
        thread_id=1,
        root=1,
        posts=tuple(post_rows),
        participants=names,
        vote_participant=who_a.astype(np.int32),
        vote_post=(what_a + 1).astype(np.int64),
        vote_value=value.astype(np.int8),
    )
    return snapshot, camp


# The kinds of debate the issue names, with the ARI each must reach.
KINDS = {
    "1 camp": ({"camps": 1}, None),
    "2 camps": ({"camps": 2}, 0.95),
    "3 camps": ({"camps": 3}, 0.95),
    "4 camps": ({"camps": 4}, 0.9),
    "5 camps": ({"camps": 5}, 0.9),
    "2 camps, 10 votes, 30% noisy": ({"camps": 2, "votes_per_voter": 10}, 0.65),
}


def found_labels(thread_map, people: int) -> np.ndarray:
    """Group index per planted participant p0..p{people-1}; -1 when not grouped."""
    labels = np.full(people, -1)
    for number, group in enumerate(thread_map.groups):
        for name in group.members:
            labels[int(name[1:])] = number
    return labels


def ari_table(seeds=range(5)) -> list[tuple[str, float, float, float | None]]:
    """(kind, mean ARI, mean number of groups, target) over `seeds`."""
    from sklearn.metrics import adjusted_rand_score

    from threads.analysis.thread_map import analyze_thread

    rows = []
    for kind, (options, target) in KINDS.items():
        scores, counts = [], []
        for seed in seeds:
            snapshot, camp = planted_debate(seed=seed, **options)
            thread_map = analyze_thread(snapshot)
            scores.append(adjusted_rand_score(camp, found_labels(thread_map, len(camp))))
            counts.append(len(thread_map.groups))
        rows.append((kind, float(np.mean(scores)), float(np.mean(counts)), target))
    return rows


if __name__ == "__main__":  # python -m tests.analysis.planted
    for kind, ari, groups, target in ari_table():
        print(f"{kind:32s} ARI {ari:5.3f}  groups {groups:4.1f}  target {target}")
