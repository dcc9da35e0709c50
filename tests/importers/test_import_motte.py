"""The Motte sample, with replies whose parents were checked by reading the file."""

from tests.factories import DEMO_DUMPS, dump_fixture, post_starting

debate = dump_fixture("debate", DEMO_DUMPS / "motte-ai-scientist.txt")


def _parent_body(debate, post):
    return debate.parent_of(post).body


def test_header_becomes_title_link_and_opening_post(debate):
    assert debate.source_format == "motte"
    assert debate.title == "Danger, AI Scientist, Danger"
    assert debate.link == "https://thezvi.wordpress.com"
    assert debate.opening.body.startswith("Zvi Mowshowitz reporting on an LLM")
    assert "site banner" not in debate.opening.body
    for chrome in ("site banner", "9", "Jump in the discussion.", "No email address required."):
        assert chrome in debate.report.chrome


def test_report_numbers(debate):
    report = debate.report
    assert report.comments == 29
    # Every repeated paragraph in this file is a reply quoting a whole paragraph
    # ("It's Japanese. …" is quoted in full by the "Zvi is very Jewish" reply), so
    # there is no second rendering to drop.
    assert report.duplicates_dropped == 0
    assert report.attached_by_quote == 18
    assert report.attached_by_position == 10
    assert report.top_level == 1
    assert report.paragraphs_in == report.paragraphs_out == 112


def test_whole_paragraph_quote_is_a_reply_not_a_duplicate(debate):
    reply = post_starting(debate, "Zvi is very Jewish; it's far more obvious")
    assert reply.quote.startswith("It's Japanese. It means 'fish'")
    assert _parent_body(debate, reply).startswith("Its name is Sakana AI.")


def test_fragment_quote_attaches_to_the_comment_it_was_cut_from(debate):
    reply = post_starting(debate, "Being a Jew is not an excuse")
    assert reply.quote == "Zvi is very Jewish;"
    assert _parent_body(debate, reply).startswith("Zvi is very Jewish; it's far more obvious")


def test_rebuttal_of_the_first_comment(debate):
    reply = next(p for p in debate.posts if "Um, he didn't say that" in p.body)
    assert "> The idea that an LLM is spontaneously going to develop" in reply.body
    assert _parent_body(debate, reply).startswith("Its name is Sakana AI.")


def test_quote_with_the_quoters_own_full_stop_is_matched_without_it(debate):
    reply = post_starting(debate, "Yes, absolutely correct.")
    # The second passage it answers, quoted with the quoter's own full stop, stays in
    # the same reply (one reply answering two passages of its parent in turn).
    assert (
        "\n\n> Those goals are then almost invariably, with sufficient intelligence, "
        "subject to instrumental convergence.\n\n...and this is this is where everything"
    ) in reply.body
    assert "To more directly respond to this sentence" in _parent_body(debate, reply)


def test_quote_spanning_three_paragraphs(debate):
    reply = post_starting(debate, "Sorry, I think I might have misunderstood")
    assert reply.quote.startswith("It's interesting but I absolutely think he's gesturing at")
    assert reply.quote.endswith("because if he doesn't believe this, why worry?")
    assert reply.quote.count("\n\n") == 2
    assert _parent_body(debate, reply).startswith("Though cogently written")


def test_quotation_led_into_by_the_previous_sentence_stays_in_its_comment(debate):
    post = post_starting(debate, "Though cogently written")
    assert "he's gesturing at\n\nThe idea that an LLM is spontaneously" in post.body
    assert "because if he doesn't believe this, why worry?" in post.body


def test_shortened_quote_matches_its_first_part_and_keeps_the_rest(debate):
    reply = next(p for p in debate.posts if "I know, I'm an AI researcher" in p.body)
    assert reply.quote.startswith("The basic idea of neural nets is that they achieve things")
    assert reply.body.startswith("> The basic idea of neural nets")  # nothing lost
    assert _parent_body(debate, reply).startswith("Ah, sorry, I thought this part")


def test_agreement_opener_starts_a_reply(debate):
    reply = post_starting(debate, "Well put.")
    assert reply.role == "support"
    assert _parent_body(debate, reply).startswith('The term "instrumental convergence"')


def test_granting_one_passage_and_rebutting_the_next_is_a_rebuttal(debate):
    reply = post_starting(debate, "Yes, absolutely correct.")
    assert reply.role == "rebuttal"  # "…this is where everything starts to go off the rails"
    assert reply.quote.startswith("To more directly respond to this sentence")
