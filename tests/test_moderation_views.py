"""Moderation in the browser's terms: who may open which page, what the inline controls do
(plain POST and htmx), the queue, the tag pages and the public log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads import urls
from threads.models import Ban, ModAction, Post, PostTag, Report, Tag, Thread
from threads.services import moderation
from threads.services import tags as taxonomy

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def tag(slug: str) -> Tag:
    return Tag.objects.get(slug=slug)


@pytest.fixture
def reply(thread):
    return make_reply(opening_post(thread), make_user("bob"))


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


# --- Every moderator URL refuses everyone else --------------------------------------------

PUBLIC_OR_PARTICIPANT_VIEWS = {"tag_index", "tag_detail", "moderation_log", "report_post"}


def moderation_patterns():
    return [
        pattern
        for pattern in urls.urlpatterns
        if getattr(pattern, "callback", None) is not None
        and pattern.callback.__module__ in ("threads.views.moderation", "threads.views.tags")
    ]


def test_every_moderation_view_is_either_moderator_only_or_deliberately_public():
    patterns = moderation_patterns()
    assert len(patterns) >= 20
    unguarded = {
        p.callback.__name__ for p in patterns if not getattr(p.callback, "moderator_only", False)
    }
    assert unguarded == PUBLIC_OR_PARTICIPANT_VIEWS


def test_all_moderator_urls_send_visitors_to_login_and_refuse_participants(client, reply, user):
    thread = reply.thread
    moderation.report_post(reporter=user, post=reply, reason="rude")
    arguments = {
        "post_id": reply.pk,
        "thread_id": thread.pk,
        "username": reply.author.username,
        "slug": "steelman",
    }
    guarded = [p for p in moderation_patterns() if getattr(p.callback, "moderator_only", False)]
    assert len(guarded) >= 16
    login = reverse("login")
    for pattern in guarded:
        kwargs = {name: arguments[name] for name in pattern.pattern.converters}
        url = reverse(pattern.name, kwargs=kwargs)
        payload = {"reason": "x", "tag": tag("steelman").pk, "role": "comment", "name": "x"}
        client.logout()
        for method in (client.get, client.post):
            response = method(url, payload)
            assert response.status_code == 302, (pattern.name, method)
            assert response.url.startswith(login), pattern.name
        client.force_login(user)
        for method in (client.get, client.post):
            assert method(url, payload).status_code == 403, (pattern.name, method)
    # Nothing happened on the way.
    assert not ModAction.objects.exists()
    assert not Post.objects.filter(removed_at__isnull=False).exists()
    assert not Thread.objects.filter(locked=True).exists()
    assert not Ban.objects.exists() and not PostTag.objects.exists()


def test_the_report_form_sends_visitors_to_login(client, reply):
    response = client.post(reverse("report_post", args=[reply.pk]), {"reason": "rude"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Report.objects.exists()


def test_an_htmx_request_from_a_visitor_sends_the_whole_page_to_login(client, reply):
    response = client.post(reverse("mod_remove_post", args=[reply.pk]), {"reason": "x"}, **HTMX)
    assert response.headers["HX-Redirect"].startswith(reverse("login"))


# --- Controls on the thread page ----------------------------------------------------------


def test_moderator_controls_appear_only_for_moderators(client, user, moderator, reply):
    page = reply.thread.get_absolute_url()
    panel_url = reverse("mod_post", args=[reply.pk])
    report_url = reverse("report_post", args=[reply.pk])
    html = client.get(page).content.decode()
    assert report_url not in html and panel_url not in html
    client.force_login(user)
    html = client.get(page).content.decode()
    assert report_url in html and panel_url not in html
    client.force_login(moderator)
    html = client.get(page).content.decode()
    assert report_url in html and panel_url in html


def test_the_panel_loads_as_a_fragment_with_tags_grouped_by_kind(mod_client, reply):
    response = mod_client.get(reverse("mod_post", args=[reply.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and f'id="mod-panel-{reply.pk}"' in html
    assert '<optgroup label="Topic">' in html and '<optgroup label="Quality / fallacy">' in html
    assert f'hx-select="#post-main-{reply.pk}"' in html


def test_the_panel_is_a_page_of_its_own_without_javascript(mod_client, reply):
    response = mod_client.get(reverse("mod_post", args=[reply.pk]))
    html = response.content.decode()
    assert "<html" in html and "Moderate post" in html
    assert "hx-post" not in html.split('id="mod-panel-')[1]


def test_tagging_from_the_panel_returns_to_the_post_which_shows_the_tag(
    mod_client, moderator, reply
):
    url = reverse("mod_tag_post", args=[reply.pk])
    response = mod_client.post(url, {"tag": tag("steelman").pk, "note": "charitable"})
    assert response.status_code == 302
    assert response.url == f"{reply.get_absolute_url()}#post-{reply.pk}"
    use = PostTag.objects.get(post=reply)
    assert (use.tag.slug, use.tagged_by, use.note) == ("steelman", moderator, "charitable")
    page = mod_client.get(response.url).content.decode()
    assert 'class="tag tag-quality"' in page and "steelman" in page


def test_untagging_and_changing_the_role_from_the_panel(mod_client, moderator, reply):
    moderation.tag_post(moderator=moderator, post=reply, tag=tag("analogy"))
    mod_client.post(reverse("mod_untag_post", args=[reply.pk]), {"tag": tag("analogy").pk})
    assert not PostTag.objects.exists()
    response = mod_client.post(
        reverse("mod_change_role", args=[reply.pk]), {"role": "question", "reason": "it asks"}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.role == "question" and not reply.role_inferred
    assert list(ModAction.objects.values_list("action", flat=True)) == ["role", "untag", "tag"]


def test_removing_an_already_removed_post_says_so_and_changes_nothing(mod_client, reply):
    url = reverse("mod_remove_post", args=[reply.pk])
    assert mod_client.post(url, {"reason": "Rule 2"}).status_code == 302
    response = mod_client.post(url, {"reason": "again"}, **HTMX)
    assert response.status_code == 422
    assert "This post is already removed." in response.content.decode()
    assert response.headers["HX-Retarget"] == f"#mod-panel-{reply.pk}"
    reply.refresh_from_db()
    assert reply.removed_reason == "Rule 2"
    assert ModAction.objects.count() == 1


def test_removing_without_a_reason_is_refused_in_place(mod_client, reply):
    response = mod_client.post(reverse("mod_remove_post", args=[reply.pk]), {"reason": " "}, **HTMX)
    assert response.status_code == 422
    assert "Give a reason" in response.content.decode()
    assert not Post.objects.get(pk=reply.pk).is_removed


def test_tagging_with_an_unknown_tag_is_refused(mod_client, reply):
    response = mod_client.post(reverse("mod_tag_post", args=[reply.pk]), {"tag": 999999})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_acting_on_an_unknown_post_is_a_404(mod_client):
    assert (
        mod_client.post(reverse("mod_remove_post", args=[999999]), {"reason": "x"}).status_code
        == 404
    )


def test_readers_see_the_removal_notice_and_moderators_can_restore(client, moderator, reply):
    moderation.remove_post(moderator=moderator, post=reply, reason="Rule 2: be kind")
    html = client.get(reply.thread.get_absolute_url()).content.decode()
    assert "[removed by moderators: Rule 2: be kind]" in html
    assert "I disagree: prediction needs planning." not in html
    client.force_login(moderator)
    panel = client.get(reverse("mod_post", args=[reply.pk]), **HTMX).content.decode()
    assert "Restore post" in panel and "Remove post" not in panel
    client.post(reverse("mod_restore_post", args=[reply.pk]), {"reason": "on appeal"})
    assert not Post.objects.get(pk=reply.pk).is_removed


def test_locking_from_the_opening_posts_panel_reloads_the_thread(mod_client, thread):
    response = mod_client.post(reverse("mod_lock", args=[thread.pk]), {"reason": "flame war"})
    assert response.status_code == 302 and response.url == thread.get_absolute_url()
    thread.refresh_from_db()
    assert thread.locked
    again = mod_client.post(reverse("mod_lock", args=[thread.pk]), {})
    assert again.status_code == 422 and "already locked" in again.content.decode()
    mod_client.post(reverse("mod_unlock", args=[thread.pk]), {})
    thread.refresh_from_db()
    assert not thread.locked


# --- Reports ------------------------------------------------------------------------------


def test_a_participant_reports_a_post_inline(user_client, reply):
    url = reverse("report_post", args=[reply.pk])
    form = user_client.get(url, **HTMX).content.decode()
    assert f'id="mod-report-{reply.pk}"' in form and "Quality contribution nomination" in form
    response = user_client.post(url, {"kind": "report", "reason": "ad hominem"}, **HTMX)
    assert response.status_code == 200
    assert "Thank you: the moderators will look at this post." in response.content.decode()
    again = user_client.post(url, {"kind": "quality", "reason": ""}, **HTMX)
    assert again.status_code == 422 and "once per post" in again.content.decode()
    assert Report.objects.get().reason == "ad hominem"


def test_a_report_without_a_reason_or_too_long_is_refused(user_client, reply):
    url = reverse("report_post", args=[reply.pk])
    assert "Say what is wrong" in user_client.post(url, {"kind": "report"}).content.decode()
    response = user_client.post(url, {"kind": "report", "reason": "x" * 501})
    assert response.status_code == 422 and "at most 500" in response.content.decode()
    assert not Report.objects.exists()


def test_a_banned_user_cannot_report_and_is_told_why(client, moderator, reply):
    troll = make_user("troll")
    moderation.ban_user(moderator=moderator, user=troll, reason="Rule 1")
    client.force_login(troll)
    response = client.post(
        reverse("report_post", args=[reply.pk]), {"kind": "report", "reason": "x"}
    )
    assert response.status_code == 403
    assert "You are banned permanently: Rule 1" in response.content.decode()
    assert not Report.objects.exists()


def test_a_plain_report_redirects_back_to_the_post_with_thanks(user_client, reply):
    response = user_client.post(
        reverse("report_post", args=[reply.pk]), {"kind": "quality", "reason": ""}, follow=True
    )
    assert "Thank you for the nomination" in response.content.decode()
    assert Report.objects.get().kind == "quality"


# --- The queue ----------------------------------------------------------------------------


def report_many(post, count: int, kind: str = "report") -> None:
    for _ in range(count):
        moderation.report_post(reporter=make_user(), post=post, reason="bad faith", kind=kind)


def test_the_queue_groups_open_reports_by_post_with_counts(mod_client, reply, thread):
    other = make_reply(opening_post(thread), make_user(), body="Another view entirely.")
    report_many(reply, 3)
    report_many(reply, 1, kind="quality")
    report_many(other, 1)
    html = mod_client.get(reverse("moderation_queue")).content.decode()
    assert "Open reports on 2 posts" in html
    assert "3 reports" in html and "1 quality nomination" in html and "1 report<" in html
    assert html.index(f'id="queue-{reply.pk}"') < html.index(f'id="queue-{other.pk}"')


def test_the_queue_lists_held_posts_and_approving_one_publishes_it(settings, mod_client, thread):
    settings.CRUX_HOLD_FIRST_POSTS = True
    held = make_reply(opening_post(thread), make_user("newcomer"))
    html = mod_client.get(reverse("moderation_queue")).content.decode()
    assert f'id="held-{held.pk}"' in html
    response = mod_client.post(
        reverse("mod_approve_post", args=[held.pk]), {"from": "queue"}, **HTMX
    )
    assert response.status_code == 200 and "Post approved" in response.content.decode()
    assert f'id="held-{held.pk}"' in response.content.decode()
    assert not Post.objects.get(pk=held.pk).held_for_approval
    assert ModAction.objects.get().action == "approve"


def test_rejecting_a_held_post_without_a_reason_is_refused_in_the_queue(
    settings, mod_client, thread
):
    settings.CRUX_HOLD_FIRST_POSTS = True
    held = make_reply(opening_post(thread), make_user("newcomer"))
    response = mod_client.post(
        reverse("mod_remove_post", args=[held.pk]), {"from": "queue"}, **HTMX
    )
    assert response.status_code == 422 and response.headers["HX-Retarget"] == f"#held-{held.pk}"
    assert not Post.objects.get(pk=held.pk).is_removed


def test_resolving_reports_from_the_queue(mod_client, reply):
    report_many(reply, 2)
    url = reverse("mod_resolve_reports", args=[reply.pk])
    missing_tag = mod_client.post(url, {"resolution": "tagged", "reason": "x"}, **HTMX)
    assert missing_tag.status_code == 422 and "Choose the tag" in missing_tag.content.decode()
    response = mod_client.post(url, {"resolution": "removed", "reason": "Rule 4"}, **HTMX)
    assert response.status_code == 200
    assert "Reports resolved: post removed." in response.content.decode()
    assert Post.objects.get(pk=reply.pk).removed_reason == "Rule 4"
    again = mod_client.post(url, {"resolution": "dismissed", "reason": "x"})
    assert again.status_code == 422 and "no open reports" in again.content.decode()


def test_the_queue_takes_a_fixed_number_of_queries(
    mod_client, thread, django_assert_max_num_queries
):
    def load() -> None:
        assert mod_client.get(reverse("moderation_queue")).status_code == 200

    report_many(make_reply(opening_post(thread), make_user()), 2)
    with django_assert_max_num_queries(12) as few:
        load()
    for _ in range(8):
        report_many(make_reply(opening_post(thread), make_user()), 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        load()


# --- Tag pages ----------------------------------------------------------------------------


def test_the_tag_index_groups_tags_by_kind_and_filters(client):
    html = client.get(reverse("tags")).content.decode()
    for heading in ("Topic", "Argument scheme", "Quality / fallacy"):
        assert f"<h2>{heading}</h2>" in html
    assert "instrumental convergence" in html and "Most final goals" in html
    only = client.get(reverse("tags"), {"kind": "scheme"}).content.decode()
    assert "thought experiment" in only and "instrumental convergence" not in only


def test_the_tag_index_counts_visible_arguments_in_a_fixed_number_of_queries(
    client, moderator, thread, django_assert_max_num_queries
):
    posts = [make_reply(opening_post(thread), make_user(), body=f"Point {i}.") for i in range(4)]
    for post in posts:
        moderation.tag_post(moderator=moderator, post=post, tag=tag("timelines"))
        moderation.tag_post(moderator=moderator, post=post, tag=tag("forecast"))
    moderation.remove_post(moderator=moderator, post=posts[0], reason="spam")
    with django_assert_max_num_queries(3):
        html = client.get(reverse("tags")).content.decode()
    assert html.count("4 arguments") == 0 and html.count("3 arguments") == 2


def test_a_tag_page_lists_the_tagged_arguments_across_threads(client, moderator, reply):
    elsewhere = make_reply(
        opening_post(make_thread(make_user(), title="Do simulators want things?")),
        make_user(),
        body="Simulated characters can still plan.",
        role="support",
    )
    removed = make_reply(opening_post(reply.thread), make_user(), body="Rude words.")
    for post in (reply, elsewhere, removed):
        moderation.tag_post(moderator=moderator, post=post, tag=tag("simulators"))
    moderation.remove_post(moderator=moderator, post=removed, reason="rude")
    html = client.get(tag("simulators").get_absolute_url()).content.decode()
    assert "2 tagged arguments" in html
    assert "Will AI be agentic?" in html and "Do simulators want things?" in html
    assert "Simulated characters can still plan." in html and "Rude words." not in html
    assert "score 0" in html and "supports" in html
    supports = client.get(tag("simulators").get_absolute_url(), {"role": "support"})
    assert "1 tagged argument " in supports.content.decode()
    assert "prediction needs planning" not in supports.content.decode()


def test_a_tag_page_is_paginated_with_a_fixed_number_of_queries(
    client, moderator, thread, django_assert_max_num_queries
):
    url = tag("analogy").get_absolute_url()
    posts = [
        make_reply(opening_post(thread), make_user(), body=f"Like evolution {i}.") for i in range(3)
    ]
    for post in posts:
        moderation.tag_post(moderator=moderator, post=post, tag=tag("analogy"))
    with django_assert_max_num_queries(6) as few:
        client.get(url)
    for i in range(25):
        post = make_reply(opening_post(thread), make_user(), body=f"Like a company {i}.")
        moderation.tag_post(moderator=moderator, post=post, tag=tag("analogy"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get(url).content.decode()
    assert "Page 1 of 2" in first and "28 tagged arguments" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('class="tagged-argument"') == 3


def test_a_merged_tags_page_redirects_to_the_tag_it_became(client, moderator):
    taxonomy.merge_tag(moderator=moderator, source=tag("strawman"), target=tag("non-sequitur"))
    response = client.get(reverse("tag", args=["strawman"]))
    assert response.status_code == 301 and response.url == reverse("tag", args=["non-sequitur"])
    assert client.get(reverse("tag", args=["no-such-tag"])).status_code == 404


# --- The public log -----------------------------------------------------------------------


def test_the_log_is_public_and_shows_who_did_what_to_what_and_why(client, moderator, reply):
    moderation.tag_post(moderator=moderator, post=reply, tag=tag("steelman"))
    moderation.remove_post(moderator=moderator, post=reply, reason="Rule 2: be kind")
    moderation.ban_user(moderator=moderator, user=reply.author, reason="repeated insults")
    html = client.get(reverse("moderation_log")).content.decode()
    assert html.count('class="log-entry') == 3
    assert "tagged" in html and "steelman" in html
    assert "removed" in html and "Rule 2: be kind" in html
    assert "banned" in html and "bob permanently" in html and "repeated insults" in html
    only_bans = client.get(reverse("moderation_log"), {"action": "ban"}).content.decode()
    assert only_bans.count('class="log-entry') == 1


def test_the_log_is_paginated_with_a_fixed_number_of_queries(
    client, moderator, thread, django_assert_max_num_queries
):
    def act(count: int) -> None:
        for _ in range(count):
            post = make_reply(opening_post(thread), make_user())
            moderation.tag_post(moderator=moderator, post=post, tag=tag("forecast"))
            moderation.remove_post(moderator=moderator, post=post, reason="spam")

    act(2)
    with django_assert_max_num_queries(4) as few:
        client.get(reverse("moderation_log"))
    act(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("moderation_log")).content.decode()
    assert "Page 1 of 2" in html and html.count('class="log-entry') == 50


# --- Bans and the taxonomy from their pages -----------------------------------------------


def test_banning_and_unbanning_from_the_users_page(mod_client, user):
    url = reverse("mod_ban_user", args=[user.username])
    past = mod_client.post(url, {"duration": "until", "until": "2001-01-01", "reason": "x"})
    assert past.status_code == 422 and "in the future" in past.content.decode()
    response = mod_client.post(url, {"duration": "7", "reason": "Rule 1"}, **HTMX)
    assert response.status_code == 200
    assert f"{user.username} is banned until" in response.content.decode()
    assert user.active_ban().reason == "Rule 1"
    mod_client.post(reverse("mod_unban_user", args=[user.username]), {"reason": "appeal"})
    assert user.active_ban() is None
    page = mod_client.get(reverse("mod_user", args=[user.username])).content.decode()
    assert "Ban history" in page and "appeal" not in page  # the reason is in the public log


def test_merging_a_tag_into_itself_is_refused_with_a_message(mod_client):
    steelman = tag("steelman")
    response = mod_client.post(
        reverse("mod_tag_merge", args=[steelman.slug]), {"target": steelman.pk}, **HTMX
    )
    assert response.status_code == 422
    assert "A tag cannot be merged into itself." in response.content.decode()
    assert tag("steelman").merged_into is None


def test_creating_renaming_and_retiring_tags_from_the_tag_page(mod_client):
    response = mod_client.post(
        reverse("mod_tag_create"), {"kind": "topic", "name": "Corrigibility", "description": ""}
    )
    assert response.status_code == 302
    corrigibility = tag("corrigibility")
    clash = mod_client.post(reverse("mod_tag_create"), {"kind": "topic", "name": "corrigibility"})
    assert clash.status_code == 422 and "already a topic tag" in clash.content.decode()
    renamed = mod_client.post(
        reverse("mod_tag_rename", args=["corrigibility"]),
        {"name": "Corrigibility and shutdown", "description": "Accepting correction."},
        **HTMX,
    )
    assert renamed.status_code == 200 and "Tag renamed." in renamed.content.decode()
    mod_client.post(reverse("mod_tag_retire", args=["corrigibility"]), {"reason": "unused"})
    corrigibility.refresh_from_db()
    assert corrigibility.name == "Corrigibility and shutdown" and corrigibility.retired
    page = mod_client.get(reverse("mod_tags")).content.decode()
    assert "Corrigibility and shutdown" in page
    actions = set(ModAction.objects.values_list("action", flat=True))
    assert actions == {"tag_create", "tag_rename", "tag_retire"}
