"""Hostile input never breaks a page for everyone else: what the app stores, every page
can show (issue #9; found by the corpus tests, where a "/" in an imported author's name
made the thread list, feeds and moderation pages fail to build their URLs)."""

from __future__ import annotations

import json

import pytest

from threads.importers.parsed import DumpError
from threads.models import Thread, User
from threads.services.importing import import_text

pytestmark = pytest.mark.django_db


def crux_json(author: str) -> str:
    return json.dumps(
        {
            "format": "crux-thread/1",
            "title": "An imported debate",
            "posts": [{"id": 1, "parent": None, "author": author, "role": "claim",
                       "body": "Imported words."}],
        }
    )  # fmt: skip


@pytest.mark.parametrize("author", ["evil/name", "<script>alert(1)</script>", "a b", "x\ny"])
def test_importing_an_author_name_the_site_could_not_link_to_is_refused_whole(author):
    with pytest.raises(DumpError, match="not allowed"):
        import_text(crux_json(author), fmt="json")
    assert not Thread.objects.exists()
    assert not User.objects.filter(username=author).exists()


def test_an_imported_author_with_an_allowed_name_shows_on_every_page(client):
    thread, _ = import_text(crux_json("Émile.o@x+y-z_"), fmt="json")
    author = thread.author.username
    for url in ["/", thread.get_absolute_url(), "/feeds/threads/", f"/u/{author}/"]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_control_characters_in_posts_and_titles_do_not_break_the_feeds(client, user):
    """XML 1.0 cannot carry most C0 control characters, and Django's feed writer raises
    on them: one pasted form feed or terminal colour code would make the feeds fail for
    everyone. They are left out of the feeds; the rest of the text stays."""
    from xml.etree import ElementTree

    client.force_login(user)
    response = client.post(
        "/t/new/",
        {"title": "Bell \x07 title", "body": "Page one\x0cPage two \x1b[31mred\x1b[0m \ufffe"},
    )
    assert response.status_code == 302
    thread = Thread.objects.get()
    for url in ["/feeds/threads/", f"/t/{thread.pk}/feed/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        feed = ElementTree.fromstring(response.content)
        text = "".join(feed.itertext())
        assert "Bell  title" in text or "Bell title" in text
        assert "Page onePage two" in text.replace("\n", "") and "[31mred" in text


EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_no_redirect_leaves_the_site(client, user, target):
    """Every `next`, and the Referer that plain-form votes return to, stays on Crux."""
    from tests.factories import make_reply, make_thread, make_user, opening_post

    def stays(response) -> None:
        assert response.status_code in (302, 303), response.status_code
        location = response["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location

    login = {"username": "alice", "password": "correct horse battery", "next": target}
    stays(client.post(f"/accounts/login/?next={target}", login))
    thread = make_thread(make_user("author"))
    reply = make_reply(opening_post(thread), make_user("replier"))
    vote = {"axis": "quality", "value": "1"}
    stays(client.post(f"/p/{reply.pk}/vote/", vote, HTTP_REFERER=target))
    report = {"kind": "report", "reason": "Spam", "next": target}
    stays(client.post(f"/posts/{reply.pk}/report/", report))
    stays(client.post("/accounts/logout/", {"next": target}))
    password = "a long pass 42!"
    signup = {"username": "newcomer", "password1": password, "password2": password}
    stays(client.post("/accounts/signup/", {**signup, "next": target}))
