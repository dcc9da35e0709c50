"""The two LessWrong samples, with replies whose parents were checked by reading the files."""

from pathlib import Path

import pytest

from threads.importers import load_dump

SAMPLES = Path(__file__).resolve().parents[2] / "threads" / "demo"  # the demo debates


@pytest.fixture(scope="module")
def predictor():
    return load_dump(SAMPLES / "lesswrong-predictor-vs-agent.txt")


@pytest.fixture(scope="module")
def shoggoth():
    return load_dump(SAMPLES / "lesswrong-shoggoth-agency.txt")


def _post_starting(debate, text):
    matches = [p for p in debate.posts if p.body.startswith(text)]
    assert len(matches) == 1, f"{len(matches)} posts start with {text!r}"
    return matches[0]


def _occurrences(debate, text):
    return sum(p.body.count(text) for p in [debate.opening, *debate.posts])


# --- predictor vs agent --------------------------------------------------------------------


def test_predictor_report_numbers(predictor):
    report = predictor.report
    assert predictor.source_format == "lesswrong"
    assert report.comments == 3
    # Lines 34-62 re-render lines 2-33; line 61 exists only in the second rendering.
    assert report.duplicates_dropped == 28
    assert report.attached_by_quote == 1
    assert report.paragraphs_in == report.paragraphs_out == 34


def test_predictor_opens_with_the_quoted_post_excerpt(predictor):
    assert predictor.opening.body.startswith("As we argued for at the time, training on a purely")
    assert predictor.opening.body.count("\n") == 0
    assert predictor.title.startswith("As we argued for at the time")
    assert any("no title line" in note for note in predictor.report.notes)


def test_predictor_question_and_its_rebuttal(predictor):
    question = _post_starting(predictor, "Is there anyone who significantly disputes this?")
    assert question.parent_key is None
    assert question.role == "question"
    rebuttal = _post_starting(predictor, "I dispute this.")
    assert rebuttal.parent_key == question.key
    assert rebuttal.role == "rebuttal"


def test_predictor_quote_of_the_post_excerpt(predictor):
    reply = _post_starting(predictor, "I think at least this part is probably false!")
    assert reply.parent_key is None
    assert reply.quote == (
        "training on a purely predictive loss should, even in the limit, give you a predictor, "
        "not an agent"
    )
    assert reply.quote in predictor.opening.body
    assert reply.role == "rebuttal"


def test_predictor_keeps_each_repeated_line_once(predictor):
    assert _occurrences(predictor, "Does anyone still think that or something like that?") == 1
    assert _occurrences(predictor, "I debated this informally in an Alignement Workshop") == 1
    # Shown only by the second rendering, between two repeated lines: kept, in place.
    assert _occurrences(predictor, "I disputed this in the past.") == 1
    last = predictor.posts[-1].body
    assert last.index("Mathv2 just dropped") < last.index("I disputed this in the past.")
    assert last.index("I disputed this in the past.") < last.index("I debated this informally")


def test_predictor_keeps_the_better_spaced_copy(predictor):
    assert _occurrences(predictor, "some degree of emergent agency") == 1
    assert _occurrences(predictor, "emergentagency") == 0


# --- shoggoth ------------------------------------------------------------------------------


def test_shoggoth_report_numbers(shoggoth):
    report = shoggoth.report
    assert report.comments == 10
    # Lines 38-64 re-render lines 1-35 without the quotation lines.
    assert report.duplicates_dropped == 27
    assert report.attached_by_quote == 9
    assert report.attached_by_position == 0
    assert report.paragraphs_in == report.paragraphs_out == 37


def test_shoggoth_has_a_placeholder_opening_post(shoggoth):
    assert "not part of the dump" in shoggoth.opening.body
    assert shoggoth.opening.note.startswith("placeholder")
    assert shoggoth.title == "Here are some different things that come to mind."
    assert any("no title line" in note for note in shoggoth.report.notes)


def test_shoggoth_reply_to_the_first_comment(shoggoth):
    reply = _post_starting(shoggoth, "Yes, I think it is fair to say that I meant the Shoggoth")
    assert reply.quote.startswith("Which part of LLM? Shoggoth or simulacra?")
    assert "\n\nAs you mention, the simulacra" in shoggoth.parent_of(reply).body


def test_shoggoth_reply_to_a_reply(shoggoth):
    reply = _post_starting(shoggoth, "Yeah, I realize that the whole")
    assert reply.quote == "I\u2019m a little wary of that dichotomy utilized in a load-bearing way"
    assert shoggoth.parent_of(reply).body.startswith("Yes, I think it is fair to say")


def test_shoggoth_concession_after_a_fragment_quote(shoggoth):
    reply = _post_starting(shoggoth, "True. All that incredible progress")
    assert reply.quote.startswith("given a long context window, LLMs reconstruct")
    assert shoggoth.parent_of(reply).body.startswith("No room for agency at all?")
    assert reply.role == "concession"


def test_shoggoth_line_repeated_once_inside_the_first_rendering_is_a_quote(shoggoth):
    reply = _post_starting(shoggoth, "I would argue that in the LLM case")
    assert reply.quote.startswith("Since the world-model-consultation is only selected")
    assert shoggoth.parent_of(reply).body.startswith("No room for agency at all?")


def test_shoggoth_agree_shown_only_by_the_second_rendering_answers_the_omitted_quote(shoggoth):
    # Line 65 follows the copy of line 35; the first rendering continues with line 36,
    # a quotation the second rendering leaves out, so "Agree." is the reply to it.
    agree = _post_starting(shoggoth, "Agree.")
    assert agree.role == "concession"
    assert agree.quote.startswith("Input-output type signatures do not tell us much")
    assert shoggoth.parent_of(agree).body.startswith("No room for agency at all?")


def test_shoggoth_intro_line_shown_only_by_the_second_rendering_opens_the_first_comment(
    shoggoth,
):
    # Line 37 precedes the copy of line 1: it is the intro of the comment whose points
    # are later referred to as "#1 and #2".
    first = shoggoth.posts[0]
    assert first.body.startswith(
        "Here are some different things that come to mind.\n\nAs you mention"
    )
    bodies = "\n\n".join(p.body for p in shoggoth.posts)
    assert bodies.count("Here are some different things that come to mind.") == 1
