"""Credences, belief updates and reactions: the rules, the API, and what the thread page
and the map show of them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.analysis_builders import post as post_input
from tests.analysis_builders import snapshot as make_snapshot
from tests.factories import (
    claim_and_question,
    make_big_thread,
    make_reply,
    make_thread,
    make_user,
    opening_post,
)
from threads.analysis.stated import CredenceInput, ReactionInput, most_credited
from threads.analysis.thread_map import analyze_thread
from threads.models import Ban, Credence, Notification, Post, Reaction, Thread
from threads.services import moderation
from threads.services.analysis import run_analysis

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def debate(db):
    return claim_and_question()


def credence(client, post, value, because=None, **extra):
    data = {"value": value}
    if because is not None:
        data["because"] = because
    return client.post(f"/p/{post.pk}/credence/", data, **extra)


# --- Stating a credence ------------------------------------------------------------------------


def test_a_credence_is_stored_and_history_is_kept(client, debate):
    _, root, claim, _ = debate
    client.force_login(make_user("reader"))
    assert credence(client, claim, 30).status_code == 302
    assert credence(client, claim, 70, because=root.pk).status_code == 302
    history = list(Credence.objects.filter(post=claim).values_list("value", "previous"))
    assert history == [(30, None), (70, 30)]


@pytest.mark.parametrize(
    ("value", "words"),
    [("0", "out of range"), ("100", "out of range"), ("abc", "whole number"), ("", "from 1")],
)
def test_out_of_range_or_non_numeric_credence_is_refused(client, debate, value, words):
    _, _, claim, _ = debate
    client.force_login(make_user("reader"))
    response = credence(client, claim, value)
    assert response.status_code == 422
    assert words in response.content.decode()
    assert not Credence.objects.exists()


def test_because_from_another_thread_is_refused(client, debate):
    _, _, claim, _ = debate
    elsewhere = opening_post(make_thread(title="Another debate"))
    client.force_login(make_user("reader"))
    response = credence(client, claim, 60, because=elsewhere.pk, **HTMX)
    assert response.status_code == 422
    assert "not in this thread" in response.content.decode()
    assert not Credence.objects.exists()


def test_because_must_name_a_shown_post_and_a_whole_number(client, debate, moderator):
    thread, root, claim, _ = debate
    gone = make_reply(root, make_user("writer"), body="Soon removed.")
    moderation.remove_post(moderator=moderator, post=gone, reason="Off topic")
    client.force_login(make_user("reader"))
    response = credence(client, claim, 60, because=gone.pk, **HTMX)
    assert response.status_code == 422 and "is not shown" in response.content.decode()
    response = credence(client, claim, 60, because="abc", **HTMX)
    assert response.status_code == 422 and "whole number" in response.content.decode()
    # The post's own rules come first: a locked thread says so, whatever `because` is.
    moderation.lock_thread(moderator=moderator, thread=thread, reason="Cooling off.")
    response = credence(client, claim, 60, because="abc", **HTMX)
    assert response.status_code == 422 and "locked" in response.content.decode()
    assert not Credence.objects.exists()


def test_no_credence_on_a_question_own_or_not(client, debate):
    _, _, _, question = debate
    client.force_login(question.author)
    response = credence(client, question, 60)
    assert response.status_code == 422 and "your own question" in response.content.decode()
    client.force_login(make_user("reader"))
    response = credence(client, question, 60)
    assert response.status_code == 422 and "question" in response.content.decode()
    assert not Credence.objects.exists()


def test_credence_rules_are_those_of_votes(client, debate, moderator):
    thread, _, claim, _ = debate
    reader = make_user("reader")
    client.force_login(reader)
    moderation.lock_thread(moderator=moderator, thread=thread, reason="Cooling off.")
    assert credence(client, claim, 60).status_code == 422
    moderation.unlock_thread(moderator=moderator, thread=thread, reason="Back.")
    Ban.objects.create(user=reader, moderator=moderator, reason="Spam")
    assert credence(client, claim, 60).status_code == 422
    assert not Credence.objects.exists()


def test_credences_count_against_the_vote_rate_limit(client, debate, settings):
    _, _, claim, _ = debate
    settings.CRUX_RATE_LIMITS = {"vote": {"new": (2, 3600), "established": (2, 3600)}}
    client.force_login(make_user("reader"))
    assert credence(client, claim, 40).status_code == 302
    assert credence(client, claim, 50).status_code == 302
    response = credence(client, claim, 60)
    assert response.status_code == 422 and "limit" in response.content.decode()
    assert Credence.objects.count() == 2


def test_credence_with_htmx_answers_with_the_posts_live_distribution(client, debate):
    _, _, claim, _ = debate
    client.force_login(make_user("reader"))
    response = credence(client, claim, 80, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "median 80% from 1" in html and "Your credence: 80%" in html


# --- Belief updates ----------------------------------------------------------------------------


def test_a_move_of_fifteen_points_is_a_belief_update_in_the_api(client, debate):
    thread, root, claim, _ = debate
    client.force_login(make_user("mover"))
    credence(client, claim, 20)
    credence(client, claim, 30)  # 10 points: not an update
    credence(client, claim, 75, because=root.pk)
    updates = client.get(f"/api/threads/{thread.pk}/updates.json").json()["updates"]
    assert len(updates) == 1
    update = updates[0]
    assert (update["user"], update["post"], update["before"], update["after"]) == (
        "mover",
        claim.pk,
        30,
        75,
    )
    assert update["because"] == root.pk and update["at"]


def test_updates_of_a_missing_thread_are_404(client, db):
    assert client.get("/api/threads/999999/updates.json").status_code == 404


def test_profile_tab_lists_a_users_belief_updates(client, debate):
    _, root, claim, _ = debate
    mover = make_user("mover")
    client.force_login(mover)
    credence(client, claim, 10)
    credence(client, claim, 90, because=root.pk)
    html = client.get("/u/mover/updates/").content.decode()
    assert "Moved from 10% to 90%" in html and f"post {root.pk}" in html
    assert "Belief updates" in client.get("/u/mover/").content.decode()


def test_minds_changed_and_summary_list_the_most_credited_posts(client, debate):
    thread, root, claim, _ = debate
    for name in ("ann", "bob"):
        client.force_login(make_user(name))
        credence(client, root, 20)
        credence(client, root, 60, because=claim.pk)
    run_analysis(thread.pk, force=True)
    thread.refresh_from_db()
    assert thread.analysis.summary["most_credited"][0]["post"] == claim.pk
    assert thread.analysis.summary["most_credited"][0]["people"] == 2
    cache.clear()
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Minds changed" in html and "moved 2 people" in html
    assert "median 60% from 2" in html


# --- Reactions ---------------------------------------------------------------------------------


def test_reaction_on_a_quoted_span_is_stored_and_toggles(client, debate):
    _, _, claim, _ = debate
    client.force_login(make_user("reader"))
    data = {"kind": "crux", "quote": "Scaling alone will give"}
    assert client.post(f"/p/{claim.pk}/react/", data).status_code == 302
    assert list(Reaction.objects.values_list("kind", "quote")) == [
        ("crux", "Scaling alone will give")
    ]
    response = client.post(f"/p/{claim.pk}/react/", data, **HTMX)
    assert response.status_code == 200 and not Reaction.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"kind": "crux", "quote": "words never written"}, "do not occur"),
        ({"kind": "love"}, "Unknown reaction"),
    ],
)
def test_bad_reactions_are_refused(client, debate, data, words):
    _, _, claim, _ = debate
    client.force_login(make_user("reader"))
    response = client.post(f"/p/{claim.pk}/react/", data)
    assert response.status_code == 422 and words in response.content.decode()
    assert not Reaction.objects.exists()


def test_reaction_counts_show_inline_after_analysis(client, debate):
    thread, _, claim, _ = debate
    for name in ("ann", "bob"):
        client.force_login(make_user(name))
        client.post(f"/p/{claim.pk}/react/", {"kind": "needs_evidence"})
    run_analysis(thread.pk, force=True)
    cache.clear()
    assert "Needs evidence: 2" in client.get(thread.get_absolute_url()).content.decode()


def test_removed_posts_take_no_credence_or_reaction(client, debate, moderator):
    _, _, claim, _ = debate
    moderation.remove_post(moderator=moderator, post=claim, reason="Off topic")
    client.force_login(make_user("reader"))
    assert credence(client, claim, 50).status_code == 422
    assert client.post(f"/p/{claim.pk}/react/", {"kind": "crux"}).status_code == 422


# --- The map -----------------------------------------------------------------------------------


def test_stated_credence_outranks_implied_stance_and_is_counted_apart():
    posts = [
        post_input(1, None, "claim", author="op"),
        post_input(2, 1, "rebuttal", author="critic"),
    ]
    plain = make_snapshot(posts, votes=[("voter", 1, 1)])
    stated = replace(
        plain, credences=(CredenceInput("critic", 1, 90, at=1.0), CredenceInput("voter", 2, 10))
    )
    before, after = analyze_thread(plain).counts, analyze_thread(stated).counts
    # critic's rebuttal implied −1 on the root; the credence 90 (+0.8) replaces it.
    assert before["stated_stances"] == 1 and before["implied_stances"] == 3
    assert after["stated_stances"] == 3 and after["implied_stances"] == 2
    assert after["credences"] == 2


def test_declared_crux_reactions_raise_a_posts_crux_rank():
    rng = np.random.default_rng(0)
    posts = [post_input(1, None, "claim", author="op")] + [
        post_input(i, 1, "claim", author="op") for i in range(2, 8)
    ]
    votes = []
    for person in range(40):
        camp = person % 2
        for pid in range(1, 8):
            side = 1 if (camp == 0) == (pid % 2 == 1) else -1
            if rng.random() < 0.2:
                side = -side
            votes.append((f"v{person}", pid, side))
    base = make_snapshot(posts, votes)
    plain = analyze_thread(base)
    assert len(plain.groups) >= 2 and plain.cruxes
    last = plain.cruxes[-1].post
    declared = replace(
        base, reactions=tuple(ReactionInput(f"v{i}", last, "crux") for i in range(20))
    )
    ranked = analyze_thread(declared)
    before = next(c.score for c in plain.cruxes if c.post == last)
    after = next(c.score for c in ranked.cruxes if c.post == last)
    assert after > before
    assert ranked.cruxes[0].post == last or after >= 1.4 * before


def test_most_credited_counts_each_person_once_per_post():
    credences = (
        CredenceInput("a", 1, 20, at=1),
        CredenceInput("a", 1, 60, at=2, previous=20, because=5),
        CredenceInput("a", 1, 20, at=3, previous=60, because=5),
        CredenceInput("b", 1, 50, at=4, previous=40, because=6),  # 10 points: no update
    )
    assert most_credited(credences) == [(5, 1)]


def test_map_json_counts_stated_and_implied_stances(client, debate):
    thread, _, claim, _ = debate
    client.force_login(make_user("reader"))
    credence(client, claim, 85)
    run_analysis(thread.pk, force=True)
    counts = client.get(f"/api/threads/{thread.pk}/map.json").json()["counts"]
    assert counts["credences"] == 1 and counts["stated_stances"] == 1
    assert counts["implied_stances"] >= 3


# --- The page stays within its budget ----------------------------------------------------------


def test_thread_page_with_credences_keeps_its_query_budget(
    client, db, django_assert_max_num_queries, no_rate_limits
):
    thread = make_big_thread(300)
    posts = list(Post.objects.filter(thread=thread).order_by("pk")[:30])
    for i in range(10):
        person = make_user(f"rater{i}")
        for post in posts:
            Credence.objects.create(user=person, post=post, value=10 + 7 * i, at=timezone.now())
            Reaction.objects.create(user=person, post=post, kind="crux")
    run_analysis(thread.pk, force=True)
    thread = Thread.objects.get(pk=thread.pk)
    cache.clear()
    with django_assert_max_num_queries(6):
        html = client.get(thread.get_absolute_url()).content.decode()
    assert "from 10" in html and "That&#x27;s a crux for me: 10" in html
    client.force_login(make_user("reader"))
    cache.clear()
    # As tests/test_thread_page.py: session, user with standing, the visit statement.
    with django_assert_max_num_queries(8):
        assert client.get(thread.get_absolute_url()).status_code == 200


def test_a_credence_post_takes_at_most_eight_queries_and_a_belief_update_ten(
    client, debate, django_assert_max_num_queries
):
    _, root, claim, _ = debate
    client.force_login(make_user("reader"))
    client.get("/")
    # Issue 16: <= 12 per write. The user with their standing, the post, the savepoint
    # pair, the locked post, the credence (its previous value read by the same INSERT),
    # the post's version, the thread's.
    with django_assert_max_num_queries(8):
        assert credence(client, claim, 30).status_code == 302
    # A belief update crediting a post: the credited post is read with the locked one;
    # telling the post's author costs one check of their mutes and the notice.
    with django_assert_max_num_queries(10):
        assert credence(client, claim, 80, because=root.pk).status_code == 302
    latest = Credence.objects.order_by("-at", "-id").first()
    assert (latest.value, latest.previous, latest.because_id) == (80, 30, root.pk)
    assert claim.author.pk in Notification.objects.filter(kind="crux").values_list(
        "recipient_id", flat=True
    )


def test_a_reaction_post_takes_at_most_nine_queries(client, debate, django_assert_max_num_queries):
    _, _, claim, _ = debate
    client.force_login(make_user("reader"))
    client.get("/")
    data = {"kind": "crux", "quote": "Scaling alone will give"}
    # As a credence, with the reaction's delete-or-insert (taking it back is the delete).
    with django_assert_max_num_queries(9):
        assert client.post(f"/p/{claim.pk}/react/", data).status_code == 302
    assert Reaction.objects.filter(post=claim, kind="crux").count() == 1
    with django_assert_max_num_queries(8):
        assert client.post(f"/p/{claim.pk}/react/", data).status_code == 302
    assert not Reaction.objects.exists()
