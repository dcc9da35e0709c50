"""The stance matrix: explicit agreement votes, stances implied by replies, and how
much a stated credence weighs."""

import dataclasses

import numpy as np
import pytest

from tests.analysis_builders import post
from tests.analysis_builders import snapshot as thread
from threads.analysis.snapshot import PostInput, ThreadSnapshot
from threads.analysis.stances import build_stances
from threads.analysis.stated import CredenceInput, merge_credences
from threads.analysis.thread_map import analyze_thread


def cells(snapshot):
    """{(participant, post id): stance}."""
    stances = build_stances(snapshot)
    column_post = stances.post_ids[stances.live_columns]
    return {
        (stances.participants[r], int(column_post[c])): int(v)
        for r, c, v in zip(stances.rows, stances.cols, stances.values, strict=True)
    }


DEBATE = [
    post(1, None, "claim", "alice"),
    post(2, 1, "rebuttal", "bob"),
    post(3, 1, "support", "carol"),
    post(4, 2, "concession", "alice"),
    post(5, 1, "question", "dan"),
]


def test_a_thread_with_no_votes_still_has_implied_stances():
    assert cells(thread(DEBATE)) == {
        ("alice", 1): 1,
        ("bob", 2): 1,
        ("bob", 1): -1,  # a rebuttal disagrees with its parent
        ("carol", 3): 1,
        ("carol", 1): 1,  # a support agrees with it
        ("alice", 4): 1,
        ("alice", 2): 1,  # a concession agrees with the post it concedes
        ("dan", 5): 1,  # a question implies nothing about its parent
    }
    thread_map = analyze_thread(thread(DEBATE))
    assert thread_map.participants == 4
    assert thread_map.counts["stances"] == 8
    assert thread_map.counts["votes"] == 0


def test_an_explicit_vote_wins_over_the_implied_stance():
    votes = [("bob", 1, 1), ("carol", 1, 0)]
    found = cells(thread(DEBATE, votes))
    assert found[("bob", 1)] == 1
    assert found[("carol", 1)] == 0  # a pass is a stance too


def test_the_later_of_two_votes_on_the_same_post_counts():
    votes = [("erin", 1, 1), ("erin", 1, -1), ("frank", 2, -1), ("frank", 2, 1)]
    found = cells(thread(DEBATE, votes))
    assert found[("erin", 1)] == -1
    assert found[("frank", 2)] == 1


def test_authors_missing_from_participants_are_added_once():
    snapshot = thread(DEBATE, [("alice", 2, -1)], participants=["zoe", "alice"])
    stances = build_stances(snapshot)
    assert stances.participants == ("zoe", "alice", "bob", "carol", "dan")


def test_votes_on_removed_or_unknown_posts_do_not_count_as_stances():
    posts = [*DEBATE[:4], post(5, 1, "question", "dan", removed=True)]
    found = cells(thread(posts, [("erin", 5, 1), ("erin", 99, 1), ("erin", 3, -1)]))
    assert ("erin", 5) not in found
    assert ("dan", 5) not in found
    assert found[("erin", 3)] == -1


def test_base_scores_use_explicit_votes_only():
    stances = build_stances(thread(DEBATE, [("erin", 2, 1), ("frank", 2, -1), ("gus", 2, 1)]))
    assert stances.explicit_agree.tolist() == [0, 2, 0, 0, 0]
    assert stances.explicit_disagree.tolist() == [0, 1, 0, 0, 0]


def test_snapshot_rejects_votes_for_unknown_participants():
    with pytest.raises(ValueError, match="participants"):
        ThreadSnapshot(1, 1, tuple(DEBATE), ("alice",), [1], [1], [1])


def test_snapshot_arrays_are_read_only_copies():
    who = np.array([0], dtype=np.int32)
    snapshot = ThreadSnapshot(1, 1, tuple(DEBATE), ("erin",), who, [2], [1])
    who[0] = 5
    assert snapshot.vote_participant[0] == 0
    with pytest.raises(ValueError):
        snapshot.vote_value[0] = -1


def test_unknown_roles_are_rejected():
    with pytest.raises(ValueError, match="role"):
        PostInput(id=1, parent=None, author="a", role="insult")


# --- Credences: their magnitude counts in the clustering ------------------------------------


def merged(snapshot):
    return merge_credences(
        build_stances(snapshot),
        snapshot.credences,
        vote_participant=snapshot.vote_participant,
        vote_post=snapshot.vote_post,
    )[0]


def test_a_firm_credence_weighs_more_than_a_lukewarm_one():
    snapshot = dataclasses.replace(
        thread(DEBATE, [("erin", 1, 1)]),
        credences=(
            CredenceInput("firm", 1, 95),
            CredenceInput("lukewarm", 1, 55),
            CredenceInput("doubter", 1, 5),
            CredenceInput("bob", 1, 80),  # replaces the −1 his rebuttal implied
        ),
    )
    stances = merged(snapshot)
    weight = {
        stances.participants[r]: float(w)
        for r, c, w in zip(stances.rows, stances.cols, stances.weights, strict=True)
        if c == 0
    }
    assert weight["firm"] == pytest.approx(0.9)
    assert weight["lukewarm"] == pytest.approx(0.1)
    assert weight["doubter"] == pytest.approx(0.9)
    assert weight["bob"] == pytest.approx(0.6)
    assert weight["erin"] == 1.0  # an agreement vote
    assert weight["carol"] == 0.5  # implied by her support reply


def test_who_holds_a_camps_claims_firmly_is_placed_in_that_camp():
    # Two camps take opposite sides on eight claims. "leaner" agrees with every claim,
    # with 95 on camp a's and 55 on camp b's; "mirror" the other way round. By the sign
    # of their credences alone the two cannot be told apart.
    posts = [post(1, None, "claim", "a0")] + [
        post(i, 1, "claim", "a0" if i % 2 else "b0") for i in range(2, 9)
    ]
    votes = [
        (f"{camp}{n}", i, 1 if (i % 2 == 1) == (camp == "a") else -1)
        for camp in "ab"
        for n in range(12)
        for i in range(1, 9)
    ]
    credences = [
        CredenceInput(who, i, (95 if i % 2 else 55) if who == "leaner" else (55 if i % 2 else 95))
        for who in ("leaner", "mirror")
        for i in range(1, 9)
    ]
    snapshot = dataclasses.replace(thread(posts, votes), credences=tuple(credences))
    group_of = {m: g.id for g in analyze_thread(snapshot).groups for m in g.members}
    assert len(set(group_of.values())) == 2
    assert group_of["leaner"] == group_of["a1"] != group_of["b1"] == group_of["mirror"]
