"""Accessible and mobile (issue 19), in Chromium: axe-core finds no serious or critical
violation on the pages people use most; a skip link, a heading per post, 44 px touch
targets, a header that fits a 390 px phone and a visible focus ring.

axe-core is vendored from its npm package (static/vendor/axe-core) and injected by the
test only (Playwright's add_script_tag, in a context that lets the test's own script past
the page's CSP); no page ever loads it.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, browser_login, browser_tab
from tests.factories import make_reply, make_thread, make_user, opening_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


@pytest.fixture
def tab(chromium, live_server):
    """A tab whose page CSP does not refuse the test's injected axe script."""
    with browser_tab(chromium, live_server.url, bypass_csp=True) as page:
        yield page


@pytest.fixture
def phone(chromium, live_server):
    options = {"viewport": PHONE, "has_touch": True, "is_mobile": True}
    with browser_tab(chromium, live_server.url, **options) as page:
        yield page


@pytest.fixture
def debate(db, no_rate_limits):
    alice, bob = make_user("alice"), make_user("bob")
    thread = make_thread(alice, title="Do language models become agents?")
    root = opening_post(thread)
    reply = make_reply(
        root,
        bob,
        body="They *will*: prediction at scale forces planning.[^1]\n\n"
        "[^1]: See the $p(x)$ argument.",
        quote="will not become agents",
    )
    make_reply(reply, alice, body="Why would it?", role="question")
    return {"thread": thread, "root": root, "reply": reply}


def violations(page, path: str) -> list[dict]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


def serious(found: list[dict]) -> list[dict]:
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_violation_on_home_thread_and_forms(tab, debate):
    thread_url = debate["thread"].get_absolute_url()
    pages = ["/", thread_url, debate["reply"].get_absolute_url(), "/search/?q=agents"]
    report = {path: violations(tab, path) for path in pages}
    browser_login(tab, "bob")
    rate_url = f"/t/{debate['thread'].pk}/rate/"
    for path in ["/", thread_url, "/t/new/", rate_url, "/inbox/"]:
        report[f"member {path}"] = violations(tab, path)
    tab.goto(thread_url)
    tab.click(f"#post-main-{debate['root'].pk} .reply-link")
    tab.locator(f"#reply-form-{debate['root'].pk}").wait_for()
    tab.add_script_tag(path=str(AXE))
    report["member reply form"] = tab.evaluate(RUN_AXE)
    total = sum(len(serious(v)) for v in report.values())
    minor = sum(len(v) for v in report.values()) - total
    print(f"\naxe: {total} serious or critical, {minor} other violations on {len(report)} pages")
    assert {path: serious(v) for path, v in report.items() if serious(v)} == {}
    # Lesser ones too (the permalink page lacked an <h1>): none is left.
    assert {path: v for path, v in report.items() if v} == {}


def test_axe_finds_no_serious_violation_for_a_moderator(tab, debate):
    make_user("mod", moderator=True)
    browser_login(tab, "mod")
    report = {
        path: serious(violations(tab, path))
        for path in ["/", debate["thread"].get_absolute_url(), "/moderation/"]
    }
    assert {path: v for path, v in report.items() if v} == {}


def test_the_skip_link_is_the_first_tab_stop_and_moves_to_the_content(page, debate):
    page.goto(debate["thread"].get_absolute_url())
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_every_post_has_a_heading_for_screen_readers_that_sighted_readers_do_not_see(page, debate):
    page.goto(debate["thread"].get_absolute_url())
    headings = page.locator("article.post h2.visually-hidden")
    assert headings.count() == page.locator("article.post").count() == 3
    assert headings.first.inner_text() == "Opening post by alice"
    assert "Reply by bob, which rebuts" in headings.nth(1).inner_text()
    box = headings.first.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1


def test_focus_is_visible(page, debate):
    page.goto(debate["thread"].get_absolute_url())
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2


def test_on_a_390px_phone_the_header_fits_and_touch_targets_are_44px(phone, debate):
    make_user("carol")
    browser_login(phone, "carol")
    phone.goto(debate["thread"].get_absolute_url())
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] <= 2 * 44 + 16  # two rows at most (it wrapped to three)
    for selector in [".vote.up", ".vote.agree", ".reply-link", ".site-nav a"]:
        box = phone.locator(selector).first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, selector
