"""One Celery worker process on a queue of its own, for a measurement (bench/freshness.py,
bench/bench_notifications.py) or a test (tests/conftest.py's celery_worker): a single
pool process without gossip, mingle or heartbeat, so it starts in seconds and talks to
no other worker."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = " ready."


def start_worker(
    queue: str,
    *,
    env: dict[str, str],
    log_path: Path,
    name: str | None = None,
    extra: Sequence[str] = (),
    append: bool = False,
    timeout: float = 60.0,
) -> subprocess.Popen:
    """Start `celery worker -Q queue` (node `name`, default the queue) logging to
    `log_path`, and return once it logs its own "ready" line. With `append` the log is
    shared with earlier workers (a restart), so only a new ready line counts."""
    before = log_path.read_text(errors="replace").count(READY) if append else 0
    argv = [sys.executable, "-m", "celery", "-A", "forum", "worker", "-Q", queue,
            "--concurrency=1", "--loglevel=INFO", "--without-heartbeat", "--without-mingle",
            "--without-gossip", "-n", f"{name or queue}@%h", *extra]  # fmt: skip
    with log_path.open("a" if append else "w") as log:  # the child keeps its own handle
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        text = log_path.read_text(errors="replace")
        if text.count(READY) > before:
            return proc
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{text[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"celery worker not ready in {timeout} s:\n{text[-3000:]}")
        time.sleep(0.2)
