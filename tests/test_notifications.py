"""Notifications in the web process (tasks run in-process on commit): who hears about a
reply, quote, mention, answer, watched thread, moderation and a new crux; who never
does; the inbox, its JSON, the header badge, watching levels, unread markers and drafts.
The same flows through a real Celery worker and SMTP server are in
test_notifications_e2e.py."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads import markdown
from threads.models import Draft, Notification, Role, ThreadAnalysis, Watch
from threads.queries import notifications as notification_queries
from threads.services import moderation, notifications, watching

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(db, no_rate_limits):
    return {name: make_user(name) for name in ("alice", "bob", "carol", "dave")}


@pytest.fixture
def thread(people):
    return make_thread(
        people["alice"], body="Language models trained to predict text will not plan."
    )


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# --- Who hears about a post --------------------------------------------------------------------


def test_a_reply_notifies_the_parent_author_and_never_the_replier(people, thread):
    reply = make_reply(opening_post(thread), people["bob"], body="They will: planning helps.")
    note = Notification.objects.get(recipient=people["alice"])
    assert (note.kind, note.post_id, note.thread_id, note.actor_id) == (
        "reply",
        reply.pk,
        thread.pk,
        people["bob"].pk,
    )
    assert kinds_for(people["bob"]) == []


def test_an_answer_to_a_question_or_a_rebuttal_of_an_objection_is_answered(people, thread):
    root = opening_post(thread)
    question = make_reply(root, people["bob"], body="What is planning?", role=Role.QUESTION)
    make_reply(question, people["alice"], body="Choosing actions by outcomes.", role=Role.ANSWER)
    assert kinds_for(people["bob"]) == ["answered"]
    objection = make_reply(root, people["carol"], body="No: look at chess.", role=Role.REBUTTAL)
    make_reply(objection, people["dave"], body="Chess is search.", role=Role.REBUTTAL)
    assert kinds_for(people["carol"]) == ["answered"]
    make_reply(objection, people["dave"], body="Also, good point.", role=Role.SUPPORT)
    assert sorted(kinds_for(people["carol"])) == ["answered", "reply"]


def test_quoting_an_earlier_authors_words_in_a_reply_to_someone_else_notifies_them(people, thread):
    root = opening_post(thread)
    middle = make_reply(root, people["bob"], body="Prediction is not planning.")
    make_reply(
        middle,
        people["carol"],
        body="> Language models trained to predict text\n\nAre trained for more than that.",
        role=Role.SUPPORT,
    )
    # alice: bob's reply to her, then carol quoting her opening post
    assert sorted(kinds_for(people["alice"])) == ["quote", "reply"]
    assert kinds_for(people["bob"]) == ["reply"]


def test_a_mention_links_the_profile_and_notifies_unknown_names_stay_text(people, thread):
    reply = make_reply(
        opening_post(thread), people["bob"], body="As @carol said, and @nobody did not."
    )
    assert '<a href="/u/carol/"' in reply.body_html and "@nobody" in reply.body_html
    assert '<a href="/u/nobody/"' not in reply.body_html
    assert kinds_for(people["carol"]) == ["mention"]
    assert markdown.mentioned_names("`@dave` mail dave@example.org") == []


def test_an_edit_that_names_someone_new_tells_only_them(people, thread):
    from threads.services import posting

    reply = make_reply(opening_post(thread), people["bob"], body="I agree with @carol.")
    posting.edit_post(post=reply, editor=people["bob"], body="I agree with @carol and @dave.")
    assert kinds_for(people["carol"]) == ["mention"]
    assert kinds_for(people["dave"]) == ["mention"]
    assert kinds_for(people["alice"]) == ["reply"]


def test_a_mention_of_the_parent_author_is_one_notification_not_two(people, thread):
    make_reply(opening_post(thread), people["bob"], body="@alice you are wrong.")
    assert kinds_for(people["alice"]) == ["mention"]


def test_watching_hears_of_every_post_tracking_only_of_its_own_replies(people, thread):
    root = opening_post(thread)
    watching.set_watch_level(user=people["dave"], thread=thread, level="watching")
    carol_post = make_reply(root, people["carol"], body="First.", role=Role.COMMENT)
    make_reply(root, people["bob"], body="Second, to alice.", role=Role.COMMENT)
    assert kinds_for(people["dave"]) == ["reply", "reply"]
    assert {n.detail for n in Notification.objects.filter(recipient=people["dave"])} == {
        "posted in a thread you watch"
    }
    assert Notification.objects.filter(recipient=people["alice"], detail="").count() == 2
    assert kinds_for(people["carol"]) == []
    assert Watch.objects.get(user=people["carol"], thread=thread).level == "tracking"
    assert Watch.objects.get(user=people["alice"], thread=thread).level == "watching"
    make_reply(carol_post, people["bob"], body="To carol.", role=Role.COMMENT)
    assert kinds_for(people["carol"]) == ["reply"]


def test_a_muted_thread_tells_nothing_not_even_direct_replies_or_mentions(people, thread):
    watching.set_watch_level(user=people["alice"], thread=thread, level="muted")
    make_reply(opening_post(thread), people["bob"], body="@alice no.")
    assert kinds_for(people["alice"]) == []


def test_a_muted_user_never_notifies(people, thread):
    notifications.set_user_muted(user=people["alice"], other=people["bob"], muted=True)
    make_reply(opening_post(thread), people["bob"], body="Hello alice.")
    make_reply(opening_post(thread), people["carol"], body="Hello too.")
    assert kinds_for(people["alice"]) == ["reply"]
    assert Notification.objects.get(recipient=people["alice"]).actor == people["carol"]


def test_a_user_banned_after_posting_disappears_from_the_inbox_and_the_count(
    people, thread, moderator, client
):
    make_reply(opening_post(thread), people["bob"], body="Spam spam.")
    assert notification_queries.unread_count(people["alice"].pk) == 1
    moderation.ban_user(moderator=moderator, user=people["bob"], reason="Spam")
    cache.clear()
    assert notification_queries.unread_count(people["alice"].pk) == 0
    client.force_login(people["alice"])
    assert "Spam spam" not in client.get("/inbox/").content.decode()


def test_a_held_post_notifies_only_once_approved(people, thread, moderator, settings):
    settings.CRUX_HOLD_FIRST_POSTS = True
    newcomer = make_user("newcomer")
    held = make_reply(opening_post(thread), newcomer, body="My first post.")
    assert held.held_for_approval and kinds_for(people["alice"]) == []
    moderation.approve_post(moderator=moderator, post=held)
    assert kinds_for(people["alice"]) == ["reply"]


def test_a_removed_post_is_no_longer_shown_and_its_author_hears_why(
    people, thread, moderator, client
):
    reply = make_reply(opening_post(thread), people["bob"], body="Rude words here.")
    assert notification_queries.unread_count(people["alice"].pk) == 1  # now cached
    moderation.remove_post(moderator=moderator, post=reply, reason="Be civil")
    client.force_login(people["alice"])
    page = client.get("/inbox/").content.decode()
    assert "Rude words" not in page
    assert notification_queries.unread_count(people["alice"].pk) == 0
    note = Notification.objects.get(recipient=people["bob"], kind="moderation")
    assert note.detail == "removed your post: Be civil" and note.actor == moderator
    moderation.restore_post(moderator=moderator, post=reply, reason="On appeal")
    tag = moderation.Tag.objects.filter(retired=False).first()
    moderation.tag_post(moderator=moderator, post=reply, tag=tag)
    moderation.change_role(moderator=moderator, post=reply, role="question", reason="It asks")
    details = list(
        Notification.objects.filter(recipient=people["bob"])
        .order_by("at", "id")
        .values_list("detail", flat=True)
    )
    assert details[1:] == [
        "restored your post: On appeal",
        f"tagged your post: {tag.name}",
        "changed the role of your post: It asks",
    ]
    client.force_login(people["bob"])
    assert "Be civil" in client.get("/inbox/").content.decode()


def test_a_repeated_fan_out_adds_nothing(people, thread):
    reply = make_reply(opening_post(thread), people["bob"], body="Once.")
    notifications.fan_out_post(reply.pk)
    assert Notification.objects.filter(post=reply).count() == 1


# --- Cruxes and minds changed ------------------------------------------------------------------


def test_watchers_hear_of_a_new_top_crux(people, thread):
    root = opening_post(thread)
    crux = make_reply(root, people["bob"], body="The real question is compute.")
    watching.set_watch_level(user=people["dave"], thread=thread, level="watching")
    watching.set_watch_level(user=people["carol"], thread=thread, level="tracking")
    assert notifications.fan_out_top_crux(thread.pk, crux.pk) == 2  # alice (author) and dave
    assert kinds_for(people["dave"]) == ["crux"]
    assert kinds_for(people["carol"]) == []


def test_a_finished_analysis_with_a_new_top_crux_tells_the_watchers_once(no_rate_limits):
    from tests.test_analysis_flow import two_camp_thread
    from threads.services.analysis import run_analysis

    thread, divider, shared, *_ = two_camp_thread()
    watcher = make_user("watcher")
    watching.set_watch_level(user=watcher, thread=thread, level="watching")
    run_analysis(thread.pk)  # the first map: nothing to compare with, nobody is told
    assert kinds_for(watcher) == []
    analysis = ThreadAnalysis.objects.get(thread=thread)
    top = analysis.map["cruxes"][0]["post"]
    # As if the previous map had another top crux.
    analysis.map = {**analysis.map, "cruxes": [{"post": shared.pk}]}
    analysis.save()
    run_analysis(thread.pk, force=True)
    note = Notification.objects.get(recipient=watcher)
    assert (note.kind, note.post_id, note.thread_id) == ("crux", top, thread.pk)
    run_analysis(thread.pk, force=True)  # the same top crux again: no second notice
    assert Notification.objects.filter(recipient=watcher).count() == 1


def test_the_analysis_asks_for_crux_notices_only_when_the_top_crux_changes(people, thread):
    from threads.services.analysis import top_crux

    assert top_crux(None) == -1
    assert top_crux({"cruxes": []}) is None
    assert top_crux({"cruxes": [{"post": 7}, {"post": 3}]}) == 7


def test_minds_changed_on_your_post_is_a_crux_notice_for_its_author(people, thread):
    reply = make_reply(opening_post(thread), people["bob"], body="Compute decides.")
    note = notifications.notify_minds_changed(post=reply, user=people["carol"], before=20, after=70)
    assert note.kind == "crux" and note.recipient == people["bob"]
    assert "20% → 70%" in note.detail
    assert (
        notifications.notify_minds_changed(post=reply, user=people["bob"], before=1, after=90)
        is None
    )
    moderation.remove_post(moderator=make_user("m", moderator=True), post=reply, reason="x")
    assert (
        notifications.notify_minds_changed(
            post=reply.pk, user=people["dave"].pk, before=1, after=50
        )
        is None
    )


# --- Inbox, JSON, badge ------------------------------------------------------------------------


def test_inbox_groups_by_thread_newest_first_in_at_most_five_queries(
    people, thread, client, django_assert_max_num_queries
):
    other = make_thread(people["carol"], title="Is alignment hard?")
    make_reply(opening_post(thread), people["bob"], body="One.")
    make_reply(opening_post(other), people["bob"], body="@alice what do you think?")
    make_reply(opening_post(thread), people["dave"], body="Two.")
    client.force_login(people["alice"])
    cache.clear()
    with django_assert_max_num_queries(5):
        response = client.get("/inbox/")
    html = response.content.decode()
    assert html.index("Will AI be agentic?") < html.index("Is alignment hard?")
    assert "3 unread" in html and "mentioned you" in html


def test_read_all_marks_everything_read(people, thread, client):
    make_reply(opening_post(thread), people["bob"], body="One.")
    client.force_login(people["alice"])
    assert client.post("/inbox/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=people["alice"], read=False).exists()
    assert notification_queries.unread_count(people["alice"].pk) == 0


def test_opening_a_notification_marks_it_read_and_goes_to_the_post(people, thread, client):
    reply = make_reply(opening_post(thread), people["bob"], body="One.")
    note = Notification.objects.get(recipient=people["alice"])
    client.force_login(people["alice"])
    response = client.post(f"/inbox/{note.pk}/read/", {"next": reply.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == reply.get_absolute_url()
    note.refresh_from_db()
    assert note.read
    client.force_login(people["bob"])
    assert client.post(f"/inbox/{note.pk}/read/").status_code == 404


def test_the_notifications_json_lists_kind_post_thread_actor_read_at(people, thread, client):
    reply = make_reply(opening_post(thread), people["bob"], body="One.")
    assert client.get("/api/notifications.json").status_code == 401
    client.force_login(people["alice"])
    data = json.loads(client.get("/api/notifications.json").content)
    assert data["unread"] == 1
    (item,) = data["notifications"]
    assert {k: item[k] for k in ("kind", "post", "thread", "actor", "read")} == {
        "kind": "reply",
        "post": reply.pk,
        "thread": thread.pk,
        "actor": "bob",
        "read": False,
    }
    assert item["at"].startswith(str(reply.created.year))


def test_the_badge_is_one_query_then_cached_and_follows_new_notifications(
    people, thread, client, django_assert_num_queries
):
    client.force_login(people["alice"])
    client.get("/inbox/badge/")  # the session and user rows are now read
    cache.clear()
    make_reply(opening_post(thread), people["bob"], body="One.")
    cache.delete(f"notifications:unread:{people['alice'].pk}")
    # The session (its cached copy was cleared too), the user, then the count; the second
    # time the session and the count come from the cache: only the user is read.
    with django_assert_num_queries(3):
        assert ">1<" in client.get("/inbox/badge/", **HTMX).content.decode()
    with django_assert_num_queries(1):
        client.get("/inbox/badge/", **HTMX)
    make_reply(opening_post(thread), people["carol"], body="Two.")
    assert ">2<" in client.get("/inbox/badge/", **HTMX).content.decode()


# --- The thread page ---------------------------------------------------------------------------


def test_the_thread_page_marks_posts_new_since_the_last_visit_and_reads_its_notices(
    people, thread, client
):
    client.force_login(people["alice"])
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'data-read-at=""' in html and "new — jump" not in html
    first = make_reply(opening_post(thread), people["bob"], body="New one.")
    make_reply(opening_post(thread), people["carol"], body="New two.")
    assert notification_queries.unread_count(people["alice"].pk) == 2
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "2 new — jump" in html and f'data-post-id="{first.pk}"' in html
    assert notification_queries.unread_count(people["alice"].pk) == 0
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "new — jump" not in html


def test_the_new_replies_strip_counts_posts_by_others_since_the_page_loaded(people, thread, client):
    from django.utils import timezone

    client.force_login(people["alice"])
    since = timezone.now().isoformat()
    url = f"/t/{thread.pk}/replies/new/"
    assert "new repl" not in client.get(url, {"since": since}, **HTMX).content.decode()
    make_reply(opening_post(thread), people["bob"], body="Fresh.")
    make_reply(opening_post(thread), people["alice"], body="Mine does not count.")
    assert "1 new reply — show" in client.get(url, {"since": since}, **HTMX).content.decode()


def test_the_thread_list_shows_unread_counts_to_members_who_visited(people, thread, client):
    client.force_login(people["alice"])
    client.get(thread.get_absolute_url())
    make_reply(opening_post(thread), people["bob"], body="New.")
    assert "1 new</a>" in client.get("/").content.decode()
    client.logout()
    assert "1 new</a>" not in client.get("/").content.decode()


def test_the_watch_control_sets_a_level_and_refuses_an_unknown_one(people, thread, client):
    client.force_login(people["bob"])
    response = client.post(f"/t/{thread.pk}/watch/", {"level": "watching"}, **HTMX)
    assert response.status_code == 200 and 'value="watching" selected' in response.content.decode()
    response = client.post(f"/t/{thread.pk}/watch/", {"level": "loud"}, **HTMX)
    assert response.status_code == 422 and "Unknown level" in response.content.decode()
    assert Watch.objects.get(user=people["bob"], thread=thread).level == "watching"
    assert client.post(f"/t/{thread.pk}/watch/", {"level": "muted"}).status_code == 302
    assert Watch.objects.get(user=people["bob"], thread=thread).level == "muted"
    client.logout()
    assert client.post(f"/t/{thread.pk}/watch/", {"level": "muted"}).status_code == 302


def test_a_thread_whose_slug_is_watch_still_has_its_page(people, client):
    thread = make_thread(people["bob"], title="Watch")
    assert thread.get_absolute_url() == f"/t/{thread.pk}/watch/"
    assert "<h1>Watch</h1>" in client.get(thread.get_absolute_url()).content.decode()


# --- Drafts ------------------------------------------------------------------------------------


def test_a_reply_draft_is_kept_restored_and_dropped_on_submit(people, thread, client):
    root = opening_post(thread)
    client.force_login(people["bob"])
    saved = client.post(
        f"/p/{root.pk}/draft/", {"body": "Half a thought", "role": "rebuttal"}, **HTMX
    )
    assert saved.status_code == 204
    form = client.get(f"/p/{root.pk}/reply/", **HTMX).content.decode()
    assert "Half a thought" in form
    token = "tok-1"
    client.post(
        f"/p/{root.pk}/reply/",
        {"body": "A whole thought.", "role": "rebuttal", "submission_token": token},
        **HTMX,
    )
    assert not Draft.objects.filter(user=people["bob"]).exists()
    assert "Half a thought" not in client.get(f"/p/{root.pk}/reply/", **HTMX).content.decode()


def test_a_new_thread_draft_is_restored_and_dropped_when_the_thread_starts(people, client):
    client.force_login(people["bob"])
    assert (
        client.post("/t/new/draft/", {"title": "Is GPT an agent", "body": "Draft"}).status_code
        == 204
    )
    assert "Is GPT an agent" in client.get("/t/new/").content.decode()
    client.post("/t/new/", {"title": "Is GPT an agent?", "body": "It is not."})
    assert not Draft.objects.filter(user=people["bob"]).exists()


def test_an_emptied_draft_is_dropped(people, thread, client):
    root = opening_post(thread)
    client.force_login(people["bob"])
    client.post(f"/p/{root.pk}/draft/", {"body": "Something"})
    client.post(f"/p/{root.pk}/draft/", {"body": "  "})
    assert not Draft.objects.exists()


def test_a_belief_update_on_your_post_tells_you_who_changed_their_mind(people, thread):
    from threads.services import stances

    reply = make_reply(opening_post(thread), people["bob"], body="Compute decides it all.")
    stances.state_credence(user=people["carol"], post=reply, value=20)
    stances.state_credence(user=people["carol"], post=reply, value=25)  # a small move
    assert kinds_for(people["bob"]) == []
    stances.state_credence(user=people["carol"], post=reply, value=70)
    note = Notification.objects.get(recipient=people["bob"])
    assert note.kind == "crux" and note.actor == people["carol"] and "25% → 70%" in note.detail
