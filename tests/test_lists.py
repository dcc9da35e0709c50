"""The thread list and starting a thread."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import browser_login
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Ban, PostTag, Tag, Thread, ThreadAnalysis
from threads.services.limits import DEFAULT_LIMITS

pytestmark = pytest.mark.usefixtures("no_rate_limits")


def titles_in_order(response) -> list[str]:
    return [thread.title for thread in response.context["page"].object_list]


def age(thread: Thread, **delta) -> None:
    moment = timezone.now() - timedelta(**delta)
    Thread.objects.filter(pk=thread.pk).update(created=moment, last_activity=moment)


# --- The list ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_puts_the_most_recently_active_thread_first(client, user):
    old = make_thread(user, title="Old but busy")
    age(old, days=3)
    make_thread(user, title="New and quiet")
    age(Thread.objects.get(title="New and quiet"), days=1)
    make_reply(opening_post(old))

    assert titles_in_order(client.get(reverse("home"))) == ["Old but busy", "New and quiet"]


@pytest.mark.django_db
def test_list_sorts_by_new_and_by_top(client, user):
    first = make_thread(user, title="First")
    age(first, days=2)
    second = make_thread(user, title="Second")
    Thread.objects.filter(pk=first.pk).update(score=10)
    make_reply(opening_post(first))  # first is also the most active now

    assert titles_in_order(client.get(reverse("home") + "?sort=new")) == ["Second", "First"]
    assert titles_in_order(client.get(reverse("home") + "?sort=top")) == ["First", "Second"]
    Thread.objects.filter(pk=second.pk).update(score=11)
    assert titles_in_order(client.get(reverse("home") + "?sort=top")) == ["Second", "First"]


@pytest.mark.django_db
def test_unknown_sort_and_bad_page_fall_back_to_defaults(client, thread):
    response = client.get(reverse("home") + "?sort=bogus&page=zebra")
    assert response.status_code == 200
    assert response.context["sort"] == "activity"
    assert titles_in_order(response) == [thread.title]


@pytest.mark.django_db
def test_list_shows_author_replies_participants_and_opening_post_tags(client, user, moderator):
    thread = make_thread(user, title="Will AI be agentic?")
    make_reply(opening_post(thread), make_user("bob"))
    make_reply(opening_post(thread), make_user("carol"))
    topic = Tag.objects.create(kind="topic", name="agency", slug="agency-test")
    retired = Tag.objects.create(kind="topic", name="old-tag", slug="old-tag", retired=True)
    for tag in (topic, retired):
        PostTag.objects.create(post=opening_post(thread), tag=tag, tagged_by=moderator)

    content = client.get(reverse("home")).content.decode()

    assert "Will AI be agentic?" in content
    assert 'href="/u/alice/"' in content
    assert "2 replies" in content
    assert "3 participants" in content
    assert "agency" in content
    assert "old-tag" not in content


@pytest.mark.django_db
def test_list_shows_the_first_sentence_of_the_summary_when_there_is_one(client, user):
    summarised = make_thread(user, title="Summarised")
    ThreadAnalysis.objects.create(
        thread=summarised,
        status="done",
        summary={"brief": [{"text": "Most agree <b>scaling</b> helps.", "post": 1}]},
    )
    pending = make_thread(user, title="Pending")
    ThreadAnalysis.objects.create(thread=pending, status="pending", summary=None)
    make_thread(user, title="Never analysed")

    content = client.get(reverse("home")).content.decode()

    assert "Most agree &lt;b&gt;scaling&lt;/b&gt; helps." in content
    assert content.count('class="thread-brief"') == 1


@pytest.mark.django_db
def test_list_is_paginated(client, user):
    for number in range(30):
        make_thread(user, title=f"Thread {number:02d}")

    first = client.get(reverse("home"))
    second = client.get(reverse("home") + "?page=2")

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Thread 29" in titles_in_order(first)
    assert "Thread 00" in titles_in_order(second)


@pytest.mark.django_db
def test_list_takes_a_fixed_number_of_queries_whatever_the_page_size(
    client, user, moderator, django_assert_max_num_queries
):
    tag = Tag.objects.create(kind="topic", name="agency", slug="agency-test")

    def add_threads(count):
        for number in range(count):
            # Distinct threads: the same one again within the hour would be refused.
            thread = make_thread(user, title=f"Thread {count}-{number}")
            make_reply(opening_post(thread))
            PostTag.objects.create(post=opening_post(thread), tag=tag, tagged_by=moderator)
            ThreadAnalysis.objects.create(
                thread=thread, summary={"brief": [{"text": f"Brief {number}."}]}
            )

    add_threads(2)
    client.force_login(user)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    add_threads(23)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("home"))
    assert len(response.context["page"].object_list) == 25
    assert len(small.captured_queries) <= 6


@pytest.mark.django_db
def test_sort_tabs_return_only_the_list_to_htmx(client, thread):
    response = client.get(reverse("home") + "?sort=new", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'id="thread-list"' in content
    assert "<html" not in content
    assert thread.title in content


# --- Starting a thread -------------------------------------------------------------------


def post_thread(client, **fields):
    data = {"title": "Is deception instrumentally convergent?", "link": "", "body": "Yes."}
    return client.post(reverse("new_thread"), data | fields)


@pytest.mark.django_db
def test_new_thread_needs_login(client):
    response = client.get(reverse("new_thread"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert post_thread(client).status_code == 302
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_starting_a_thread_redirects_to_it(client, user):
    client.force_login(user)
    response = post_thread(
        client, link="https://example.org/essay", body="Deception *helps* most goals."
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert thread.author == user
    assert thread.link == "https://example.org/essay"
    assert "<em>helps</em>" in opening_post(thread).body_html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "Give the thread a title."),
        ({"title": "x" * 201}, "Titles are at most 200 characters."),
        ({"body": ""}, "Write something: the post is empty."),
        ({"link": "javascript:alert(1)"}, "The link must be an http(s) address."),
        ({"link": "not a url"}, "The link must be an http(s) address."),
    ],
)
def test_bad_thread_input_is_refused_with_a_message(client, user, fields, message):
    client.force_login(user)
    response = post_thread(client, **fields)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_a_refused_form_keeps_what_was_typed(client, user):
    client.force_login(user)
    content = post_thread(client, title="", body="My careful argument.").content.decode()
    assert "My careful argument." in content


@pytest.mark.django_db
def test_banned_user_cannot_start_a_thread(client, user, moderator):
    Ban.objects.create(user=user, moderator=moderator, reason="spam")
    client.force_login(user)

    assert b"You are banned permanently: spam" in client.get(reverse("new_thread")).content
    response = post_thread(client)
    assert response.status_code == 403
    assert b"You are banned permanently: spam" in response.content
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_rate_limited_user_is_told_when_they_can_go_on(client, user, settings):
    settings.CRUX_RATE_LIMITS = {}
    limit = DEFAULT_LIMITS["thread"]["new"][0]
    client.force_login(user)
    for number in range(limit):
        assert post_thread(client, title=f"Thread {number}").status_code == 302

    response = post_thread(client, title="One too many")
    assert response.status_code == 429
    assert b"You have reached the limit" in response.content
    assert not Thread.objects.filter(title="One too many").exists()


@pytest.mark.django_db
def test_new_thread_with_htmx_redirects_the_browser_or_rerenders_the_form(client, user):
    client.force_login(user)
    bad = client.post(
        reverse("new_thread"), {"title": "", "body": "x"}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 422
    assert "<html" not in bad.content.decode()
    assert "Give the thread a title." in bad.content.decode()

    good = client.post(
        reverse("new_thread"), {"title": "Fine", "body": "x"}, headers={"HX-Request": "true"}
    )
    assert good.status_code == 200
    assert good["HX-Redirect"] == Thread.objects.get(title="Fine").get_absolute_url()


@pytest.mark.django_db
def test_new_thread_needs_the_csrf_token(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert post_thread(client).status_code == 403
    assert not Thread.objects.exists()


# --- In the browser ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_start_a_thread_after_a_mistake(page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    make_user("browser")
    browser_login(page, "browser")
    page.goto("/")
    page.click("text=New thread >> nth=0")
    page.fill("textarea[name=body]", "Agents emerge from prediction.")
    page.click("#new-thread-form [type=submit]")
    page.wait_for_selector("text=Give the thread a title.")
    assert page.input_value("textarea[name=body]") == "Agents emerge from prediction."

    page.fill("input[name=title]", "Do agents emerge?")
    page.click("#new-thread-form [type=submit]")
    page.wait_for_url(re.compile(r"/t/\d+/do-agents-emerge/"))
    page.goto("/")
    assert page.locator(".thread-title a").first.inner_text() == "Do agents emerge?"
    assert errors == []
