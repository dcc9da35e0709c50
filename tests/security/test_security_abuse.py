"""Abuse (issue #17, items 2 and 7): rate limits that hold under concurrency and while
Redis is away, per-address signup limits, email verification through a real SMTP
server, and the trust rule that keeps sockpuppets' stances out of the opinion groups.
(Login abuse, item 1, is in test_security_login.py.)"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone

from forum.cache import REDIS_BREAKER
from tests.conftest import redis_cache
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Post, RateCounter, User
from threads.queries.analysis import untrusted_voters
from threads.services import analysis as analysis_service
from threads.services import limits, posting, voting

TEN_REPLIES = {"post": {"new": (10, 3600), "established": (10, 3600)}}


DOWN = redis_cache("redis://127.0.0.1:9/0")  # nothing listens on port 9


@pytest.fixture
def breaker():
    REDIS_BREAKER.reset()
    yield REDIS_BREAKER
    REDIS_BREAKER.reset()


def concurrent_replies(root: Post, author: User, how_many: int) -> list[str]:
    """`how_many` replies by `author` at once, each in its own thread and connection."""

    def one(number: int) -> str:
        try:
            posting.reply(author=author, parent=root, body=f"Concurrent reply {number}.")
            return "made"
        except ValidationError as exc:
            return "limited" if "limit of" in " ".join(exc.messages) else "other"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(one, range(how_many)))


# --- Item 2: limits count first, decide second -------------------------------------------


@pytest.mark.parametrize("where", ["in-process cache", "database (Redis down)"])
@override_settings(CRUX_RATE_LIMITS=TEN_REPLIES)
def test_thirty_concurrent_replies_through_a_limit_of_ten_make_ten(
    transactional_db, breaker, where
):
    """The review's finding: 30 replies got through a limit of 10."""
    root = opening_post(make_thread())
    bob = make_user("bob")
    caches = DOWN if where.startswith("database") else None
    with override_settings(**({"CACHES": caches} if caches else {})):
        outcomes = concurrent_replies(root, bob, 30)
    assert outcomes.count("made") == 10 and outcomes.count("limited") == 20
    assert Post.objects.filter(author=bob).count() == 10
    assert RateCounter.objects.exists() == (caches is not None)


@pytest.mark.redis
@override_settings(CRUX_RATE_LIMITS=TEN_REPLIES)
def test_thirty_concurrent_replies_counted_in_redis_make_ten(transactional_db, settings, breaker):
    from django.core.cache import cache

    settings.CACHES = redis_cache(settings.REDIS_URL)
    try:
        root = opening_post(make_thread())
        bob = make_user("bob")
        outcomes = concurrent_replies(root, bob, 30)
        assert outcomes.count("made") == 10
        assert not RateCounter.objects.exists()  # Redis answered every count
    finally:
        cache.clear()


@override_settings(CRUX_RATE_LIMITS=TEN_REPLIES, CACHES=DOWN)
def test_limits_do_not_fail_open_while_redis_is_down(db, breaker):
    root = opening_post(make_thread())
    bob = make_user("bob")
    for number in range(10):
        posting.reply(author=bob, parent=root, body=f"Reply {number}.")
    with pytest.raises(ValidationError, match="limit of 10 posts per 60 minutes"):
        posting.reply(author=bob, parent=root, body="One too many.")
    assert breaker.is_open  # the breaker opened: later counts went straight to the database


def test_a_counter_survives_its_window_and_restarts_in_the_next(db, monkeypatch):
    import time

    assert [limits.count("probe", 60).value for _ in range(3)] == [1, 2, 3]
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert limits.count("probe", 60).value == 1


def test_expired_database_counters_are_swept(db):
    import time

    RateCounter.objects.create(key="count:old:60:1", count=3, expires=time.time() - 1)
    RateCounter.objects.create(key="count:new:60:2", count=3, expires=time.time() + 60)
    analysis_service.sweep_stale()
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["count:new:60:2"]


# --- Item 7: sockpuppets ------------------------------------------------------------------


def signup(client: Client, name: str, address: str = "198.51.100.7", **extra):
    return client.post(
        "/accounts/signup/",
        {
            "username": name,
            "email": f"{name}@example.org",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
            **extra,
        },
        REMOTE_ADDR=address,
    )


@override_settings(CRUX_ADDRESS_LIMITS={"signup": (5, 3600)})
def test_twenty_signups_from_one_address_make_five_accounts(db):
    """The review's finding: 20 of 20 signups from one address were accepted."""
    statuses = [signup(Client(), f"puppet{number}").status_code for number in range(20)]
    assert statuses == [302] * 5 + [429] * 15
    assert User.objects.filter(username__startswith="puppet").count() == 5
    assert signup(Client(), "neighbour", address="198.51.100.8").status_code == 302


def test_signup_sends_a_verification_link_that_confirms_the_address(
    client, db, settings, smtp_server
):
    settings.CRUX_EMAIL_VERIFICATION = True
    response = signup(client, "carol")
    assert response.status_code == 302
    carol = User.objects.get(username="carol")
    assert carol.email_verified_at is None
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "carol@example.org"
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://testserver(/accounts/verify/\S+/)", body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and b"your address is confirmed" in page.content
    carol.refresh_from_db()
    assert carol.email_verified_at is not None
    assert client.get(link[:-8] + "tampered/").status_code == 400


def test_with_verification_on_an_email_address_is_required(client, db, settings, smtp_server):
    settings.CRUX_EMAIL_VERIFICATION = True
    response = signup(client, "dave", email="")
    assert response.status_code == 422
    assert not User.objects.filter(username="dave").exists() and smtp_server == []


def test_verification_is_on_in_production_and_off_under_make_run():
    from tests.test_foundation import PRODUCTION_ENV, manage

    probe = "from django.conf import settings; print(settings.CRUX_EMAIL_VERIFICATION)"
    production = manage("shell", "-c", probe, env=PRODUCTION_ENV)
    development = manage("shell", "-c", probe, env={**PRODUCTION_ENV, "DEBUG": "1"})
    assert production.stdout.strip().splitlines()[-1] == "True", production.stderr
    assert development.stdout.strip().splitlines()[-1] == "False", development.stderr


def sockpuppet_thread():
    """Five established, verified people who agree with the opening post, and ten fresh,
    unverified accounts that all disagree with it."""
    thread = make_thread(make_user("host"), body="Scaling alone will not reach AGI.")
    root = opening_post(thread)
    claim = make_reply(root, make_user("claimant"), body="Benchmarks are saturating.")
    old = timezone.now() - timedelta(days=30)
    real = [make_user(f"real{i}", email_verified_at=old) for i in range(5)]
    User.objects.filter(pk__in=[u.pk for u in real]).update(date_joined=old)
    puppets = [make_user(f"puppet{i}") for i in range(10)]
    for person in real:
        voting.cast_vote(user=person, post=root, axis="agree", value=1)
        voting.cast_vote(user=person, post=claim, axis="agree", value=1)
    for person in puppets:
        voting.cast_vote(user=person, post=root, axis="agree", value=-1)
        voting.cast_vote(user=person, post=claim, axis="agree", value=-1)
    return thread, real, puppets


@override_settings(
    CRUX_EMAIL_VERIFICATION=True, CRUX_TRUSTED_MIN_ACCOUNT_DAYS=2, CRUX_TRUSTED_MIN_POSTS=1
)
def test_untrusted_accounts_stances_do_not_count_and_the_map_says_how_many(client, db):
    thread, real, puppets = sockpuppet_thread()
    analysis = analysis_service.run_analysis(thread.pk)
    # The five real voters and the two authors (a post is its author's stance).
    assert analysis.map["participants"] == 7
    assert analysis.map["left_out"]["participants"] == 10
    body = client.get(f"/api/threads/{thread.pk}/map.json").json()
    assert body["left_out"]["participants"] == 10
    assert sum(group["size"] for group in body["groups"]) <= 7


@override_settings(
    CRUX_EMAIL_VERIFICATION=True, CRUX_TRUSTED_MIN_ACCOUNT_DAYS=2, CRUX_TRUSTED_MIN_POSTS=1
)
def test_a_verified_new_account_with_a_post_is_trusted(db):
    thread, real, puppets = sockpuppet_thread()
    newcomer = puppets[0]
    User.objects.filter(pk=newcomer.pk).update(email_verified_at=timezone.now())
    make_reply(opening_post(thread), newcomer, body="My first post: I disagree.")
    left_out = untrusted_voters(thread.pk)
    assert newcomer.pk not in left_out and len(left_out) == 9
    assert not ({person.pk for person in real} & left_out)


def test_without_the_trust_rule_every_stance_counts(db):
    thread, real, puppets = sockpuppet_thread()
    analysis = analysis_service.run_analysis(thread.pk)
    assert analysis.map["participants"] == 17
    assert analysis.map["left_out"]["participants"] == 0
