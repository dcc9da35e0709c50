"""Kialo's text outline, cross-checked against arguebuf's own Kialo reader."""

import io
import re
from collections import Counter
from pathlib import Path

import arguebuf
import pytest

from threads.importers import DumpError, detect_format, load_dump, parse_dump

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "kialo-frontier-pause.txt"


@pytest.fixture(scope="module")
def debate():
    return load_dump(SAMPLE)


@pytest.fixture(scope="module")
def graph():
    with SAMPLE.open(encoding="utf-8") as handle:
        return arguebuf.load.kialo(handle)


def _kialo_number(post):
    return re.match(r"Kialo ((?:\d+\.)+)", post.note).group(1)


def test_thesis_is_the_opening_post(debate):
    assert debate.source_format == "kialo"
    assert debate.title.startswith("Should frontier AI labs pause training runs")
    assert debate.opening.body.startswith("Frontier AI labs should pause training runs")
    assert debate.problems() == []


def test_pro_is_support_and_con_is_rebuttal_as_stated(debate):
    first = debate.posts[0]
    assert first.body.startswith("Nobody can currently verify") and first.role == "support"
    second = debate.posts[1]
    assert second.body.startswith("Interpretability is improving") and second.role == "rebuttal"
    assert second.parent_key == first.key
    assert not any(p.role_inferred for p in debate.posts)
    assert {p.author for p in debate.posts} == {"imported-kialo"}
    assert debate.report.roles_inferred == {}


def test_wrapped_claim_continues_on_the_next_line(debate):
    post = next(p for p in debate.posts if _kialo_number(p) == "1.2.1.1.")
    assert post.body.endswith("lowers the compute needed every year.")


def test_see_link_becomes_a_note_not_a_post(debate):
    assert debate.report.links == 1
    assert not any("-> See" in p.body for p in debate.posts)
    target = next(p for p in debate.posts if _kialo_number(p) == "1.3.")
    referenced = next(p for p in debate.posts if _kialo_number(p) == "1.1.2.")
    assert f"claim 1.1.2. (post {referenced.key}) also argues against this" in target.note


def test_counts_match_arguebuf(debate, graph):
    assert graph.name == debate.title
    assert graph.major_claim.plain_text == debate.opening.body
    # arguebuf: one atom per claim; one scheme per Pro/Con line, links included.
    assert len(graph.atom_nodes) == 1 + len(debate.posts)
    schemes = Counter(type(s.scheme).__name__ for s in graph.scheme_nodes.values())
    roles = Counter(p.role for p in debate.posts)
    assert schemes["Support"] == roles["support"]
    assert schemes["Attack"] == roles["rebuttal"] + debate.report.links
    assert debate.report.paragraphs_in == debate.report.paragraphs_out == len(graph.atom_nodes)


def test_parents_match_arguebuf(debate, graph):
    number_of = {p.key: _kialo_number(p) for p in debate.posts}
    number_of[None] = "1."
    for post in debate.posts:
        atom = graph.atom_nodes[number_of[post.key]]
        targets = {
            target.id
            for scheme in graph.outgoing_nodes(atom)
            for target in graph.outgoing_nodes(scheme)
        }
        assert number_of[post.parent_key] in targets
        assert atom.plain_text == post.body


def test_outline_without_title_line_is_detected_and_titled_from_the_thesis():
    text = "1. Misaligned AI is the main risk this century.\n1.1. Con: Pandemics are likelier.\n"
    assert detect_format(text) == "kialo"
    debate = parse_dump(text)
    assert debate.title == "Misaligned AI is the main risk this century."
    assert debate.posts[0].role == "rebuttal" and debate.posts[0].parent_key is None


def test_claim_before_its_parent_is_a_clear_error():
    text = "Discussion Title: T\n\n1. Thesis.\n1.2.1. Pro: Orphan.\n"
    with pytest.raises(DumpError, match=r"line 4: claim 1\.2\.1\. comes before its parent"):
        parse_dump(text, fmt="kialo")


def test_duplicate_number_is_a_clear_error():
    text = "1. Thesis.\n1.1. Pro: A.\n1.1. Con: B.\n"
    with pytest.raises(DumpError, match="appears twice"):
        parse_dump(text, fmt="kialo")


def test_text_that_is_not_an_outline_is_refused_when_kialo_is_forced():
    with pytest.raises(DumpError, match="expected 'Discussion Title"):
        parse_dump("Hello there.\nNot an outline.\n", fmt="kialo")


def test_arguebuf_reads_our_sample_without_errors():
    # The sample follows Kialo's real layout closely enough for a third-party reader.
    graph = arguebuf.load.kialo(io.StringIO(SAMPLE.read_text(encoding="utf-8")))
    assert graph.major_claim is not None
