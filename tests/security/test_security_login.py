"""Login abuse (issues #9 and #17): threads/views/login_guard.py behind the login view.

Five failed logins for one account from one address lock that pair out (429) for the
cool-off, even with the right password; the account still works from elsewhere; unknown
and known usernames are indistinguishable; so are known and unknown reset emails.
"""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail

from tests.conftest import redis_cache
from tests.factories import make_user
from threads.views import login_guard

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
RIGHT = "correct horse battery"
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def attempt(client, username: str, password: str, address: str = HOME, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_until_locked(client, username: str, address: str = HOME) -> None:
    for number in range(settings.CRUX_LOGIN_MAX_FAILURES):
        response = attempt(client, username, f"wrong guess {number}", address)
        assert response.status_code == 200, f"failure {number + 1} was already refused"
        assert b"correct username and password" in response.content


def test_the_settings_are_five_failures_and_a_cooloff():
    assert settings.CRUX_LOGIN_MAX_FAILURES == 5
    assert settings.CRUX_LOGIN_COOLOFF_SECONDS >= 300


def test_after_five_failures_even_the_right_password_is_refused_for_the_cooloff(client, user):
    fail_until_locked(client, "alice")
    response = attempt(client, "alice", RIGHT)
    assert response.status_code == 429
    assert not logged_in(client)
    assert 0 < int(response["Retry-After"]) <= settings.CRUX_LOGIN_COOLOFF_SECONDS
    assert b"Too many failed log-in attempts" in response.content
    assert b"/accounts/password_reset/" in response.content  # a way out for the owner


def test_the_same_account_from_another_address_still_logs_in(client, user):
    fail_until_locked(client, "alice")
    assert attempt(client, "alice", RIGHT).status_code == 429
    response = attempt(client, "alice", RIGHT, ELSEWHERE)
    assert response.status_code == 302
    assert logged_in(client)


def test_other_accounts_from_the_same_address_are_not_affected(client, user):
    make_user("bob")
    fail_until_locked(client, "alice")
    assert attempt(client, "bob", RIGHT).status_code == 302


def test_the_lock_ends_after_the_cooloff(client, user, monkeypatch):
    fail_until_locked(client, "alice")
    assert attempt(client, "alice", RIGHT).status_code == 429
    later = time.time() + settings.CRUX_LOGIN_COOLOFF_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)  # the cache's clock and the guard's
    assert attempt(client, "alice", RIGHT).status_code == 302


def test_a_successful_login_clears_the_count(client, user):
    for number in range(settings.CRUX_LOGIN_MAX_FAILURES - 1):
        attempt(client, "alice", f"wrong {number}")
    assert attempt(client, "alice", RIGHT).status_code == 302
    client.logout()
    for number in range(settings.CRUX_LOGIN_MAX_FAILURES - 1):
        assert attempt(client, "alice", f"wrong again {number}").status_code == 200
    assert attempt(client, "alice", RIGHT).status_code == 302


def test_the_case_of_the_username_does_not_reset_the_count(client, user):
    for number, name in enumerate(["alice", "ALICE", "Alice", " alice", "aLiCe"]):
        attempt(client, name, f"wrong {number}")
    assert attempt(client, "alice", RIGHT).status_code == 429


def test_forged_x_forwarded_for_does_not_escape_the_lock(client, user):
    fail_until_locked(client, "alice")
    response = attempt(client, "alice", RIGHT, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_counts(client, user, settings):
    settings.CRUX_TRUSTED_PROXIES = ["192.0.2.0/28"]
    proxy = "192.0.2.1"
    for number in range(settings.CRUX_LOGIN_MAX_FAILURES):
        # The client may write anything in front; our proxy appends the real address.
        forged = f"198.51.100.{number}, 203.0.113.7"
        attempt(client, "alice", f"wrong {number}", proxy, HTTP_X_FORWARDED_FOR=forged)
    locked = attempt(client, "alice", RIGHT, proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert locked.status_code == 429
    other = attempt(client, "alice", RIGHT, proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302


def test_rotating_x_forwarded_for_gets_five_guesses_then_429(client, user, settings):
    """The review's attack: a fresh X-Forwarded-For per attempt, through our proxy."""
    settings.CRUX_TRUSTED_PROXIES = ["172.16.0.0/12"]
    statuses = [
        attempt(
            client,
            "alice",
            f"guess {number}",
            "172.18.0.5",  # the compose proxy
            HTTP_X_FORWARDED_FOR=f"10.9.{number}.1, 203.0.113.50",
        ).status_code
        for number in range(20)
    ]
    assert statuses == [200] * 5 + [429] * 15


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(settings):
    from django.test import RequestFactory

    settings.CRUX_TRUSTED_PROXIES = ["192.0.2.1"]
    direct = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert login_guard.client_address(direct) == "203.0.113.9"
    chained = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 192.0.2.1"
    )
    assert login_guard.client_address(chained) == "203.0.113.9"


def test_spraying_many_accounts_from_one_address_is_refused(client, db, settings):
    settings.CRUX_LOGIN_MAX_FAILURES_PER_ADDRESS = 8
    for number in range(8):
        assert attempt(client, f"victim{number}", "Summer2026!").status_code == 200
    assert attempt(client, "victim9", "Summer2026!").status_code == 429
    assert attempt(client, "victim0", "Summer2026!", ELSEWHERE).status_code == 200


def test_a_burst_of_concurrent_guesses_checks_exactly_the_limit(user, transactional_db):
    """Forty guesses at once: each is counted before its password is checked."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django.test import Client

    def guess(number: int) -> int:
        try:
            return attempt(Client(), "alice", f"burst {number}").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert statuses.count(200) == settings.CRUX_LOGIN_MAX_FAILURES
    assert statuses.count(429) == 40 - settings.CRUX_LOGIN_MAX_FAILURES


def _without_tokens(content: bytes) -> bytes:
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"TOKEN", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"TOKEN", content)


def test_unknown_username_and_wrong_password_get_the_same_answer(client, user):
    known = attempt(client, "alice", "not her password")
    user.delete()
    unknown = attempt(client, "alice", "not her password")
    assert known.status_code == unknown.status_code == 200
    assert _without_tokens(known.content) == _without_tokens(unknown.content)
    assert sorted(known.cookies) == sorted(unknown.cookies)


def test_unknown_usernames_lock_out_exactly_like_known_ones(client, user):
    fail_until_locked(client, "nobody-by-this-name")
    assert attempt(client, "nobody-by-this-name", RIGHT).status_code == 429


def test_an_unknown_username_costs_a_password_hash_like_a_wrong_password(client, user, monkeypatch):
    """Timing: Django's ModelBackend hashes the given password for unknown users too, so
    both answers take one hash; counted here instead of timed."""
    calls = []
    encode = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    attempt(client, "alice", "wrong password")
    known = len(calls)
    attempt(client, "no-such-user", "wrong password")
    assert known >= 1
    assert len(calls) - known == known


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client, db):
    make_user("carol", email="carol@example.org")
    known = client.post("/accounts/password_reset/", {"email": "carol@example.org"}, follow=True)
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert _without_tokens(known.content) == _without_tokens(unknown.content)
    assert [message.to for message in mail.outbox] == [["carol@example.org"]]


def test_the_guard_keys_usernames_of_any_shape_safely():
    for name in ["", "a" * 500, "<script>", "x\ny", "名前", "'; DROP TABLE"]:
        assert login_guard.attempt(name, HOME) == 0


@pytest.mark.redis
def test_the_counts_work_in_redis_as_in_production(client, user, settings):
    """Production keeps the counters in Redis, shared by every web worker."""
    from django.core.cache import cache

    from threads.models import RateCounter

    settings.CACHES = redis_cache(settings.REDIS_URL)
    try:
        fail_until_locked(client, "alice")
        assert attempt(client, "alice", RIGHT).status_code == 429
        assert attempt(client, "alice", RIGHT, ELSEWHERE).status_code == 302
        assert not RateCounter.objects.exists()  # Redis answered: no fallback rows
    finally:
        cache.clear()


def test_while_redis_is_down_the_guard_counts_in_the_database(client, user, settings):
    """Never fails open: with nothing listening on the Redis port, the lock still holds."""
    from forum.cache import REDIS_BREAKER
    from threads.models import RateCounter

    settings.CACHES = redis_cache("redis://127.0.0.1:9/0")  # nothing listens on port 9
    REDIS_BREAKER.reset()
    try:
        fail_until_locked(client, "alice")
        assert attempt(client, "alice", RIGHT).status_code == 429
        assert RateCounter.objects.filter(count__gt=settings.CRUX_LOGIN_MAX_FAILURES).exists()
        assert attempt(client, "alice", RIGHT, ELSEWHERE).status_code == 302
    finally:
        REDIS_BREAKER.reset()
