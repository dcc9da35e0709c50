"""Claim strength (DF-QuAD) and open objections."""

import numpy as np
import pytest

from tests.analysis_builders import post, snapshot
from threads.analysis.graph import claim_strength
from threads.analysis.thread_map import analyze_thread


def test_dfquad_worked_example():
    # τ 0.5, attackers 0.6 and 0.5, supporter 0.4: va = 1 − 0.4·0.5 = 0.8, vs = 0.4,
    # σ = 0.5 − 0.5·(0.8 − 0.4) = 0.3.
    posts = [
        post(1, None, "claim"),
        post(2, 1, "rebuttal"),
        post(3, 1, "rebuttal"),
        post(4, 1, "support"),
    ]
    sigma = claim_strength(posts, np.array([0.5, 0.6, 0.5, 0.4]))
    assert sigma == pytest.approx([0.3, 0.6, 0.5, 0.4])


def test_support_stronger_than_attack_raises_strength_towards_one():
    posts = [post(1, None, "claim"), post(2, 1, "support"), post(3, 1, "rebuttal")]
    sigma = claim_strength(posts, np.array([0.5, 0.8, 0.2]))
    # va 0.2, vs 0.8: σ = 0.5 + 0.5·0.6
    assert sigma[0] == pytest.approx(0.8)


def test_strength_propagates_up_the_tree():
    # 3 defeats 2, so 2 hardly weakens 1.
    posts = [post(1, None, "claim"), post(2, 1, "rebuttal"), post(3, 2, "rebuttal")]
    sigma = claim_strength(posts, np.array([0.5, 0.5, 1.0]))
    assert sigma[1] == pytest.approx(0.0)
    assert sigma[0] == pytest.approx(0.5)


def test_neutral_replies_do_not_change_strength():
    posts = [
        post(1, None, "claim"),
        post(2, 1, "question"),
        post(3, 1, "comment"),
        post(4, 1, "answer"),
    ]
    assert claim_strength(posts, np.array([0.7, 1.0, 1.0, 1.0]))[0] == pytest.approx(0.7)


def test_claim_with_one_strong_unanswered_rebuttal_is_weak_and_the_rebuttal_is_open():
    posts = [post(1, None, "claim", "alice"), post(2, 1, "rebuttal", "bob")]
    votes = [(f"v{i}", 2, 1) for i in range(20)]
    thread_map = analyze_thread(snapshot(posts, votes))
    assert thread_map.strength[2] == pytest.approx(20 / (20 + 1.2816**2), abs=1e-4)
    assert thread_map.strength[1] < 0.5
    assert [(item.post, item.kind) for item in thread_map.open] == [(2, "unanswered_rebuttal")]


def test_unvoted_claim_has_base_strength_one_half_and_is_an_open_claim():
    thread_map = analyze_thread(snapshot([post(1, None, "claim")]))
    assert thread_map.strength == {1: 0.5}
    assert [(item.post, item.kind) for item in thread_map.open] == [(1, "unanswered_claim")]


def test_disagree_votes_weaken_a_rebuttal_but_never_answer_it():
    posts = [post(1, None, "claim", "alice"), post(2, 1, "rebuttal", "bob")]
    votes = [(f"v{i}", 2, -1) for i in range(10)]
    thread_map = analyze_thread(snapshot(posts, votes))
    assert thread_map.strength[2] == 0.0
    assert [(item.post, item.kind) for item in thread_map.open] == [(2, "unanswered_rebuttal")]


def test_any_reply_from_someone_else_answers_an_objection_but_the_authors_own_does_not():
    posts = [
        post(1, None, "claim", "alice"),
        post(2, 1, "rebuttal", "bob"),
        post(3, 2, "concession", "alice"),  # alice grants bob's point: answered
        post(4, 1, "rebuttal", "carol"),
        post(5, 4, "comment", "carol"),  # carol adding to her own objection
        post(6, 1, "rebuttal", "dan"),
        post(7, 6, "comment", "erin"),
        post(8, 7, "comment", "erin"),
    ]
    kinds = {item.post: item.kind for item in analyze_thread(snapshot(posts)).open}
    assert 2 not in kinds and 6 not in kinds
    assert kinds[4] == "unanswered_rebuttal"
    assert 1 not in kinds


def test_unanswered_question_is_open_and_answered_question_is_not():
    posts = [
        post(1, None, "claim", "alice"),
        post(2, 1, "question", "bob"),
        post(3, 1, "question", "carol"),
        post(4, 3, "answer", "alice"),
        post(5, 1, "rebuttal", "dan"),  # keeps the claim from being "unanswered"
    ]
    thread_map = analyze_thread(snapshot(posts))
    kinds = {item.post: item.kind for item in thread_map.open}
    assert kinds[2] == "unanswered_question"
    assert 3 not in kinds
    assert 1 not in kinds


def test_question_whose_only_answer_was_removed_is_still_open():
    posts = [
        post(1, None, "claim", "alice"),
        post(2, 1, "question", "bob"),
        post(3, 2, "answer", "carol", removed=True),
    ]
    kinds = {item.post: item.kind for item in analyze_thread(snapshot(posts)).open}
    assert kinds[2] == "unanswered_question"


def test_removed_rebuttal_no_longer_weakens_its_parent_but_keeps_its_edges():
    posts = [
        post(1, None, "claim", "alice"),
        post(2, 1, "rebuttal", "bob", removed=True),
        post(3, 2, "support", "carol"),
    ]
    thread_map = analyze_thread(snapshot(posts))
    assert thread_map.strength[1] == 0.5
    assert {(e.source, e.target, e.kind) for e in thread_map.edges} == {
        (2, 1, "attack"),
        (3, 2, "support"),
    }
    assert all(item.post != 2 for item in thread_map.open)


def test_open_items_are_ordered_by_visibility():
    posts = [
        post(1, None, "claim", "alice"),
        post(2, 1, "question", "bob", quality_up=1),
        post(3, 1, "question", "carol", quality_up=30, quality_down=2),
        post(4, 1, "question", "dan"),
        post(5, 1, "rebuttal", "erin", quality_up=5),
    ]
    thread_map = analyze_thread(snapshot(posts))
    assert [item.post for item in thread_map.open] == [3, 5, 2, 4]
