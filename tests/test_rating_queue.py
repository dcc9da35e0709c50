"""The rating queue: what next.json offers (and never offers), the rate page answering
through the normal vote and credence paths, and the simulation target."""

from __future__ import annotations

import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.bench_queue import simulate
from tests.analysis_builders import post as post_input
from tests.analysis_builders import snapshot as make_snapshot
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.analysis.queue import NARROW, SETTLE, WIDE, next_post, rating_priorities, window
from threads.models import Credence, QueuePass, Role, Vote
from threads.services import moderation, voting
from threads.services.analysis import run_analysis

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def debate(db, no_rate_limits):
    thread = make_thread(make_user("opener"))
    root = opening_post(thread)
    people = [make_user(f"author{i}") for i in range(4)]
    claims = [make_reply(root, people[i], body=f"Claim number {i}.") for i in range(4)]
    make_reply(root, people[0], body="What do you mean?", role=Role.QUESTION)
    run_analysis(thread.pk, force=True)
    return thread, root, claims


def next_id(client, thread):
    response = client.get(f"/api/threads/{thread.pk}/next.json")
    assert response.status_code == 200
    return response.json()["post"]


# --- next.json ---------------------------------------------------------------------------------


def test_next_json_needs_a_login(client, debate):
    thread, _, _ = debate
    assert client.get(f"/api/threads/{thread.pk}/next.json").status_code == 401


def test_next_json_offers_each_post_once_and_then_null(client, debate):
    thread, root, claims = debate
    rater = make_user("rater")
    client.force_login(rater)
    offered = []
    while (pk := next_id(client, thread)) is not None:
        assert pk not in offered
        offered.append(pk)
        QueuePass.objects.create(user=rater, post_id=pk, thread=thread)
    # Never a question; the root and the four claims, in some order.
    assert sorted(offered) == sorted([root.pk, *(c.pk for c in claims)])


def test_next_json_skips_own_rated_credenced_and_removed_posts(client, debate, moderator):
    thread, root, claims = debate
    author = claims[0].author
    client.force_login(author)
    voting.cast_vote(user=author, post=claims[1], axis=Vote.Axis.AGREE, value=1)
    Credence.objects.create(user=author, post=claims[2], value=70)
    moderation.remove_post(moderator=moderator, post=claims[3], reason="Spam")
    seen = set()
    while (pk := next_id(client, thread)) is not None:
        seen.add(pk)
        QueuePass.objects.create(user=author, post_id=pk, thread=thread)
    assert seen == {root.pk}


def test_next_json_costs_at_most_four_queries(client, debate):
    thread, _, _ = debate
    client.force_login(make_user("rater"))
    with CaptureQueriesContext(connection) as queries:
        next_id(client, thread)
    assert len(queries) <= 4


def test_next_json_before_any_analysis_says_pending(client, db):
    thread = make_thread()
    client.force_login(make_user("rater"))
    assert client.get(f"/api/threads/{thread.pk}/next.json").json() == {
        "post": None,
        "pending": True,
    }


# --- The rate page -----------------------------------------------------------------------------


def test_rating_through_the_queue_uses_the_vote_and_credence_paths(client, debate):
    thread, root, claims = debate
    rater = make_user("rater")
    client.force_login(rater)
    page = client.get(f"/t/{thread.pk}/rate/").content.decode()
    assert "Help map this debate" in page
    first = next_id(client, thread)
    response = client.post(f"/t/{thread.pk}/rate/", {"post": first, "action": "agree"}, **HTMX)
    assert response.status_code == 200 and "1 answered" in response.content.decode()
    assert Vote.objects.get(user=rater, post_id=first).value == 1
    second = next_id(client, thread)
    assert second != first
    client.post(f"/t/{thread.pk}/rate/", {"post": second, "action": "pass"})
    third = next_id(client, thread)
    response = client.post(
        f"/t/{thread.pk}/rate/",
        {"post": third, "action": "credence", "value": "35", "because": first},
    )
    assert response.status_code == 302
    assert Credence.objects.get(user=rater, post_id=third).because_id == first
    assert next_id(client, thread) not in {first, second, third}


def test_bad_credence_in_the_queue_is_refused_and_the_post_stays(client, debate):
    thread, _, _ = debate
    client.force_login(make_user("rater"))
    first = next_id(client, thread)
    data = {"post": first, "action": "credence", "value": "150"}
    response = client.post(f"/t/{thread.pk}/rate/", data, **HTMX)
    assert response.status_code == 422 and "out of range" in response.content.decode()
    assert next_id(client, thread) == first and not Credence.objects.exists()


def test_locked_thread_refuses_answers_in_the_queue(client, debate, moderator):
    thread, _, _ = debate
    client.force_login(make_user("rater"))
    first = next_id(client, thread)
    moderation.lock_thread(moderator=moderator, thread=thread, reason="Cooling off.")
    response = client.post(f"/t/{thread.pk}/rate/", {"post": first, "action": "agree"}, **HTMX)
    assert response.status_code == 422 and "locked" in response.content.decode()
    assert not Vote.objects.exists()


# --- The priorities (pure) ---------------------------------------------------------------------


def test_posts_that_split_the_groups_with_few_stances_come_first():
    posts = [post_input(1, None, "claim", author="op")] + [
        post_input(i, 1, "claim", author="op") for i in range(2, 6)
    ]
    camp_a, camp_b = [f"a{i}" for i in range(6)], [f"b{i}" for i in range(6)]
    votes = [(p, 1, 1) for p in camp_a] + [(p, 1, -1) for p in camp_b]
    # Post 2 splits the camps, seen by two of each; post 3 everyone agrees with, seen by
    # the same four; posts 4 and 5 are seen by everyone.
    votes += [("a0", 2, 1), ("a1", 2, 1), ("b0", 2, -1), ("b1", 2, -1)]
    votes += [("a0", 3, 1), ("a1", 3, 1), ("b0", 3, 1), ("b1", 3, 1)]
    votes += [(p, pid, 1) for p in camp_a + camp_b for pid in (4, 5)]
    order = [e.post for e in rating_priorities(make_snapshot(posts, votes), [camp_a, camp_b])]
    assert order.index(2) < order.index(3) < order.index(4)


def test_new_posts_get_a_share_of_the_queue():
    posts = [post_input(i, None if i == 1 else 1, "claim", author="op") for i in range(1, 5)]
    votes = [(f"v{i}", pid, 1) for i in range(5) for pid in (1, 2, 3)]
    plain = rating_priorities(make_snapshot(posts, votes), [])
    newer = rating_priorities(make_snapshot(posts, votes), [], new_since=3.5)
    score = {e.post: e.priority for e in newer}
    assert score[4] > {e.post: e.priority for e in plain}[4]


def test_a_division_inside_the_maps_largest_group_is_asked_about():
    # Three camps, but the map (not sure yet) shows two groups: A, and B with C. Ten
    # more participants are known to side with B and C against A, but not with which.
    # Asking only about the map's groups, the queue would offer what splits A from the
    # rest, which everybody has answered already; it splits the largest group as a
    # hypothesis and asks what would tell B from C.
    camp = {f"{c}{i}": c for c in "abc" for i in range(10)}
    posts = [post_input(1, None, "claim", author="op")] + [
        post_input(i, 1, "claim", author="op") for i in (*range(2, 14), 20, 21)
    ]
    votes = [(who, pid, 1 if c == "b" else -1) for who, c in camp.items() for pid in range(2, 8)]
    votes += [(who, pid, 1 if c == "a" else -1) for who, c in camp.items() for pid in range(8, 14)]
    votes += [("b0", 20, 1), ("b1", 20, 1), ("c0", 20, -1), ("c1", 20, -1)]  # B against C
    votes += [("a0", 21, 1), ("a1", 21, 1), ("b2", 21, -1), ("c2", 21, -1)]  # A against both
    unsure = [f"u{i}" for i in range(10)]
    votes += [(u, pid, -1) for u in unsure for pid in range(8, 14)]
    groups = [[w for w, c in camp.items() if c == "a"], [w for w, c in camp.items() if c != "a"]]
    groups[1] += unsure
    order = [e.post for e in rating_priorities(make_snapshot(posts, votes), groups)]
    assert max(order.index(p) for p in range(2, 8)) < min(order.index(p) for p in range(8, 14))
    assert order.index(20) < order.index(21)


def test_next_post_is_stable_for_a_person_and_never_excluded():
    order = [5, 6, 7, 8]
    pick = next_post(order, set(), participant="ann")
    assert pick == next_post(order, set(), participant="ann")
    assert next_post(order, {5, 6, 7}, participant="ann") == 8
    assert next_post(order, set(order), participant="ann") is None


def test_newcomers_scout_widely_and_the_experienced_get_the_best_post():
    order = list(range(100, 160))
    first = {next_post(order, set(), participant=f"new{i}") for i in range(200)}
    assert first == set(order[:WIDE])  # spread over the whole wide top
    assert window(0) == WIDE and window(SETTLE) == NARROW == 1
    answered = set(order[:3]) | {999, 998, 997}  # three answers and three own posts
    picks = {next_post(order, answered, participant=f"old{i}") for i in range(50)}
    assert picks == {order[3]}
    assert window(SETTLE // 2) < WIDE


# --- The simulation target ---------------------------------------------------------------------


def test_queue_beats_random_order_on_a_small_planted_debate():
    """90 people in 3 camps, 60 posts, 10 ratings each, the map recomputed between
    rounds: pure analysis, no database, seeded (deterministic)."""
    shape = {"people": 90, "posts": 60}
    queue = [simulate("queue", seed=s, **shape)["ari"] for s in range(4)]
    random = [simulate("random", seed=s, **shape)["ari"] for s in range(4)]
    # 0.97, 0.87, 0.51, 0.84 against 0.39, 0, 0, 0 when written.
    assert statistics.mean(queue) >= statistics.mean(random) + 0.5
    assert statistics.mean(queue) >= 0.75


@pytest.mark.slow
def test_queue_beats_random_order_on_planted_opinions():
    """3 camps, 150 people, 120 posts, 10 ratings each, map recomputed between rounds;
    both orders in the same run, same seeds (bench/bench_queue.py prints the table)."""
    queue = [simulate("queue", seed=s)["ari"] for s in (0, 1)]
    random = [simulate("random", seed=s)["ari"] for s in (0, 1)]
    assert statistics.mean(queue) >= 0.9  # 1.000 and 0.960 when written (issue: 0.9)
    assert statistics.mean(queue) >= statistics.mean(random) + 0.5
