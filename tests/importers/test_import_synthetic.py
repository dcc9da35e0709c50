"""Dumps of the two kinds written for these tests (different text from the samples), to
show the importer follows the kind's rules rather than the three sample files."""

from tests.factories import TEST_DUMPS, dump_fixture, post_starting
from threads.importers import detect_format, parse_dump

motte = dump_fixture("motte", TEST_DUMPS / "synthetic-motte-compute.txt")
lesswrong = dump_fixture("lesswrong", TEST_DUMPS / "synthetic-lesswrong-evals.txt")


# --- Motte kind ----------------------------------------------------------------------------


def test_motte_kind_report(motte):
    assert motte.source_format == "motte"
    assert motte.title == "Compute thresholds are the wrong trigger for AI rules"
    assert motte.link == "https://example.org"
    assert motte.opening.body.startswith("Submission statement:")
    report = motte.report
    assert (report.comments, report.duplicates_dropped) == (7, 4)
    assert (report.attached_by_quote, report.attached_by_position, report.top_level) == (5, 1, 2)
    assert report.paragraphs_in == report.paragraphs_out == 12
    assert motte.problems() == []


def test_motte_kind_markdown_quote_line(motte):
    question = post_starting(motte, "Couldn't they measure dataset size")
    assert question.quote == (
        "Compute is the only thing regulators can actually measure before a model exists."
    )
    assert motte.parent_of(question).body.startswith("Compute is the only thing")
    assert question.role == "question"


def test_motte_kind_whole_paragraph_quote_of_a_question_is_an_answer(motte):
    answer = post_starting(motte, "Dataset size says even less")
    assert answer.quote == "Couldn't they measure dataset size just as easily?"
    assert answer.role == "answer"


def test_motte_kind_inline_quote_after_a_lead_in(motte):
    reply = post_starting(motte, "I think you missed:")
    assert reply.quote == "they can be indexed to the frontier instead of being fixed in statute"
    assert motte.parent_of(reply).body.startswith("Compute is the only thing")


def test_motte_kind_quote_with_straight_apostrophes_keeps_the_parents_smart_ones(motte):
    reply = post_starting(motte, "The case for it is that nothing else")
    assert reply.parent_key is None
    assert (
        reply.quote
        == "I think that\u2019s the wrong variable, and I\u2019d like to hear the case for it"
    )
    assert reply.quote in motte.opening.body
    assert reply.body.endswith("can still add obligations later.")


def test_motte_kind_concession_and_rebuttal(motte):
    fair = post_starting(motte, "Fair. A moving line")
    assert fair.role == "concession"
    assert motte.parent_of(fair).body.startswith("I think you missed:")
    rebuttal = post_starting(motte, "I dispute this.")
    assert rebuttal.role == "rebuttal"
    assert motte.parent_of(rebuttal).body.startswith("Dataset size says even less")


def test_motte_kind_second_rendering_at_the_end_is_dropped(motte):
    bodies = "\n\n".join(p.body for p in motte.posts)
    assert bodies.count("Thresholds also age badly") == 1


# --- LessWrong kind ------------------------------------------------------------------------


def test_lesswrong_kind_report(lesswrong):
    assert lesswrong.source_format == "lesswrong"
    assert lesswrong.opening.body.startswith("Our evaluations suggest")
    report = lesswrong.report
    assert (report.comments, report.duplicates_dropped) == (4, 5)
    assert (report.attached_by_quote, report.attached_by_position) == (2, 1)
    assert report.paragraphs_in == report.paragraphs_out == 9
    assert lesswrong.problems() == []


def test_lesswrong_kind_tree(lesswrong):
    question = post_starting(lesswrong, "How confident are you")
    assert question.parent_key is None and question.role == "question"
    answer = post_starting(lesswrong, "Not very.")
    assert answer.parent_key == question.key and answer.role == "answer"
    assert answer.quote == "would catch a model that was deliberately sandbagging"
    rebuttal = post_starting(lesswrong, "I think this is false.")
    assert rebuttal.parent_key is None and rebuttal.role == "rebuttal"
    assert rebuttal.quote == "we consider the risk from this capability to be low"
    agree = post_starting(lesswrong, "Agree.")
    assert agree.parent_key == rebuttal.key and agree.role == "concession"


def test_lesswrong_kind_second_rendering_only_line_keeps_its_place(lesswrong):
    answer = post_starting(lesswrong, "Not very.")
    assert answer.body.endswith(
        "Worth adding that the replication evaluations were run without internet access."
    )
    assert "at current scale" in answer.body  # the better-spaced copy


def test_lesswrong_kind_with_a_title_line():
    text = "Evals and sandbagging\n" + (TEST_DUMPS / "synthetic-lesswrong-evals.txt").read_text()
    debate = parse_dump(text)
    assert debate.title == "Evals and sandbagging"
    assert debate.report.paragraphs_in == debate.report.paragraphs_out
    assert not any("no title line" in note for note in debate.report.notes)


def test_lesswrong_kind_without_any_repeat_keeps_everything_and_uses_a_placeholder():
    text = (
        "Scaling will not produce agents on its own.\n"
        "Scaling will not produce agents on its own\n"
        "I dispute this. Agency shows up as soon as models are given tools.\n"
    )
    debate = parse_dump(text, fmt="lesswrong")
    assert debate.report.duplicates_dropped == 0
    assert "not part of the dump" in debate.opening.body
    reply = post_starting(debate, "I dispute this.")
    assert reply.quote == "Scaling will not produce agents on its own"
    assert debate.report.paragraphs_in == debate.report.paragraphs_out


# --- other shapes --------------------------------------------------------------------------


def test_motte_kind_without_the_header_markers():
    text = (
        "Is interpretability on track\n\nexample.com/post\n\n"
        "I think interpretability will not scale to frontier models in time.\n\n"
        "It already scales to production models with sparse autoencoders.\n\n"
        "It already scales to production models\n\n"
        "Features are not behaviour, though.\n"
    )
    assert detect_format(text) == "motte"
    debate = parse_dump(text)
    assert (debate.title, debate.link) == (
        "Is interpretability on track",
        "https://example.com/post",
    )
    assert debate.opening.body.startswith("I think interpretability will not scale")
    reply = post_starting(debate, "Features are not behaviour")
    assert reply.parent_key == 1 and reply.quote == "It already scales to production models"


def test_repeated_short_comments_are_not_taken_for_quotes():
    text = "Title here\n\nexample.com\n\nClaim.\n\nAgree.\n\nSomething else entirely.\n\nAgree.\n"
    debate = parse_dump(text, fmt="motte")
    assert not any(p.quote for p in debate.posts)


def test_unpunctuated_first_comment_shown_twice_is_not_taken_for_a_title():
    lines = [
        "honestly not sure about this one",
        "Scaling laws say nothing about goals, only about loss.",
        "Loss is what the optimiser sees, so goals are downstream of it.",
    ]
    text = "\n".join(lines + lines) + "\n"
    debate = parse_dump(text, fmt="lesswrong")
    assert debate.report.duplicates_dropped == 3
    assert debate.posts[0].body.startswith("honestly not sure about this one")
    assert any("no title line" in note for note in debate.report.notes)


def test_link_submission_without_text_opens_with_its_link():
    text = (
        "site banner\n\nThe new scaling paper\n\narxiv.org/abs/2401.00001\n\n"
        "3\nJump in the discussion.\n\nNo email address required.\n\n"
        'I think you missed: "the compute-optimal frontier bends after 10^26 FLOP". '
        "That is the whole result.\n\n"
        "Does it bend because of data limits or because of the architecture?\n"
    )
    debate = parse_dump(text)
    assert debate.title == "The new scaling paper"
    assert debate.opening.body == "https://arxiv.org/abs/2401.00001"
    assert debate.report.paragraphs_in == debate.report.paragraphs_out == 2
    # The inline quote copies nothing earlier in the dump, so it attaches nowhere.
    assert all(not p.quote for p in debate.posts)


def test_inline_quote_with_straight_quotation_marks():
    text = (
        "Title here\n\nexample.com\n\n"
        "Models trained only on prediction will never form goals of their own.\n\n"
        'I think you missed: "never form goals of their own". Prediction of agents needs '
        "a model of goals.\n"
    )
    debate = parse_dump(text, fmt="motte")
    reply = debate.posts[0]
    assert reply.parent_key is None
    assert reply.quote == "never form goals of their own"
    assert reply.body.startswith("I think you missed:")


def test_unknown_banner_lines_above_the_title_are_chrome():
    text = (
        "The Motte\n\nCulture War Roundup\n\nShould labs publish their safety cases?\n\n"
        "example.org/cases\n\nSafety cases are the one document a lab cannot spin.\n\n"
        "Jump in the discussion.\n\nNo email address required.\n\n"
        "A safety case written by the lab is still marketing.\n"
    )
    debate = parse_dump(text)
    assert debate.title == "Should labs publish their safety cases?"
    assert debate.link == "https://example.org/cases"
    assert debate.opening.body == "Safety cases are the one document a lab cannot spin."
    assert {"The Motte", "Culture War Roundup"} <= set(debate.report.chrome)
