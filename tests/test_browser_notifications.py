"""In Chromium: the header's unread badge, the "N new replies — show" strip that polls
while alice reads, the badge following her own reply without a reload, and the posts
new since her last visit marked when she comes back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login, watch_for_problems
from tests.factories import make_reply, make_thread, make_user, opening_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badge_new_replies_strip_and_new_post_markers(page, settings, no_rate_limits):
    settings.CRUX_NEW_REPLIES_POLL_SECONDS = 1
    settings.CRUX_BADGE_POLL_SECONDS = 600  # the badge moves here only on events
    problems = watch_for_problems(page)
    alice, bob = make_user("alice"), make_user("bob")
    thread = make_thread(alice, title="Do models plan?")
    other = make_thread(alice, title="Is alignment hard?")
    make_reply(opening_post(other), bob, body="Elsewhere, bob answers alice.")

    browser_login(page, "alice")
    page.goto("/")
    badge = page.locator("#inbox-link .unread-badge")
    badge.wait_for()
    assert badge.inner_text() == "1"

    page.goto(thread.get_absolute_url())
    page.evaluate("window.stillTheSamePage = true")
    strip = page.locator("#new-replies")
    assert strip.inner_text() == ""
    first = make_reply(opening_post(thread), bob, body="Models plan: look at chess engines.")
    link = page.locator("#new-replies .new-replies-link")
    link.wait_for()
    assert link.inner_text() == "1 new reply — show"
    # The strip's news made the badge look again: the other thread's and this reply.
    expect(badge).to_have_text("2")

    # alice replies in place; the badge catches up without a reload (the thread's own
    # notification is read now), and the strip still counts only bob's post.
    page.click(f"#post-main-{opening_post(thread).pk} .reply-link")
    page.fill(".reply-form textarea[name=body]", "Chess engines search; they do not plan.")
    page.check(".reply-form input[name=role][value=rebuttal]")  # the role is required
    page.click(".reply-form button[type=submit]")
    expect(badge).to_have_text("1")
    assert page.evaluate("window.stillTheSamePage") is True
    assert link.inner_text() == "1 new reply — show"

    link.click()
    page.wait_for_load_state()
    new_post = page.locator(f"#post-{first.pk}")
    assert "post-new" in new_post.get_attribute("class")
    mine = page.locator("article.post", has_text="Chess engines search")
    assert "post-new" not in mine.first.get_attribute("class")
    jump = page.locator(".new-jump")
    assert jump.inner_text() == "1 new — jump"
    assert jump.get_attribute("href") == f"#post-{first.pk}"
    assert problems == []
