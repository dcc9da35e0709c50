"""The browser harness itself: Debian Chromium opens a page served by the live server."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_in_chromium_with_htmx_loaded(page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    assert page.locator("a.brand").inner_text() == "Crux"
    assert page.evaluate("typeof window.htmx") == "object"
    assert errors == []
