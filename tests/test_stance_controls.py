"""The credence control and reactions under each post load when a member opens them
(GET /p/<id>/credence/): a member's page does not carry a hundred posts' forms, and the
controls still work without JavaScript, as a page of their own."""

from __future__ import annotations

import pytest

from tests.factories import claim_and_question, make_user
from threads.models import Credence

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def debate(db):
    thread, _, claim, question = claim_and_question()
    return thread, claim, question


def test_the_thread_page_links_the_controls_instead_of_carrying_them(client, debate):
    thread, claim, _ = debate
    client.force_login(make_user("member"))
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'class="credence-form"' not in html and 'class="reaction-form"' not in html
    assert f'hx-get="/p/{claim.pk}/credence/" hx-trigger="toggle once"' in html
    assert f'<a href="/p/{claim.pk}/credence/">State your credence or react</a>' in html


def test_opening_the_controls_loads_the_forms(client, debate):
    _, claim, question = debate
    client.force_login(make_user("member"))
    forms = client.get(f"/p/{claim.pk}/credence/", **HTMX).content.decode()
    assert 'class="credence-form"' in forms and 'value="crux"' in forms
    assert "<html" not in forms and 'name="csrfmiddlewaretoken"' in forms
    # A question takes reactions but no credence.
    asked = client.get(f"/p/{question.pk}/credence/", **HTMX).content.decode()
    assert 'class="credence-form"' not in asked and 'class="reaction-form"' in asked


def test_without_javascript_the_controls_are_a_page_that_records_a_credence(client, debate):
    thread, claim, _ = debate
    member = make_user("member")
    client.force_login(member)
    page = client.get(f"/p/{claim.pk}/credence/").content.decode()
    assert "<html" in page and "Scaling alone" in page and 'class="credence-form"' in page
    answer = client.post(f"/p/{claim.pk}/credence/", {"value": "80"})
    assert answer.status_code == 302
    assert Credence.objects.get(user=member, post=claim).value == 80
    page = client.get(f"/p/{claim.pk}/credence/").content.decode()
    assert "Your credence: 80%" in page and 'value="80" required' in page


def test_the_controls_are_for_members_of_a_visible_post(client, debate):
    _, claim, _ = debate
    assert client.get(f"/p/{claim.pk}/credence/").status_code == 302  # to the login page
    client.force_login(make_user("member"))
    assert client.get("/p/999999/credence/").status_code == 404
