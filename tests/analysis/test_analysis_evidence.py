"""Nothing claimed without evidence: common ground, cruxes, open items, badges, the
importer's placeholder, and the bridging score — on literal debates with known answers."""

import numpy as np
import pytest

from tests.analysis.planted import planted_debate
from tests.analysis_builders import post, snapshot
from threads.analysis.bridging import fit_bridging
from threads.analysis.cruxes import looks_like_question
from threads.analysis.snapshot import ThreadSnapshot
from threads.analysis.thread_map import analyze_thread
from threads.panel import panel_data

CAMP_A = [f"a{i}" for i in range(6)]
CAMP_B = [f"b{i}" for i in range(6)]


def test_an_unrebutted_post_nobody_voted_on_is_not_common_ground():
    # The old rule: the author's own implied agreement gave (1+1)/(1+2) = 0.67 > 0.6.
    posts = [post(1, None, "claim", "op"), post(2, 1, "comment", "aside")]
    posts += [post(i, 1, "comment", f"s{i}") for i in range(3, 8)]
    thread_map = analyze_thread(snapshot(posts))
    assert thread_map.consensus == ()
    assert thread_map.groups[0].representative == ()  # no shares without stated stances


def test_common_ground_needs_three_supporters_besides_the_author():
    posts = [post(1, None, "claim", "op"), post(2, 1, "comment", "writer")]
    two = [("writer", 2, 1), ("p1", 2, 1), ("p2", 2, 1)]  # the author's own vote is not support
    assert analyze_thread(snapshot(posts, two)).consensus == ()
    three = [*two, ("p3", 2, 1)]
    found = analyze_thread(snapshot(posts, three)).consensus
    assert [c.post for c in found] == [2]
    assert found[0].supporters == ("p1", "p2", "p3")
    data = analyze_thread(snapshot(posts, three)).to_json()
    assert data["consensus"][0]["supporters"] == ["p1", "p2", "p3"]


def test_support_and_concession_replies_count_as_supporters():
    posts = [post(1, None, "claim", "op"), post(2, 1, "claim", "writer")]
    posts += [post(3, 2, "support", "r1"), post(4, 2, "concession", "r2")]
    posts += [post(5, 2, "support", "r3")]
    found = analyze_thread(snapshot(posts)).consensus
    assert [(c.post, c.supporters) for c in found] == [(2, ("r1", "r2", "r3"))]


def test_with_two_groups_common_ground_needs_a_majority_in_each():
    posts = [post(1, None, "claim", "a0"), post(2, 1, "rebuttal", "b0")]
    posts += [post(3, 1, "comment", "x"), post(4, 1, "comment", "y")]
    votes = []
    for person in CAMP_A:
        votes += [(person, 1, 1), (person, 2, -1), (person, 3, 1), (person, 4, 1)]
    for person in CAMP_B:
        votes += [(person, 1, -1), (person, 2, 1), (person, 3, 1), (person, 4, -1)]
    thread_map = analyze_thread(snapshot(posts, votes, participants=CAMP_A + CAMP_B))
    assert len(thread_map.groups) == 2
    # Post 4 has six supporters, all in one camp: not common ground.
    assert [c.post for c in thread_map.consensus] == [3]


def test_a_post_tagged_with_a_fallacy_is_never_common_ground_or_representative():
    posts = [post(1, None, "claim", "a0"), post(2, 1, "rebuttal", "b0")]
    posts += [post(3, 1, "comment", "x", flagged=True), post(4, 1, "comment", "y")]
    votes = []
    for person in CAMP_A:
        votes += [(person, 1, 1), (person, 2, -1), (person, 3, 1), (person, 4, 1)]
    for person in CAMP_B:
        votes += [(person, 1, -1), (person, 2, 1), (person, 3, -1), (person, 4, 1)]
    thread_map = analyze_thread(snapshot(posts, votes, participants=CAMP_A + CAMP_B))
    assert 3 not in {c.post for c in thread_map.consensus}
    assert 4 in {c.post for c in thread_map.consensus}
    for group in thread_map.groups:
        assert 3 not in {r.post for r in group.representative}
        assert 3 not in {p for p, _ in group.agreed_posts}


def test_a_question_is_never_a_crux():
    posts = [post(1, None, "claim", "a0")]
    posts += [post(2, 1, "question", "b0", text="Does anyone still think RLHF works?")]
    posts += [post(3, 1, "comment", "b1", text="Does it scale? Who knows? Not me.")]
    posts += [post(4, 1, "claim", "a1", text="RLHF works. It is cheap.")]
    votes = []
    for person in CAMP_A:
        votes += [(person, 1, 1), (person, 2, -1), (person, 3, -1), (person, 4, 1)]
    for person in CAMP_B:
        votes += [(person, 1, -1), (person, 2, 1), (person, 3, 1), (person, 4, -1)]
    thread_map = analyze_thread(snapshot(posts, votes, participants=CAMP_A + CAMP_B))
    assert len(thread_map.groups) == 2
    assert [c.post for c in thread_map.cruxes] == [4]


def test_questions_are_told_from_claims_by_role_or_by_their_sentences():
    assert looks_like_question("question", "A statement.")
    assert looks_like_question("comment", "Is there anyone who disputes this? Really?")
    assert not looks_like_question("rebuttal", "It fails. Why? Because gradients are local.")
    assert not looks_like_question("claim", "")


def test_a_vote_never_answers_and_a_reply_from_someone_else_does():
    posts = [post(1, None, "claim", "op"), post(2, 1, "rebuttal", "critic")]
    votes = [(f"v{i}", 2, -1) for i in range(8)]
    assert [o.post for o in analyze_thread(snapshot(posts, votes)).open] == [2]
    answered = [*posts, post(3, 2, "concession", "op")]
    assert analyze_thread(snapshot(answered, votes)).open == ()


def test_badges_on_one_post_never_contradict():
    # Post 3 is an unanswered rebuttal that everybody agrees with: open, not common ground.
    posts = [post(1, None, "claim", "a0"), post(2, 1, "claim", "b0"), post(3, 1, "rebuttal", "c")]
    votes = []
    for person in CAMP_A:
        votes += [(person, 1, 1), (person, 2, -1), (person, 3, 1)]
    for person in CAMP_B:
        votes += [(person, 1, -1), (person, 2, 1), (person, 3, 1)]
    thread_map = analyze_thread(snapshot(posts, votes, participants=CAMP_A + CAMP_B))
    cruxes = {c.post for c in thread_map.cruxes}
    common = {c.post for c in thread_map.consensus}
    open_posts = {o.post for o in thread_map.open}
    assert 3 in open_posts and 3 not in common
    assert not cruxes & common and not common & open_posts
    panel = panel_data(thread_map.to_json(), {}, root=1, posts=[])
    for badges in __import__("json").loads(panel["markers_json"]).values():
        assert not {"crux", "common ground"} <= set(badges)
        assert not ({"common ground"} & set(badges) and {"open objection"} & set(badges))


def test_the_importers_placeholder_opening_post_is_never_cited():
    placeholder = post(
        1, None, "claim", "importer", text="Imported comment section.", placeholder=True
    )
    posts = [placeholder, post(2, 1, "rebuttal", "x"), post(3, 1, "comment", "y")]
    votes = [(f"v{i}", 1, 1) for i in range(6)] + [(f"v{i}", 3, 1) for i in range(6)]
    thread_map = analyze_thread(snapshot(posts, votes))
    data = thread_map.to_json()
    cited = {c["post"] for c in data["consensus"]} | {c["post"] for c in data["cruxes"]}
    cited |= {o["post"] for o in data["open"]}
    cited |= {r["post"] for g in data["groups"] for r in g["representative"]}
    assert 1 not in cited
    assert 3 in {c["post"] for c in data["consensus"]}
    panel = panel_data(
        data,
        {"brief": [{"post": 1, "text": "Imported comment section."}]},
        root=1,
        posts=[(1, "importer", "Imported comment section.", False, True)],
    )
    assert panel["brief"] == []
    root_node = next(n for n in panel["argument_map"]["nodes"] if n["post"] == 1)
    assert root_node["label"] == "Opening post (not in the import)" and root_node["excerpt"] == ""
    assert '"1"' not in panel["markers_json"]


def test_implied_and_stated_stances_are_counted_in_the_evidence():
    posts = [post(1, None, "claim", "op"), post(2, 1, "rebuttal", "critic")]
    evidence = analyze_thread(snapshot(posts, [("v", 1, 1)])).to_json()["evidence"]
    assert evidence["stated_stances"] == 1
    assert evidence["implied_stances"] == 1  # critic disagrees with post 1
    assert evidence["own_post_stances"] == 2
    assert evidence["participants_with_a_stance"] == 3
    assert "need at least 4" in evidence["groups_reason"]


def bridging_debate(seed=0):
    """Two planted camps; quality votes: post 3 is liked by both camps, post 4 by camp
    A only (camp B rates it down), post 5 by nobody in particular."""
    base, camp = planted_debate(2, seed=seed, people=120, posts=60, votes_per_voter=30)
    rng = np.random.default_rng(seed)
    raters, posts_, values = [], [], []
    for person in range(len(camp)):
        for post_id, like in ((3, 0.9), (4, 0.9 if camp[person] == 0 else 0.1), (5, 0.5)):
            if rng.random() < 0.6:
                raters.append(person)
                posts_.append(post_id)
                values.append(1 if rng.random() < like else -1)
        # Everyone also rates a few random posts, the way a thread gets rated.
        for post_id in rng.choice(np.arange(6, 61), 5, replace=False):
            raters.append(person)
            posts_.append(int(post_id))
            values.append(1 if rng.random() < 0.6 else -1)
    return ThreadSnapshot(
        thread_id=1,
        root=1,
        posts=base.posts,
        participants=base.participants,
        vote_participant=base.vote_participant,
        vote_post=base.vote_post,
        vote_value=base.vote_value,
        quality_participant=np.array(raters),
        quality_post=np.array(posts_),
        quality_value=np.array(values),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_post_liked_by_both_camps_bridges_and_one_liked_by_one_camp_does_not(seed):
    thread_map = analyze_thread(bridging_debate(seed))
    assert len(thread_map.groups) == 2
    by_post = {b.post: b for b in thread_map.bridging}
    assert by_post[3].score > by_post[4].score
    assert by_post[3].score > by_post[5].score
    assert by_post[3].valued_across_groups
    assert not by_post[4].valued_across_groups
    assert abs(by_post[4].factor) > abs(by_post[3].factor)
    assert thread_map.bridging[0].post == 3  # best first: the "Bridging" sort


def test_bridging_needs_two_groups():
    snapshot_one_camp, _ = planted_debate(1, seed=3, people=60, posts=30)
    thread_map = analyze_thread(
        ThreadSnapshot(
            1,
            1,
            snapshot_one_camp.posts,
            snapshot_one_camp.participants,
            snapshot_one_camp.vote_participant,
            snapshot_one_camp.vote_post,
            snapshot_one_camp.vote_value,
            quality_participant=np.arange(20),
            quality_post=np.full(20, 2),
            quality_value=np.ones(20),
        )
    )
    assert len(thread_map.groups) == 1 and thread_map.bridging == ()


def test_the_factorisation_puts_the_camp_on_the_factor_and_shared_liking_on_the_intercept():
    # Raters 0-9 and 10-19 are two camps; column 0 is liked by all, column 1 by the
    # first camp only, column 2 by the second only.
    raters, columns, ups = [], [], []
    for r in range(20):
        first = r < 10
        for column, up in ((0, 1), (1, int(first)), (2, int(not first))):
            raters.append(r)
            columns.append(column)
            ups.append(up)
    fit = fit_bridging(np.array(raters), np.array(columns), np.array(ups), 20, 3, seed=0)
    assert fit.intercept[0] > fit.intercept[1] + 0.2 and fit.intercept[0] > fit.intercept[2] + 0.2
    assert abs(fit.factor[0]) < abs(fit.factor[1]) and abs(fit.factor[0]) < abs(fit.factor[2])
    assert np.sign(fit.factor[1]) == -np.sign(fit.factor[2])
