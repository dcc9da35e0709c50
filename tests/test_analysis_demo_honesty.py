"""The honesty rules of the map, asserted on the three demo debates imported through the
import service, as they are and after readers vote and a moderator tags a post:

1. common ground has >= 3 supporters besides the author (and a majority per group);
2. no question is a crux;
3. no post carries badges that contradict (crux + common ground, common ground + open);
4. the importer's placeholder opening post is never cited (map, panel, summary);
5. a quality/fallacy-tagged post is never common ground or a group's representative.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import make_user
from threads.analysis.cruxes import looks_like_question
from threads.models import Post, PostTag, Tag
from threads.queries.analysis import PRAISE_TAGS
from threads.services import analysis as analysis_service
from threads.services import moderation, voting
from threads.services.importing import import_text

DEMO = Path(__file__).resolve().parents[1] / "threads" / "demo"
MANIFEST = json.loads((DEMO / "manifest.json").read_text())


def import_demo(entry):
    text = (DEMO / entry["file"]).read_text()
    thread, _ = import_text(text, fmt=entry["format"], title=entry["title"])
    return thread


def cited_posts(analysis) -> dict[str, set[int]]:
    """What the map and the panel cite. (summary.json itself is the summaries' own;
    the panel filters its extracts, so a placeholder never reaches a reader.)"""
    m, panel = analysis.map, analysis.panel
    camps = [e for g in panel["groups"] for e in [*g["sentences"], *g["representative"]]]
    return {
        "map": {c["post"] for c in m["consensus"]}
        | {c["post"] for c in m["cruxes"]}
        | {o["post"] for o in m["open"]}
        | {r["post"] for g in m["groups"] for r in g["representative"]}
        | {b["post"] for b in m["bridging"]},
        "panel": {c["post"] for c in panel["consensus"]}
        | {c["post"] for c in panel["cruxes"]}
        | {o["post"] for o in panel["open"]}
        | {e["post"] for e in panel["brief"]}
        | {e["post"] for e in panel["common_ground"]}
        | {e["post"] for e in camps}
        | {int(p) for p in json.loads(panel["markers_json"])},
        "argument map labels": {
            n["post"] for n in panel["argument_map"]["nodes"] if n.get("excerpt")
        },
    }


def assert_honest(thread, analysis):
    posts = {p.pk: p for p in Post.objects.filter(thread=thread)}
    m = analysis.map
    authors = {pk: p.author.username for pk, p in posts.items()}
    groups = len(m["groups"])
    for item in m["consensus"]:
        supporters = set(item["supporters"])
        assert len(supporters) >= 3 and authors[item["post"]] not in supporters
    for crux in m["cruxes"]:
        post = posts[crux["post"]]
        assert not looks_like_question(post.role, post.body_text), post.body_text[:80]
    crux_ids = {c["post"] for c in m["cruxes"]}
    common = {c["post"] for c in m["consensus"]}
    open_ids = {o["post"] for o in m["open"]}
    assert not crux_ids & common and not common & open_ids
    for badges in json.loads(analysis.panel["markers_json"]).values():
        assert len({"crux", "common ground", "open objection"} & set(badges)) <= 1 or (
            "common ground" not in badges
        )
    placeholders = {pk for pk, p in posts.items() if p.is_placeholder}
    for where, cited in cited_posts(analysis).items():
        assert not cited & placeholders, where
    flagged = set(
        PostTag.objects.filter(post__thread=thread, tag__kind=Tag.Kind.QUALITY)
        .exclude(tag__slug__in=PRAISE_TAGS)
        .values_list("post_id", flat=True)
    )
    assert not common & flagged
    assert not {r["post"] for g in m["groups"] for r in g["representative"]} & flagged
    for group in m["groups"]:
        assert 0 <= group["stability"] <= 1
        if groups > 1:
            assert group["stability"] >= m["algorithm"]["params"]["min_group_stability"]
    assert {"stated_stances", "implied_stances", "groups_reason"} <= set(m["evidence"])


@pytest.mark.django_db
@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_demo_debate_maps_claim_nothing_without_evidence(entry, settings):
    settings.CRUX_ANALYSE_ON_COMMIT = False
    thread = import_demo(entry)
    analysis = analysis_service.run_analysis(thread.pk, force=True)
    assert_honest(thread, analysis)
    # Imported without votes: nobody but authors has a stance, so there is no common
    # ground and no representative post to claim, and the panel says why.
    assert analysis.map["consensus"] == []
    assert analysis.panel["notes"]["consensus"]


@pytest.mark.django_db
@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_demo_debate_maps_stay_honest_once_readers_vote_and_a_moderator_tags(entry, settings):
    settings.CRUX_ANALYSE_ON_COMMIT = False
    thread = import_demo(entry)
    posts = list(Post.objects.filter(thread=thread, is_placeholder=False).order_by("path"))
    questions = [p for p in posts if looks_like_question(p.role, p.body_text)]
    claims = [p for p in posts if p not in questions]
    tagged, agreed = claims[-1], claims[0]
    moderator = make_user("mod", moderator=True)
    moderation.tag_post(moderator=moderator, post=tagged, tag=Tag.objects.get(slug="ad-hominem"))
    # Two camps of readers: both agree with `agreed` and with the tagged post (which
    # would make both common ground), and they split on every other claim and question.
    readers = [make_user(f"reader{i}") for i in range(10)]
    for i, reader in enumerate(readers):
        side = 1 if i < 5 else -1
        for post in posts:
            if post.author_id == reader.pk:
                continue
            value = 1 if post in (agreed, tagged) else side * (1 if post.pk % 2 else -1)
            voting.cast_vote(user=reader, post=post, axis="agree", value=value)
    placeholder = Post.objects.filter(thread=thread, is_placeholder=True).first()
    if placeholder is not None:
        for reader in readers:
            voting.cast_vote(user=reader, post=placeholder, axis="agree", value=1)
    analysis = analysis_service.run_analysis(thread.pk, force=True)
    assert_honest(thread, analysis)
    common = {c["post"] for c in analysis.map["consensus"]}
    if agreed.pk != tagged.pk and agreed.author.username not in {r.username for r in readers}:
        assert agreed.pk in common
    assert tagged.pk not in common
    crux_ids = {c["post"] for c in analysis.map["cruxes"]}
    assert not crux_ids & {q.pk for q in questions}
