"""The debate in brief follows the argument, cites who said it, and skips banter.

Measured on the hand-labelled check set in brief_checks.py (the three demo dumps and
two synthetic threads), and on small literal threads for each rule.
"""

import pytest

from tests.analysis.brief_checks import check_set, measure, quoting_thread, thanks_thread
from tests.analysis_builders import post, snapshot
from threads.analysis.sentences import block_quotes, is_banter
from threads.analysis.summaries import summarize_thread
from threads.analysis.thread_map import analyze_thread

CHECK_SET = check_set()


def summary_of(snap):
    return summarize_thread(snap, analyze_thread(snap)).to_json()


@pytest.mark.parametrize("labelled", CHECK_SET, ids=[item.name for item in CHECK_SET])
def test_brief_has_no_banter_no_misattribution_no_repeats_and_no_placeholder(labelled):
    summary = summary_of(labelled.snapshot)
    assert summary["status"] == "ok"
    measured = measure(labelled, summary)
    assert measured.brief >= 4, measured
    assert measured.banter_in_brief == 0, summary["brief"]
    assert measured.misattributed == 0, measured
    assert measured.repeated == 0, measured
    assert measured.placeholder_cited == 0, measured
    assert measured.main_claims_in_brief >= 1, summary["brief"]


def test_brief_walks_opening_objections_answers_and_concessions():
    brief = summary_of(thanks_thread())["brief"]
    assert brief[0] == {
        "text": "Scaling language models will not by itself produce agents that plan.",
        "post": 1,
        "line": "opening",
    }
    lines = [(item["post"], item["line"]) for item in brief]
    assert (3, "objection") in lines and (8, "objection") in lines
    # Each objection is followed by the answer it got.
    assert lines[lines.index((3, "objection")) + 1] == (4, "answer")
    assert lines[lines.index((8, "objection")) + 1] == (9, "answer")
    assert (7, "concession") in lines
    assert {item["post"] for item in brief}.isdisjoint({2, 5, 10})  # thanks and jokes


def test_the_stand_in_opening_post_is_never_cited():
    snap = quoting_thread()
    summary = summary_of(snap)
    cited = {item["post"] for item in summary["brief"]}
    cited |= {item["post"] for item in summary["common_ground"] + summary["open"]}
    assert 1 not in cited
    assert summary["brief"][0]["line"] != "opening"


def test_a_sentence_pasted_from_an_ancestor_is_credited_to_its_author():
    summary = summary_of(quoting_thread())
    everything = summary["brief"] + summary["common_ground"] + summary["open"]
    for crux in summary["cruxes"]:
        everything += [e for e in (crux["support"], crux["rebuttal"]) if e]
    for item in everything:
        if item["text"] in (
            "Current models show no sign of that.",
            "Deceptive alignment needs a model that models its own training process.",
        ):
            assert item["post"] == 2


def test_what_was_conceded_is_cited_to_the_post_that_said_it():
    posts = [
        post(1, None, "claim", "ana", text="Open models will be misused for large scale fraud."),
        post(
            2,
            1,
            "rebuttal",
            "ben",
            text="Fraud is limited by distribution, not by writing. Spam filters catch it.",
        ),
        post(
            3,
            2,
            "concession",
            "ana",
            text="Agree.",
            quote="Fraud is limited by distribution, not by writing.",
        ),
        post(4, 1, "support", "cy", text="Voice cloning already fooled bank staff twice."),
        post(5, 4, "rebuttal", "dee", text="Both cases used leaked data, not an open model."),
    ]
    summary = summary_of(snapshot(posts))
    assert summary["status"] == "ok", summary["reason"]
    brief = summary["brief"]
    assert {
        "text": "Fraud is limited by distribution, not by writing.",
        "post": 2,
        "line": "conceded",
    } in brief or {
        "text": "Fraud is limited by distribution, not by writing.",
        "post": 2,
        "line": "objection",
    } in brief
    assert all(item["post"] != 3 for item in brief)


def test_the_sentence_repliers_quoted_speaks_for_its_post():
    posts = [
        post(1, None, "claim", "ana", text="Agents need goals, and training supplies them."),
        post(
            2,
            1,
            "rebuttal",
            "ben",
            text="Gradient descent has no view about the world at all. "
            "Models trained on text learn whatever predicts the next token best.",
        ),
        post(
            3,
            2,
            "rebuttal",
            "cy",
            text="Next-token loss rewards modelling the writers' goals.",
            quote="Models trained on text learn whatever predicts the next token best.",
        ),
        post(
            4,
            2,
            "comment",
            "dee",
            text="Predicting a goal-directed writer is not having goals.",
            quote="Models trained on text learn whatever predicts the next token best.",
        ),
    ]
    brief = summary_of(snapshot(posts))["brief"]
    lines = {item["post"]: item["text"] for item in brief}
    assert lines[2] == "Models trained on text learn whatever predicts the next token best."


def test_a_thread_of_thanks_says_there_is_too_little_to_summarise():
    posts = [
        post(1, None, "claim", "ana", text="Compute governance is the only lever that scales."),
        post(2, 1, "comment", "ben", text="Great post, thanks! Well put."),
        post(3, 1, "comment", "cy", text="This. Agreed, 100%."),
        post(4, 1, "comment", "dee", text="lol. Love this."),
        post(5, 1, "comment", "eli", text="Thanks for writing this up. Interesting."),
    ]
    summary = summary_of(snapshot(posts))
    assert summary["status"] == "too_little"
    assert summary["brief"] == []
    assert "point of its own" in summary["reason"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Well put.",
        "Great post, thanks!",
        "Thanks",
        "Agree.",
        "Yes, absolutely correct.",
        "lol",
        "Sorry, looks like I wasn’t very clear.",
        "Here are some different things that come to mind.",
        "This thread is gold.",
        "Figured this might be an update to some of you.",
    ],
)
def test_banter_thanks_and_meta_are_recognised(sentence):
    assert is_banter(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Great post, but the second claim fails for models trained on text.",
        "Thanks to RLHF, models are polite.",
        "Yes, models trained on text plan ahead.",
        "True, but the training data is static.",
        "I agree with the second point about planning.",
        "This is exactly why I'm suspicious of the doomer hypothesis.",
    ],
)
def test_claims_that_begin_like_banter_are_kept(sentence):
    assert not is_banter(sentence)


def test_block_quotes_are_read_from_the_markdown_body():
    body = "> Models plan.\n> They do.\n\nMine.\n\n>> Nested quote here.\n"
    assert block_quotes(body) == "Models plan. They do.\n\nNested quote here."
    assert block_quotes("No quotes at all.") == ""


def test_replies_that_only_repeat_the_opening_post_leave_it_the_only_voice():
    opening = (
        "Compute thresholds are a blunt tool. They miss small specialised models. They "
        "also age badly as hardware improves. Evaluations of capability age better. "
        "Regulators should start from evaluations."
    )
    posts = [post(1, None, "claim", "ana", text=opening)]
    posts += [
        post(i, 1, "comment", f"u{i}", text="They miss small specialised models.")
        for i in range(2, 5)
    ]
    summary = summary_of(snapshot(posts))
    assert summary["status"] == "ok"
    assert {item["post"] for item in summary["brief"]} == {1}
    assert summary["brief"][0]["line"] == "opening"
