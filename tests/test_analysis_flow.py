"""How maps get made and kept: scheduling, coalescing, idempotency, failures, outages,
killed workers, and what readers see (the panel and the JSON API)."""

from __future__ import annotations

import os
import signal
import subprocess
from contextlib import contextmanager

import kombu.pools
import pytest
import redis
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from forum.celery import app
from tests.conftest import wait_until
from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Thread, ThreadAnalysis
from threads.privacy import pseudonym
from threads.services import analysis as analysis_service
from threads.services import voting


def two_camp_thread():
    """Six people in two camps of three, voting oppositely on the dividing claim and
    together on a shared one."""
    camp_a = [make_user(f"hawk{i}") for i in range(3)]
    camp_b = [make_user(f"dove{i}") for i in range(3)]
    thread = make_thread(
        make_user("host"),
        title="Is deceptive alignment likely?",
        body="Gradient descent will produce deceptively aligned models by default.",
    )
    root = opening_post(thread)
    divider = make_reply(
        root,
        make_user("d1"),
        role="support",
        body="Deception is the simplest way to score well on the training objective.",
    )
    shared = make_reply(
        root,
        make_user("s1"),
        role="comment",
        body="Interpretability research is worth funding whichever side is right.",
    )
    for person in camp_a:
        voting.cast_vote(user=person, post=root, axis="agree", value=1)
        voting.cast_vote(user=person, post=divider, axis="agree", value=1)
        voting.cast_vote(user=person, post=shared, axis="agree", value=1)
    for person in camp_b:
        voting.cast_vote(user=person, post=root, axis="agree", value=-1)
        voting.cast_vote(user=person, post=divider, axis="agree", value=-1)
        voting.cast_vote(user=person, post=shared, axis="agree", value=1)
    return thread, divider, shared, camp_a, camp_b


@pytest.mark.django_db
def test_map_json_finds_two_camps_the_crux_and_common_ground(client):
    thread, divider, shared, camp_a, camp_b = two_camp_thread()
    analysis_service.run_analysis(thread.pk)
    body = client.get(f"/api/threads/{thread.pk}/map.json").json()
    assert body["thread"] == thread.pk and body["status"] == "done" and body["stale"] is False
    assert body["watermark"] == Thread.objects.get(pk=thread.pk).data_version
    members = [set(group["members"]) for group in body["groups"]]
    hawks = {pseudonym(thread.pk, p.username) for p in camp_a}  # readers see pseudonyms
    assert any(hawks <= m for m in members)
    assert any({pseudonym(thread.pk, p.username) for p in camp_b} <= m for m in members)
    assert body["cruxes"][0]["post"] in {divider.pk, opening_post(thread).pk}
    assert shared.pk in [c["post"] for c in body["consensus"][:2]]
    assert "presentation" not in body and body["algorithm"]["version"]
    summary = client.get(f"/api/threads/{thread.pk}/summary.json").json()
    assert summary["thread"] == thread.pk and summary["watermark"] == body["watermark"]
    assert {"brief", "groups", "cruxes", "common_ground", "open"} <= set(summary)


@pytest.mark.django_db
def test_a_second_run_on_the_same_data_is_a_no_op():
    thread = make_thread()
    first = analysis_service.run_analysis(thread.pk)
    second = analysis_service.run_analysis(thread.pk)
    assert second.computed_at == first.computed_at and second.watermark == first.watermark


@pytest.mark.django_db
def test_a_failed_run_keeps_the_last_good_map_and_says_it_is_out_of_date(client, monkeypatch):
    thread, *_ = two_camp_thread()
    good = analysis_service.run_analysis(thread.pk)
    make_reply(opening_post(thread), body="A new objection that changes the data.")

    def broken(snapshot, params=None):
        raise RuntimeError("numerical trouble")

    monkeypatch.setattr("threads.analysis.thread_map.analyze_thread", broken)
    with pytest.raises(RuntimeError):
        analysis_service.run_analysis(thread.pk)
    stored = ThreadAnalysis.objects.get(thread=thread)
    assert stored.status == "failed" and "numerical trouble" in stored.error
    assert stored.map == good.map and stored.watermark == good.watermark
    html = client.get(f"/analysis/{thread.pk}/").content.decode()
    assert "out of date" in html and "Disagreement map" in html


@pytest.mark.django_db
def test_panel_cites_posts_and_polls_only_while_a_run_is_on_its_way(client):
    thread, divider, *_ = two_camp_thread()
    html = client.get(f"/analysis/{thread.pk}/").content.decode()
    assert "not been computed yet" in html and "every 3s" not in html
    ThreadAnalysis.objects.create(thread=thread, requested_at=timezone.now())
    html = client.get(f"/analysis/{thread.pk}/").content.decode()
    assert "being computed" in html and "every 3s" in html
    analysis_service.run_analysis(thread.pk)
    html = client.get(f"/analysis/{thread.pk}/").content.decode()
    assert "every 3s" not in html
    assert f'href="#post-{divider.pk}"' in html
    assert "<svg" in html and "Group A" in html


@pytest.mark.django_db
def test_unknown_threads_get_json_404s_from_the_map_api(client):
    for suffix in ("map.json", "summary.json"):
        response = client.get(f"/api/threads/424242/{suffix}")
        assert response.status_code == 404 and "error" in response.json()


@pytest.mark.django_db
def test_analyze_thread_command_runs_in_process_and_prints_one_line(capsys):
    thread, *_ = two_camp_thread()
    call_command("analyze_thread", str(thread.pk), "--sync")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "done" in out[0] and "compute=" in out[0]
    assert ThreadAnalysis.objects.get(thread=thread).status == "done"


@pytest.mark.django_db
def test_changes_since_last_visit_name_new_cruxes_and_answered_objections(client):
    thread, *_ = two_camp_thread()
    reader = make_user("reader")
    objection = make_reply(opening_post(thread), make_user("critic"), body="Nobody has shown it.")
    analysis_service.run_analysis(thread.pk)
    client.force_login(reader)
    first = client.get(f"/analysis/{thread.pk}/changes/").content.decode()
    assert "Since your last visit" not in first  # first visit: nothing to compare
    make_reply(objection, make_user("answerer"), role="rebuttal", body="Here is a demonstration.")
    analysis_service.run_analysis(thread.pk)
    second = client.get(f"/analysis/{thread.pk}/changes/").content.decode()
    assert "Since your last visit" in second and f"#post-{objection.pk}" in second


# --- Against the real broker ---------------------------------------------------------------


@contextmanager
def broker_at(url: str):
    """Point the app at another broker, dropping its pooled connections both ways."""

    def reset_pools():
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    old = (app.conf.task_always_eager, app.conf.broker_url)
    reset_pools()
    app.conf.task_always_eager, app.conf.broker_url = False, url
    try:
        yield
    finally:
        reset_pools()
        app.conf.task_always_eager, app.conf.broker_url = old


@pytest.fixture
def broker_queue(settings):
    """The app talks to the real Redis broker on a queue nobody consumes, so the test
    can count what was enqueued."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis")
    queue = f"crux-test-q-{os.getpid()}-{id(settings)}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    old = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    app.conf.broker_url = settings.REDIS_URL
    try:
        yield lambda: client.llen(queue)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url = old
        client.delete(queue)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_votes_enqueues_one_analysis(broker_queue, settings):
    settings.CRUX_ANALYSE_ON_COMMIT = True
    settings.CRUX_ANALYSIS_COALESCE_SECONDS = 5
    thread = make_thread()
    root = opening_post(thread)
    voters = [make_user() for _ in range(30)]
    for voter in voters:
        with transaction.atomic():
            voting.cast_vote(user=voter, post=root, axis="quality", value=1)
    assert broker_queue() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_posting_while_redis_is_down_saves_the_post_and_the_sweep_catches_up(settings):
    settings.CRUX_ANALYSE_ON_COMMIT = True
    thread = make_thread()
    analysis_service.run_analysis(thread.pk)
    with broker_at("redis://127.0.0.1:9/0"):  # nothing listens on port 9
        reply = make_reply(opening_post(thread), body="Saved even though Redis is down.")
    thread.refresh_from_db()
    assert reply.pk and thread.analysis.watermark < thread.data_version
    assert thread.pk in analysis_service.stale_thread_ids()
    # The broker is back (eager here): the beat's sweep re-runs what was missed.
    assert analysis_service.sweep_stale() == 1
    thread.refresh_from_db()
    thread.analysis.refresh_from_db()
    assert thread.analysis.watermark == thread.data_version


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_a_worker_killed_mid_run_is_replaced_and_the_analysis_completes(celery_worker):
    """SIGKILL the worker while it analyses; a new worker (with beat) finishes the job."""
    thread, *_ = two_camp_thread()
    # The first worker was started without a delay; restart it slow so we can kill it.
    celery_worker.proc.terminate()
    celery_worker.proc.wait(timeout=30)
    celery_worker.env["CRUX_ANALYSIS_DELAY_SECONDS"] = "30"
    celery_worker.restart()
    analysis_service.request_analysis(thread.pk, countdown=0)
    wait_until(lambda: ThreadAnalysis.objects.filter(thread=thread, status="running").exists(), 60)
    _kill_tree(celery_worker.proc)
    celery_worker.env.update(
        CRUX_ANALYSIS_DELAY_SECONDS="0", CRUX_ANALYSIS_STUCK_SECONDS="5", CRUX_SWEEP_SECONDS="3"
    )
    celery_worker.restart(beat=True)
    done = wait_until(
        lambda: ThreadAnalysis.objects.filter(thread=thread, status="done").first(), 120
    )
    assert done.watermark == Thread.objects.get(pk=thread.pk).data_version


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a prefork worker: its pool children first, then the main process."""
    children = subprocess.run(
        ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
    ).stdout.split()
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
