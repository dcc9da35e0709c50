"""Privacy (issue #17, items 6 and 8): who voted how stays private — the map, the panel
and the exports name voters by per-thread pseudonyms, a participant sees their own
position, moderators see names — and no post makes a reader's browser call a
third-party host."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads import markdown
from threads.privacy import pseudonym
from threads.services import analysis as analysis_service
from threads.services import voting

pytestmark = pytest.mark.django_db


@pytest.fixture
def voted_thread():
    """Two camps of vote-only users (they wrote nothing, so nothing of theirs is public)."""
    thread = make_thread(make_user("host"), body="Open-weight models are net positive.")
    root = opening_post(thread)
    claim = make_reply(root, make_user("claimant"), body="Misuse risk is manageable.")
    other = make_reply(root, make_user("other"), role="support", body="Research needs them.")
    voters = [make_user(f"quietvoter{i}") for i in range(8)]
    for number, person in enumerate(voters):
        side = 1 if number % 2 else -1
        for post in (root, claim, other):
            voting.cast_vote(user=person, post=post, axis="agree", value=side)
    analysis_service.run_analysis(thread.pk)
    return thread, voters


def test_map_json_names_no_voter_to_readers(voted_thread):
    """The review's finding: map.json listed 54 vote-only users by username."""
    thread, voters = voted_thread
    response = Client().get(f"/api/threads/{thread.pk}/map.json")
    text = response.content.decode()
    assert not [v.username for v in voters if v.username in text]
    body = response.json()
    assert body["names"] == "pseudonyms"
    members = [m for group in body["groups"] for m in group["members"]]
    assert members and all(re.fullmatch(r"Participant [0-9a-f]{6}", m) for m in members)
    assert {pseudonym(thread.pk, v.username) for v in voters} <= {
        p["participant"] for p in body["points"]
    }


def test_pseudonyms_are_stable_in_a_thread_and_differ_across_threads(voted_thread):
    thread, voters = voted_thread
    first = Client().get(f"/api/threads/{thread.pk}/map.json").json()["points"]
    again = Client().get(f"/api/threads/{thread.pk}/map.json").json()["points"]
    assert first == again
    assert pseudonym(thread.pk, voters[0].username) != pseudonym(thread.pk + 1, voters[0].username)
    assert pseudonym(thread.pk, voters[0].username) != pseudonym(thread.pk, voters[1].username)


def test_a_participant_sees_their_own_position(voted_thread):
    thread, voters = voted_thread
    client = Client()
    client.force_login(voters[1])
    you = client.get(f"/api/threads/{thread.pk}/map.json").json()["you"]
    assert you["participant"] == pseudonym(thread.pk, voters[1].username)
    assert you["group"] in {"A", "B", "C", "D", "E"}
    changes = client.get(f"/analysis/{thread.pk}/changes/").content.decode()
    assert "You are here" in changes and you["participant"] in changes


def test_a_moderator_sees_usernames_in_the_map(voted_thread):
    thread, voters = voted_thread
    client = Client()
    client.force_login(make_user("mod", moderator=True))
    body = client.get(f"/api/threads/{thread.pk}/map.json").json()
    assert body["names"] == "usernames" and "you" not in body
    members = {m for group in body["groups"] for m in group["members"]}
    assert {v.username for v in voters} <= members


def test_the_thread_page_and_panel_name_no_voter(voted_thread):
    thread, voters = voted_thread
    anonymous, member = Client(), Client()
    member.force_login(make_user())
    for client in (anonymous, member):
        page = client.get(thread.get_absolute_url()).content.decode()
        panel = client.get(f"/analysis/{thread.pk}/").content.decode()
        assert "Participant " in panel  # the scatter's points carry pseudonyms
        assert not [v.username for v in voters if v.username in page + panel]


def test_the_public_exports_name_no_voter(voted_thread):
    thread, voters = voted_thread
    aif = Client().get(f"/api/threads/{thread.pk}/export.aif.json").content.decode()
    assert "claimant" in aif  # authorship is public
    for name in ("export.aif.json", "export.argdown"):
        text = Client().get(f"/api/threads/{thread.pk}/{name}").content.decode()
        assert "Misuse risk is manageable" in text
        assert not [v.username for v in voters if v.username in text]


def test_the_lossless_export_keeps_names_for_moderators(voted_thread):
    thread, voters = voted_thread
    client = Client()
    client.force_login(make_user("mod", moderator=True))
    text = client.get(f"/api/threads/{thread.pk}/export.json").content.decode()
    assert voters[0].username in text


# --- Item 8: third-party images -----------------------------------------------------------


def test_a_remote_image_is_a_link_and_the_csp_allows_only_this_sites_images(client):
    thread = make_thread(body="Look: ![tracker](https://tracker.example/pixel.gif)")
    response = client.get(thread.get_absolute_url())
    html = response.content.decode()
    assert '<img src="https://tracker.example' not in html
    assert 'href="https://tracker.example/pixel.gif"' in html and "image: tracker" in html
    policy = response["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]+)", policy).group(1).split()
    assert img_src == ["'self'", "data:"]


@pytest.mark.parametrize(
    "source",
    [
        "![x](https://evil.example/a.png)",
        "![x](//evil.example/a.png)",
        "![x](http://evil.example/a.png)",
        '<img src="https://evil.example/a.png">',
    ],
)
def test_no_markdown_or_html_embeds_a_remote_image(source):
    rendered = markdown.render_markdown(source)
    assert "<img" not in rendered or 'src="https' not in rendered
    assert not re.search(r"<img[^>]+src=\"(https?:)?//", rendered)


def test_images_on_this_site_are_still_shown():
    assert '<img src="/static/favicon.svg"' in markdown.render_markdown("![i](/static/favicon.svg)")


def test_common_ground_supporters_are_pseudonyms_for_readers_and_names_for_moderators():
    from types import SimpleNamespace

    from threads import privacy

    stored_map = {"groups": [], "points": [], "consensus": [{"post": 5, "supporters": ["alice"]}]}
    summary = {"common_ground": [{"text": "Shared.", "post": 5, "supporters": ["alice"]}]}
    reader = SimpleNamespace(is_authenticated=False, is_moderator=False)
    moderator = SimpleNamespace(is_authenticated=True, is_moderator=True, username="mod")
    alias = privacy.pseudonym(9, "alice")

    assert privacy.map_for(stored_map, 9, reader)["consensus"][0]["supporters"] == [alias]
    assert privacy.summary_for(summary, 9, reader)["common_ground"][0]["supporters"] == [alias]
    assert privacy.map_for(stored_map, 9, moderator)["consensus"][0]["supporters"] == ["alice"]
    assert privacy.summary_for(summary, 9, moderator)["common_ground"][0]["supporters"] == ["alice"]
