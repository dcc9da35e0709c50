"""Keeping each thread's disagreement map and summaries fresh.

Every change the analysis reads bumps Thread.data_version and, on commit, asks for a
run. Requests are coalesced (a burst of votes is one run a few seconds later), a run
whose input was already analysed is a no-op, results are written atomically, and a
failed run keeps the last good map. If the broker is down the change is still saved:
the thread's data_version is then ahead of its analysis watermark, and the beat sweep
re-enqueues it.
"""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from forum.cache import REDIS_BREAKER
from threads import privacy
from threads.models import Thread, ThreadAnalysis
from threads.panel import panel_data
from threads.queries.analysis import load_snapshot_counting_trust
from threads.services import notifications
from threads.services.stated_analysis import previous_queue_time, stated_outputs, store_queue

log = logging.getLogger(__name__)


def _queued_key(thread_id: int) -> str:
    return f"analysis:queued:{thread_id}"


def thread_changed(thread_id: int, **also: Any) -> None:
    """Record that a thread's analysable data changed, and ask for a run after commit.
    `also`: more of the thread's fields to set in the same UPDATE (a write's counters)."""
    Thread.objects.filter(pk=thread_id).update(data_version=F("data_version") + 1, **also)
    if getattr(settings, "CRUX_ANALYSE_ON_COMMIT", True):
        transaction.on_commit(lambda: request_analysis(thread_id))


def request_analysis(thread_id: int, *, countdown: float | None = None) -> bool:
    """Enqueue an analysis of the thread unless one is already waiting.

    Returns whether a run was enqueued. Never raises: a broker outage is logged and
    left to the sweep, so the write that asked for the run still succeeds.
    """
    from threads.tasks import analyze_thread

    if countdown is None:
        countdown = settings.CRUX_ANALYSIS_COALESCE_SECONDS
    key = _queued_key(thread_id)
    try:
        if not cache.add(key, 1, timeout=int(countdown) + settings.CRUX_ANALYSIS_STUCK_SECONDS):
            return False
    except Exception:  # the cache is Redis too: if it is down, try the broker anyway
        log.warning("analysis: cache unavailable while coalescing thread %s", thread_id)
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    if not eager and REDIS_BREAKER.is_open:
        # Redis failed just now: do not make this request wait on it again; the thread
        # stays behind its analysis and the sweep enqueues it once Redis is back.
        log.warning("analysis: Redis unavailable, thread %s left to the sweep", thread_id)
        return False
    analysis, _ = ThreadAnalysis.objects.get_or_create(thread_id=thread_id)
    previous = analysis.status
    waiting = ThreadAnalysis.objects.filter(pk=analysis.pk).exclude(
        status=ThreadAnalysis.Status.RUNNING
    )
    waiting.update(status=ThreadAnalysis.Status.PENDING, requested_at=timezone.now())
    try:
        analyze_thread.apply_async((thread_id,), countdown=countdown, retry=False)
    except Exception as exc:  # kombu and redis-py raise many kinds when the broker is down
        if not eager:
            REDIS_BREAKER.failed()
        log.warning("analysis: could not enqueue thread %s (%s); the sweep will", thread_id, exc)
        # Nothing is waiting after all: leave the thread visibly stale for the sweep.
        waiting.filter(status=ThreadAnalysis.Status.PENDING).update(
            status=previous, requested_at=None
        )
        with contextlib.suppress(Exception):
            cache.delete(key)
        return False
    return True


def run_analysis(thread_id: int, *, force: bool = False) -> ThreadAnalysis | None:
    """Compute and store the map and summaries of a thread; the body of the Celery task.

    A no-op when the stored analysis already saw the thread's current data (unless
    `force`). On failure the error is recorded and the last good map stays in place.
    """
    from threads.analysis.summaries import summarize_thread
    from threads.analysis.thread_map import analyze_thread

    try:
        cache.delete(_queued_key(thread_id))  # changes from now on ask for a new run
    except Exception:
        log.warning("analysis: cache unavailable while starting thread %s", thread_id)
    version = Thread.objects.filter(pk=thread_id).values_list("data_version", flat=True).first()
    if version is None:
        return None  # the thread is gone
    analysis, _ = ThreadAnalysis.objects.get_or_create(thread_id=thread_id)
    if (
        not force
        and analysis.watermark == version
        and analysis.status == ThreadAnalysis.Status.DONE
    ):
        return analysis
    if not _start_attempt(analysis, version, force=force):
        return ThreadAnalysis.objects.get(pk=analysis.pk)
    timings: dict[str, float] = {}
    if settings.CRUX_ANALYSIS_DELAY_SECONDS:
        time.sleep(settings.CRUX_ANALYSIS_DELAY_SECONDS)
    try:
        started = time.perf_counter()
        snapshot, left_out = load_snapshot_counting_trust(thread_id)
        timings["load"] = time.perf_counter() - started
        started = time.perf_counter()
        thread_map = analyze_thread(snapshot)
        summary = summarize_thread(snapshot, thread_map)
        timings["compute"] = time.perf_counter() - started
        started = time.perf_counter()
        map_json = thread_map.to_json()
        map_json["left_out"] = {
            "participants": left_out,
            "reason": "accounts that do not pass the trust rule (verified email, account "
            "age or activity; settings CRUX_EMAIL_VERIFICATION, CRUX_TRUSTED_MIN_*)",
        }
        summary_json = summary.to_json()
        panel = panel_data(
            privacy.pseudonymised_map(map_json, thread_id),  # the panel is the same for all
            summary_json,
            root=snapshot.root,
            posts=((p.id, p.author, p.text, p.removed, p.placeholder) for p in snapshot.posts),
        )
        stated = stated_outputs(
            snapshot, thread_map, new_since=previous_queue_time(thread_id)
        )  # issue 13: rating queue, inline credences and reactions, minds changed
        panel["stated"] = stated.panel
        summary_json["most_credited"] = stated.most_credited
    except Exception as exc:
        log.exception("analysis of thread %s failed", thread_id)
        ThreadAnalysis.objects.filter(pk=analysis.pk).update(
            status=ThreadAnalysis.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}",
            error_at=timezone.now(),
            failed_version=version,
        )
        raise
    with transaction.atomic():
        # Never overwrite a result computed from newer data by a concurrent run.
        fresh = ThreadAnalysis.objects.select_for_update().get(pk=analysis.pk)
        if fresh.watermark <= version:
            previous_top = top_crux(fresh.map)
            timings["store"] = time.perf_counter() - started
            map_json["timings"] = {**map_json.get("timings", {}), **timings}
            fresh.status = ThreadAnalysis.Status.DONE
            fresh.watermark = version
            fresh.map = map_json
            fresh.summary = summary_json
            fresh.panel = panel
            fresh.timings = timings
            fresh.algorithm = map_json.get("algorithm", {}).get("version", "")
            fresh.vote_count = int(snapshot.vote_value.size)
            fresh.computed_at = timezone.now()
            fresh.error = ""
            fresh.attempts = 0
            fresh.failed_version = None
            fresh.save()
            store_queue(thread_id, version, stated.queue)
            new_top = top_crux(map_json)
            if previous_top != -1 and new_top is not None and new_top != previous_top:
                notifications.top_crux_changed(thread_id=thread_id, post_id=new_top)
    return fresh


def _start_attempt(analysis: ThreadAnalysis, version: int, *, force: bool = False) -> bool:
    """Count a run of `version` as started; False when another worker is running that
    same data now, or (and the analysis marked failed) when CRUX_ANALYSIS_MAX_ATTEMPTS
    runs of that same data already started and none finished.

    Tasks are acknowledged late and re-queued when their worker dies, so a thread whose
    analysis kills the worker (out of memory, a segfault in native code) would otherwise
    be redelivered for ever. The count is in the database because the worker that died
    could not record anything; a change to the thread starts the count again.
    """
    cap = settings.CRUX_ANALYSIS_MAX_ATTEMPTS
    with transaction.atomic():
        row = ThreadAnalysis.objects.select_for_update().get(pk=analysis.pk)
        same = row.attempts_version == version and not force
        # Another worker is computing this very data: one run per data version, however
        # many workers took a task for it. A run older than the hard time limit is dead
        # (Redis redelivers only after the visibility timeout, which is longer).
        alive_since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        started = row.started_at if row.status == ThreadAnalysis.Status.RUNNING else None
        if same and started is not None and started > alive_since:
            return False
        attempts = row.attempts + 1 if same else 1
        if attempts > cap:
            row.status = ThreadAnalysis.Status.FAILED
            row.failed_version = version
            row.error = (
                f"Gave up: {cap} runs of this thread's data started and none finished "
                "(the worker was lost each time: killed, out of memory or past its time "
                "limit). The sweep retries once the thread changes; `analyze_thread "
                f"{analysis.thread_id} --sync` runs it by hand."
            )
            row.error_at = timezone.now()
            row.save(update_fields=["status", "failed_version", "error", "error_at"])
            log.error("analysis of thread %s: %s", analysis.thread_id, row.error)
            return False
        row.attempts, row.attempts_version = attempts, version
        row.status, row.started_at = ThreadAnalysis.Status.RUNNING, timezone.now()
        row.save(update_fields=["attempts", "attempts_version", "status", "started_at"])
    return True


def top_crux(map_json: dict | None) -> int | None:
    """The post of a map's first crux (-1 when there was no map, None when no crux)."""
    if map_json is None:
        return -1
    cruxes = map_json.get("cruxes") or []
    return cruxes[0].get("post") if cruxes else None


def stale_thread_ids(limit: int = 200) -> list[int]:
    """Threads whose analysis is behind their data and is not waiting or running.

    A run that started more than CRUX_ANALYSIS_STUCK_SECONDS ago and has not finished is
    taken as lost (its worker died) and counts as stale too.
    """
    stuck_before = timezone.now() - timedelta(seconds=settings.CRUX_ANALYSIS_STUCK_SECONDS)
    behind = Q(analysis__isnull=True) | Q(analysis__watermark__lt=F("data_version"))
    # A failed run is not retried until the thread changes (poison tasks).
    behind &= ~Q(analysis__failed_version=F("data_version"))
    not_busy = (
        Q(analysis__isnull=True)
        | ~Q(analysis__status__in=[ThreadAnalysis.Status.RUNNING, ThreadAnalysis.Status.PENDING])
        | Q(analysis__started_at__lt=stuck_before, analysis__status=ThreadAnalysis.Status.RUNNING)
        | Q(analysis__requested_at__lt=stuck_before, analysis__status=ThreadAnalysis.Status.PENDING)
        | Q(analysis__requested_at__isnull=True, analysis__status=ThreadAnalysis.Status.PENDING)
    )
    return list(
        Thread.objects.filter(behind & not_busy)
        .order_by("-last_activity")
        .values_list("pk", flat=True)[:limit]
    )


def sweep_stale() -> int:
    """Re-enqueue every stale or stuck analysis; returns how many were enqueued."""
    from threads.services.limits import delete_expired_counters

    delete_expired_counters()  # the rate limits' database fallback rows
    enqueued = 0
    for thread_id in stale_thread_ids():
        with contextlib.suppress(Exception):
            cache.delete(_queued_key(thread_id))
        enqueued += request_analysis(thread_id, countdown=0)
    return enqueued
