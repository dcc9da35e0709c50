"""The panel's pure parts: labels, legend data, notes on small threads, bars."""

from tests.analysis_builders import post, snapshot
from threads.analysis.thread_map import analyze_thread
from threads.panel import first_words, panel_data
from threads.queries.tree import Node, select_tree


def test_node_labels_are_the_first_words_of_the_post():
    assert first_words("RLHF basically works, alignment is solved") == "RLHF basically …"
    assert first_words("Short.") == "Short."
    assert first_words("Antidisestablishmentarianism-style") == "Antidisestablishm …"


def test_small_threads_get_a_plain_sentence_instead_of_empty_sections():
    posts = [post(1, None, "claim", "op", text="Models will plan.")]
    posts += [post(2, 1, "rebuttal", "critic", text="They only predict.")]
    data = analyze_thread(snapshot(posts, [("v1", 1, 1)])).to_json()
    panel = panel_data(
        data, {}, root=1, posts=[(1, "op", "Models will plan.", False), (2, "critic", "x", False)]
    )
    notes = panel["notes"]
    assert notes["groups"].startswith("3 people have taken a stance; opinion groups need 4")
    assert "one group" in notes["cruxes"]
    assert "at least 3 people besides the author" in notes["consensus"]
    assert "open" not in notes  # post 2 is an open objection: the list is not empty
    nodes = {n["post"]: n for n in panel["argument_map"]["nodes"]}
    assert nodes[1]["label"] == "Models will plan." and nodes[2]["status"] == "open"
    assert panel["evidence"] == {"stated": 1, "implied": 1, "clustered": 3}


def test_crux_bars_carry_each_groups_agreement_and_colour():
    camp_a, camp_b = [f"a{i}" for i in range(6)], [f"b{i}" for i in range(6)]
    posts = [post(1, None, "claim", "a0", text="Root."), post(2, 1, "claim", "x", text="Split.")]
    posts += [post(3, 1, "claim", "y", text="Other split.")]
    votes = [(p, c, 1) for p in camp_a for c in (1, 2, 3)]
    votes += [(p, c, -1) for p in camp_b for c in (1, 2, 3)]
    data = analyze_thread(snapshot(posts, votes, participants=camp_a + camp_b)).to_json()
    panel = panel_data(data, {}, root=1, posts=[])
    bars = panel["cruxes"][0]["by_group"]
    assert sorted(bar["agree"] for bar in bars) == [0, 100]
    assert all(bar["colour"].startswith("#") for bar in bars)
    assert all(0 <= g["stability"] <= 100 for g in panel["groups"])
    assert panel["scatter"]["legend"][0]["stability"] is not None


def test_bridging_sort_ranks_scored_posts_first_then_the_rest_by_top():
    nodes = [Node(1, None, 0, 0), Node(2, 1, 50, 0), Node(3, 1, 1, 0), Node(4, 1, 9, 0)]
    order = select_tree(nodes, 1, sort="bridging", scores={3: 0.4, 4: 0.1}).replies[1]
    assert order == [3, 4, 2]
