"""Role guesses from plain cues (always marked inferred by the raw importer)."""

import pytest

from threads.importers.roles import infer_role, opener_cue


@pytest.mark.parametrize(
    "body",
    [
        "I dispute this. Agency is hard, which is why we have not seen it yet.",
        "I think this is false.",
        "I think at least this part is probably false!",
        "I disagree: the evidence points the other way.",
        "No, that is not what the paper says.",
        "Um, he didn't say that - not here, at the very least.",
        "Fwiw I\u2019m skeptical that this holds at higher levels of RL.",
    ],
)
def test_rebuttal_cues(body):
    assert infer_role(body, parent_role="comment") == "rebuttal"


@pytest.mark.parametrize(
    "body",
    ["Agree.", "Agreed!", "Fair.", "Fair point.", "True. But it says nothing else."],
)
def test_concession_cues(body):
    assert infer_role(body, parent_role="comment") == "concession"


def test_concession_wins_over_a_later_disagreement():
    body = "Fair. I enjoyed the post when it was published. Still, on the main point I disagree."
    assert infer_role(body, parent_role="comment") == "concession"


def test_short_comment_ending_in_a_question_mark_is_a_question():
    assert infer_role("How would you measure that?", parent_role="claim") == "question"


def test_long_comment_ending_in_a_question_mark_is_not_a_question():
    body = " ".join(["This is a long explanation of my view."] * 12) + " Do you agree?"
    assert infer_role(body, parent_role="claim") == "comment"


def test_comment_framed_as_a_question_from_first_to_last_paragraph_is_a_question():
    body = "Is there anyone who disputes this?\n\n" + "Some context. " * 40 + "\n\nAnyone?"
    assert infer_role(body, parent_role="claim") == "question"


def test_reply_to_a_question_is_an_answer():
    assert infer_role("About a year, judging by the last two.", parent_role="question") == "answer"


def test_rebuttal_cue_beats_answer():
    assert infer_role("I dispute this.", parent_role="question") == "rebuttal"


def test_plain_text_is_a_comment():
    assert infer_role("Here are some different things that come to mind.", "claim") == "comment"


def test_support_cue():
    assert infer_role("Exactly.", parent_role="comment") == "support"
    assert infer_role("Well put.", parent_role="comment") == "support"


def test_openers_that_start_a_new_reply():
    assert opener_cue("Agree.") == "concession"
    assert opener_cue("Well put.") == "support"  # agreeing with someone else's point
    assert opener_cue("I dispute this. Here is why.") == "rebuttal"
    # A long sentence with a cue is as often the author continuing their own argument.
    assert opener_cue("I think this is false because I think claims 1 and 2 are true.") is None
    assert opener_cue("No room for agency at all?") is None
    assert opener_cue("Agreeing with the premise does not settle the conclusion.") is None
