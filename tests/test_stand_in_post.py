"""The importer's stand-in opening post is never cited: not by the summaries, the
thread list's brief, the feeds, nor search.

The thread is the shoggoth demo, a LessWrong comment section whose post was not part
of the dump, imported through the import service as `make run` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Post, ThreadAnalysis
from threads.queries.analysis import load_snapshot
from threads.services import analysis as analysis_service
from threads.services.importing import import_text

STAND_IN_WORDS = "Imported comment section"
DEMO = Path(__file__).resolve().parents[1] / "threads" / "demo"


def import_shoggoth():
    path = DEMO / "lesswrong-shoggoth-agency.txt"
    thread, _ = import_text(path.read_text(encoding="utf-8"), fmt="lesswrong", title="Shoggoth")
    return thread


@pytest.mark.django_db
def test_the_snapshot_carries_the_stand_in_flag_and_block_quotes():
    thread = import_shoggoth()
    reply = make_reply(
        opening_post(thread),
        make_user("quoter"),
        role="comment",
        body="> Shoggoth wasn’t trained to do stuff in the real world.\n\nIt was, on text.",
    )
    snapshot = load_snapshot(thread.pk)
    by_id = {post.id: post for post in snapshot.posts}
    assert by_id[snapshot.root].placeholder is True
    assert not any(post.placeholder for post in snapshot.posts if post.id != snapshot.root)
    assert by_id[reply.pk].quoted == "Shoggoth wasn’t trained to do stuff in the real world."
    assert by_id[reply.pk].text == "It was, on text."


@pytest.mark.django_db
def test_summaries_list_and_feeds_never_quote_the_stand_in_post(client):
    thread = import_shoggoth()
    stand_in = Post.objects.get(thread=thread, parent__isnull=True)
    assert stand_in.is_placeholder
    analysis_service.run_analysis(thread.pk)
    summary = ThreadAnalysis.objects.get(thread=thread).summary
    assert summary["status"] == "ok"
    cited = [e["post"] for e in summary["brief"] + summary["common_ground"] + summary["open"]]
    cited += [c["post"] for c in summary["cruxes"]]
    assert summary["brief"] and stand_in.pk not in cited

    home = client.get(reverse("home")).content.decode()
    assert 'class="thread-brief"' in home and STAND_IN_WORDS not in home

    feed = client.get("/feeds/threads/").content.decode()
    assert "The debate in brief" in feed and STAND_IN_WORDS not in feed
    posts_feed = client.get(f"/t/{thread.pk}/feed/").content.decode()
    assert STAND_IN_WORDS not in posts_feed and "opened the thread" not in posts_feed

    found = client.get(reverse("search") + "?q=imported+comment+section+dump").content.decode()
    assert f'href="{stand_in.get_absolute_url()}"' not in found


@pytest.mark.django_db
def test_a_summary_stored_before_still_does_not_show_the_stand_in(client):
    thread = import_shoggoth()
    stand_in = Post.objects.get(thread=thread, parent__isnull=True)
    ThreadAnalysis.objects.update_or_create(
        thread=thread,
        defaults={
            "status": "done",
            "summary": {
                "status": "ok",
                "brief": [{"text": stand_in.body_text, "post": stand_in.pk}],
            },
        },
    )
    assert STAND_IN_WORDS not in client.get(reverse("home")).content.decode()
    assert STAND_IN_WORDS not in client.get("/feeds/threads/").content.decode()


@pytest.mark.django_db
def test_an_ordinary_opening_post_still_heads_its_feed_entry(client):
    make_thread(make_user("opener"), title="Plain", body="Agents will plan because planning pays.")
    feed = client.get("/feeds/threads/").content.decode()
    assert "Agents will plan because planning pays." in feed
