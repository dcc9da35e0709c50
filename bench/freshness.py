"""Step 7: end-to-end freshness of the map through a real Celery worker."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench import http_load
from bench.config import (
    BUDGET_CELERY_MIB,
    BUDGET_FRESH_SECONDS,
    OUT,
    QUEUE,
    bench_env,
    override_limits,
)
from bench.setup import flush_redis
from bench.worker import start_worker


class FreshnessStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def freshness(self) -> None:
        from django.conf import settings
        from django.test import override_settings

        from threads.models import Post, ThreadAnalysis
        from threads.services import voting
        from threads.services.analysis import run_analysis

        thread_id = self.threads[self.big]
        flush_redis()  # nothing queued by earlier parts may run first
        run_analysis(thread_id, force=True)
        worker, log_path = self.start_worker()
        try:
            writer = self.writers[1]
            parents = list(
                Post.objects.filter(thread_id=thread_id, depth__lt=20).values_list("pk", flat=True)
            )
            waits = []
            plan = self.reply_plan(parents, 9)
            with override_limits():
                for _ in range(3):
                    self.reply_service(writer, *plan.pop())
                    waits.append(self.wait_fresh(thread_id))
                # A burst: five replies and twenty votes within about a second, then wait.
                own = set(Post.objects.filter(author=writer).values_list("pk", flat=True))
                for _ in range(5):
                    self.reply_service(writer, *plan.pop())
                for post in [pk for pk in self.rng.sample(parents, 30) if pk not in own][:20]:
                    voting.cast_vote(user=writer, post=Post(pk=post), axis="agree", value=1)
                burst = self.wait_fresh(thread_id)
                # The same path with no coalescing delay: queueing plus the run itself.
                with override_settings(CRUX_ANALYSIS_COALESCE_SECONDS=0):
                    self.reply_service(writer, *plan.pop())
                    immediate = self.wait_fresh(thread_id)
            timings = ThreadAnalysis.objects.get(thread_id=thread_id).timings
            coalesce = settings.CRUX_ANALYSIS_COALESCE_SECONDS
            worst = max([*waits, burst])
            self.report.add(
                "freshness",
                f"{self.big:,}-post thread: reply → map + summaries current, through the worker",
                " / ".join(f"{w:.1f}" for w in waits) + " s (3 replies); "
                f"{burst:.1f} s after a burst of 5 replies + 20 votes",
                f"≤ {BUDGET_FRESH_SECONDS} s",
                worst <= BUDGET_FRESH_SECONDS,
            )
            self.report.add(
                "freshness",
                "the same with CRUX_ANALYSIS_COALESCE_SECONDS=0 (queue + the run alone)",
                f"{immediate:.1f} s; the worker's run: load {timings.get('load', 0):.2f} / "
                f"compute {timings.get('compute', 0):.2f} / store {timings.get('store', 0):.2f} s",
            )
            self.report.notes.append(
                f"Freshness includes the coalescing delay CRUX_ANALYSIS_COALESCE_SECONDS = "
                f"{coalesce} s (the default), which makes a burst of changes one run; the "
                "worker is `celery -A forum worker --concurrency=1` on the bench Redis DB."
            )
            pool = http_load.children(worker.pid)
            main = http_load.proc_status_mib(worker.pid, "VmHWM") or 0
            pool_peaks = [http_load.proc_status_mib(pid, "VmHWM") or 0 for pid in pool]
            peak = max(pool_peaks or [main])
            self.report.add(
                "memory",
                "Celery worker peak RSS (VmHWM of the pool process after the runs)",
                f"{peak:.1f} MiB (main process {main:.1f} MiB)",
                f"≤ {BUDGET_CELERY_MIB} MiB",
                peak <= BUDGET_CELERY_MIB,
            )
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)

    def start_worker(self) -> tuple[subprocess.Popen, Path]:
        log_path = OUT / "celery.log"
        return start_worker(QUEUE, env=bench_env(self.static_root), log_path=log_path), log_path

    def wait_fresh(self, thread_id: int, timeout: float = 90.0) -> float:
        """Seconds until the stored analysis has seen the thread's current data."""
        from threads.models import Thread

        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            version, watermark, status, error = Thread.objects.values_list(
                "data_version", "analysis__watermark", "analysis__status", "analysis__error"
            ).get(pk=thread_id)
            if watermark == version and status == "done":
                return time.perf_counter() - started
            if status == "failed":
                raise RuntimeError(f"the worker's analysis failed: {error.strip()[-300:]}")
            time.sleep(0.05)
        raise RuntimeError(f"the analysis of thread {thread_id} was not fresh after {timeout} s")
