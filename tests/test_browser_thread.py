"""A participant's whole visit in Chromium: sign up, start a thread, reply to a post with a
rebuttal quoting words selected with the mouse, agree with it, collapse a subtree, edit
the reply and read its history — all in place, without a page reload."""

from __future__ import annotations

import re

import pytest

from tests.conftest import browser_login, browser_tab, watch_for_problems
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Post, Thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOB_SAYS = "Prediction at scale forces planning, because the future depends on plans."


def select_with_mouse(page, selector: str, share: float = 0.6) -> str:
    """Drag the mouse across the first line of an element; returns the selected text."""
    box = page.locator(selector).bounding_box()
    y = box["y"] + 8
    page.mouse.move(box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * share, y, steps=8)
    page.mouse.up()
    return page.evaluate("window.getSelection().toString()")


def test_sign_up_start_a_thread_reply_with_a_quote_vote_collapse_and_edit(page):
    problems = watch_for_problems(page)

    # Sign up (the account is logged in straight away).
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", "dana")
    page.fill("input[name=password1]", "a long enough passphrase 42")
    page.fill("input[name=password2]", "a long enough passphrase 42")
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_load_state()

    # Start a thread.
    page.goto("/t/new/")
    page.fill("input[name=title]", "Do language models become agents?")
    page.fill("textarea[name=body]", "Predicting text is not the same as pursuing goals.")
    page.click("#new-thread-form button[type=submit]")
    page.wait_for_url(re.compile(r"/t/\d+/do-language-models-become-agents/$"))
    thread = Thread.objects.get(title="Do language models become agents?")
    assert thread.author.username == "dana"

    # Someone answers; dana opens the thread and replies to that answer.
    bob_post = make_reply(opening_post(thread), make_user("bob"), body=BOB_SAYS, role="rebuttal")
    page.goto(thread.get_absolute_url())
    page.evaluate("window.stillTheSamePage = true")
    bob = f"#post-{bob_post.pk}"

    selected = select_with_mouse(page, f"{bob} .post-body p")
    assert len(selected.split()) >= 3, selected
    quote_button = page.locator(f"#post-main-{bob_post.pk} .quote-button")
    quote_button.click()
    quote_field = page.locator(f"#reply-form-{bob_post.pk} textarea[name=quote]")
    quote_field.wait_for()
    expected_quote = " ".join(selected.split())
    assert quote_field.input_value() == expected_quote
    page.check(f"#reply-form-{bob_post.pk} input[name=role][value=rebuttal]")
    page.fill(f"#reply-form-{bob_post.pk} textarea[name=body]", "Plans are *not* goals.")
    page.click(f"#reply-form-{bob_post.pk} button[type=submit]")

    reply_locator = page.locator(f"#replies-{bob_post.pk} > article.post").first
    reply_locator.wait_for()
    reply = Post.objects.get(author__username="dana", parent=bob_post)
    assert (reply.role, reply.quote) == ("rebuttal", expected_quote)
    assert reply_locator.get_attribute("id") == f"post-{reply.pk}"
    assert reply_locator.locator(".role").inner_text() == "rebuts"
    assert reply_locator.locator(".post-quote").inner_text() == expected_quote
    assert reply_locator.locator(".post-body em").inner_text() == "not"
    assert page.locator(f"#form-slot-{bob_post.pk}").inner_html().strip() == ""
    assert page.evaluate("window.stillTheSamePage") is True

    # Clicking the quote shows it in bob's post.
    reply_locator.locator(".quote-link").click()
    assert "quote-source" in page.locator(bob).get_attribute("class")

    # Agree with bob: the count changes in place.
    agree = page.locator(f"#votes-{bob_post.pk} .vote.agree")
    assert agree.locator(".count").inner_text() == "0"
    agree.click()
    page.wait_for_selector(f'#votes-{bob_post.pk} .vote.agree[aria-pressed="true"]')
    assert page.locator(f"#votes-{bob_post.pk} .count.agrees").inner_text() == "1"
    assert Post.objects.get(pk=bob_post.pk).agrees == 1
    assert page.evaluate("window.stillTheSamePage") is True

    # Collapse bob's subtree and open it again.
    toggle = page.locator(f"#post-main-{bob_post.pk} .collapse-toggle")
    toggle.click()
    assert not page.locator(f"#post-{reply.pk}").is_visible()
    assert not page.locator(f"#post-main-{bob_post.pk} .post-body").is_visible()
    assert page.locator(f"#post-main-{bob_post.pk} .collapsed-note").inner_text() == (
        "(1 reply hidden)"
    )
    toggle.click()
    assert page.locator(f"#post-{reply.pk}").is_visible()

    # Edit the reply, then read its history.
    page.locator(f"#post-main-{reply.pk} .edit-link").click()
    body_field = page.locator(f"#edit-form-{reply.pk} textarea[name=body]")
    body_field.wait_for()
    assert body_field.input_value() == "Plans are *not* goals."
    body_field.fill("Plans are *not* goals; they serve them.")
    page.click(f"#edit-form-{reply.pk} button[type=submit]")
    page.locator(f"#post-main-{reply.pk} .edited").wait_for()
    assert "they serve them." in page.locator(f"#post-main-{reply.pk} .post-body").inner_text()
    assert page.locator(f"#edit-form-{reply.pk}").count() == 0

    page.locator(f"#post-main-{reply.pk} .edited").click()
    history = page.locator(f"#history-{reply.pk}")
    history.wait_for()
    assert "Version 2 (current)" in history.inner_text()
    assert history.locator(".diff ins").first.inner_text() == "goals; they serve them."
    assert history.locator(".diff del").first.inner_text() == "goals."
    assert page.evaluate("window.stillTheSamePage") is True
    assert problems == []


def test_without_javascript_replying_voting_and_editing_work_as_plain_forms(chromium, live_server):
    with browser_tab(chromium, live_server.url, java_script_enabled=False) as page:
        make_user("erin")
        thread = make_thread(make_user("alice"), title="Plain forms")
        bob_post = make_reply(opening_post(thread), make_user("bob"), body=BOB_SAYS)
        browser_login(page, "erin")
        page.goto(bob_post.thread.get_absolute_url())
        assert not page.locator(f"#post-main-{bob_post.pk} .collapse-toggle").is_visible()

        # Reply: the link opens the form on the post's own page; posting redirects to it.
        page.click(f"#post-main-{bob_post.pk} .reply-link")
        page.check("form.reply-form input[name=role][value=question]")
        page.fill("textarea[name=quote]", "forces planning")
        page.fill("textarea[name=body]", "Does it, though?")
        page.click("form.reply-form button[type=submit]")
        page.wait_for_load_state()
        reply = Post.objects.get(author__username="erin")
        assert (reply.role, reply.quote) == ("question", "forces planning")
        assert page.url.endswith(f"{reply.get_absolute_url()}#post-{reply.pk}")
        assert "Your reply is posted." in page.content()

        # A bad reply comes back with its message and the words typed so far.
        page.click(f"#post-main-{bob_post.pk} .reply-link")
        page.check("form.reply-form input[name=role][value=rebuttal]")
        page.fill("textarea[name=quote]", "words bob never wrote")
        page.fill("textarea[name=body]", "Keep this text.")
        page.click("form.reply-form button[type=submit]")
        assert "do not occur in the post you reply to" in page.content()
        assert page.locator("textarea[name=body]").input_value() == "Keep this text."

        # Vote: the page reloads at the post with the new count.
        page.goto(bob_post.thread.get_absolute_url())
        page.click(f"#votes-{bob_post.pk} .vote.agree")
        page.wait_for_load_state()
        assert page.locator(f"#votes-{bob_post.pk} .count.agrees").inner_text() == "1"

        # Edit: a page of its own; saving redirects back to the post.
        page.goto(reply.get_absolute_url())
        page.click(f"#post-main-{reply.pk} .edit-link")
        page.fill(f"#edit-form-{reply.pk} textarea[name=body]", "Does it, really?")
        page.click(f"#edit-form-{reply.pk} button[type=submit]")
        page.wait_for_load_state()
        assert "Does it, really?" in page.locator(f"#post-main-{reply.pk}").inner_text()
        assert Post.objects.get(pk=reply.pk).revisions.count() == 1
