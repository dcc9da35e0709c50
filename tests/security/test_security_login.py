"""Login abuse (issue #9, part 6): threads/services/login_guard.py behind the login view.

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

from tests.factories import make_user
from threads.services import login_guard

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


def test_behind_a_trusted_proxy_the_address_it_appended_counts(client, user, settings):
    settings.CRUX_TRUST_X_FORWARDED_FOR = True
    proxy = "192.0.2.1"
    for number in range(settings.CRUX_LOGIN_MAX_FAILURES):
        # The client may write anything in front; the proxy appends the real address.
        forged = f"198.51.100.{number}, 203.0.113.7"
        attempt(client, "alice", f"wrong {number}", proxy, HTTP_X_FORWARDED_FOR=forged)
    locked = attempt(client, "alice", RIGHT, proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert locked.status_code == 429
    other = attempt(client, "alice", RIGHT, proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302


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
        login_guard.record_failure(name, HOME)
        assert login_guard.seconds_locked(name, HOME) == 0


@pytest.mark.redis
def test_the_counts_work_in_redis_as_in_production(client, user, settings):
    """Production keeps the counters in Redis, shared by every web worker."""
    import uuid

    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"crux-test-{uuid.uuid4().hex[:8]}",
        }
    }
    try:
        fail_until_locked(client, "alice")
        assert attempt(client, "alice", RIGHT).status_code == 429
        assert attempt(client, "alice", RIGHT, ELSEWHERE).status_code == 302
    finally:
        cache.clear()
