"""Notification fan-out: a reply in a thread with 1,000 watchers, through one real Celery
worker on Redis and PostgreSQL — how long until every watcher has the notification.

    .venv/bin/python bench/bench_notifications.py [--watchers 1000] [--rounds 3] [--keep-db]

Budget (issue 15): under 5 s from the reply's commit to the last notification row.
The database is its own (CRUX_BENCH_NOTIFY_DATABASE_URL, default …/crux_bench_notify:
dropped, created, migrated) and so is the Celery queue; Redis is CRUX_BENCH_REDIS_URL
(default redis://127.0.0.1:6379/6). Prints one table; exits 1 on an error or an
unmet budget. To hook it into bench/run.py, call `measure()` from a part of its own
and add its row to the table (it returns the same numbers it prints).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.worker import start_worker  # noqa: E402

DATABASE_URL = os.environ.get(
    "CRUX_BENCH_NOTIFY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crux_bench_notify"
)
REDIS_URL = os.environ.get("CRUX_BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
BUDGET_SECONDS = 5.0
TIMEOUT_SECONDS = 60.0


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def measure(*, watchers: int = 1000, rounds: int = 3, keep_db: bool = False) -> dict:
    """Build the thread and its watchers, post `rounds` replies, time each fan-out."""
    queue = f"crux-bench-notify-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "forum.settings",
        "SECRET_KEY": "crux-bench-only-secret-key-never-used-for-a-real-site-0123456789",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        # The map is not what is measured: let its run wait until the rounds are over.
        "CRUX_ANALYSIS_COALESCE_SECONDS": "600",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "OMP_NUM_THREADS": "1",
    }
    os.environ.update(env)
    _recreate_database(DATABASE_URL)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip

    import django

    django.setup()
    from threads.models import Notification, User, Watch
    from threads.services import posting

    author = User.objects.create_user(username="bench-author", password="x")
    thread = posting.start_thread(author=author, title="Fan-out", body="A claim to answer.")
    people = User.objects.bulk_create(
        [User(username=f"watcher{i}", password="!") for i in range(watchers)], batch_size=1000
    )
    Watch.objects.bulk_create(
        [Watch(user=u, thread=thread, level=Watch.Level.WATCHING) for u in people],
        batch_size=1000,
    )
    root = thread.posts.get(parent__isnull=True)
    repliers = [
        User.objects.create_user(username=f"replier{i}", password="x") for i in range(rounds)
    ]

    log_path = ROOT / "var" / f"{queue}.log"
    log_path.parent.mkdir(exist_ok=True)
    worker = start_worker(queue, env=env, log_path=log_path)
    timings, task_seconds = [], []
    try:
        for replier in repliers:
            started = time.perf_counter()
            reply = posting.reply(author=replier, parent=root, body="A reply for everyone.")
            # Every watcher and the thread's author (who watches it and is replied to).
            while time.perf_counter() - started < TIMEOUT_SECONDS:
                done = Notification.objects.filter(post=reply).count()
                if done >= watchers + 1:
                    break
                time.sleep(0.02)
            else:
                raise RuntimeError(f"only {done} of {watchers + 1} notifications in 60 s")
            timings.append(time.perf_counter() - started)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [
                float(line.rsplit(" in ", 1)[1].split("s:")[0])
                for line in log_path.read_text(errors="replace").splitlines()
                if "threads.notify_post[" in line and " succeeded in " in line
            ]
            if len(found) >= rounds:
                task_seconds = found[-rounds:]  # the opening post ran one too
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        from django.db import connections

        connections.close_all()
        if not keep_db:
            _recreate_database(DATABASE_URL)
    return {
        "watchers": watchers,
        "rounds": rounds,
        "commit_to_last_row_s": timings,
        "median_s": statistics.median(timings),
        "max_s": max(timings),
        "task_s": task_seconds,
        "budget_s": BUDGET_SECONDS,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    result = measure(watchers=args.watchers, rounds=args.rounds, keep_db=args.keep_db)
    ok = result["max_s"] < BUDGET_SECONDS
    task = ", ".join(f"{s:.2f}" for s in result["task_s"]) or "?"
    print("| what | value | budget |")
    print("|---|---|---|")
    print(
        f"| reply commit → {result['watchers'] + 1} notifications (median of "
        f"{result['rounds']}) | {result['median_s']:.2f} s (max {result['max_s']:.2f} s) "
        f"| < {BUDGET_SECONDS:.0f} s {'ok' if ok else 'OVER'} |"
    )
    print(f"| notify_post task time in the worker | {task} s | |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
