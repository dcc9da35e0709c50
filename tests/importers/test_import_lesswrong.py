"""The two LessWrong samples, with replies whose parents were checked by reading the files."""

from tests.factories import DEMO_DUMPS, dump_fixture, post_starting

predictor = dump_fixture("predictor", DEMO_DUMPS / "lesswrong-predictor-vs-agent.txt")
shoggoth = dump_fixture("shoggoth", DEMO_DUMPS / "lesswrong-shoggoth-agency.txt")


def _occurrences(debate, text):
    return sum(p.body.count(text) for p in [debate.opening, *debate.posts])


# --- predictor vs agent --------------------------------------------------------------------


def test_predictor_report_numbers(predictor):
    report = predictor.report
    assert predictor.source_format == "lesswrong"
    assert report.comments == 6
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
    question = post_starting(predictor, "Is there anyone who significantly disputes this?")
    assert question.parent_key is None
    assert question.role == "question"
    rebuttal = post_starting(predictor, "I dispute this.")
    assert rebuttal.parent_key == question.key
    assert rebuttal.role == "rebuttal"


def test_predictor_quote_of_the_post_excerpt(predictor):
    reply = post_starting(predictor, "I think at least this part is probably false!")
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
    # Shown only by the second rendering, between two repeated lines: the first line of
    # the last comment, which the first rendering cut short.
    assert _occurrences(predictor, "I disputed this in the past.") == 1
    last = predictor.posts[-1].body
    assert last.startswith("I disputed this in the past.")
    assert last.index("I disputed this in the past.") < last.index("I debated this informally")
    assert "Mathv2 just dropped" in predictor.posts[-2].body


def test_predictor_quotes_of_a_linked_post_are_blockquotes(predictor):
    # The second rendering leaves the "Yue, Chen et al." paragraphs out: they are quoted.
    post = next(p for p in predictor.posts if "In fact, base model seem" in p.body)
    assert "\n\n> Yue, Chen et al. have a different hypothesis" in post.body
    assert "\n\n> What actually happened is neither" in post.body


def test_predictor_keeps_the_better_spaced_copy(predictor):
    assert _occurrences(predictor, "some degree of emergent agency") == 1
    assert _occurrences(predictor, "emergentagency") == 0


# --- shoggoth ------------------------------------------------------------------------------


def test_shoggoth_report_numbers(shoggoth):
    report = shoggoth.report
    # Four comments by two people (see data/annotations/lesswrong-shoggoth-agency.json).
    assert report.comments == 4
    # Lines 38-64 re-render lines 1-35 without the quotation lines.
    assert report.duplicates_dropped == 27
    assert report.attached_by_quote == 2
    assert report.paragraphs_in == report.paragraphs_out == 37


def test_shoggoth_has_a_placeholder_opening_post(shoggoth):
    assert "not part of the dump" in shoggoth.opening.body
    assert shoggoth.opening.note.startswith("placeholder")
    assert shoggoth.title == "Here are some different things that come to mind."
    assert any("no title line" in note for note in shoggoth.report.notes)


def test_shoggoth_reply_to_the_first_comment(shoggoth):
    reply = post_starting(shoggoth, "Yes, I think it is fair to say that I meant the Shoggoth")
    assert reply.quote.startswith("Which part of LLM? Shoggoth or simulacra?")
    assert shoggoth.parent_of(reply).body.startswith("Yes, I totally can imagine simulacra")
    # The second passage it answers stays in the same reply, as a quotation.
    assert "\n\n> But I still don’t see how this leads" in reply.body
    assert reply.role == "rebuttal"  # "I fail to follow your line of thinking"


def test_shoggoth_reply_to_a_reply(shoggoth):
    reply = post_starting(shoggoth, "Yeah, I realize that the whole")
    assert reply.quote == "I\u2019m a little wary of that dichotomy utilized in a load-bearing way"
    assert shoggoth.parent_of(reply).body.startswith("Yes, I think it is fair to say")


def test_shoggoth_point_by_point_reply_is_one_comment(shoggoth):
    reply = post_starting(shoggoth, "Yeah, I realize that the whole")
    assert reply.quote.startswith("I’m a little wary of that dichotomy")
    assert shoggoth.parent_of(reply).body.startswith("Yes, I think it is fair")
    for passage in (
        "> I would consider it major progress",
        "> given a long context window",
        "> Since the world-model-consultation",
        "> Is this planning?",
    ):
        assert f"\n\n{passage}" in reply.body
    assert "\n\nI would not." in reply.body and "\n\nTrue. All that" in reply.body


def test_shoggoth_line_repeated_once_inside_the_first_rendering_is_a_quote(shoggoth):
    reply = post_starting(shoggoth, "Yeah, I realize that the whole")
    at = reply.body.index("> Since the world-model-consultation is only selected")
    assert reply.body.index("I would argue that in the LLM case") > at


def test_shoggoth_agree_shown_only_by_the_second_rendering_answers_the_omitted_quote(shoggoth):
    # Line 65 follows the copy of line 35; the first rendering continues with line 36,
    # a quotation the second rendering leaves out, so "Agree." answers it, last in the
    # point-by-point reply.
    reply = post_starting(shoggoth, "Yeah, I realize that the whole")
    assert reply.body.endswith(
        "> Input-output type signatures do not tell us much about the "
        "simplicity or complexity of calculations within. “It’s just "
        "circuits” but large circuits can implement some pretty "
        "sophisticated algorithms. Big NNs do not equal big lookup "
        "tables.\n\nAgree."
    )


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
