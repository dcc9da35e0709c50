"""Atom feeds of new threads and of new posts in a thread."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Post, ThreadAnalysis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root: ET.Element) -> list[dict]:
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "id": entry.findtext(f"{ATOM}id"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_new_threads_feed_lists_threads_newest_first_with_the_sanitised_opening_post(client, user):
    make_thread(user, title="Older thread")
    newer = make_thread(user, title="Newer thread", body="**Bold** claim <script>alert(1)</script>")

    root = parse(client.get(reverse("feed_threads")))
    items = entries(root)

    assert root.findtext(f"{ATOM}title") == "Crux: new threads"
    assert [item["title"] for item in items] == ["Newer thread", "Older thread"]
    assert items[0]["link"].endswith(newer.get_absolute_url())
    assert items[0]["author"] == "alice"
    assert "<strong>Bold</strong>" in items[0]["summary"]
    assert "<script>" not in items[0]["summary"]


def test_new_threads_feed_withholds_a_removed_opening_post(client, user):
    thread = make_thread(user, title="Removed opener", body="Secret words.")
    Post.objects.filter(pk=opening_post(thread).pk).update(removed_at=timezone.now())

    items = entries(parse(client.get(reverse("feed_threads"))))

    assert items[0]["title"] == "Removed opener"
    assert "Secret words." not in items[0]["summary"]


def test_thread_feed_lists_visible_posts_newest_first(client, user):
    thread = make_thread(user, title="Agency")
    first = make_reply(opening_post(thread), make_user("bob"), body="First *reply*.")
    second = make_reply(first, make_user("carol"), body="Second reply.", role="support")
    hidden = make_reply(opening_post(thread), body="Removed reply.")
    Post.objects.filter(pk=hidden.pk).update(removed_at=timezone.now())

    root = parse(client.get(reverse("feed_thread", args=[thread.pk])))
    items = entries(root)

    assert root.findtext(f"{ATOM}title") == "Crux: Agency"
    assert [item["author"] for item in items] == ["carol", "bob", "alice"]
    assert [item["title"] for item in items[:2]] == ["Second reply.", "First reply."]
    assert items[0]["link"].endswith(second.get_absolute_url())
    assert "<em>reply</em>" in items[1]["summary"]
    assert all("Removed reply." not in (item["summary"] or "") for item in items)
    assert len({item["id"] for item in items}) == 3


def test_thread_feed_of_an_unknown_thread_is_404(client, db):
    assert client.get(reverse("feed_thread", args=[999_999])).status_code == 404


def test_pages_advertise_their_feeds(client, thread):
    home = client.get(reverse("home")).content.decode()
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Crux: new threads" '
        f'href="{reverse("feed_threads")}">' in home
    )


@pytest.mark.django_db
def test_new_threads_feed_carries_the_summary_brief_escaped(client):
    thread = make_thread(make_user("opener"), title="Brief in feed")
    make_reply(opening_post(thread), make_user("replier"), body="A reply.")
    ThreadAnalysis.objects.update_or_create(
        thread=thread,
        defaults={
            "status": "done",
            "watermark": 1,
            "map": {},
            "summary": {
                "status": "ok",
                "brief": [{"text": "Agents <b>plan</b> ahead.", "post": 1}],
            },
        },
    )
    xml = client.get("/feeds/threads/").content.decode()
    assert "The debate in brief" in xml
    assert "Agents &amp;lt;b&amp;gt;plan" in xml  # escaped in the HTML, then in the XML


def test_thread_feed_entries_are_titled_by_the_posts_first_words(client, user):
    thread = make_thread(user, title="Agency")
    long = make_reply(
        opening_post(thread),
        make_user("bob"),
        body="> quoted words first\n\nPrediction at *scale* forces planning, because the "
        "future depends on plans that someone has to make.",
    )
    quote_only = make_reply(long, make_user("carol"), body="> only a quote", role="support")
    items = entries(parse(client.get(reverse("feed_thread", args=[thread.pk]))))
    titles = {item["link"].rsplit("/t/", 1)[-1]: item["title"] for item in items}
    by_post = {
        post.pk: titles[post.get_absolute_url().split("/t/", 1)[1]] for post in (long, quote_only)
    }
    assert (
        by_post[long.pk]
        == "Prediction at scale forces planning, because the future depends on plans that…"
    )
    assert by_post[quote_only.pk] == f"carol supports post {long.pk}"
    assert "comments post" not in " ".join(titles.values())


def test_the_thread_page_head_links_its_feed_and_has_open_graph_tags(client, user):
    thread = make_thread(user, title="Do models plan?", body="Prediction *forces* planning.")
    html = client.get(thread.get_absolute_url()).content.decode()
    feed = reverse("feed_thread", args=[thread.pk])
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Crux: Do models plan?" '
        f'href="{feed}">' in html
    )
    assert '<meta property="og:title" content="Do models plan?">' in html
    assert '<meta property="og:description" content="Prediction forces planning.">' in html
    assert '<meta property="og:type" content="article">' in html
