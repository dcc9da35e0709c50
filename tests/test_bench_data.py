"""`manage.py bench_data`: the synthetic debate threads the benchmarks are built on."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from threads.models import Post, Thread, User, Vote
from threads.services.posting import quote_occurs_in

pytestmark = pytest.mark.django_db

SMALL = {"posts": 60, "participants": 25, "votes": 400}


def bench_data(**options) -> Thread:
    out, err = io.StringIO(), io.StringIO()
    call_command("bench_data", **{**SMALL, **options}, stdout=out, stderr=err)
    return Thread.objects.get(pk=int(out.getvalue()))


def export(client, thread: Thread) -> dict:
    """The thread's Crux JSON export with database ids replaced by positions."""
    client.force_login(User.objects.get_or_create(username="exporter", is_superuser=True)[0])
    document = client.get(f"/api/threads/{thread.pk}/export.json").json()
    position = {post["id"]: index for index, post in enumerate(document["posts"])}
    posts = [
        {**post, "id": position[post["id"]], "parent": position.get(post["parent"])}
        for post in document["posts"]
    ]
    return {**document, "url": None, "posts": posts}


def test_prints_only_the_new_thread_id():
    out, err = io.StringIO(), io.StringIO()
    call_command("bench_data", **SMALL, seed=7, stdout=out, stderr=err)
    thread = Thread.objects.get()
    assert out.getvalue().strip() == str(thread.pk)
    assert thread.posts.count() == 60
    assert f"thread {thread.pk}: 60 posts" in err.getvalue()


def test_the_same_seed_builds_the_same_thread(client):
    first = export(client, bench_data(seed=11))
    second = export(client, bench_data(seed=11))
    other = export(client, bench_data(seed=12))
    assert first == second
    assert [p["parent"] for p in first["posts"]] != [p["parent"] for p in other["posts"]]
    assert [p["body"] for p in first["posts"]] != [p["body"] for p in other["posts"]]


def test_replies_form_a_tree_with_quotes_of_their_parents():
    thread = bench_data(seed=3)
    posts = list(thread.posts.select_related("parent"))
    replies = [post for post in posts if post.parent is not None]
    assert len(replies) == 59
    quoted = [post for post in replies if post.quote]
    assert len(quoted) >= 10
    for post in quoted:
        assert post.quote in post.parent.body
        assert quote_occurs_in(post.quote, post.parent.body)
    assert max(post.depth for post in posts) >= 3
    assert sum(post.parent.parent_id is None for post in replies) >= 5
    assert all("<script" not in post.body_html and post.body_html for post in posts)
    authors = {post.author_id for post in posts}
    assert 5 <= len(authors) <= SMALL["participants"]


def test_votes_come_near_the_requested_number_and_match_the_counters():
    thread = bench_data(seed=5)
    votes = Vote.objects.filter(post__thread=thread)
    assert 0.9 * SMALL["votes"] <= votes.count() <= SMALL["votes"]
    assert votes.filter(axis="agree").exists() and votes.filter(axis="quality").exists()
    assert not votes.filter(axis="agree", user=F("post__author")).exists()
    mismatched = (
        Post.objects.filter(thread=thread)
        .annotate(
            up=Count("votes", filter=Q(votes__axis="quality", votes__value=1)),
            down=Count("votes", filter=Q(votes__axis="quality", votes__value=-1)),
            yes=Count("votes", filter=Q(votes__axis="agree", votes__value=1)),
            no=Count("votes", filter=Q(votes__axis="agree", votes__value=-1)),
        )
        .exclude(
            upvotes=F("up"),
            downvotes=F("down"),
            agrees=F("yes"),
            disagrees=F("no"),
        )
    )
    assert not mismatched.exists()


def test_votes_option_defaults_to_ten_per_post():
    thread = bench_data(seed=2, posts=30, votes=None)
    assert 270 <= Vote.objects.filter(post__thread=thread).count() <= 300


def test_bad_sizes_are_refused_with_a_message():
    with pytest.raises(CommandError, match="--posts >= 1"):
        call_command("bench_data", posts=0, participants=5, stdout=io.StringIO())
    assert not Thread.objects.exists()
