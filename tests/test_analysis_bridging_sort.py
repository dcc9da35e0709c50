"""The "Bridging" sort and the "valued across groups" badge on a real thread page."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.services import analysis as analysis_service
from threads.services import voting


def two_camps_rating_two_replies():
    """Two camps of six split on the opening claim and on two more claims; both camps
    rate the `bridge` reply up, only camp A rates the `partisan` reply up."""
    thread = make_thread(make_user("host"), title="Is scaling enough?")
    root = opening_post(thread)
    partisan = make_reply(root, make_user("p"), role="support", body="Scaling is all you need.")
    bridge = make_reply(root, make_user("b"), role="comment", body="We should measure it.")
    splits = [
        make_reply(root, make_user(f"s{i}"), role="claim", body=f"Claim {i} about compute.")
        for i in range(3)
    ]
    camp_a = [make_user(f"hawk{i}") for i in range(6)]
    camp_b = [make_user(f"dove{i}") for i in range(6)]
    for side, camp in ((1, camp_a), (-1, camp_b)):
        for person in camp:
            for post in (root, *splits):
                voting.cast_vote(user=person, post=post, axis="agree", value=side)
            voting.cast_vote(user=person, post=bridge, axis="quality", value=1)
            voting.cast_vote(user=person, post=partisan, axis="quality", value=side)
    return thread, bridge, partisan


@pytest.mark.django_db
def test_bridging_sort_puts_the_post_both_camps_value_first_and_badges_it(client, settings):
    settings.CRUX_ANALYSE_ON_COMMIT = False
    thread, bridge, partisan = two_camps_rating_two_replies()
    analysis = analysis_service.run_analysis(thread.pk, force=True)
    assert len(analysis.map["groups"]) == 2
    scores = {b["post"]: b for b in analysis.map["bridging"]}
    assert scores[bridge.pk]["score"] > scores[partisan.pk]["score"]
    assert scores[bridge.pk]["valued_across_groups"]
    assert not scores[partisan.pk]["valued_across_groups"]
    markers = json.loads(analysis.panel["markers_json"])
    assert "valued across groups" in markers[str(bridge.pk)]
    assert "valued across groups" not in markers.get(str(partisan.pk), [])

    page = client.get(thread.get_absolute_url() + "?sort=bridging").content.decode()
    assert "?sort=bridging" in page and ">Bridging<" in page
    assert page.index(f'id="post-{bridge.pk}"') < page.index(f'id="post-{partisan.pk}"')


@pytest.mark.django_db
def test_threads_with_one_group_offer_no_bridging_sort(client, settings):
    settings.CRUX_ANALYSE_ON_COMMIT = False
    thread = make_thread(make_user("host"))
    reply = make_reply(opening_post(thread), make_user("critic"))
    for i in range(6):
        voting.cast_vote(user=make_user(f"r{i}"), post=reply, axis="quality", value=1)
    analysis = analysis_service.run_analysis(thread.pk, force=True)
    assert analysis.map["bridging"] == []
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "?sort=bridging" not in page
    # Asked for anyway, the page still renders (in "top" order of what there is).
    assert client.get(thread.get_absolute_url() + "?sort=bridging").status_code == 200
