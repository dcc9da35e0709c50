"""Walks over every URL pattern (security_urls.site_urls), so new endpoints are covered
the day they are added (issue #9, parts 3, 4 and 5):

- every HTML response, to a reader, a member and a moderator, plain or htmx, carries a
  strict Content-Security-Policy, X-Frame-Options DENY, nosniff, a Referrer-Policy and
  COOP, and its markup has nothing that CSP would block (inline script or style, on*);
- every URL refuses a state-changing request without a CSRF token, and nothing changes;
- every moderator URL refuses members (403) and sends readers to log in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import security_html as sh
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from security_urls import World, make_world, site_urls

from tests.factories import make_reply, make_user
from threads.models import Post, Vote
from threads.services import moderation, voting

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
REQUIRED_HEADERS = {
    "X-Frame-Options": {"DENY"},
    "X-Content-Type-Options": {"nosniff"},
    "Referrer-Policy": {"same-origin", "strict-origin-when-cross-origin", "no-referrer"},
    "Cross-Origin-Opener-Policy": {"same-origin"},
}


@pytest.fixture
def world(db) -> World:
    return make_world()


def _clients(world: World) -> dict[str, Client]:
    member, moderator = Client(), Client()
    member.force_login(world.author)
    moderator.force_login(world.moderator)
    return {"reader": Client(), "member": member, "moderator": moderator}


def csp_problems(policy: str | None) -> list[str]:
    if not policy:
        return ["no Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    problems = []
    for name in ("script-src", "style-src"):
        sources = directives.get(name, directives.get("default-src"))
        if sources is None:
            problems.append(f"CSP has no {name} (nor default-src)")
            continue
        unsafe = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}
        problems += [f"CSP {name} allows {s}" for s in sources if s in unsafe]
    if directives.get("object-src") != ["'none'"]:
        problems.append("CSP object-src is not 'none'")
    if directives.get("base-uri") not in (["'none'"], ["'self'"]):
        problems.append("CSP base-uri is not restricted")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append("CSP frame-ancestors is not 'none'")
    return problems


def header_problems(response) -> list[str]:
    problems = csp_problems(response.get("Content-Security-Policy"))
    for header, allowed in REQUIRED_HEADERS.items():
        if response.get(header) not in allowed:
            problems.append(f"{header}: {response.get(header)!r}")
    return problems


# --- Headers on every page -------------------------------------------------------------


def test_every_html_response_has_security_headers_and_nothing_the_csp_would_block(world):
    """GET every URL as a reader, a member and a moderator, plainly and as htmx. The
    admin's own pages are checked for headers only: its templates are Django's."""
    problems: list[str] = []
    html_responses = pages_parsed = 0
    for who, client in _clients(world).items():
        for url in site_urls(world):
            for htmx in (False, True):
                extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
                response = client.get(url.path, **extra)
                where = f"{url.label} as {who}{' (htmx)' if htmx else ''}: {response.status_code}"
                assert response.status_code < 500, where
                if response.get("X-Content-Type-Options") != "nosniff":
                    problems.append(f"{where}: no nosniff")
                if not response.get("Content-Type", "").startswith("text/html"):
                    continue
                html_responses += 1
                problems += [f"{where}: {p}" for p in header_problems(response)]
                if response.content and not url.is_admin:
                    pages_parsed += 1
                    tree = sh.parse(response.content)
                    problems += [f"{where}: {p}" for p in sh.page_problems(tree)]
    assert not problems, "\n".join(problems[:30])
    assert pages_parsed > 150
    print(f"\nheaders: {html_responses} HTML responses, {pages_parsed} pages parsed: 0 problems")


@pytest.mark.parametrize("status_url", ["/no-such-page/", "/t/987654/x/"])
def test_error_pages_have_the_security_headers_too(client, db, status_url):
    response = client.get(status_url)
    assert response.status_code == 404
    assert not header_problems(response)
    assert not sh.page_problems(sh.parse(response.content))


def test_templates_have_no_inline_script_style_or_event_handler():
    """The CSP refuses all three, so each would be a silent bug in the browser."""
    patterns = {
        "style attribute": re.compile(r"\sstyle\s*=", re.I),
        "inline <script> (no src)": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
        "<style> element": re.compile(r"<style[\s>]", re.I),
        "on* handler": re.compile(r"\son[a-z]+\s*=", re.I),
        "hx-on attribute": re.compile(r"\s(?:data-)?hx-on", re.I),
        "javascript: URL": re.compile(r"javascript:", re.I),
    }
    found = []
    templates = sorted((ROOT / "templates").rglob("*.html"))
    templates += sorted((ROOT / "threads").rglob("templates/**/*.html"))
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for what, pattern in patterns.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert len(templates) > 20
    assert not found, "\n".join(found)


def test_static_scripts_use_no_eval():
    found = []
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\beval\s*\(", r"new\s+Function\s*\(", r"setTimeout\s*\(\s*['\"]"):
            if re.search(pattern, text):
                found.append(f"{path.name}: {pattern}")
    assert not found


# --- CSRF ------------------------------------------------------------------------------


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("threads").get_models()
    }


def test_every_url_refuses_a_state_changing_request_without_a_csrf_token(world):
    """As a logged-in moderator (who may do everything), POST and DELETE to every URL,
    plainly and as htmx, without the token: each is refused with 403 and changes nothing.
    A request with the token gets through (the control that shows the check can fail)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.moderator)
    before = _row_counts()
    refused = 0
    for url in site_urls(world):
        for method in ("post", "delete"):
            for htmx in (False, True):
                extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
                response = getattr(client, method)(url.path, **extra)
                where = f"{method.upper()} {url.label}{' (htmx)' if htmx else ''}"
                assert response.status_code == 403, f"{where}: {response.status_code}"
                assert b"This form has expired" in response.content, where
                refused += 1
    assert _row_counts() == before
    assert Post.objects.get(pk=world.reply.pk).removed_at is None

    client.get("/")  # the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        f"/moderation/posts/{world.reply.pk}/remove/",
        {"reason": "Control: with the token this works."},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=world.reply.pk).removed_at is not None
    print(f"\nCSRF: {refused} token-less requests to {refused // 4} URLs: all refused")


def test_no_view_is_exempt_from_csrf(world):
    exempt = "csrf" + "_exempt"  # spelled apart so this file does not match itself
    sources = [*ROOT.glob("threads/**/*.py"), *ROOT.glob("forum/**/*.py")]
    mentions = [str(p.relative_to(ROOT)) for p in sources if exempt in p.read_text("utf-8")]
    assert not mentions
    flagged = [u.label for u in site_urls(world) if getattr(u.view, exempt, False)]
    assert not flagged


# --- Authorisation -----------------------------------------------------------------------


def _moderator_only(url) -> bool:
    """Moderator URLs: the moderation/ section (bar the public log) and every view
    marked by threads.views.moderation.moderator_required."""
    public = {"moderation_log"}
    return (url.route.startswith("moderation/") and url.name not in public) or getattr(
        url.view, "moderator_only", False
    )


def test_every_moderator_url_refuses_members_and_sends_readers_to_log_in(world):
    member, reader = Client(), Client()
    member.force_login(world.author)
    before = _row_counts()
    urls = [url for url in site_urls(world) if _moderator_only(url)]
    for url in urls:
        for method in ("get", "post"):
            response = getattr(member, method)(url.path, {"reason": "x", "tag": world.tag.pk})
            assert response.status_code == 403, f"member {method} {url.label}"
            response = getattr(reader, method)(url.path, {"reason": "x"})
            assert response.status_code == 302, f"reader {method} {url.label}"
            assert response["Location"].startswith("/accounts/login/"), url.label
    assert _row_counts() == before
    assert len(urls) >= 20
    print(f"\nauthorisation: {len(urls)} moderator URLs refuse members and readers")


def test_the_admin_is_closed_to_members_and_moderators(world):
    for user in (world.author, world.moderator):
        client = Client()
        client.force_login(user)
        for url in site_urls(world):
            if url.is_admin and url.name not in ("admin:login", "admin:logout"):
                response = client.get(url.path)
                assert response.status_code in (302, 404), url.label
                if response.status_code == 302:
                    assert "/admin/login/" in response["Location"], url.label


@pytest.mark.parametrize("intruder", ["other member", "moderator"])
def test_nobody_but_the_author_can_edit_or_delete_a_post(world, intruder):
    client = Client()
    client.force_login(world.other if intruder == "other member" else world.moderator)
    post = world.opening  # written by world.author
    for htmx in (False, True):
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        assert client.get(f"/p/{post.pk}/edit/", **extra).status_code == 403
        edit = client.post(f"/p/{post.pk}/edit/", {"body": "Hijacked."}, **extra)
        assert edit.status_code == 403
        assert client.post(f"/p/{post.pk}/delete/", **extra).status_code == 403
    post.refresh_from_db()
    assert post.body == "Scaling is all you need."
    assert not post.deleted_by_author
    assert not post.revisions.exists()


def test_voting_the_same_way_twice_never_counts_twice(world):
    """The same vote again changes nothing (a retried POST, issue #17); taking it back is
    its own action (value 0). A vote is one row per user, post and axis, so the count
    moves between 0 and 1, never to 2."""
    voter = make_user("walk-voter")
    client = Client()
    client.force_login(voter)
    url = f"/p/{world.reply.pk}/vote/"
    seen = []
    for _ in range(4):
        client.post(url, {"axis": "quality", "value": "1"})
        client.post(url, {"axis": "agree", "value": "-1"})
        reply = Post.objects.get(pk=world.reply.pk)
        seen.append((reply.upvotes, reply.disagrees))
        assert Vote.objects.filter(user=voter, post=reply).count() <= 2
    assert seen == [(2, 1)] * 4  # world.author's upvote is the 1
    client.post(url, {"axis": "quality", "value": "0"})
    client.post(url, {"axis": "agree", "value": "0"})
    reply = Post.objects.get(pk=world.reply.pk)
    assert (reply.upvotes, reply.disagrees) == (1, 0)
    client.post(url, {"axis": "quality", "value": "5"})
    client.post(url, {"axis": "weight", "value": "1"})
    assert Post.objects.get(pk=world.reply.pk).upvotes == 1
    assert not Vote.objects.filter(user=voter).exists()


def test_votes_on_locked_threads_and_removed_posts_are_refused(world):
    voter = make_user("walk-voter")
    client = Client()
    client.force_login(voter)
    url = f"/p/{world.reply.pk}/vote/"
    moderation.lock_thread(moderator=world.moderator, thread=world.thread, reason="Cooling off")
    client.post(url, {"axis": "quality", "value": "1"})
    assert not Vote.objects.filter(user=voter).exists()
    moderation.unlock_thread(moderator=world.moderator, thread=world.thread, reason="Open")
    moderation.remove_post(moderator=world.moderator, post=world.reply, reason="Off topic")
    response = client.post(url, {"axis": "quality", "value": "1"})
    assert response.status_code in (302, 403, 404, 422)
    assert not Vote.objects.filter(user=voter).exists()
    assert Post.objects.get(pk=world.reply.pk).upvotes == 1  # world.author's, from before
    with pytest.raises((ValidationError, PermissionDenied)):  # whatever the entry point
        voting.cast_vote(user=voter, post=world.reply, axis="quality", value=1)


def test_hidden_posts_and_individual_votes_reach_only_moderators(world):
    """What readers may not see — removed and held posts, earlier versions of a removed
    post, who voted how — is not in any page or document they can fetch (the lossless
    Crux JSON export carries all of it, so it is the moderators')."""
    secret = "The removed words"
    # Not by world.other: posting drops the author's draft of the reply, and the world's
    # draft (other's, on the opening post) gives the admin's Draft URLs their row.
    writer = make_user("walk-secret-writer")
    removed = make_reply(world.opening, writer, body=f"{secret}, never public.")
    moderation.remove_post(moderator=world.moderator, post=removed, reason="Doxxing")
    voter = make_user("walk-secret-voter")
    voting.cast_vote(user=voter, post=world.reply, axis="agree", value=-1)
    member = Client()
    member.force_login(world.author)
    leaks = []
    for who, client in (("reader", Client()), ("member", member)):
        for url in site_urls(world):
            if url.is_admin:
                continue
            response = client.get(url.path)
            if secret.encode() in response.content or voter.username.encode() in response.content:
                leaks.append(f"{url.label} as {who}")
    assert not leaks
    moderator = Client()
    moderator.force_login(world.moderator)
    export = moderator.get(f"/api/threads/{world.thread.pk}/export.json")
    assert secret in export.content.decode() and voter.username in export.content.decode()
    assert Client().get(f"/api/threads/{world.thread.pk}/export.json").status_code == 403
