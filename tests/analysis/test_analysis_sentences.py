"""Sentence splitting of forum prose."""

import pytest

from threads.analysis.sentences import sentence_spans, split_sentences


def sentences(text):
    return [text[a:b] for a, b in sentence_spans(text)]


def test_plain_sentences_split_on_full_stops_questions_and_exclamations():
    assert sentences("It predicts text. Does it plan? It does not!") == [
        "It predicts text.",
        "Does it plan?",
        "It does not!",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. Army trains models on drones today.",
        "Some labs, e.g. Anthropic, publish their evaluations.",
        "Labs disagree, i.e. they publish different numbers.",
        "Mr. Smith and Dr. Jones wrote the paper together.",
        "The model scored 3.5 points higher than GPT 4.0 did.",
        "J. Smith argued this at length in the original essay.",
        "Read Bostrom, cf. Hanson, and Yudkowsky vs. Hanson for both sides.",
    ],
)
def test_abbreviations_initials_and_decimals_do_not_end_sentences(text):
    assert sentences(text) == [text]


def test_quotes_and_brackets_after_the_stop_stay_with_their_sentence():
    text = 'He wrote "Stop training." Then nothing happened. (This was a test.) Fine by me.'
    assert sentences(text) == [
        'He wrote "Stop training."',
        "Then nothing happened.",
        "(This was a test.)",
        "Fine by me.",
    ]


def test_a_question_inside_quotes_followed_by_lowercase_does_not_split():
    text = '"Can it lie?" she asked the panel. It can.'
    assert sentences(text) == ['"Can it lie?" she asked the panel.', "It can."]


def test_footnote_markers_are_dropped_from_the_end_of_a_sentence():
    text = "Alignment looks tractable.[[1]] Others disagree strongly.[2] See below."
    assert sentences(text) == [
        "Alignment looks tractable.",
        "Others disagree strongly.",
        "See below.",
    ]


def test_list_items_are_sentences_without_their_markers():
    text = (
        "The argument goes like this:\n\n"
        "  1. Assume some ML system with a loss function\n"
        "  2. Find the lowest loss you can prove\n"
        "- Assume the system reaches it\n"
        "* Describe the world at that loss"
    )
    assert sentences(text) == [
        "The argument goes like this:",
        "Assume some ML system with a loss function",
        "Find the lowest loss you can prove",
        "Assume the system reaches it",
        "Describe the world at that loss",
    ]


def test_paragraphs_end_sentences_even_without_punctuation():
    text = "The AI Pause Debate\n\nWe are not sure how well RLHF works."
    assert sentences(text) == ["The AI Pause Debate", "We are not sure how well RLHF works."]


def test_fragments_under_four_words_are_dropped():
    text = "Agree. Well put. Fair. This is a sentence with content."
    assert split_sentences(text) == ["This is a sentence with content."]


def test_every_span_is_a_verbatim_slice():
    text = "Its name is Sakana AI. (魚≈סכנה). As in, in hebrew, that means ‘danger’, baby…  Really?"
    for a, b in sentence_spans(text):
        assert text[a:b] == text[a:b].strip()
        assert text[a:b] in text
    assert sentences(text)[0] == "Its name is Sakana AI."


def test_an_ellipsis_before_lowercase_continues_the_sentence():
    text = "...surely you can see the problem here. Specially the reviewer."
    assert sentences(text) == [
        "...surely you can see the problem here.",
        "Specially the reviewer.",
    ]
