"""Invariants every imported sample must keep: a valid tree, quotes that occur in their
parents, and no paragraph of the input lost or shown twice."""

import json
import re
from pathlib import Path

import pytest

from threads.importers import detect_format, load_dump, parse_dump

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).resolve().parents[2] / "threads" / "demo"  # the demo debates
RAW_SAMPLES = {
    "motte-ai-scientist.txt": "motte",
    "lesswrong-predictor-vs-agent.txt": "lesswrong",
    "lesswrong-shoggoth-agency.txt": "lesswrong",
}
# Site chrome and header fields of the samples, read off the files by hand.
HEADER_LINES = {
    "site banner",
    "Danger, AI Scientist, Danger",
    "thezvi.wordpress.com",
    "9",
    "Jump in the discussion.",
    "No email address required.",
}


def _loose(text):
    """An independent, looser normalisation than the importer's, for the checks below."""
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d\u2026", "''\"\"."))
    return re.sub(r"\s+", "", text).lower().strip("\"'>.,;:!?*()-")


def _input_paragraphs(name):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    if RAW_SAMPLES[name] == "motte":
        pieces = [p.strip() for p in re.split(r"\n\s*\n", text)]
    else:
        pieces = [line.strip() for line in text.split("\n")]
    content = []
    for piece in pieces:
        kept = [line for line in piece.split("\n") if line.strip() not in HEADER_LINES]
        if any(line.strip() for line in kept):
            content.append("\n".join(kept))
    return content


@pytest.fixture(params=sorted(RAW_SAMPLES), ids=lambda name: name.removesuffix(".txt"))
def sample(request):
    return request.param, load_dump(SAMPLES / request.param)


def test_samples_are_detected_as_their_kind():
    for name, kind in RAW_SAMPLES.items():
        assert detect_format((SAMPLES / name).read_text(encoding="utf-8")) == kind
    assert detect_format((DATA / "kialo-frontier-pause.txt").read_text()) == "kialo"


def test_sample_tree_is_valid(sample):
    _, debate = sample
    assert debate.problems() == []
    seen = {0}
    for post in debate.posts:
        parent = 0 if post.parent_key is None else post.parent_key
        assert parent in seen, "a parent must precede its child"
        seen.add(post.key)


def test_every_quote_occurs_verbatim_in_its_parent(sample):
    _, debate = sample
    quoted = [p for p in debate.posts if p.quote]
    assert quoted
    for post in quoted:
        assert post.quote in debate.parent_of(post).body


def test_paragraph_accounting_balances(sample):
    _, debate = sample
    report = debate.report
    assert report.paragraphs_in == report.paragraphs_out
    assert report.dropped == []


def test_every_input_paragraph_lands_in_exactly_one_post(sample):
    """Checked independently of the importer's own accounting."""
    name, debate = sample
    homes = {}
    quotes = []
    for post in [debate.opening, *debate.posts]:
        for paragraph in re.split(r"\n\s*\n", post.body):
            if paragraph.startswith(">"):  # a passage quoted from another post
                quotes.append(_loose(paragraph))
            else:
                homes.setdefault(_loose(paragraph), set()).add(post.key)
        if post.quote:
            quotes.append(_loose(post.quote))
    for paragraph in _input_paragraphs(name):
        key = _loose(paragraph)
        owners = homes.get(key, set())
        assert len(owners) <= 1, f"shown in several posts: {paragraph[:60]}"
        if not owners:
            assert any(key in quote for quote in quotes), f"lost: {paragraph[:60]}"


def test_authors_are_one_obvious_placeholder_per_post(sample):
    _, debate = sample
    authors = [p.author for p in [debate.opening, *debate.posts]]
    assert len(set(authors)) == len(authors)
    assert all(a.startswith("imported-") for a in authors)
    assert all(p.role_inferred for p in debate.posts)
    assert not debate.opening.role_inferred and debate.opening.role == "claim"


def test_report_ends_in_one_json_object(sample):
    _, debate = sample
    lines = [*debate.report.summary_lines(), debate.report.json_line(thread=7)]
    last = json.loads(lines[-1])
    for field in (
        "thread",
        "posts",
        "duplicates_dropped",
        "attached_by_quote",
        "paragraphs_in",
        "paragraphs_out",
    ):
        assert field in last
    assert last["thread"] == 7
    assert last["posts"] == len(debate.posts) + 1


def test_title_option_overrides_the_dump(sample):
    name, _ = sample
    debate = parse_dump((SAMPLES / name).read_text(encoding="utf-8"), title="My title")
    assert debate.title == "My title"


def test_forcing_the_format_gives_the_same_result(sample):
    name, debate = sample
    forced = parse_dump((SAMPLES / name).read_text(encoding="utf-8"), fmt=RAW_SAMPLES[name])
    assert forced == debate


def test_sample_converts_to_a_valid_thread_record(sample):
    """The contract with the writing half (threads/importers/records.py)."""
    from threads.importers.records import check_record, record_from_parsed

    _, debate = sample
    record = record_from_parsed(debate)
    check_record(record)
    assert len(record.posts) == len(debate.posts) + 1
