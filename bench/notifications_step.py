"""Notification fan-out (issue 15; bench/bench_notifications.py's measure(), in a fresh
process with a database of its own beside the bench's): a reply in a thread with 1,000
watchers, through one real Celery worker, until every watcher has the notification."""

from __future__ import annotations

from bench.config import REDIS_URL, database_url_for, run_json

HEADING = "Notifications (issue 15; bench/bench_notifications.py)"
MEASURE = """
import json
from bench import bench_notifications
print(json.dumps(bench_notifications.measure()))
"""


class NotificationsStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def notifications(self) -> None:
        self.report.describe(
            "A thread with 1,000 watchers on its own database (dropped and made again), "
            "three replies by three members; from each reply's commit until the last "
            "notification row, through `celery worker --concurrency=1` on Redis (production "
            "settings)."
        )
        env = {
            "CRUX_BENCH_NOTIFY_DATABASE_URL": database_url_for("notify"),
            "CRUX_BENCH_REDIS_URL": REDIS_URL,
        }
        result = run_json(self.static_root, MEASURE, timeout=420, env=env)
        timings = ", ".join(f"{s:.2f}" for s in result["commit_to_last_row_s"])
        self.report.add(
            "fan-out",
            f"reply commit → {result['watchers'] + 1:,} notifications, through one worker "
            f"({result['rounds']} replies)",
            f"median {result['median_s']:.2f} s, max {result['max_s']:.2f} s ({timings} s)",
            f"< {result['budget_s']:.0f} s",
            result["max_s"] < result["budget_s"],
        )
        task = ", ".join(f"{s:.2f}" for s in result["task_s"]) or "?"
        self.report.add("fan-out", "`notify_post` task time in the worker", f"{task} s")
