"""Opinion groups, cruxes and consensus on small debates with known answers."""

import json

import numpy as np
import pytest

from tests.analysis_builders import post, snapshot
from threads.analysis.snapshot import ThreadSnapshot
from threads.analysis.thread_map import analyze_thread

CAMP_A = [f"a{i}" for i in range(1, 7)]
CAMP_B = [f"b{i}" for i in range(1, 7)]


def two_camps(extra_posts=(), extra_votes=()):
    """Camp A backs the root claim and camp B the rebuttal (post 2), which splits them
    perfectly; post 3 splits them 4:2 against 2:4; everyone agrees with post 4; each
    camp is itself split down the middle on post 5."""
    posts = [
        post(1, None, "claim", "a1"),
        post(2, 1, "rebuttal", "b1"),
        post(3, 1, "support", "a2"),
        post(4, 1, "comment", "b2"),
        post(5, 1, "claim", "a3"),
        *extra_posts,
    ]
    votes = []
    for i, person in enumerate(CAMP_A):
        votes += [(person, 1, 1), (person, 2, -1), (person, 3, 1 if i < 4 else -1)]
        votes += [(person, 4, 1), (person, 5, 1 if i < 3 else -1)]
    for i, person in enumerate(CAMP_B):
        votes += [(person, 1, -1), (person, 2, 1), (person, 3, 1 if i < 2 else -1)]
        votes += [(person, 4, 1), (person, 5, 1 if i < 3 else -1)]
    return snapshot(posts, votes + list(extra_votes), participants=CAMP_A + CAMP_B)


def test_two_camps_voting_oppositely_form_exactly_two_groups_with_the_right_members():
    thread_map = analyze_thread(two_camps())
    assert thread_map.single_group_reason is None
    assert [group.id for group in thread_map.groups] == ["A", "B"]
    assert {frozenset(group.members) for group in thread_map.groups} == {
        frozenset(CAMP_A),
        frozenset(CAMP_B),
    }
    assert [group.size for group in thread_map.groups] == [6, 6]


def test_the_post_that_divides_the_camps_is_the_top_crux():
    thread_map = analyze_thread(two_camps())
    assert thread_map.cruxes[0].post == 2
    assert thread_map.cruxes[0].score == pytest.approx(1 - 2 * 1 / 8, abs=1e-9)  # Div·|φ|
    shares = dict(thread_map.cruxes[0].by_group)
    group_of_a1 = next(g.id for g in thread_map.groups if "a1" in g.members)
    group_of_b1 = next(g.id for g in thread_map.groups if "b1" in g.members)
    assert shares[group_of_a1] == 0.0
    assert shares[group_of_b1] == 1.0
    crux_posts = [crux.post for crux in thread_map.cruxes]
    assert 1 not in crux_posts  # the root is the question, not a crux
    assert 4 not in crux_posts and 5 not in crux_posts  # nobody is divided on them
    if 3 in crux_posts:
        assert crux_posts.index(3) > 0


def test_a_post_both_camps_agree_with_is_the_top_common_ground():
    thread_map = analyze_thread(two_camps())
    assert thread_map.consensus[0].post == 4
    # Each group: 6 agree of 6 seen -> 7/8; the geometric mean is 7/8 too.
    assert thread_map.consensus[0].score == pytest.approx(7 / 8)
    assert 2 not in [c.post for c in thread_map.consensus]
    assert 5 not in [c.post for c in thread_map.consensus]


def test_representative_posts_say_what_sets_each_group_apart():
    thread_map = analyze_thread(two_camps())
    by_member = {name: group for group in thread_map.groups for name in group.members}
    reps_a = {(r.post, r.direction) for r in by_member["a1"].representative}
    reps_b = {(r.post, r.direction) for r in by_member["b1"].representative}
    assert {(1, "agree"), (2, "disagree")} <= reps_a
    assert {(1, "disagree"), (2, "agree")} <= reps_b
    assert all(r.post != 4 for r in by_member["a1"].representative)  # shared, not distinctive


def test_double_crux_needs_the_crux_to_predict_the_root_inside_each_camp():
    thread_map = analyze_thread(two_camps())
    # Inside each camp everyone takes the same side on the root, so phi is undefined
    # there: the crux divides the camps but is not a crux within either.
    assert thread_map.cruxes[0].double is False


def test_a_single_participant_is_one_group_with_a_reason():
    posts = [
        post(1, None, "claim", "solo"),
        post(2, 1, "support", "solo"),
        post(3, 1, "comment", "solo"),
    ]
    thread_map = analyze_thread(snapshot(posts, [("solo", 3, 1)]))
    assert len(thread_map.groups) == 1
    assert thread_map.groups[0].members == ("solo",)
    assert thread_map.single_group_reason
    assert "1 person" in thread_map.single_group_reason
    assert thread_map.cruxes == ()
    assert thread_map.consensus == ()  # one person's view is not common ground
    assert thread_map.participants == 1


def test_a_thread_with_only_its_opening_post_is_one_group_and_says_why():
    thread_map = analyze_thread(snapshot([post(1, None, "claim", "op")], [("v", 1, -1)]))
    assert [group.members for group in thread_map.groups] == [("v", "op")]
    assert "only one post" in thread_map.single_group_reason
    assert thread_map.cruxes == ()


def test_a_thread_nobody_has_a_stance_on_has_no_groups_and_says_why():
    thread_map = analyze_thread(snapshot([post(1, None, "claim", "op", removed=True)], []))
    assert thread_map.groups == ()
    assert thread_map.single_group_reason == "Nobody has taken a stance on any post yet."
    assert thread_map.participants == 0


def test_everyone_agreeing_gives_one_group_not_invented_camps():
    posts = [post(1, None, "claim", "op")] + [post(i, 1, "support", f"s{i}") for i in range(2, 7)]
    votes = [(f"p{k}", i, 1) for k in range(20) for i in range(1, 7)]
    thread_map = analyze_thread(snapshot(posts, votes))
    assert len(thread_map.groups) == 1
    assert thread_map.single_group_reason
    assert thread_map.cruxes == ()
    assert {c.post for c in thread_map.consensus} <= {1, 2, 3, 4, 5, 6}
    assert len(thread_map.consensus) == 5  # max_consensus


def test_removed_posts_are_left_out_of_cruxes_consensus_and_open_lists():
    removed_votes = [(p, 6, 1) for p in CAMP_A + CAMP_B] + [(p, 7, 1) for p in CAMP_A]
    removed_votes += [(p, 7, -1) for p in CAMP_B]
    thread_map = analyze_thread(
        two_camps(
            extra_posts=[
                post(6, 1, "comment", "a4", removed=True),
                post(7, 1, "claim", "a5", removed=True),
                post(8, 7, "question", "b3"),
            ],
            extra_votes=removed_votes,
        )
    )
    listed = {c.post for c in thread_map.cruxes} | {c.post for c in thread_map.consensus}
    listed |= {item.post for item in thread_map.open}
    assert not listed & {6, 7}
    assert 8 in {item.post for item in thread_map.open}  # its child is still there
    assert (8, 7, "neutral") in {(e.source, e.target, e.kind) for e in thread_map.edges}
    assert set(thread_map.strength) == {1, 2, 3, 4, 5, 6, 7, 8}


def test_participant_points_carry_their_group():
    thread_map = analyze_thread(two_camps())
    by_member = {name: group.id for group in thread_map.groups for name in group.members}
    assert {p.participant for p in thread_map.points} == set(CAMP_A + CAMP_B)
    for point in thread_map.points:
        assert point.group == by_member[point.participant]
    xs_a = [p.x for p in thread_map.points if p.participant in CAMP_A]
    xs_b = [p.x for p in thread_map.points if p.participant in CAMP_B]
    assert max(xs_a) < min(xs_b) or max(xs_b) < min(xs_a)  # the first axis separates them


def random_debate(seed, people=300, n_posts=120, n_votes=6000):
    """A noisy two-camp debate and each voter's true camp."""
    rng = np.random.default_rng(seed)
    posts = [post(1, None, "claim", "u0")]
    roles = ["rebuttal", "support", "question", "answer", "concession", "comment", "claim"]
    for i in range(2, n_posts + 1):
        posts.append(
            post(i, int(rng.integers(1, i)), roles[int(rng.integers(len(roles)))], f"u{i % 40}")
        )
    camp = rng.integers(0, 2, people)
    lean = rng.choice([-1, 1], n_posts)
    who = rng.integers(0, people, n_votes)
    what = rng.integers(1, n_posts + 1, n_votes)
    value = np.where(camp[who] == 0, lean[what - 1], -lean[what - 1])
    value = np.where(rng.random(n_votes) < 0.15, -value, value)
    value = np.where(rng.random(n_votes) < 0.05, 0, value)
    names = tuple(f"u{i}" for i in range(people))
    return ThreadSnapshot(1, 1, tuple(posts), names, who, what, value), camp


def without_timings(thread_map):
    data = thread_map.to_json()
    data.pop("timings")
    return json.dumps(data, sort_keys=True)


def test_the_same_input_gives_the_same_map():
    first = without_timings(analyze_thread(random_debate(7)[0]))
    second = without_timings(analyze_thread(random_debate(7)[0]))
    assert first == second
    assert first != without_timings(analyze_thread(random_debate(8)[0]))


def test_a_noisy_two_camp_debate_recovers_the_camps():
    snap, camp = random_debate(3)
    thread_map = analyze_thread(snap)
    assert len(thread_map.groups) == 2
    for group in thread_map.groups:
        members = [int(name[1:]) for name in group.members if int(name[1:]) < 300]
        majority = np.bincount(camp[members], minlength=2).max() / len(members)
        assert majority > 0.9


def test_light_participants_are_placed_on_the_map_but_not_clustered():
    # 16 people with a stance on all 8 posts qualify (>= min(7, posts)), which is
    # already more than 15, so the three who voted once are left out of the groups.
    posts = [post(1, None, "claim", "h0")] + [post(i, 1, "comment", "h0") for i in range(2, 9)]
    votes = [
        (f"h{k}", i, 1 if (k < 8) == (i % 2 == 0) else -1) for k in range(16) for i in range(1, 9)
    ]
    votes += [(f"light{k}", 2, 1) for k in range(3)]
    thread_map = analyze_thread(snapshot(posts, votes))
    assert thread_map.counts["clustered_participants"] == 16
    assert thread_map.participants == 19
    grouped = {name for group in thread_map.groups for name in group.members}
    assert grouped == {f"h{k}" for k in range(16)}
    light = [p for p in thread_map.points if p.participant.startswith("light")]
    assert len(light) == 3 and all(p.group is None for p in light)


def test_too_few_qualified_participants_are_topped_up_with_the_most_active():
    # Nobody has 7 stances on this 8-post thread; the 15 most active are clustered.
    posts = [post(1, None, "claim", "x")] + [post(i, 1, "comment", "x") for i in range(2, 9)]
    votes = [(f"p{k:02d}", i, 1) for k in range(20) for i in range(1, 2 + k % 6)]
    thread_map = analyze_thread(snapshot(posts, votes))
    assert thread_map.counts["clustered_participants"] == 15
    clustered = {name for group in thread_map.groups for name in group.members}
    # x wrote all 8 posts (8 stances); then those with 6, 5, 4... stances, ties by order.
    assert "x" in clustered
    assert {f"p{k:02d}" for k in range(20) if k % 6 == 5} <= clustered
    assert not {f"p{k:02d}" for k in range(20) if k % 6 == 0} & clustered


def test_a_crux_that_predicts_the_root_inside_each_camp_is_a_double_crux():
    # Posts 3-5 separate the camps. Inside each camp, whoever agrees with post 2 also
    # agrees with the root and whoever rejects it rejects the root: post 2 is the
    # crux for each camp, not only between them.
    posts = [post(1, None, "claim", "a0"), post(2, 1, "support", "a0")]
    posts += [post(i, 1, "claim", "a0") for i in (3, 4, 5)]
    votes = []
    for k in range(8):
        # Camp A backs posts 3-5; a0..a5 agree with the root and post 2, a6, a7 reject both.
        a_side = 1 if k < 6 else -1
        votes += [(f"a{k}", 1, a_side), (f"a{k}", 2, a_side)]
        votes += [(f"a{k}", i, 1) for i in (3, 4, 5)]
        # Camp B rejects posts 3-5; b0, b1 agree with the root and post 2, the rest reject.
        b_side = 1 if k < 2 else -1
        votes += [(f"b{k}", 1, b_side), (f"b{k}", 2, b_side)]
        votes += [(f"b{k}", i, -1) for i in (3, 4, 5)]
    thread_map = analyze_thread(snapshot(posts, votes))
    assert {frozenset(g.members) for g in thread_map.groups} == {
        frozenset(f"a{k}" for k in range(8)),
        frozenset(f"b{k}" for k in range(8)),
    }
    by_post = {crux.post: crux for crux in thread_map.cruxes}
    assert by_post[2].double is True
    assert by_post[2].score == pytest.approx(0.4)  # Div (7/10 − 3/10) · |φ| 1
    assert all(by_post[i].double is False for i in (3, 4, 5) if i in by_post)
