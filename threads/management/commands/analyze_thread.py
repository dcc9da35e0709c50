import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from threads.models import Thread
from threads.services.analysis import request_analysis, run_analysis


class Command(BaseCommand):
    help = "Compute a thread's disagreement map and summaries (in this process with --sync)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("thread_id", type=int)
        parser.add_argument("--sync", action="store_true", help="Run here, not on a worker.")

    def handle(self, *args: Any, thread_id: int, sync: bool, **options: Any) -> None:
        if not Thread.objects.filter(pk=thread_id).exists():
            raise CommandError(f"No thread with id {thread_id}.")
        if not sync:
            enqueued = request_analysis(thread_id, countdown=0)
            self.stdout.write(
                f"thread {thread_id}: "
                + ("analysis enqueued" if enqueued else "already queued or broker unavailable")
            )
            return
        started = time.perf_counter()
        try:
            analysis = run_analysis(thread_id, force=True)
        except Exception as exc:
            raise CommandError(f"thread {thread_id}: analysis failed: {exc}") from None
        timings = " ".join(f"{step}={seconds:.3f}s" for step, seconds in analysis.timings.items())
        self.stdout.write(
            f"thread {thread_id}: {analysis.status} watermark={analysis.watermark} "
            f"participants={analysis.map['participants']} groups={len(analysis.map['groups'])} "
            f"cruxes={len(analysis.map['cruxes'])} votes={analysis.vote_count} {timings} "
            f"total={time.perf_counter() - started:.3f}s"
        )
