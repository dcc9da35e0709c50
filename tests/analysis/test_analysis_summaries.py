"""Summaries: cited, verbatim, free of near-repeats and of quoted words.

The realistic debate is tests/analysis/data/motte_debate.json: paragraphs of a public
Motte thread copied verbatim, with roles, quotes and agreement votes assigned so two
camps form.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from threads.analysis.changes import summary_changes
from threads.analysis.lexrank import tfidf_vectors
from threads.analysis.snapshot import PostInput, ThreadSnapshot
from threads.analysis.summaries import own_sentences, summarize_thread
from threads.analysis.thread_map import analyze_thread

DATA = Path(__file__).parent / "data"


def load_debate(name="motte_debate.json"):
    raw = json.loads((DATA / name).read_text(encoding="utf-8"))
    people = sorted({who for who, _, _ in raw["votes"]})
    return ThreadSnapshot(
        thread_id=raw["thread_id"],
        root=raw["root"],
        posts=tuple(PostInput(**p) for p in raw["posts"]),
        participants=tuple(people),
        vote_participant=np.array([people.index(w) for w, _, _ in raw["votes"]], dtype=np.int32),
        vote_post=np.array([p for _, p, _ in raw["votes"]], dtype=np.int64),
        vote_value=np.array([v for _, _, v in raw["votes"]], dtype=np.int8),
    )


@pytest.fixture(scope="module")
def debate():
    snapshot = load_debate()
    thread_map = analyze_thread(snapshot)
    return snapshot, thread_map, summarize_thread(snapshot, thread_map)


def extracts(summary):
    """(section, text, post) of every quoted sentence."""
    data = summary.to_json()
    found = [("brief", e["text"], e["post"]) for e in data["brief"]]
    for camp in data["groups"]:
        found += [(f"group {camp['group']}", e["text"], e["post"]) for e in camp["sentences"]]
    for crux in data["cruxes"]:
        if crux["text"] is not None:
            found.append((f"crux {crux['post']}", crux["text"], crux["post"]))
        for side in ("support", "rebuttal"):
            if crux[side]:
                found.append((f"crux {crux['post']}", crux[side]["text"], crux[side]["post"]))
    found += [("common_ground", e["text"], e["post"]) for e in data["common_ground"]]
    found += [("open", e["text"], e["post"]) for e in data["open"]]
    return found


def test_the_realistic_debate_is_summarised(debate):
    _, thread_map, summary = debate
    data = summary.to_json()
    assert data["status"] == "ok" and data["reason"] is None
    assert 5 <= len(data["brief"]) <= 8
    assert data["cruxes"] and data["common_ground"] and data["open"]
    assert set(data) == {
        "status",
        "reason",
        "brief",
        "groups",
        "cruxes",
        "common_ground",
        "open",
        "timings",
    }
    assert len(thread_map.groups) == 2


def test_every_extract_is_verbatim_text_of_the_post_it_cites(debate):
    snapshot, _, summary = debate
    text_of = {post.id: post.text for post in snapshot.posts}
    found = extracts(summary)
    assert len(found) > 15
    for section, text, post in found:
        assert text in text_of[post], (section, text, post)


def test_no_section_holds_two_near_repeats(debate):
    snapshot, _, summary = debate
    texts = own_sentences(snapshot.posts, 4).texts
    vectors = tfidf_vectors(texts)
    index = {text: i for i, text in enumerate(texts)}
    sections = {}
    for section, text, _ in extracts(summary):
        if not section.startswith("crux"):
            sections.setdefault(section, []).append(index[text])
    for section, rows in sections.items():
        similarity = (vectors[rows] @ vectors[rows].T).toarray()
        np.fill_diagonal(similarity, 0)
        assert similarity.max(initial=0) < 0.8, section


def test_near_repeated_sentences_are_shown_once():
    # Five replies make the same point in the same words; the brief shows it once and
    # is shorter rather than padded with the repeats.
    repeated = "Instrumental convergence means a capable agent will seek power and resources"
    posts = [PostInput(1, None, "op", "claim", "AI systems become dangerous once they act.")]
    for i in range(2, 7):
        posts.append(PostInput(i, 1, f"u{i}", "support", f"{repeated} in case {i}."))
    posts += [
        PostInput(7, 1, "x", "rebuttal", "Language models only predict the next token."),
        PostInput(8, 1, "y", "question", "What would count as evidence of planning here?"),
    ]
    snapshot = ThreadSnapshot(1, 1, tuple(posts))
    summary = summarize_thread(snapshot, analyze_thread(snapshot))
    brief = [e.text for e in summary.brief]
    assert sum(repeated in text for text in brief) == 1
    assert len(brief) == 4


def test_every_group_with_three_members_gets_a_section(debate):
    _, thread_map, summary = debate
    expected = [g.id for g in thread_map.groups if g.size >= 3]
    data = summary.to_json()
    assert [camp["group"] for camp in data["groups"]] == expected
    for camp in data["groups"]:
        assert 2 <= len(camp["sentences"]) <= 4
        assert len(camp["agree_shares"]) == len(camp["sentences"])
        assert all(share > 0.5 for share in camp["agree_shares"])
    assert sum(camp["share"] for camp in data["groups"]) == pytest.approx(1.0, abs=1e-3)


def test_camp_sections_quote_what_the_camp_agrees_with(debate):
    _, thread_map, summary = debate
    for camp, group in zip(summary.groups, thread_map.groups, strict=True):
        agreed = {post for post, _ in group.agreed_posts}
        assert {e.post for e in camp.sentences} <= agreed


def test_top_cruxes_get_their_strongest_support_and_rebuttal(debate):
    snapshot, thread_map, summary = debate
    sentences = own_sentences(snapshot.posts, 4)
    for crux, section in zip(thread_map.cruxes[:3], summary.cruxes, strict=False):
        assert section.post == crux.post
        for side, roles in (("support", {"support", "concession"}), ("rebuttal", {"rebuttal"})):
            replies = [
                p
                for p in snapshot.posts
                if p.parent == crux.post
                and p.role in roles
                and not p.removed
                and sentences.by_post.get(p.id)
            ]
            chosen = getattr(section, side)
            if not replies:
                assert chosen is None
                continue
            strongest = max(replies, key=lambda p: (thread_map.strength[p.id], -p.id))
            assert chosen is not None and chosen.post == strongest.id
    assert len(summary.cruxes) == min(3, len(thread_map.cruxes))


def test_the_strongest_of_several_rebuttals_is_shown():
    posts = (
        PostInput(1, None, "op", "claim", "Advanced AI poses a serious risk to humanity."),
        PostInput(2, 1, "op", "support", "Scaling alone will produce agents that plan ahead."),
        PostInput(3, 2, "a", "rebuttal", "Prediction objectives give no reason to plan ahead."),
        PostInput(4, 2, "b", "rebuttal", "Nobody has ever trained a network of any size."),
        PostInput(5, 2, "c", "support", "Chess engines plan, and they were only scaled up."),
    )
    people = [f"v{i}" for i in range(12)]
    # Post 2 splits the camps the way the root does: the crux. Everybody agrees with
    # rebuttal 3 and rejects rebuttal 4, so 3 is the strongest rebuttal.
    votes = [(i, 1, 1 if i < 6 else -1) for i in range(12)]
    votes += [(i, 2, 1 if i < 6 else -1) for i in range(12)]
    votes += [(i, 3, 1) for i in range(12)] + [(i, 4, -1) for i in range(12)]
    votes += [(i, 5, 1 if i % 2 else -1) for i in range(12)]
    snapshot = ThreadSnapshot(
        1,
        1,
        posts,
        tuple(people),
        np.array([w for w, _, _ in votes]),
        np.array([p for _, p, _ in votes]),
        np.array([v for _, _, v in votes]),
    )
    thread_map = analyze_thread(snapshot)
    assert thread_map.cruxes[0].post == 2
    assert thread_map.strength[3] > thread_map.strength[4]
    crux = summarize_thread(snapshot, thread_map).cruxes[0]
    assert crux.post == 2
    assert crux.text == "Scaling alone will produce agents that plan ahead."
    assert crux.rebuttal.post == 3
    assert crux.rebuttal.text == "Prediction objectives give no reason to plan ahead."
    assert crux.support.post == 5


def test_quoted_words_of_the_parent_are_never_the_replys_own_sentence(debate):
    snapshot, _, summary = debate
    by_id = {p.id: p for p in snapshot.posts}
    quoted_replies = [p for p in snapshot.posts if p.quote]
    assert quoted_replies  # the fixture quotes, as the forum does
    sentences = own_sentences(snapshot.posts, 4)
    for reply in quoted_replies:
        for i in sentences.by_post.get(reply.id, []):
            text = sentences.texts[i]
            assert text not in reply.quote
            assert text not in by_id[reply.parent].text
    for _, text, post in extracts(summary):
        parent = by_id[post].parent
        assert text not in by_id[post].quote
        if parent is not None:
            assert text not in by_id[parent].text


def test_a_quoting_reply_is_cited_for_its_answer_not_the_quote():
    quote = "LLMs are matrices that generate words when multiplied in a certain way."
    posts = (
        PostInput(1, None, "a", "claim", f"{quote} Nothing in there wants anything at all."),
        PostInput(
            2,
            1,
            "b",
            "rebuttal",
            f"{quote}\n\nBrains are cells that fire when stimulated in a certain way.",
            quote=quote,
        ),
        PostInput(3, 1, "c", "comment", "The matrices are the weights of a trained network."),
        PostInput(4, 2, "d", "support", "Calling it matrices does not settle what it does."),
    )
    snapshot = ThreadSnapshot(1, 1, posts)
    summary = summarize_thread(snapshot, analyze_thread(snapshot))
    cited = {(e.text, e.post) for e in summary.brief}
    assert (quote, 2) not in cited
    assert (quote, 1) in cited  # the words belong to the post that wrote them
    assert ("Brains are cells that fire when stimulated in a certain way.", 2) in cited


def test_summaries_are_deterministic(debate):
    snapshot, thread_map, summary = debate
    again = summarize_thread(snapshot, analyze_thread(snapshot)).to_json()
    first = summary.to_json()
    first.pop("timings")
    again.pop("timings")
    assert first == again


def test_open_items_follow_the_map_order_and_questions_show_a_question(debate):
    _, thread_map, summary = debate
    assert [o.post for o in summary.open] == [
        item.post for item in thread_map.open if item.post in {o.post for o in summary.open}
    ]
    for item in summary.open:
        if item.kind == "unanswered_question":
            assert item.text.endswith("?")


def test_common_ground_is_one_sentence_per_consensus_post(debate):
    _, thread_map, summary = debate
    posts = [e.post for e in summary.common_ground]
    assert posts == [c.post for c in thread_map.consensus][: len(posts)]
    assert len(set(posts)) == len(posts)


def test_a_thread_with_too_little_text_says_so_instead_of_padding():
    posts = (
        PostInput(1, None, "a", "claim", "AI is risky. Very."),
        PostInput(2, 1, "b", "rebuttal", "No it is not."),
        PostInput(3, 1, "c", "concession", "Agree."),
    )
    snapshot = ThreadSnapshot(1, 1, posts)
    data = summarize_thread(snapshot, analyze_thread(snapshot)).to_json()
    assert data["status"] == "too_little"
    assert "sentence" in data["reason"]
    assert data["brief"] == [] and data["groups"] == [] and data["cruxes"] == []


def test_a_thread_with_one_participant_says_so():
    text = "First point about agency here. Second point about goals here."
    posts = tuple(
        PostInput(i, None if i == 1 else 1, "solo", "claim" if i == 1 else "comment", text)
        for i in range(1, 5)
    )
    snapshot = ThreadSnapshot(1, 1, posts)
    data = summarize_thread(snapshot, analyze_thread(snapshot)).to_json()
    assert data["status"] == "too_little"
    assert "one person" in data["reason"].lower()


def test_changes_since_last_visit():
    old = {
        "groups": [
            {"id": "A", "size": 10, "members": [f"a{i}" for i in range(10)]},
            {"id": "B", "size": 6, "members": [f"b{i}" for i in range(6)]},
        ],
        "cruxes": [{"post": 5}],
        "open": [{"post": 7, "kind": "unanswered_question"}, {"post": 8, "kind": "x"}],
    }
    new = {
        # The B camp grew past A and took the letter A.
        "groups": [
            {"id": "A", "size": 12, "members": [f"b{i}" for i in range(12)]},
            {"id": "B", "size": 9, "members": [f"a{i}" for i in range(9)]},
            {"id": "C", "size": 3, "members": ["n1", "n2", "n3"]},
        ],
        "cruxes": [{"post": 5}, {"post": 11}],
        "open": [{"post": 8, "kind": "x"}, {"post": 12, "kind": "unanswered_claim"}],
    }
    changes = summary_changes(old, new).to_json()
    assert changes["new_cruxes"] == [11]
    assert changes["answered"] == [7]
    assert changes["groups"] == [
        {"group": "A", "was": "B", "size": 12, "previous_size": 6, "change": "grew"},
        {"group": "B", "was": "A", "size": 9, "previous_size": 10, "change": "shrank"},
        {"group": "C", "was": None, "size": 3, "previous_size": 0, "change": "new"},
    ]


def test_no_changes_on_a_first_visit_or_an_unchanged_map(debate):
    _, thread_map, _ = debate
    data = thread_map.to_json()
    assert summary_changes(None, data).to_json() == {
        "new_cruxes": [],
        "groups": [],
        "answered": [],
    }
    assert summary_changes(data, data).to_json() == {
        "new_cruxes": [],
        "groups": [],
        "answered": [],
    }


def test_changes_between_maps_stored_without_member_lists_match_groups_by_name():
    old = {"groups": [{"id": "A", "size": 4}, {"id": "B", "size": 3}], "cruxes": [], "open": []}
    new = {"groups": [{"id": "A", "size": 6}, {"id": "B", "size": 3}], "cruxes": [], "open": []}
    assert summary_changes(old, new).to_json()["groups"] == [
        {"group": "A", "was": "A", "size": 6, "previous_size": 4, "change": "grew"}
    ]


def test_no_sentence_appears_in_two_sections(debate):
    _, _, summary = debate
    texts = [text for _, text, _ in extracts(summary)]
    assert len(texts) == len(set(texts))


def test_brief_items_name_the_line_of_argument_they_stand_for(debate):
    _, _, summary = debate
    lines = [item["line"] for item in summary.to_json()["brief"]]
    assert lines[0] == "opening"
    assert set(lines) <= {
        "opening",
        "objection",
        "support",
        "reply",
        "answer",
        "concession",
        "conceded",
    }


def test_a_repeated_sentence_belongs_to_whoever_wrote_it_first_not_to_page_order():
    # Post 3 sits in an earlier branch than post 4 but was written later, repeating it.
    said = "Reward models can be gamed by any optimiser strong enough to find the gaps."
    posts = (
        PostInput(1, None, "a", "claim", "Alignment by feedback will fail at scale.", created=1),
        PostInput(2, 1, "b", "rebuttal", "Feedback has worked for every model so far.", created=2),
        PostInput(4, 1, "c", "support", f"{said} That is the whole worry.", created=3),
        PostInput(3, 2, "d", "comment", f"Worked so far, yes. {said}", created=4),
        PostInput(5, 4, "e", "rebuttal", "Nobody has shown gaming at frontier scale.", created=5),
    )
    snapshot = ThreadSnapshot(1, 1, posts)
    sentences = own_sentences(posts, 4)
    owners = {sentences.texts[i]: int(sentences.posts[i]) for i in range(len(sentences.texts))}
    assert owners[said] == 4
    cited = [
        (text, post)
        for _, text, post in extracts(summarize_thread(snapshot, analyze_thread(snapshot)))
    ]
    assert (said, 3) not in cited


def test_common_ground_items_carry_the_supporters_the_map_found(debate):
    _, thread_map, summary = debate
    backed = {c.post: list(getattr(c, "supporters", ())) for c in thread_map.consensus}
    items = summary.to_json()["common_ground"]
    assert items
    for item in items:
        assert item["supporters"] == backed[item["post"]]
