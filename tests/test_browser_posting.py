"""Posting and moderating in Chromium (issue 19): maths typeset by the vendored KaTeX
under the page's CSP, footnotes on the same page, the similar-arguments list appearing as
a reply is typed, and a moderator locking the thread from its own menu with a reason
while the inline panels keep the post's layout."""

from __future__ import annotations

import re

import pytest

from tests.conftest import browser_login, watch_for_problems
from tests.factories import make_reply, make_user, planning_debate
from threads.models import ModAction, Thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def debate(db, no_rate_limits):
    debate = planning_debate()
    maths = make_reply(
        debate["root"],
        make_user("carol"),
        body="Let $p(x) = \\frac{1}{2}$ hold.[^1]\n\n$$\n\\sum_i x_i^2\n$$\n\n[^1]: A note.",
        role="support",
    )
    return {**debate, "maths": maths}


def test_maths_is_typeset_by_katex_without_breaking_the_csp_and_keeps_its_source(page, debate):
    problems = watch_for_problems(page)
    page.goto(debate["thread"].get_absolute_url())
    body = page.locator(f"#post-main-{debate['maths'].pk} .post-body")
    body.locator(".math.inline .katex").wait_for()
    assert body.locator(".math.display .katex-display").count() == 1
    assert body.locator(".math.inline").get_attribute("data-tex") == "p(x) = \\frac{1}{2}"
    annotation = body.locator(".math.inline annotation").first.text_content()
    assert annotation == "p(x) = \\frac{1}{2}"
    # The footnote reference jumps to the note on the same page.
    body.locator("sup.footnote-ref a").click()
    assert re.search(r"#fn-[0-9a-f]{8}-1$", page.url)
    assert body.locator("li.footnote-item:target").count() == 1
    assert problems == []
    # A page without maths does not fetch KaTeX at all.
    loaded = []
    page.on("request", lambda r: "katex" in r.url and loaded.append(r.url))
    page.goto("/")
    page.wait_for_load_state("networkidle")
    assert loaded == []


def test_similar_posts_appear_while_typing_a_reply_and_can_be_quoted(page, debate):
    make_user("dora")
    problems = watch_for_problems(page)
    browser_login(page, "dora")
    page.goto(debate["thread"].get_absolute_url())
    root = debate["root"]
    page.click(f"#post-main-{root.pk} .reply-link")
    body = page.locator(f"#reply-{root.pk}-body")
    body.wait_for()
    body.press_sequentially("At scale, prediction forces the model to plan ahead.", delay=5)
    item = page.locator(f"#similar-{root.pk} .similar-item").first
    item.wait_for()
    planning = debate["planning"]
    assert item.get_attribute("data-post-id") == str(planning.pk)
    assert item.locator(".similar-link").get_attribute("href") == planning.get_absolute_url()
    assert item.locator(".reply-there").get_attribute("href") == f"/p/{planning.pk}/reply/"
    item.locator(".quote-similar").click()
    assert body.input_value().startswith("> Prediction at scale forces planning")
    assert planning.get_absolute_url() in body.input_value()
    assert problems == []


def test_a_moderator_locks_the_thread_from_its_menu_and_readers_see_why(page, debate):
    make_user("mod", moderator=True)
    problems = watch_for_problems(page)
    browser_login(page, "mod")
    thread = debate["thread"]
    page.goto(thread.get_absolute_url())

    # An inline moderation panel opens below the post's action bar, within the post.
    post = page.locator(f"#post-main-{debate['planning'].pk}")
    width = post.bounding_box()["width"]
    post.locator(".mod-control-moderate > summary").click()
    panel = post.locator(f"#mod-panel-{debate['planning'].pk}")
    panel.wait_for()
    assert post.bounding_box()["width"] == width
    panel_box, actions_box = panel.bounding_box(), post.locator(".post-actions").bounding_box()
    assert panel_box["x"] + panel_box["width"] <= actions_box["x"] + actions_box["width"] + 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.locator(".thread-menu > summary").click()
    page.fill(f"#thread-lock-reason-{thread.pk}", "Heat, no light")
    page.get_by_role("button", name="Lock the thread").click()
    page.locator(".lock-reason").wait_for()
    assert "Locked by the moderators: Heat, no light" in page.locator(".lock-reason").inner_text()
    assert Thread.objects.get(pk=thread.pk).locked
    assert ModAction.objects.get(action="lock").reason == "Heat, no light"
    assert page.locator(".thread-menu button[type=submit]").text_content() == "Unlock the thread"

    page.context.clear_cookies()
    page.goto(thread.get_absolute_url())
    assert "Heat, no light" in page.locator(".lock-reason").inner_text()
    assert page.locator(".reply-link").count() == 0
    assert problems == []


def test_a_banned_member_sees_the_ban_and_no_reply_controls(page, debate):
    from datetime import timedelta

    from django.utils import timezone

    from threads.services import moderation

    eve = make_user("eve")
    moderation.ban_user(
        moderator=make_user("mod", moderator=True),
        user=eve,
        reason="Spam links",
        until=timezone.now() + timedelta(days=2),
    )
    browser_login(page, "eve")
    page.goto(debate["thread"].get_absolute_url())
    notice = page.locator(".ban-notice").inner_text()
    assert "You are banned until" in notice and "Spam links" in notice
    assert page.locator(".reply-link, .vote-form, .quote-button, .mod-control-report").count() == 0
    make_reply(debate["root"], make_user("fred"), body="Still readable.")
