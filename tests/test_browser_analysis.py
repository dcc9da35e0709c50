"""The map panel in Chromium: it appears on the thread page, cites posts, marks them, and
updates in place after the reader votes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login, watch_for_problems
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.services.analysis import run_analysis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_panel_appears_marks_posts_and_updates_after_a_vote(page, settings):
    settings.CRUX_ANALYSE_ON_COMMIT = True  # tasks run in-process here (eager)
    thread = make_thread(
        make_user("host"),
        title="Do predictors become agents?",
        body="Training on prediction alone will never produce an agent. Agents need goals.",
    )
    rebuttal = make_reply(
        opening_post(thread),
        make_user("critic"),
        body="Predicting agents well requires simulating their planning. That is agency.",
    )
    run_analysis(thread.pk)
    make_user("reader")
    problems = watch_for_problems(page)

    browser_login(page, "reader")
    page.goto(thread.get_absolute_url())
    panel = page.locator("#analysis-panel")
    panel.wait_for()
    assert re.search(r"from 0 votes", panel.inner_text())
    # The panel's lists cite the unanswered rebuttal, and the post carries a marker.
    assert panel.locator(f'a[href="#post-{rebuttal.pk}"]').count() >= 1
    assert "open objection" in page.locator(f"#post-{rebuttal.pk} .analysis-marker").inner_text()
    # The map lists are there behind a disclosure, with an SVG argument map.
    page.click("details.map-panel > summary")
    assert page.locator("details.map-panel svg").count() >= 1

    page.locator(f"#votes-{rebuttal.pk} button.vote.agree").click()
    # No page reload: the panel refreshes itself once the new map has landed.
    expect(page.locator("#analysis-panel")).to_contain_text("from 1 vote", timeout=15_000)
    assert page.locator(f"#votes-{rebuttal.pk} .count.agrees").inner_text() == "1"
    assert problems == []
