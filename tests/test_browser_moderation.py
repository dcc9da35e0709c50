"""A moderator at work in Chromium: tags one post and removes another with the inline
htmx controls; a logged-out reader then sees the tag, the removal notice and both
entries of the public log."""

from __future__ import annotations

import pytest

from tests.conftest import browser_login, watch_for_problems
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import ModAction, Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_moderator_tags_and_removes_inline_and_a_reader_sees_it_all(page):
    make_user("mod", moderator=True)
    thread = make_thread(make_user("alice"), title="Are predictors agents?")
    root = opening_post(thread)
    good = make_reply(root, make_user("bob"), body="To be fair to the agent view: planning helps.")
    bad = make_reply(root, make_user("carol"), body="Only a fool believes that.", role="comment")
    problems = watch_for_problems(page)

    browser_login(page, "mod")
    page.goto(thread.get_absolute_url())

    good_post = page.locator(f"#post-main-{good.pk}")
    good_post.locator(".mod-control-moderate > summary").click()
    panel = good_post.locator(f"#mod-panel-{good.pk}")
    panel.locator("select[name=tag]").select_option(label="steelman")
    panel.locator("input[name=note]").fill("states the other side fairly")
    panel.get_by_role("button", name="Tag", exact=True).click()
    page.locator(f"#post-main-{good.pk} .post-header .tag", has_text="steelman").wait_for()

    bad_post = page.locator(f"#post-main-{bad.pk}")
    bad_post.locator(".mod-control-moderate > summary").click()
    bad_panel = bad_post.locator(f"#mod-panel-{bad.pk}")
    bad_panel.locator("input[name=reason]").last.fill("Rule 2: be kind")
    bad_panel.get_by_role("button", name="Remove post").click()
    page.locator(f"#post-main-{bad.pk} .removed-note").wait_for()
    assert page.url.endswith(thread.get_absolute_url())  # swapped in place, no navigation
    assert page.locator(f"#post-main-{good.pk} .tag", has_text="steelman").count() == 1

    assert Post.objects.get(pk=bad.pk).removed_reason == "Rule 2: be kind"
    assert ModAction.objects.count() == 2

    page.context.clear_cookies()
    page.goto(thread.get_absolute_url())
    good_html = page.locator(f"#post-{good.pk}").inner_text()
    assert "steelman" in good_html
    bad_text = page.locator(f"#post-main-{bad.pk}").inner_text()
    assert "[removed by moderators: Rule 2: be kind]" in bad_text
    assert "Only a fool" not in bad_text
    assert page.locator(".mod-control-moderate").count() == 0

    page.goto("/moderation/log/")
    rows = page.locator(".log-entry")
    assert rows.count() == 2
    log_text = page.locator("#log-entries").inner_text()
    assert "tagged" in log_text and "steelman" in log_text
    assert "removed" in log_text and "Rule 2: be kind" in log_text
    page.locator("#log-action").select_option("remove")
    page.wait_for_url("**action=remove**")
    assert page.locator(".log-entry").count() == 1
    assert problems == []


def test_a_participant_reports_a_post_inline(page):
    make_user("dave")
    thread = make_thread(make_user("alice"))
    reply = make_reply(opening_post(thread), make_user("bob"))

    browser_login(page, "dave")
    page.goto(thread.get_absolute_url())
    post = page.locator(f"#post-main-{reply.pk}")
    assert post.locator(".mod-control-moderate").count() == 0
    post.locator(".mod-control-report > summary").click()
    post.locator("textarea[name=reason]").fill("Misquotes the parent.")
    post.get_by_role("button", name="Send").click()
    post.get_by_text("Thank you: the moderators will look at this post.").wait_for()
    assert reply.reports.get().reason == "Misquotes the parent."
