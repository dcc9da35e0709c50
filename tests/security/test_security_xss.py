"""No executable user content (issue #9, part 1).

Every payload of the three corpora in tests/data/xss — 7,351 strings, plus our own
canaries — is stored as a post body, a quote, a username, a tag name, a thread title and
a report reason (security_site.py says how), and the pages that show them are rendered
by the real views and parsed as a browser parses them (security_html.py). A page passes
when no part of it can run script and every user-written value shows exactly as written:
escaped fields as their own text, Markdown bodies as the sanitiser's stored output.

The counts checked are printed (pytest -s) and asserted: a page that stopped showing a
field would fail, not pass with nothing checked.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import security_html as sh
from django.db import transaction
from django.test import Client
from security_corpus import CANARY_PAYLOADS, Payload, all_payloads, fit
from security_site import HostileSite, build

from threads import markdown
from threads.models import Post, Report, Tag, Thread, User
from threads.templatetags import crux as crux_tags
from threads.views import lists

pytestmark = pytest.mark.django_db

# --- Where each field shows -------------------------------------------------------------


def _parent_has_class(css_class: str):
    def test(element, ancestors) -> bool:
        return bool(ancestors) and css_class in ancestors[-1].get("class", "").split()

    return test


THREAD_REGIONS = [
    sh.Region("body", "div", "post-body", kind="markdown"),
    sh.Region("quote", "a", "quote-link"),
    sh.Region("username", "a", "author"),
    sh.Region("tag", "a", "tag", test=sh.inside("post-header")),
    sh.Region("title", "h1", test=sh.inside("thread-header")),
    sh.Region("page-title", "title"),
    # The map and summary panel quotes posts and names authors (escaped text).
    sh.Region("panel-quote", "q", test=sh.inside("analysis-panel")),
    sh.Region("panel-cite", "a", "cite"),
]
HOME_REGIONS = [
    sh.Region("title", "a", test=lambda e, a: a[-1].tag == "h2" and not e.get("class")),
    sh.Region("username", "a", test=_parent_has_class("thread-meta")),
    sh.Region("tag", "a", "tag"),
    sh.Region("brief", "p", "thread-brief"),
]
TAG_INDEX_REGIONS = [
    sh.Region("tag", "a", "tag"),
    sh.Region("description", "p", "tag-description"),
]
QUEUE_REGIONS = [
    sh.Region("reporter", "b", test=sh.inside("queue-reports")),
    sh.Region("excerpt", "blockquote", "mod-excerpt"),
    sh.Region("username", "a", test=_parent_has_class("queue-head")),
]
PROFILE_REGIONS = [
    # The <h1> holds the name and badges; the name is checked in <title>, the badges by
    # the shape check.
    sh.Region("page-title", "title"),
    sh.Region("excerpt", "p", "profile-post-excerpt"),
    sh.Region("title", "a", test=_parent_has_class("profile-post-context")),
]
TAG_PAGE_REGIONS = [
    sh.Region("tag", "span", "tag"),
    sh.Region("page-title", "title"),
    sh.Region("title", "a", test=_parent_has_class("tagged-meta")),
    sh.Region("excerpt", "blockquote", "tagged-excerpt"),
]
PERMALINK_REGIONS = [
    *THREAD_REGIONS[:4],
    sh.Region("title", "a", test=_parent_has_class("breadcrumb")),
    sh.Region("page-title", "title"),
]
HISTORY_REGIONS = [
    sh.Region("source", "pre", "source"),
    sh.Region("title", "a", test=_parent_has_class("breadcrumb")),
    sh.Region("username", "h1"),
    sh.Region("page-title", "title"),
]
EDIT_REGIONS = [
    *THREAD_REGIONS[:4],
    sh.Region("source", "textarea", test=lambda element, _: element.get("name") == "body"),
    sh.Region("quote-field", "textarea", test=lambda element, _: element.get("name") == "quote"),
    sh.Region("title", "a", test=_parent_has_class("breadcrumb")),
    sh.Region("page-title", "title"),
]
SEARCH_REGIONS = [
    # Matches are wrapped in <mark> by the template; nothing else may be inside.
    sh.Region("hit", "a", kind="marked", test=_parent_has_class("thread-hit")),
    sh.Region("hit", "p", "hit-excerpt", kind="marked"),
    sh.Region("title", "a", test=_parent_has_class("hit-context")),
    sh.Region("username", "a", test=sh.inside("hit-meta")),
]


class Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def hostile(django_db_setup, django_db_blocker):
    """The hostile forum, and what the same pages look like with benign text (their
    element shapes: anything else on a hostile page came out of user text)."""
    from tests.conftest import _reseed
    from tests.factories import make_user

    with django_db_blocker.unblock(), transaction.atomic():
        from django.contrib.auth.models import Group

        if not Group.objects.filter(name="moderators").exists():
            _reseed()
        moderator = make_user("xss-moderator", moderator=True)
        baseline = _benign_shapes(moderator)
        payloads = [*all_payloads()]
        payloads += [Payload("canary", i, text) for i, text in enumerate(CANARY_PAYLOADS)]
        site = build(payloads, moderator=moderator)
        yield site, baseline
        transaction.set_rollback(True)


def _benign_shapes(moderator: User) -> dict[str, set]:
    """The element shapes of every checked page, rendered from benign text of the same
    layout (in a savepoint that is rolled back)."""
    shapes: dict[str, set] = {}
    _clients.clear()
    try:
        with transaction.atomic():
            texts = [f"Benign words number {i}, with *emphasis*." for i in range(130)]
            payloads = [Payload("benign", i, text) for i, text in enumerate(texts)]
            benign = build(payloads, moderator=moderator, prefix="benign")
            for name, url, regions, viewer in _pages(benign, sample=3):
                check = sh.check_page(sh.parse(_get(url, viewer, benign).content), regions)
                shapes.setdefault(name, set()).update(check.shapes)
            raise Rollback
    except Rollback:
        pass
    _clients.clear()
    return shapes


def _pages(site: HostileSite, *, sample: int):
    """(page kind, url, regions, viewer) for the pages that are not walked in full."""
    for item in site.stored[::sample]:
        post = Post.objects.select_related("author").get(pk=item.post_id)
        yield "profile", crux_tags.profile_url(post.author), PROFILE_REGIONS, None
        tag = Tag.objects.get(post_tags__post_id=item.post_id)
        yield "tag", tag.get_absolute_url(), TAG_PAGE_REGIONS, None
        yield "permalink", post.get_absolute_url(), PERMALINK_REGIONS, None
        yield "history", f"/p/{post.pk}/history/", HISTORY_REGIONS, None
        yield "edit", f"/p/{post.pk}/edit/", EDIT_REGIONS, post.author
    for thread in site.payload_threads[:2]:
        for viewer in (None, "moderator"):
            yield "thread", thread.get_absolute_url(), THREAD_REGIONS, viewer
    yield "home", "/", HOME_REGIONS, None
    yield "home", "/?page=2", HOME_REGIONS, None
    yield "tags", "/tags/", TAG_INDEX_REGIONS, None
    yield "queue", "/moderation/", QUEUE_REGIONS, "moderator"
    for query in SEARCHES:
        yield "search", f"/search/?q={query}", SEARCH_REGIONS, None


SAMPLE = 50
MODERATOR_SAMPLE = 8
SEARCHES = ["alert", "script", "img", "svg", "onerror", "javascript", "iframe", "benign"]
_clients: dict = {}


def _get(url: str, viewer: str | User | None, site: HostileSite):
    """GET as a reader, the moderator or a given user (one logged-in client per test:
    sessions are rolled back with each test, so tests start with `_clients.clear()`)."""
    if viewer not in _clients:
        client = Client()
        if viewer is not None:
            client.force_login(site.moderator if viewer == "moderator" else viewer)
        _clients[viewer] = client
    response = _clients[viewer].get(url)
    assert response.status_code == 200, f"{url} as {viewer or 'reader'}: {response.status_code}"
    return response


def _assert_no_problems(problems: list[str], what: str) -> None:
    assert not problems, f"{what}: {len(problems)} problems, e.g.\n" + "\n".join(problems[:15])


def _foreign_shapes(check: sh.PageCheck, baseline: set) -> list[str]:
    return [f"element shape not on the benign page: {s}" for s in check.shapes - baseline]


def _post_id(found: sh.Found) -> int:
    for ancestor in reversed(found.ancestors):
        match = re.fullmatch(r"post-main-(\d+)", ancestor.get("id", ""))
        if match:
            return int(match.group(1))
    raise AssertionError(f"region {found.region.name} outside any post")


# --- Post bodies, quotes, usernames and tag badges: the thread pages --------------------


@pytest.mark.parametrize("viewer", [None, "moderator"], ids=["reader", "moderator"])
def test_every_payload_as_post_body_quote_username_and_tag_is_inert_on_thread_pages(
    hostile, viewer
):
    """Readers get every page. A moderator's page adds controls that hold no user text
    (and weighs 2.5 times more), so every MODERATOR_SAMPLE-th page is enough there."""
    site, baseline = hostile
    _clients.clear()
    threads = site.payload_threads[:: MODERATOR_SAMPLE if viewer else 1]
    posts = {
        post.pk: post
        for post in Post.objects.filter(thread__in=site.payload_threads).select_related("author")
    }
    tags = dict(
        Tag.objects.filter(post_tags__post__thread__in=site.payload_threads).values_list(
            "post_tags__post", "name"
        )
    )
    shown: Counter = Counter()
    problems: list[str] = []
    for thread in threads:
        page = sh.parse(_get(thread.get_absolute_url(), viewer, site).content)
        check = sh.check_page(page, THREAD_REGIONS)
        problems += check.problems + _foreign_shapes(check, baseline["thread"])
        for found in check.found.get("body", []):
            post = posts[_post_id(found)]
            if not sh.same_content(found.element, post.body_html):
                problems.append(f"body of post {post.pk} differs from its stored HTML")
            shown["body"] += 1
        for name, expected in (
            ("quote", lambda p: p.quote),
            ("username", lambda p: p.author.username),
            ("tag", lambda p: tags[p.pk]),
        ):
            for found in check.found.get(name, []):
                post = posts[_post_id(found)]
                text = sh.element_text(found.element)
                if text != sh.normalise_text(expected(post)):
                    problems.append(f"{name} of post {post.pk} shows {text[:60]!r}")
                shown[name] += 1
        shown["panel quotes"] += len(check.found.get("panel-quote", []))
        title = check.texts("title")
        if title != [sh.normalise_text(thread.title)]:
            problems.append(f"thread {thread.pk} title shows {title!r}")
        if check.texts("page-title") != [sh.normalise_text(f"{thread.title} · Crux")]:
            problems.append(f"thread {thread.pk} <title> shows {check.texts('page-title')!r}")

    _assert_no_problems(problems, "thread pages")
    replies = Post.objects.filter(thread__in=threads, parent__isnull=False)
    assert shown["body"] == replies.count() + len(threads)  # replies + opening posts
    assert shown["quote"] == replies.exclude(quote="").count()
    assert shown["username"] == replies.count() + len(threads)
    assert shown["tag"] == replies.count()
    assert shown["panel quotes"] > 0  # the analysed thread's map and summary
    print(
        f"\nthread pages as {viewer or 'reader'}: {len(threads)} pages, {shown['body']} "
        f"bodies, {shown['quote']} quotes, {shown['username']} usernames, {shown['tag']} tag "
        f"badges, {shown['panel quotes']} quotes in the map panel: 0 unsafe"
    )


# --- Thread titles: the thread list -------------------------------------------------------


def test_every_payload_as_a_thread_title_is_text_in_the_thread_list(hostile, monkeypatch):
    """All 7,000+ titles through the thread list, 250 a page (the page size is a
    presentation constant; the view and template are the ones readers get)."""
    site, baseline = hostile
    _clients.clear()
    monkeypatch.setattr(lists, "THREADS_PER_PAGE", 250)
    titles = Counter(sh.normalise_text(t) for t in Thread.objects.values_list("title", flat=True))
    authors = Counter(
        sh.normalise_text(u) for u in Thread.objects.values_list("author__username", flat=True)
    )
    pages = -(-titles.total() // lists.THREADS_PER_PAGE)
    seen_titles: Counter = Counter()
    seen_authors: Counter = Counter()
    problems: list[str] = []
    for number in range(1, pages + 1):
        page = sh.parse(_get(f"/?page={number}", None, site).content)
        check = sh.check_page(page, HOME_REGIONS)
        problems += check.problems + _foreign_shapes(check, baseline["home"])
        seen_titles.update(check.texts("title"))
        seen_authors.update(check.texts("username"))
    _assert_no_problems(problems, "thread list")
    assert seen_titles == titles, "a title is missing from the list or shows differently"
    assert seen_authors == authors, "an author name is missing or shows differently"
    print(f"\nthread list: {pages} pages, {site.count('title')} hostile titles: 0 unsafe")


# --- Tag names: the tag index -------------------------------------------------------------


def test_every_payload_as_a_tag_name_is_text_in_the_tag_index(hostile):
    site, baseline = hostile
    _clients.clear()
    check = sh.check_page(sh.parse(_get("/tags/", None, site).content), TAG_INDEX_REGIONS)
    _assert_no_problems(check.problems + _foreign_shapes(check, baseline["tags"]), "tag index")
    names = Counter(
        sh.normalise_text(n)
        for n in Tag.objects.filter(merged_into__isnull=True).values_list("name", flat=True)
    )
    assert Counter(check.texts("tag")) == names
    print(f"\ntag index: {site.count('tag_name')} hostile tag names: 0 unsafe")


# --- Report reasons: the moderation queue -------------------------------------------------


def test_every_payload_as_a_report_reason_is_text_in_the_moderation_queue(hostile):
    """A report shows as `<li><span>kind</span> <b>reporter</b>: reason <small>…`; the
    reason is the text between the reporter and the date, and nothing else may be there."""
    site, baseline = hostile
    _clients.clear()
    reasons = Counter(sh.normalise_text(r) for r in Report.objects.values_list("reason", flat=True))
    reporters = Counter(
        sh.normalise_text(u) for u in Report.objects.values_list("reporter__username", flat=True)
    )
    seen_reasons: Counter = Counter()
    seen_reporters: Counter = Counter()
    root = sh.parse(_get("/moderation/", "moderator", site).content)
    check = sh.check_page(root, QUEUE_REGIONS)
    problems = check.problems + _foreign_shapes(check, baseline["queue"])
    for found in check.found.get("reporter", []):
        item = found.ancestors[-1]
        children = [sh.local_name(child.tag) for child in item]
        if children != ["span", "b", "small"]:
            problems.append(f"a report line has the elements {children}")
        tail = found.element.tail or ""
        if not tail.startswith(": "):
            problems.append(f"report reason not where expected: {tail[:60]!r}")
        seen_reasons[tail[2:].rstrip(" \n")] += 1
        seen_reporters[sh.element_text(found.element)] += 1
    _assert_no_problems(problems, "moderation queue")
    assert seen_reporters == reporters
    assert seen_reasons == Counter({r.rstrip(" \n"): n for r, n in reasons.items()})
    print(f"\nmoderation queue: {site.count('reason')} hostile reasons: 0 unsafe")


# --- A sample through the other pages that show these fields ------------------------------


def test_payloads_on_other_pages_that_show_them_are_inert(hostile):
    """For every SAMPLE-th payload (each of these pages shows one post, user or tag; all
    of them would take minutes): profiles (username, titles, excerpts), tag pages, the
    post's permalink, its history and its edit form (the Markdown source as text, in a
    <pre> and a <textarea>), and search highlights."""
    site, baseline = hostile
    _clients.clear()
    problems: list[str] = []
    counts: Counter = Counter()
    sources = dict(Post.objects.filter(thread__in=site.payload_threads).values_list("pk", "body"))
    for kind, url, regions, viewer in _pages(site, sample=SAMPLE):
        if kind in ("thread", "home", "tags", "queue"):
            continue  # walked in full above
        check = sh.check_page(sh.parse(_get(url, viewer, site).content), regions)
        problems += [f"{url}: {p}" for p in check.problems]
        problems += [f"{url}: {p}" for p in _foreign_shapes(check, baseline[kind])]
        if kind in ("history", "edit"):  # the Markdown source, as text
            post_id = int(url.split("/")[2])
            if check.texts("source") != [sh.normalise_text(sources[post_id])]:
                problems.append(f"{url}: the source shows as {check.texts('source')!r:.80}")
        counts[kind] += 1
    _assert_no_problems(problems, "profiles, tag pages, permalinks, history, edit, search")
    sampled = len(site.stored[::SAMPLE])
    assert counts["profile"] == counts["tag"] == counts["permalink"] == sampled
    assert counts["history"] == counts["edit"] == sampled
    print(f"\nsampled pages: {dict(counts)}: 0 unsafe")


# --- Feeds and the Markdown preview -------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def _html_fragment_problems(html: str, *, extra_tags=()) -> list[str]:
    """A feed entry's HTML or a preview, held to the sanitiser's allowlist."""
    region = sh.Region("entry", "div", kind="markdown")
    holder = sh.parse_fragment(html)
    problems = sh.page_problems(holder)
    for element, _ in sh.walk(holder):
        if element.tag in extra_tags:
            element.tag = "p"  # the feed's own wrapper around the summary's brief
    return problems + sh.region_problems(region, holder, ())


def test_feed_entries_carry_only_sanitised_html_and_titles_as_text(hostile):
    """Feed readers render entry content as HTML: it is the stored, sanitised body (and
    the summary's brief, escaped); titles and author names are XML text."""
    from xml.etree import ElementTree

    from threads.feeds import brief_html

    site, _ = hostile
    problems: list[str] = []
    entries = 0
    analysed = site.payload_threads[0]
    feeds = ["/feeds/threads/", *(f"/t/{t.pk}/feed/" for t in site.payload_threads[:3])]
    for url in feeds:
        response = Client().get(url)
        assert response.status_code == 200, url
        feed = ElementTree.fromstring(response.content)  # well-formed XML, or this raises
        for entry in feed.iter(f"{ATOM}entry"):
            entries += 1
            for content in (*entry.iter(f"{ATOM}summary"), *entry.iter(f"{ATOM}content")):
                problems += [f"{url}: {p}" for p in _html_fragment_problems(content.text or "",
                             extra_tags=("h3", "ul", "li"))]  # fmt: skip
            for text_node in (*entry.iter(f"{ATOM}title"), *entry.iter(f"{ATOM}name")):
                if len(text_node):
                    problems.append(f"{url}: markup inside <{text_node.tag}>")
    brief = brief_html(Thread.objects.select_related("analysis").get(pk=analysed.pk))
    assert brief, "the analysed thread has a brief"
    problems += _html_fragment_problems(brief, extra_tags=("h3", "ul", "li"))
    _assert_no_problems(problems, "feeds")
    assert entries >= 60
    print(f"\nfeeds: {entries} entries: 0 unsafe")


def test_the_markdown_preview_of_every_dompurify_payload_and_canary_is_inert(client, user):
    """The reply form's Preview (an htmx POST) renders Markdown like a saved post."""
    client.force_login(user)
    payloads = [p for p in all_payloads() if p.corpus == "dompurify"] + [
        Payload("canary", i, text) for i, text in enumerate(CANARY_PAYLOADS)
    ]
    problems: list[str] = []
    previews = 0
    for payload in payloads:
        response = client.post("/preview/", {"body": payload.text}, HTTP_HX_REQUEST="true")
        rendered = markdown.render_markdown(fit(payload.text))
        if response.status_code == 422 or not rendered:  # blank: nothing to preview
            continue
        page = sh.parse(response.content)
        problems += [f"{payload.label}: {p}" for p in sh.page_problems(page)]
        body = next(e for e, _ in sh.walk(page) if "preview-body" in e.get("class", ""))
        label = body[0]  # <p class="preview-label">, the template's own
        body.remove(label)
        body.text = label.tail
        region = sh.Region("preview", "div", kind="markdown")
        problems += [f"{payload.label}: {p}" for p in sh.region_problems(region, body, ())]
        if not sh.same_content(body, rendered):
            problems.append(f"{payload.label}: the preview differs from the saved rendering")
        previews += 1
    _assert_no_problems(problems, "preview")
    assert previews >= 230


# --- Markdown: raw HTML off, hx-* never survive, benign Markdown intact ------------------


def test_raw_html_in_markdown_is_shown_as_text_not_markup():
    html = markdown.render_markdown('<b onclick="x()">bold</b> and <div hx-post="/x">div</div>')
    tree = sh.parse_fragment(html)
    assert [child.tag for child in tree] == ["p"]
    assert list(tree[0]) == []  # no element came from the raw HTML
    source = '<b onclick="x()">bold</b> and <div hx-post="/x">div</div>'
    assert sh.element_text(tree).strip() == source


@pytest.mark.parametrize(
    "source",
    [
        '<a hx-post="/accounts/logout/" hx-trigger="load">x</a>',
        '<img src="https://example.org/a.png" data-hx-get="/" data-hx-trigger="load">',
        '[link](https://example.org "title\\" hx-get=\\"/")',
        '![alt" hx-get="/](https://example.org/a.png)',
        '<div hx-on::load="alert(1)">',
        '<p data-hx-post="/p/1/vote/" data-hx-vals=\'{"value": 1}\'>vote</p>',
    ],
)
def test_htmx_attributes_in_a_post_never_reach_the_page(source):
    tree = sh.parse_fragment(markdown.render_markdown(source))
    attributes = {name for element, _ in sh.walk(tree) for name in element.attrib}
    assert not {a for a in attributes if a.startswith(("hx-", "data-hx-", "data-"))}


BENIGN = {
    "table": (
        "| claim | odds |\n|:--|--:|\n| doom | 10% |\n| fine | 90% |",
        '<table><thead><tr><th align="left">claim</th><th align="right">odds</th></tr>'
        '</thead><tbody><tr><td align="left">doom</td><td align="right">10%</td></tr>'
        '<tr><td align="left">fine</td><td align="right">90%</td></tr></tbody></table>',
    ),
    "link": (
        "See [the paper](https://arxiv.org/abs/2303.08774) or mail <mailto:a@b.org>.",
        '<p>See <a href="https://arxiv.org/abs/2303.08774" rel="nofollow ugc noopener">'
        'the paper</a> or mail <a href="mailto:a@b.org" rel="nofollow ugc noopener">'
        "mailto:a@b.org</a>.</p>",
    ),
    "bare url": (
        "Read https://www.lesswrong.com/tag/ai now",
        '<p>Read <a href="https://www.lesswrong.com/tag/ai" rel="nofollow ugc noopener">'
        "https://www.lesswrong.com/tag/ai</a> now</p>",
    ),
    "code": (
        "Use `x < y && z`:\n\n```python\nif a < b:\n    print('<b>')\n```",
        "<p>Use <code>x &lt; y &amp;&amp; z</code>:</p>\n<pre><code>if a &lt; b:\n"
        "    print('&lt;b&gt;')\n</code></pre>",
    ),
    "emphasis and lists": (
        "**Strong** and *weak* and ~~gone~~\n\n1. one\n2. two\n\n- a\n- b",
        "<p><strong>Strong</strong> and <em>weak</em> and <s>gone</s></p>\n<ol>\n<li>one</li>"
        "\n<li>two</li>\n</ol>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>",
    ),
    "quote and heading": (
        "## Cruxes\n\n> The model is an agent.\n\nIt is not.",
        "<h2>Cruxes</h2>\n<blockquote>\n<p>The model is an agent.</p>\n</blockquote>\n"
        "<p>It is not.</p>",
    ),
    "remote image, shown as a link (issue #17: no third-party request per reader)": (
        '![a chart](https://example.org/chart.png "Chart")',
        '<p><a href="https://example.org/chart.png" title="Chart" rel="nofollow ugc noopener">'
        "image: a chart</a></p>",
    ),
    "image on this site": (
        '![logo](/static/img/logo.png "Logo")',
        '<p><img src="/static/img/logo.png" alt="logo" title="Logo"></p>',
    ),
    "ampersands and angle brackets as text": (
        "AT&T says 3 < 4 > 2 & \"quotes\" are 'fine'",
        "<p>AT&amp;T says 3 &lt; 4 &gt; 2 &amp; \"quotes\" are 'fine'</p>",
    ),
}


@pytest.mark.parametrize("name", list(BENIGN))
def test_benign_markdown_renders_as_written(name):
    source, expected = BENIGN[name]
    rendered = markdown.render_markdown(source)
    assert sh.canonical(sh.parse_fragment(rendered)) == sh.canonical(sh.parse_fragment(expected))


def test_sample_debates_lose_nothing_to_the_sanitiser():
    """Every post of the three demo debates renders to the same tree before and after
    sanitising (links gain only their rel): the allowlist costs real posts nothing."""
    from pathlib import Path

    from threads.importers.dumps import load_dump

    demo = Path(markdown.__file__).resolve().parent / "demo"
    posts = 0
    for dump in sorted(demo.glob("*.txt")):
        debate = load_dump(dump)
        for post in [debate.opening, *debate.posts]:
            raw = markdown._parser.render(post.body)
            clean = markdown.render_markdown(post.body)
            raw_tree = sh.parse_fragment(raw)
            for element, _ in sh.walk(raw_tree):
                if element.tag == "a":
                    element.set("rel", markdown.LINK_REL)
            assert sh.canonical(sh.parse_fragment(clean)) == sh.canonical(raw_tree), post.body[:80]
            posts += 1
    assert posts > 30
    print(f"\nsample debates: {posts} posts render unchanged by the sanitiser")


# --- The checks can fail ------------------------------------------------------------------


def test_the_page_checks_catch_markup_that_skipped_the_sanitiser(client, user):
    """Controls: a stored body that never went through render_markdown, and an escaped
    field that became markup, are both reported."""
    from tests.factories import make_reply, make_thread, opening_post

    thread = make_thread(user)
    reply = make_reply(opening_post(thread), user, body="Harmless.")
    raw = '<img src=x onerror="alert(1)"><a hx-post="/accounts/logout/">x</a>'
    Post.objects.filter(pk=reply.pk).update(body_html=raw, version=reply.version + 1)
    page = sh.parse(client.get(thread.get_absolute_url()).content)
    problems = sh.check_page(page, THREAD_REGIONS).problems
    assert any("event handler onerror" in p for p in problems)
    assert any("'hx-post'" in p for p in problems)

    forged = sh.parse('<p class="thread-meta">by <a href="/u/x/">x<img src=x></a></p>')
    assert sh.check_page(forged, HOME_REGIONS).problems
    javascript = sh.parse('<a href=" java\tscript:alert(1)">x</a>')
    assert any("javascript:" in p for p in sh.page_problems(javascript))
