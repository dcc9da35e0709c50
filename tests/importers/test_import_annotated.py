"""The demo dumps against their hand annotations (tests/importers/data/annotations/).

The floors are the measured scores of this importer: a change that loses comments,
parents or roles a careful reader sees fails here. See annotated.py for the scoring.
"""

from pathlib import Path

import pytest

from tests.importers.annotated import load, score
from threads.importers import load_dump, parse_dump
from threads.importers.roles import infer_role, opener_cue

DEMO = Path(__file__).resolve().parents[2] / "threads" / "demo"
DATA = Path(__file__).parent / "data"
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
    _check(result, precision, recall, parents, rebuttal_recall)


# Dumps written for these tests in the style of the two sites (names, dates and
# separators stripped), so the rules are not tuned to the three demo files only.
SYNTHETIC_FLOORS = {
    "synthetic-motte-oversight": ("motte", 0.95, 0.85, 0.6, None),
    "synthetic-lesswrong-interp": ("lesswrong", 0.75, 0.5, 0.5, None),
}
# Roles these dumps get wrong often enough to be worth knowing, not guarding.
_KNOWN_WEAK = {
    ("synthetic-lesswrong-interp", "rebuttal"),
}


@pytest.mark.parametrize("name", sorted(SYNTHETIC_FLOORS))
def test_synthetic_dump_scores_against_its_hand_annotation(name):
    fmt, precision, recall, parents, rebuttal_recall = SYNTHETIC_FLOORS[name]
    result = score(load_dump(DATA / f"{name}.txt", fmt=fmt), load(name))
    print(name, result.line())
    _check(result, precision, recall, parents, rebuttal_recall, name)


def _check(result, precision, recall, parents, rebuttal_recall, name=""):
    assert result.precision >= precision and result.recall >= recall
    assert result.parent_accuracy >= parents
    if rebuttal_recall is not None:
        assert (result.roles["rebuttal"][1] or 0) >= rebuttal_recall
    # Prefer "comment" to a wrong role: no specific role is guessed wrongly often.
    for role, (role_precision, _) in result.roles.items():
        if role != "comment" and role_precision is not None and (name, role) not in _KNOWN_WEAK:
            assert role_precision >= 0.3, role


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
     "Is there any chance you could share the data?", "Great post, and a fair summary.",
     "Sorry, I wrote sloppily. I meant the second reading."],
)  # fmt: skip
def test_reply_openers_start_a_new_comment(paragraph):
    assert opener_cue(paragraph) is not None


def test_a_plain_continuation_does_not_start_a_comment():
    assert opener_cue("Putting that aside, LLMs have a big problem with creativity.") is None


def test_article_quotation_framed_by_a_lead_in_is_a_blockquote():
    debate = load_dump(DATA / "synthetic-motte-oversight.txt")
    first = debate.posts[0].body
    assert "\n\n> Across all tasks, judges who watched two expert models" in first
    assert "\n\n...which sounds impressive" in first


def test_a_point_by_point_reply_is_one_comment_with_its_passages_quoted():
    debate = load_dump(DATA / "synthetic-motte-oversight.txt")
    reply = next(p for p in debate.posts if p.body.startswith("A model has nothing to lose"))
    assert reply.quote.startswith("Ask the debater to bet")
    assert "\n\n> Swap the sides and see whether" in reply.body
    assert reply.body.endswith("the report could have run it.")


def test_a_numbered_list_stays_in_one_comment():
    debate = load_dump(DATA / "synthetic-motte-oversight.txt")
    post = next(p for p in debate.posts if "three ways to check it cheaply" in p.body)
    for item in ("1. Ask the debater", "2. Cross-examine", "3. Swap the sides", "None of these"):
        assert item in post.body


def test_great_post_is_a_top_level_comment():
    debate = load_dump(DATA / "synthetic-lesswrong-interp.txt", fmt="lesswrong")
    post = next(p for p in debate.posts if p.body.startswith("Great post"))
    assert post.parent_key is None and post.role == "support"


def test_a_comment_listing_is_imported_flat_under_one_stand_in():
    debate = load_dump(DATA / "synthetic-lesswrong-listing.txt")
    assert debate.report.listing and "comment listing" in " ".join(debate.report.notes)
    assert len(debate.posts) == 4
    assert all(p.parent_key is None for p in debate.posts)
    assert {p.author for p in debate.posts} == {"imported-1"}
    assert debate.posts[2].body.startswith(
        "*On \u201cScaling laws for reward model overoptimisation\u201d:*\n\nHas anyone"
    )
    assert "Load more" not in " ".join(p.body for p in debate.posts)
    assert debate.problems() == []


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_thread_dumps_are_not_read_as_listings(name):
    assert not load_dump(DEMO / f"{name}.txt", fmt=FLOORS[name][0]).report.listing


def test_the_submissions_quotation_of_the_article_is_a_blockquote():
    text = (
        "A title for the submission\n\nexample.org/report\n\n"
        "The report puts its finding like this:\n\n"
        "We found no evidence of deceptive behaviour in any of the evaluated models.\n\n"
        "...which is not the same as evidence of its absence.\n\n3\n"
        "Jump in the discussion.\n\nNo email address required.\n\n"
        "Absence of evidence is weak evidence here, given how the evaluations were run.\n"
    )
    debate = parse_dump(text)
    assert debate.opening.body == (
        "The report puts its finding like this:\n\n"
        "> We found no evidence of deceptive behaviour in any of the evaluated models.\n\n"
        "...which is not the same as evidence of its absence."
    )
