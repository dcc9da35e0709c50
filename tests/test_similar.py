"""Similar arguments while composing (issue 19): the pure finder on literals and on the
labelled paraphrase set, the JSON API and the htmx list under the forms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import (
    PLANNING,
    make_reply,
    make_thread,
    make_user,
    opening_post,
    planning_debate,
)
from threads import similar as similar_rooms
from threads.analysis.similar import Candidate, build_index, excerpt, recall_at, similar, stem
from threads.services import moderation

PARAPHRASES = Path(__file__).parent / "data" / "paraphrases.json"
HTMX = {"HTTP_HX_REQUEST": "true"}

COMPUTE = "Compute governance works because chips are physical and shipments can be tracked."
WEATHER = "The weather in Lisbon was lovely for the whole of the conference week."


@pytest.fixture(autouse=True)
def _fresh_indexes():
    similar_rooms._indexes.clear()
    yield
    similar_rooms._indexes.clear()


# --- The pure finder --------------------------------------------------------------------


def test_a_paraphrase_finds_the_post_that_makes_the_same_point_first():
    index = build_index([Candidate(1, PLANNING), Candidate(2, COMPUTE), Candidate(3, WEATHER)])
    found = similar(index, "Predicting at scale requires that the model plans for the future.")
    assert [m.id for m in found][:1] == [1]
    assert all(0 < m.score <= 1 for m in found)


def test_unrelated_or_too_short_text_finds_nothing():
    index = build_index([Candidate(1, PLANNING), Candidate(2, COMPUTE)])
    assert similar(index, "My cat enjoys sleeping on warm laptops all afternoon.") == ()
    assert similar(index, "planning") == ()
    assert similar(build_index([]), PLANNING) == ()


def test_at_most_three_matches_best_first_and_excluded_ids_left_out():
    index = build_index([Candidate(i, f"{PLANNING} Variant {i}.") for i in range(1, 8)])
    found = similar(index, PLANNING, exclude={1})
    assert len(found) == 3 and 1 not in [m.id for m in found]
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_stemming_joins_the_forms_of_a_word():
    assert stem("planning") == stem("plann") and stem("plans") == stem("plan")
    assert stem("governance") == "governance" and stem("being") == "being"


def test_excerpt_cuts_at_a_word_with_an_ellipsis():
    assert excerpt("short text") == "short text"
    cut = excerpt("word " * 100, limit=30)
    assert cut.endswith("…") and len(cut) <= 31 and "  " not in cut


def test_labelled_paraphrases_are_found_in_the_top_three():
    """Recall@3 on tests/data/paraphrases.json against every original and the demo
    debates' posts: the figure issue 19 reports (bench/bench_similar.py adds 5,000
    synthetic posts as distractors)."""
    from threads import markdown
    from threads.importers.dumps import load_dump

    pairs = [(p["original"], p["paraphrase"]) for p in json.loads(PARAPHRASES.read_text())["pairs"]]
    demo = Path(markdown.__file__).resolve().parent / "demo"
    distractors = [
        markdown.plain_text(post.body)
        for dump in sorted(demo.glob("*.txt"))
        for debate in [load_dump(dump)]
        for post in [debate.opening, *debate.posts]
    ]
    assert len(pairs) >= 40 and len(distractors) > 30
    recall = recall_at(pairs, distractors, k=3)
    print(f"\nsimilar arguments: recall@3 = {recall:.2f} on {len(pairs)} labelled pairs")
    assert recall >= 0.85


# --- The API and the lists under the forms -----------------------------------------------


@pytest.fixture
def debate(db, no_rate_limits):
    debate = planning_debate()
    compute = make_reply(debate["root"], make_user("carol"), body=COMPUTE)
    return {**debate, "compute": compute}


def test_similar_json_lists_the_thread_post_that_makes_the_point(client, debate):
    thread = debate["thread"]
    response = client.get(
        f"/api/threads/{thread.pk}/similar.json",
        {"text": "At scale, prediction forces the model to plan."},
    )
    assert response.status_code == 200
    items = response.json()["similar"]
    assert items and items[0]["post"] == debate["planning"].pk
    assert set(items[0]) == {"post", "score", "excerpt"}
    assert items[0]["excerpt"].startswith("Prediction at scale") and len(items) <= 3


def test_similar_json_leaves_out_removed_posts_and_the_parent(client, debate, moderator):
    url = f"/api/threads/{debate['thread'].pk}/similar.json"
    text = {"text": "At scale, prediction forces the model to plan."}
    excluded = client.get(url, {**text, "parent": debate["planning"].pk}).json()["similar"]
    assert debate["planning"].pk not in [item["post"] for item in excluded]
    moderation.remove_post(moderator=moderator, post=debate["planning"], reason="Spam")
    after = client.get(url, text).json()["similar"]
    assert debate["planning"].pk not in [item["post"] for item in after]


def test_a_new_post_is_found_without_waiting_for_anything(client, debate):
    url = f"/api/threads/{debate['thread'].pk}/similar.json"
    text = {"text": "Open weights let anyone remove the safety fine-tuning with a GPU."}
    assert client.get(url, text).json()["similar"] == []
    post = make_reply(
        debate["root"],
        make_user("dan"),
        body="Open-sourcing weights makes safety fine-tuning removable by anyone with a GPU.",
    )
    assert [item["post"] for item in client.get(url, text).json()["similar"]] == [post.pk]


def test_similar_json_of_an_unknown_thread_is_a_json_404(client, db):
    response = client.get("/api/threads/999999/similar.json", {"text": PLANNING})
    assert response.status_code == 404 and "error" in response.json()


def test_a_cached_query_costs_one_aggregate_query(client, debate, django_assert_num_queries):
    url = f"/api/threads/{debate['thread'].pk}/similar.json"
    client.get(url, {"text": PLANNING})
    with django_assert_num_queries(2):  # the thread exists; the posts did not change
        client.get(url, {"text": COMPUTE})


def test_new_thread_similar_json_lists_other_threads_opening_posts(client, debate):
    other = make_thread(make_user("erin"), title="Compute governance", body=COMPUTE)
    response = client.get(
        "/api/threads/new/similar.json",
        {
            "text": "Governing compute works since chips are physical objects "
            "whose shipments we can track."
        },
    )
    posts = [item["post"] for item in response.json()["similar"]]
    assert posts and posts[0] == opening_post(other).pk
    assert debate["compute"].pk not in posts  # replies are not threads


def test_the_reply_form_asks_for_similar_posts_as_you_type(client, debate):
    client.force_login(debate["bob"])
    root = debate["root"]
    form = client.get(f"/p/{root.pk}/reply/", **HTMX).content.decode()
    assert f'hx-get="/t/{debate["thread"].pk}/similar/?parent={root.pk}"' in form
    assert "delay:700ms" in form
    panel = client.get(
        f"/t/{debate['thread'].pk}/similar/",
        {"parent": root.pk, "body": "At scale, prediction forces the model to plan."},
        **HTMX,
    ).content.decode()
    assert f'href="{debate["planning"].get_absolute_url()}"' in panel
    assert "Quote it" in panel and f'href="/p/{debate["planning"].pk}/reply/"' in panel
    assert "Reply there instead" in panel


def test_the_new_thread_form_lists_similar_threads(client, debate):
    client.force_login(debate["bob"])
    assert 'hx-get="/t/new/similar/"' in client.get("/t/new/").content.decode()
    panel = client.get(
        "/t/new/similar/",
        {"title": "Will language models become agents?", "body": PLANNING + " Discuss."},
    ).content.decode()
    assert "Do language models become agents?" in panel


# --- Moderators mark duplicates; the map pools their stances ------------------------------


def test_a_moderator_marks_a_duplicate_and_the_log_says_so(debate, moderator):
    from threads.models import ModAction

    copy = make_reply(debate["root"], make_user("dan"), body="Predicting at scale forces plans.")
    assert moderation.mark_duplicate(
        moderator=moderator, post=copy, original=debate["planning"], reason="Same point"
    )
    copy.refresh_from_db()
    assert copy.duplicate_of_id == debate["planning"].pk
    entry = ModAction.objects.get(action=ModAction.Action.DUPLICATE)
    assert (entry.post_id, entry.reason, entry.details) == (
        copy.pk,
        "Same point",
        {"original": debate["planning"].pk},
    )
    assert not moderation.mark_duplicate(
        moderator=moderator, post=copy, original=debate["planning"]
    )
    assert moderation.unmark_duplicate(moderator=moderator, post=copy)
    copy.refresh_from_db()
    assert copy.duplicate_of_id is None


def test_bad_duplicate_marks_are_refused_and_change_nothing(debate, moderator):
    from django.core.exceptions import PermissionDenied, ValidationError

    other = opening_post(make_thread(make_user("erin"), title="Elsewhere", body=COMPUTE))
    planning = debate["planning"]
    cases = [
        (planning, other, "same thread"),
        (planning, planning, "cannot duplicate itself"),
        (debate["root"], planning, "opening post"),
    ]
    for post, original, message in cases:
        with pytest.raises(ValidationError, match=message):
            moderation.mark_duplicate(moderator=moderator, post=post, original=original)
    with pytest.raises(PermissionDenied):
        moderation.mark_duplicate(
            moderator=debate["bob"], post=debate["compute"], original=planning
        )
    assert not type(planning).objects.filter(duplicate_of__isnull=False).exists()


def test_the_map_counts_agreement_with_a_duplicate_as_agreement_with_the_original(
    debate, moderator
):
    from threads.queries.analysis import load_snapshot
    from threads.services import voting

    copy = make_reply(debate["root"], make_user("dan"), body="Predicting at scale forces plans.")
    fan, both = make_user("fan"), make_user("both")
    voting.cast_vote(user=fan, post=copy, axis="agree", value=1)
    voting.cast_vote(user=both, post=copy, axis="agree", value=1)
    voting.cast_vote(user=both, post=debate["planning"], axis="agree", value=-1)
    moderation.mark_duplicate(moderator=moderator, post=copy, original=debate["planning"])

    snapshot = load_snapshot(debate["thread"].pk)
    votes = {
        (snapshot.participants[p], int(post)): int(value)
        for p, post, value in zip(
            snapshot.vote_participant, snapshot.vote_post, snapshot.vote_value, strict=True
        )
    }
    planning = debate["planning"].pk
    assert votes == {("fan", planning): 1, ("both", planning): -1}  # their own vote wins
    assert copy.pk not in set(snapshot.vote_post.tolist())


def test_the_moderation_panel_marks_a_duplicate_by_post_number(client, debate, moderator):
    copy = make_reply(debate["root"], make_user("dan"), body="Predicting at scale forces plans.")
    client.force_login(moderator)
    panel = client.get(f"/moderation/posts/{copy.pk}/").content.decode()
    assert f'action="/moderation/posts/{copy.pk}/duplicate/"' in panel
    response = client.post(
        f"/moderation/posts/{copy.pk}/duplicate/",
        {"original": str(debate["planning"].pk), "reason": "Same"},
    )
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.duplicate_of_id == debate["planning"].pk
    bad = client.post(f"/moderation/posts/{copy.pk}/duplicate/", {"original": "abc"}, follow=True)
    assert "Give the number of the original post" in bad.content.decode()


def test_an_edit_is_found_by_its_new_words_and_a_vote_rebuilds_nothing(client, debate):
    from threads.services import posting, voting

    url = f"/api/threads/{debate['thread'].pk}/similar.json"
    text = {"text": "Watermarks vanish once a paraphrasing tool rewrites the output."}
    assert client.get(url, text).json()["similar"] == []
    index = similar_rooms._indexes[("thread", debate["thread"].pk)].index
    voting.cast_vote(user=make_user("fan"), post=debate["compute"], axis="agree", value=1)
    client.get(url, text)
    assert similar_rooms._indexes[("thread", debate["thread"].pk)].index is index
    posting.edit_post(
        post=debate["compute"],
        editor=debate["compute"].author,
        body="Watermarking fails: paraphrasing tools remove watermarks from the output.",
    )
    found = client.get(url, text).json()["similar"]
    assert [item["post"] for item in found] == [debate["compute"].pk]


def test_an_index_appends_new_posts_with_the_weights_it_has():
    from threads.analysis.similar import extend_index

    index = build_index([Candidate(1, PLANNING), Candidate(2, COMPUTE), Candidate(3, WEATHER)])
    added = "Chips are physical, so shipments of compute can be tracked by governance."
    bigger = extend_index(index, [Candidate(4, added)])
    assert len(bigger) == 4 and bigger.vectorizer is index.vectorizer
    assert similar(bigger, added)[0].id == 4
    assert extend_index(index, []) is index


def test_a_large_threads_index_takes_new_posts_without_a_full_build(client, debate, monkeypatch):
    monkeypatch.setattr(similar_rooms, "EXTEND_FROM", 1)
    monkeypatch.setattr(similar_rooms, "REBUILD_GROWTH", 10)
    url = f"/api/threads/{debate['thread'].pk}/similar.json"
    client.get(url, {"text": PLANNING})
    key = ("thread", debate["thread"].pk)
    vectorizer = similar_rooms._indexes[key].index.vectorizer
    post = make_reply(debate["root"], make_user("dan"), body="Shipments of chips can be tracked.")
    found = client.get(url, {"text": "Chips shipments are tracked."}).json()["similar"]
    assert post.pk in [item["post"] for item in found]
    assert similar_rooms._indexes[key].index.vectorizer is vectorizer  # appended, not rebuilt
