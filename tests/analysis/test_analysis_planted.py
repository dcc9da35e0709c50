"""Known-answer tests on planted debates: the groups that are there, and only those.

The generator (tests/analysis/planted.py) plants 1–5 camps among 300 people on 200
posts, with 30 % noisy voters and partial votes on the opening post; the targets are
the issue's (ARI against the planted camps, mean over several seeds). The seeds here
are not the ones the thresholds were tuned on (0–19).
"""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from tests.analysis.planted import KINDS, found_labels, planted_debate
from threads.analysis.thread_map import analyze_thread

SEEDS = (101, 102, 103)


@pytest.mark.parametrize("kind", [k for k, (_, target) in KINDS.items() if target is not None])
def test_planted_camps_are_recovered(kind):
    options, target = KINDS[kind]
    scores = []
    for seed in SEEDS:
        snapshot, camp = planted_debate(seed=seed, **options)
        thread_map = analyze_thread(snapshot)
        assert len(thread_map.groups) == options["camps"], (kind, seed)
        scores.append(adjusted_rand_score(camp, found_labels(thread_map, len(camp))))
    assert np.mean(scores) >= target, (kind, scores)


@pytest.mark.parametrize("votes_per_voter", [40, 10])
def test_one_camp_is_one_group_whatever_the_noise(votes_per_voter):
    for seed in SEEDS:
        snapshot, _ = planted_debate(1, seed=seed, votes_per_voter=votes_per_voter)
        thread_map = analyze_thread(snapshot)
        assert len(thread_map.groups) == 1, seed
        assert thread_map.single_group_reason
        assert thread_map.cruxes == ()
        assert thread_map.bridging == ()  # bridging needs camps to bridge


def test_every_shown_group_carries_its_stability_above_the_threshold():
    snapshot, _ = planted_debate(3, seed=SEEDS[0])
    data = analyze_thread(snapshot).to_json()
    threshold = data["algorithm"]["params"]["min_group_stability"]
    assert len(data["groups"]) == 3
    for group in data["groups"]:
        assert threshold <= group["stability"] <= 1
    assert data["evidence"]["groups_shown"] == 3
    assert len(data["evidence"]["held_out_gain"]) == 4  # k = 2..5 against k - 1


def test_noisy_voters_of_one_camp_are_not_a_camp_of_their_own():
    # Half the voters are sloppy: a real difference in how they vote, not in what they
    # think. The mixture could model them as a class; the map must not call it a group.
    snapshot, _ = planted_debate(1, seed=7, noisy=0.5, noisy_flip=0.3)
    thread_map = analyze_thread(snapshot)
    assert len(thread_map.groups) == 1


def test_a_missing_vote_is_missing_not_a_zero():
    # Two camps, each voting on its own half of the posts only (like readers who stop
    # halfway): zero-filling makes "which half you read" the main division. Inside
    # each half the camps are mixed 50/50, so reading order carries no opinion.
    rng = np.random.default_rng(5)
    snapshot, camp = planted_debate(2, seed=5, votes_per_voter=30)
    people = len(camp)
    half = rng.integers(0, 2, people)  # which half of the thread each person read
    post = snapshot.vote_post
    keep = ((post - 1) % 2 == half[snapshot.vote_participant]) | (post == 1)
    trimmed = type(snapshot)(
        thread_id=1,
        root=1,
        posts=snapshot.posts,
        participants=snapshot.participants,
        vote_participant=snapshot.vote_participant[keep],
        vote_post=snapshot.vote_post[keep],
        vote_value=snapshot.vote_value[keep],
    )
    thread_map = analyze_thread(trimmed)
    assert len(thread_map.groups) == 2
    labels = found_labels(thread_map, people)
    assert adjusted_rand_score(camp, labels) > 0.8
    assert abs(adjusted_rand_score(half, labels)) < 0.1
