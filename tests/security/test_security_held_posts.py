"""A post held for approval and the replies below it are seen by no reader until a
moderator approves the post (issue #17, part 5): walk every URL of the site
(security_urls.site_urls) as a logged-out reader and as a member, once with the post
routes pointing at a visible reply and once at the reply to the held post, and look for
the held post's text and author and the reply's text and author in every response."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

import pytest
from django.test import Client
from security_urls import World, make_world, site_urls

from tests.factories import make_reply, make_user
from threads.models import Post
from threads.services import moderation
from threads.services.analysis import run_analysis, thread_changed

pytestmark = pytest.mark.django_db

HELD_TEXT = "Quarantined argument about gradient hacking"
REPLY_TEXT = "Echoed rejoinder on gradient hacking"
HELD_AUTHOR = "walk-newcomer"
REPLY_AUTHOR = "walk-answerer"
SECRETS = (HELD_TEXT, REPLY_TEXT, HELD_AUTHOR, REPLY_AUTHOR)


@pytest.fixture
def held(db) -> tuple[World, Post, Post]:
    world = make_world()
    held_post = make_reply(world.reply, make_user(HELD_AUTHOR), body=HELD_TEXT, role="support")
    Post.objects.filter(pk=held_post.pk).update(held_for_approval=True)
    answer = make_reply(held_post, make_user(REPLY_AUTHOR), body=REPLY_TEXT, role="rebuttal")
    thread_changed(world.thread.pk)
    run_analysis(world.thread.pk, force=True)  # the map and panel, computed with both there
    return world, held_post, answer


def _readers(world: World) -> dict[str, Client]:
    member = Client()
    member.force_login(world.author)
    return {"reader": Client(), "member": member}


def _leaks(client: Client, path: str, *, names: bool = True) -> list[str]:
    found = []
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(path, **extra)
        body = response.content.decode("utf-8", "replace")
        for secret in SECRETS if names else (HELD_TEXT, REPLY_TEXT):
            if secret in body:
                found.append(f"{path} ({response.status_code}) shows {secret!r}")
    return found


def test_no_reader_url_shows_a_held_post_or_a_reply_to_it(held):
    world, held_post, answer = held
    walks = [world, dataclasses.replace(world, reply=answer)]
    extra_paths = [
        f"/search/?q={quote('gradient hacking')}",
        f"/t/{world.thread.pk}/p/{held_post.pk}/",
        f"/p/{held_post.pk}/replies/",
        f"/p/{held_post.pk}/history/",
    ]
    leaks = []
    for who, client in _readers(world).items():
        for walk in walks:
            for url in site_urls(walk):
                if url.is_admin:
                    continue
                leaks += [f"{who}: {leak}" for leak in _leaks(client, url.path)]
        for path in extra_paths:
            leaks += [f"{who}: {leak}" for leak in _leaks(client, path)]
        for name in (HELD_AUTHOR, REPLY_AUTHOR):  # their profiles name them, not the posts
            leaks += [f"{who}: {leak}" for leak in _leaks(client, f"/u/{name}/", names=False)]
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("who", ["moderator", "held post's author"])
def test_moderators_and_the_author_see_the_held_post_and_the_reply_to_it(held, who):
    world, held_post, answer = held
    client = Client()
    client.force_login(world.moderator if who == "moderator" else held_post.author)
    page = client.get(world.thread.get_absolute_url()).content.decode()
    assert HELD_TEXT in page and REPLY_TEXT in page
    api = client.get(f"/api/threads/{world.thread.pk}.json").json()
    assert {held_post.pk, answer.pk} <= {post["id"] for post in api["posts"]}


def test_once_approved_the_held_post_and_the_reply_to_it_are_public(held):
    world, held_post, answer = held
    moderation.approve_post(moderator=world.moderator, post=held_post)
    page = Client().get(world.thread.get_absolute_url()).content.decode()
    assert HELD_TEXT in page and REPLY_TEXT in page
    assert Client().get(f"/t/{world.thread.pk}/p/{answer.pk}/").status_code == 200
