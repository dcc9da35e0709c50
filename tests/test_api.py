"""The read API: /api/threads.json and /api/threads/<id>.json."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Post, Thread

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]

POST_KEYS = {
    "id", "parent", "author", "role", "placeholder", "quote", "body", "created", "edited",
    "removed", "deleted", "score", "agree", "disagree",
}  # fmt: skip


def get_thread(client, pk):
    return client.get(reverse("api_thread", args=[pk]))


def test_thread_json_has_the_thread_and_its_posts_depth_first(client, user):
    thread = make_thread(user, title="Will AI be agentic?")
    root = opening_post(thread)
    first = make_reply(root, make_user("bob"), body="No.", role="rebuttal")
    second = make_reply(root, make_user("carol"), body="Yes.", role="support")
    under_first = make_reply(first, user, body="Why not?", role="question", quote="No.")

    response = get_thread(client, thread.pk)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert {key: data[key] for key in ("id", "title", "url")} == {
        "id": thread.pk,
        "title": "Will AI be agentic?",
        "url": f"/t/{thread.pk}/will-ai-be-agentic/",
    }
    assert datetime.fromisoformat(data["created"]) == thread.created
    assert [post["id"] for post in data["posts"]] == [root.pk, first.pk, under_first.pk, second.pk]
    question = data["posts"][2]
    assert set(question) == POST_KEYS
    assert question | {"created": None} == {
        "id": under_first.pk,
        "parent": first.pk,
        "author": "alice",
        "role": "question",
        "placeholder": False,
        "quote": "No.",
        "body": "Why not?",
        "created": None,
        "edited": None,
        "removed": False,
        "deleted": False,
        "score": 0,
        "agree": 0,
        "disagree": 0,
    }
    assert datetime.fromisoformat(question["created"]).tzinfo is not None
    assert data["posts"][0]["parent"] is None
    assert data["posts"][0]["role"] == "claim"


def test_thread_json_counts_votes(client, user):
    from threads.services.voting import cast_vote

    thread = make_thread(user)
    reply = make_reply(opening_post(thread))
    cast_vote(user=user, post=reply, axis="quality", value=1)
    cast_vote(user=user, post=reply, axis="agree", value=-1)

    post = get_thread(client, thread.pk).json()["posts"][1]
    assert (post["score"], post["agree"], post["disagree"]) == (1, 0, 1)


def test_removed_and_deleted_posts_keep_their_place_without_their_text(client, user, moderator):
    thread = make_thread(user)
    removed = make_reply(opening_post(thread), body="Removed words.")
    deleted = make_reply(opening_post(thread), body="Deleted words.")
    make_reply(removed, body="A reply to a removed post.")
    Post.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    Post.objects.filter(pk=deleted.pk).update(deleted_by_author=True)

    posts = {post["id"]: post for post in get_thread(client, thread.pk).json()["posts"]}

    assert posts[removed.pk]["removed"] is True
    assert posts[removed.pk]["body"] is None
    assert posts[deleted.pk]["deleted"] is True
    assert posts[deleted.pk]["body"] is None
    assert len(posts) == 4
    assert b"Removed words." not in get_thread(client, thread.pk).content

    client.force_login(moderator)
    as_moderator = {post["id"]: post for post in get_thread(client, thread.pk).json()["posts"]}
    assert as_moderator[removed.pk]["body"] == "Removed words."
    assert as_moderator[removed.pk]["removed"] is True


def test_held_posts_and_their_replies_are_left_out(client, user, moderator):
    thread = make_thread(user)
    held = make_reply(opening_post(thread), body="Waiting for a moderator.")
    under_held = make_reply(held, held.author, body="My own follow-up.")
    visible = make_reply(opening_post(thread), body="Visible.")
    Post.objects.filter(pk__in=[held.pk, under_held.pk]).update(held_for_approval=True)

    ids = [post["id"] for post in get_thread(client, thread.pk).json()["posts"]]
    assert ids == [opening_post(thread).pk, visible.pk]

    client.force_login(moderator)
    posts = get_thread(client, thread.pk).json()["posts"]
    assert [post.get("held", False) for post in posts] == [False, True, True, False]


@pytest.mark.parametrize("bad_id", ["999999", "abc", "12x", "-1", "99999999999999999999999"])
def test_unknown_thread_ids_get_a_json_404(client, db, bad_id):
    response = client.get(f"/api/threads/{bad_id}.json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()


def test_the_api_is_read_only(client, thread):
    assert client.post(reverse("api_thread", args=[thread.pk])).status_code == 405
    assert client.post(reverse("api_threads")).status_code == 405


def test_thread_json_takes_a_fixed_number_of_queries(
    client, user, moderator, django_assert_max_num_queries
):
    small = make_thread(user, title="Small")
    make_reply(opening_post(small))
    big = make_thread(user, title="Big")
    parent = opening_post(big)
    for number in range(30):
        parent = make_reply(parent, body=f"Reply {number}.")

    with CaptureQueriesContext(connection) as small_queries:
        get_thread(client, small.pk)
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        assert len(get_thread(client, big.pk).json()["posts"]) == 31
    assert len(small_queries.captured_queries) <= 2

    client.force_login(moderator)
    with django_assert_max_num_queries(6):
        get_thread(client, big.pk)


# --- The thread list ---------------------------------------------------------------------


def test_threads_json_lists_threads_by_last_activity(client, user):
    quiet = make_thread(user, title="Quiet")
    busy = make_thread(user, title="Busy")
    Thread.objects.filter(pk=quiet.pk).update(last_activity=timezone.now())
    make_reply(opening_post(busy), make_user("bob"))

    data = client.get(reverse("api_threads")).json()

    assert data["count"] == 2
    assert (data["page"], data["pages"], data["next"], data["previous"]) == (1, 1, None, None)
    assert [thread["title"] for thread in data["threads"]] == ["Busy", "Quiet"]
    assert data["threads"][0] == {
        "id": busy.pk,
        "title": "Busy",
        "url": busy.get_absolute_url(),
        "created": data["threads"][0]["created"],
        "last_activity": data["threads"][0]["last_activity"],
        "reply_count": 1,
        "participants": 2,
        "locked": False,
    }
    assert datetime.fromisoformat(data["threads"][0]["last_activity"]) > datetime.fromisoformat(
        data["threads"][0]["created"]
    )


def test_threads_json_is_paginated(client, user):
    for number in range(55):
        make_thread(user, title=f"Thread {number}")

    first = client.get(reverse("api_threads")).json()
    second = client.get(first["next"]).json()

    assert len(first["threads"]) == 50
    assert len(second["threads"]) == 5
    assert second["previous"] == reverse("api_threads") + "?page=1"
    assert second["next"] is None
    assert {t["id"] for t in first["threads"]}.isdisjoint({t["id"] for t in second["threads"]})


@pytest.mark.parametrize("page", ["zero", "0", "-1", "1.5", "3"])
def test_bad_page_gets_a_json_400(client, thread, page):
    response = client.get(reverse("api_threads"), {"page": page})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "page" in response.json()["error"]


def test_an_empty_forum_has_an_empty_first_page(client, db):
    assert client.get(reverse("api_threads")).json()["threads"] == []


def test_threads_json_takes_a_fixed_number_of_queries(client, user, django_assert_max_num_queries):
    for number in range(40):
        make_thread(user, title=f"Thread {number}")
    with django_assert_max_num_queries(2):
        assert len(client.get(reverse("api_threads")).json()["threads"]) == 40
