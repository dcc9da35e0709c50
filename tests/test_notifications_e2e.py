"""Notifications end to end: posts made through the services, the fan-out and the mail
done by a real Celery worker on Redis, mail received by a real SMTP server (aiosmtpd).
Nothing here mocks the mail API."""

from __future__ import annotations

import logging
import socket
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import wait_until
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Notification, NotificationSettings, Role
from threads.queries import notifications as notification_queries
from threads.services import watching

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def kinds(user) -> dict[int, str]:
    return dict(Notification.objects.filter(recipient=user).values_list("post_id", "kind"))


def parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    }


def test_reply_quote_mention_answered_watch_and_mute_through_a_worker_and_smtp(
    smtp_server, celery_worker, no_rate_limits
):
    alice = make_user("alice", email="alice@example.org")
    bob = make_user("bob", email="bob@example.org")
    carol = make_user("carol", email="carol@example.org")
    dave = make_user("dave", email="dave@example.org")
    erin = make_user("erin", email="erin@example.org")
    NotificationSettings.objects.create(user=alice, email_replies=True)
    thread = make_thread(alice, body="Language models trained to predict text will not plan.")
    watching.set_watch_level(user=dave, thread=thread, level="watching")
    watching.set_watch_level(user=erin, thread=thread, level="muted")

    objection = make_reply(
        opening_post(thread), bob, body="They will.", role=Role.REBUTTAL, quote="will not plan"
    )
    wait_until(lambda: kinds(alice) == {objection.pk: "reply"})
    answer = make_reply(
        objection,
        carol,
        body="> Language models trained to predict text\n\nNo: ask @dave and @erin.",
        role=Role.REBUTTAL,
    )
    wait_until(lambda: kinds(bob).get(answer.pk) == "answered")
    wait_until(lambda: kinds(alice).get(answer.pk) == "quote")
    wait_until(lambda: kinds(dave) == {objection.pk: "reply", answer.pk: "mention"})
    assert kinds(erin) == {}  # muted the thread: not even a mention
    assert kinds(carol) == {}  # never for your own posts

    # alice asked for mail about replies (a quote is one); dave gets mentions by default;
    # bob did not ask for reply mail.
    smtp_server.wait_for(3)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "alice@example.org",
        "alice@example.org",
        "dave@example.org",
    ]
    (mention,) = smtp_server.to("dave@example.org")
    assert mention["Subject"].strip() == "carol mentioned you in “Will AI be agentic?”"
    unsubscribe = mention["List-Unsubscribe"].strip()
    assert unsubscribe.startswith("<http") and "/unsubscribe/" in unsubscribe
    bodies = parts(mention)
    assert "No: ask @dave" in bodies["text/plain"] and "<blockquote>" in bodies["text/html"]
    assert answer.get_absolute_url() in bodies["text/plain"]
    wait_until(lambda: Notification.objects.filter(emailed=True).count() == 3)

    client = Client()
    client.force_login(dave)
    assert client.post("/inbox/read-all/").status_code == 302
    assert notification_queries.unread_count(dave.pk) == 0
    assert Notification.objects.filter(recipient=dave, read=False).count() == 0


def test_digest_from_the_beat_task_with_one_click_unsubscribe(
    smtp_server, celery_worker, no_rate_limits
):
    from threads.tasks import send_digests

    alice = make_user("alice", email="alice@example.org")
    bob = make_user("bob")
    thread = make_thread(alice)
    reply = make_reply(opening_post(thread), bob, body="A reply alice has not read.")
    wait_until(lambda: Notification.objects.filter(recipient=alice).exists())

    send_digests.delay()  # what Celery beat runs hourly; alice has never had a digest
    (digest,) = smtp_server.wait_for(1)
    assert digest["To"] == "alice@example.org"
    assert digest["Subject"].strip() == "Crux digest: 1 unread"
    bodies = parts(digest)
    assert "bob replied to you in “Will AI be agentic?”" in bodies["text/plain"]
    assert reply.get_absolute_url() in bodies["text/html"]
    wait_until(lambda: Notification.objects.filter(recipient=alice, digested=True).exists())

    unsubscribe = digest["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe in bodies["text/plain"]
    page = Client().get(urlsplit(unsubscribe).path)  # no login: the signed token says who
    assert page.status_code == 200 and "You are unsubscribed" in page.content.decode()
    assert NotificationSettings.objects.get(user=alice).digest == "off"

    make_reply(opening_post(thread), bob, body="Another one.")
    wait_until(lambda: Notification.objects.filter(recipient=alice).count() == 2)
    call_command("send_digests", "--now")
    assert len(smtp_server.messages) == 1  # unsubscribed: nothing more

    tampered = urlsplit(unsubscribe).path.replace("/unsubscribe/", "/unsubscribe/x")
    assert Client().get(tampered).status_code == 400


def test_send_digests_now_sends_pending_digests_regardless_of_schedule(
    smtp_server, no_rate_limits, transactional_db
):
    from django.utils import timezone

    alice = make_user("alice", email="alice@example.org")
    NotificationSettings.objects.create(user=alice, digest="daily", last_digest_at=timezone.now())
    thread = make_thread(alice)
    make_reply(opening_post(thread), make_user("bob"), body="Unread.")
    call_command("send_digests")
    assert smtp_server.messages == []  # not due: the last digest went out just now
    call_command("send_digests", "--now")
    (digest,) = smtp_server.wait_for(1)
    assert set(parts(digest)) == {"text/plain", "text/html"}
    call_command("send_digests", "--now")
    assert len(smtp_server.messages) == 1  # nothing pending any more


def test_a_dead_mail_server_never_breaks_posting(
    settings, transactional_db, caplog, no_rate_limits
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    alice = make_user("alice", email="alice@example.org")
    NotificationSettings.objects.create(user=alice, email_replies=True)
    thread = make_thread(alice)
    with caplog.at_level(logging.WARNING, logger="threads.services.mail"):
        reply = make_reply(opening_post(thread), make_user("bob"), body="Still posted.")
    assert reply.pk and Notification.objects.get(recipient=alice).emailed is False
    assert "cannot reach the mail server" in caplog.text
    call_command("send_digests", "--now")  # the digest fails the same quiet way
