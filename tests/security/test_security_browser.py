"""No executable user content, in a real browser (issue #9, part 2).

Thread pages holding every script-injection payload of the corpora — the ones that call
alert/prompt/confirm, run code through a handler or a javascript: URL — plus our canaries
(which set window.__xss or try htmx attributes) as post bodies, quotes, author names and
tag names, opened in headless Chromium by a logged-in member. Not one dialog opens, the
page never leaves its address or opens a window, no CSP violation is reported (so no
script even tried and got blocked), and the canary global stays unset.

Requests leave only for the test server: the payloads' external URLs are never fetched,
and every image request fails, as `<img src=x>` does, so onerror handlers would fire.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from security_corpus import CANARY_PAYLOADS, Payload, all_payloads
from security_site import build

from tests.conftest import browser_login
from tests.factories import make_user
from threads.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT_INJECTION = re.compile(
    r"alert|prompt|confirm|__xss|<\s*script|javascript:|\bon\w+\s*=|eval|document\.|window\.",
    re.I,
)
# After "load": let htmx process the page (its "load" triggers) and timers run out.
SETTLE = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 100)))"
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def test_thread_pages_full_of_script_payloads_run_nothing_in_chromium(page):
    payloads = [p for p in all_payloads() if SCRIPT_INJECTION.search(p.text)]
    payloads += [Payload("canary", i, text) for i, text in enumerate(CANARY_PAYLOADS)]
    site = build(payloads, moderator=make_user("browser-mod", moderator=True), prefix="browser")
    member = make_user("browser-member")

    def only_this_server(route):
        request = route.request
        if request.resource_type == "image" or not request.url.startswith(page.base_url):
            route.abort()
        else:
            route.continue_()

    dialogs: list[str] = []
    console: list[str] = []
    popups: list[str] = []
    page.route("**/*", only_this_server)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    page.on("popup", lambda popup: popups.append(popup.url))
    page.add_init_script(WATCH)
    browser_login(page, member.username)

    problems = []
    for thread in site.payload_threads:
        url = page.base_url + thread.get_absolute_url()
        page.goto(url)  # waits for "load": every handler of the page has had its chance
        page.evaluate(SETTLE)
        state = page.evaluate(
            "() => ({xss: window.__xss, csp: window.__cspViolations, posts:"
            " document.querySelectorAll('article.post').length})"
        )
        if page.url != url:
            problems.append(f"{url}: the page went to {page.url}")
        if state["xss"] is not None:
            problems.append(f"{url}: window.__xss = {state['xss']!r}")
        problems += [f"{url}: CSP violation {v}" for v in state["csp"]]
        if state["posts"] != thread.posts.count():
            problems.append(f"{url}: {state['posts']} posts shown of {thread.posts.count()}")
    violations = [text for text in console if "Content Security Policy" in text]
    problems += [f"dialog: {d!r}" for d in dialogs] + [f"console: {v}" for v in violations]
    problems += [f"popup: {p}" for p in popups]
    assert not problems, "\n".join(problems[:20])

    # The control: a body that skipped the sanitiser is seen (the CSP blocks it, and
    # the watchers report the attempt), so the silence above means something.
    bypass = site.payload_threads[0].posts.exclude(parent=None).first()
    Post.objects.filter(pk=bypass.pk).update(
        body_html='<img src="x" onerror="window.__xss = 1"><script>window.__xss = 2</script>'
    )
    cache.clear()  # the page's cached post fragments
    page.goto(page.base_url + bypass.thread.get_absolute_url())
    page.evaluate(SETTLE)
    assert len(page.evaluate("() => window.__cspViolations")) >= 2
    assert page.evaluate("() => window.__xss") is None
    print(
        f"\nbrowser: {len(site.payload_threads)} thread pages, {len(payloads)} script payloads"
        " as bodies, quotes, authors and tags: 0 dialogs, 0 CSP violations, canary unset"
    )
