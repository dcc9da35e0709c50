"""Step 3: analysis time (load / compute / store) and peak RSS per thread size."""

from __future__ import annotations

import json
import time

from bench.config import OUT, run_python

ANALYZE_AND_REPORT_PEAK = """
import json, os, sys
import django
django.setup()
from django.core.management import call_command
from bench.http_load import proc_status_mib
call_command("analyze_thread", sys.argv[1], "--sync")
print(json.dumps({"peak_mib": proc_status_mib(os.getpid(), "VmHWM")}))
"""


class AnalysisStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def analysis(self) -> None:
        from threads.services.analysis import run_analysis

        for size, thread_id in self.threads.items():
            run_analysis(thread_id, force=True)  # first run: imports, caches
            runs = []
            for _ in range(2):
                started = time.perf_counter()
                result = run_analysis(thread_id, force=True)
                runs.append((time.perf_counter() - started, result.timings))
            total, timings = min(runs, key=lambda run: run[0])
            self.report.add(
                "analysis",
                f"{size:,}-post thread: map + summaries, in-process (best of 2)",
                f"{total:.2f} s (load {timings.get('load', 0):.2f} / compute "
                f"{timings.get('compute', 0):.2f} / store {timings.get('store', 0):.2f})",
            )
            mib, seconds = self.analysis_process_rss(thread_id)
            self.report.add(
                "analysis",
                f"{size:,}-post thread: peak RSS of a fresh `manage.py analyze_thread --sync`",
                f"{mib:.0f} MiB ({seconds:.1f} s with start-up)",
            )

    def analysis_process_rss(self, thread_id: int) -> tuple[float, float]:
        """Peak RSS of a fresh process running `manage.py analyze_thread <id> --sync`.

        The child reads its own VmHWM: getrusage's ru_maxrss would not do, because Linux
        carries the parent's high-water mark across fork and exec into the child's."""
        started = time.perf_counter()
        done = run_python(self.static_root, ANALYZE_AND_REPORT_PEAK, str(thread_id))
        with (OUT / "analyze_thread.log").open("a") as output:
            output.write(done.stdout + done.stderr)
        if done.returncode != 0:
            raise RuntimeError(f"analyze_thread {thread_id} exited {done.returncode}")
        peak = json.loads(done.stdout.strip().splitlines()[-1])["peak_mib"]
        return peak, time.perf_counter() - started
