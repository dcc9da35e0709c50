"""The demo dumps against their hand annotations (tests/importers/data/annotations/).

The floors are the measured scores of this importer: a change that loses comments,
parents or roles a careful reader sees fails here. See annotated.py for the scoring.
"""

from pathlib import Path

import pytest

from tests.importers.annotated import load, score
from threads.importers import load_dump
from threads.importers.roles import infer_role, opener_cue

DEMO = Path(__file__).resolve().parents[2] / "threads" / "demo"
# name -> (format, boundary precision, boundary recall, parent accuracy, rebuttal recall)
FLOORS = {
    "motte-ai-scientist": ("motte", 0.85, 0.7, 0.6, 0.4),
    "lesswrong-shoggoth-agency": ("lesswrong", 1.0, 1.0, 1.0, 1.0),
    "lesswrong-predictor-vs-agent": ("lesswrong", 1.0, 0.7, 0.6, 1.0),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_demo_dump_scores_against_its_hand_annotation(name):
    fmt, precision, recall, parents, rebuttal_recall = FLOORS[name]
    result = score(load_dump(DEMO / f"{name}.txt", fmt=fmt), load(name))
    print(name, result.line())
    assert result.precision >= precision and result.recall >= recall
    assert result.parent_accuracy >= parents
    assert (result.roles["rebuttal"][1] or 0) >= rebuttal_recall


@pytest.mark.parametrize(
    "text",
    [
        "Using is not the same as understanding. There is no number of hours spent flying.",
        "No room for agency at all? But I fail to follow your line of thinking.",
        "...and this is where everything starts to go off the rails.",
        "I would argue that in the LLM case this emerging utility is not a thing at all.",
    ],
)
def test_debate_language_reads_as_a_rebuttal(text):
    assert infer_role(text, "comment") == "rebuttal"


def test_a_reply_to_a_quoted_question_is_an_answer():
    body = "I guess it is plausible that there is a planning mechanism somewhere."
    assert infer_role(body, "comment", quote="Is this planning? IE does it plan?") == "answer"
    assert infer_role(body, "comment", quote="This is planning.") == "comment"


@pytest.mark.parametrize(
    "paragraph",
    ["Thank you, this is a much clearer version.", "Regarding the second claim, no.",
     "Is there any chance you could share the data?", "Great post, and a fair summary."],
)  # fmt: skip
def test_reply_openers_start_a_new_comment(paragraph):
    assert opener_cue(paragraph) is not None


def test_a_plain_continuation_does_not_start_a_comment():
    assert opener_cue("Putting that aside, LLMs have a big problem with creativity.") is None
