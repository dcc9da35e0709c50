"""The rating queue and the credence control in Chromium: rate three posts one after
another in place, then move a credence with the slider, crediting a post."""

from __future__ import annotations

import pytest

from tests.conftest import browser_login, watch_for_problems
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Credence, QueuePass, Vote
from threads.services.analysis import run_analysis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rate_three_posts_in_the_queue_then_move_a_credence_with_a_credit(page):
    problems = watch_for_problems(page)
    thread = make_thread(make_user("opener"))
    root = opening_post(thread)
    claims = [
        make_reply(root, make_user(f"author{i}"), body=f"Claim {i}: scaling gives agents.")
        for i in range(4)
    ]
    run_analysis(thread.pk, force=True)
    rater = make_user("rater")
    browser_login(page, "rater")

    page.goto(f"/t/{thread.pk}/rate/")
    page.evaluate("window.stillTheSamePage = true")
    for count, action in enumerate(("agree", "disagree", "pass"), start=1):
        page.click(f".queue-answer button[value={action}]")
        page.wait_for_selector(f"text={count} answered in this session")
    assert page.evaluate("window.stillTheSamePage") is True
    assert Vote.objects.filter(user=rater, axis="agree").count() == 2
    assert QueuePass.objects.filter(user=rater).count() == 1

    claim = claims[0]
    page.goto(thread.get_absolute_url())
    block = f"#stated-{claim.pk}"
    page.click(f"{block} summary")  # loads the controls (htmx)
    slider = page.locator(f"{block} .credence-slider")
    slider.wait_for(state="visible")  # shown by stances.js
    slider.fill("20")
    assert page.input_value(f"{block} .credence-number") == "20"
    page.click(f"{block} .credence-form button[type=submit]")
    page.wait_for_selector(f"{block} >> text=Your credence: 20%")
    page.locator(f"{block} .credence-slider").fill("70")
    page.fill(f"{block} .because-field", str(root.pk))
    page.click(f"{block} .credence-form button[type=submit]")
    page.wait_for_selector(f"{block} >> text=Your credence: 70%")

    latest = Credence.objects.filter(user=rater, post=claim).order_by("-at", "-id").first()
    assert (latest.previous, latest.value, latest.because_id) == (20, 70, root.pk)
    updates = page.request.get(f"/api/threads/{thread.pk}/updates.json").json()["updates"]
    assert [(u["before"], u["after"], u["because"]) for u in updates] == [(20, 70, root.pk)]
    assert problems == []
