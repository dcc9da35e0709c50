"""What the thread page costs in bytes: HTML compressed when the client accepts it, with
the BREACH mitigations kept (a CSRF token masked anew in every response)."""

from __future__ import annotations

import gzip
import re

from django.core.cache import cache

from tests.factories import make_big_thread, make_reply, make_user, opening_post
from threads.services import voting

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _participant_of(thread):
    user = make_user("taking_part")
    root = opening_post(thread)
    make_reply(root, author=user, body="A reply of mine.")
    voting.cast_vote(user=user, post=root, axis="quality", value=1)
    return user


def test_the_thread_page_is_gzipped_for_clients_that_accept_it(client, db):
    thread = make_big_thread(100)
    client.force_login(_participant_of(thread))
    response = client.get(thread.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert 'data-post-id="' in html
    plain = client.get(thread.get_absolute_url())
    assert not plain.has_header("Content-Encoding")


def test_a_participants_page_of_a_hundred_posts_is_at_most_60_kb_compressed(client, db):
    thread = make_big_thread(100)
    client.force_login(_participant_of(thread))
    cache.clear()
    for _ in range(2):  # built, then from the shared tree
        response = client.get(thread.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert len(response.content) <= 60 * 1024
        assert gzip.decompress(response.content).count(b'data-post-id="') >= 100


def test_the_csrf_token_in_the_page_is_masked_anew_in_every_response(client, db):
    thread = make_big_thread(20)
    client.force_login(_participant_of(thread))
    first = TOKEN.findall(client.get(thread.get_absolute_url()).content.decode())
    second = TOKEN.findall(client.get(thread.get_absolute_url()).content.decode())
    assert first and second
    assert set(first).isdisjoint(second)  # BREACH: no secret repeats across responses
    # and each still works: a vote with the second response's token is accepted.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    post = opening_post(thread)
    vote = strict.post(
        f"/p/{post.pk}/vote/", {"axis": "agree", "value": "1", "csrfmiddlewaretoken": second[0]}
    )
    assert vote.status_code in (302, 200)
