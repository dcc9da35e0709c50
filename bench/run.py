"""`make bench`: Crux measured on this machine, on PostgreSQL and Redis, as one table.

    .venv/bin/python bench/run.py            # everything, writes bench/results.md
    .venv/bin/python bench/run.py --only page,http --keep-db   # a part, into bench/out/

What it does, in order (each part bounded in time; the whole run about 10–15 minutes):
1. a database of its own (CRUX_BENCH_DATABASE_URL, default …/crux_bench: dropped,
   created and migrated) and a Redis DB of its own (CRUX_BENCH_REDIS_URL, default /5:
   flushed), static files collected into a temporary STATIC_ROOT;
2. synthetic threads of 100, 1,000 and 5,000 posts built by `manage.py bench_data`
   (the project's own import path, fixed seed);
3. analysis time (load / compute / store) and peak RSS per thread size;
4. the thread page in-process (queries, bytes, p50/p99, CPU per request);
5. the same pages served by gunicorn (2 sync workers, DEBUG off) under wrk, with a
   bench-only "hello world" view (bench/urls.py) as the floor, for a reader logged out,
   a member taking no part and a participant (also gzipped);
6. reply, vote and credence latency and SQL in-process, and 8 concurrent writers with a
   lost-write check;
7. end-to-end freshness of the map through a real Celery worker;
8. import time of a 5,000-post Crux JSON export;
9. reply, vote and credence POSTs by 8 writers through gunicorn (after the parts above,
   whose thread its replies would grow);
10. the pure analysis benchmarks of bench/bench_analysis.py;
11. the rating queue of issue 13 (bench/bench_queue.py): simulation, next.json, demo;
12. notification fan-out to 1,000 watchers (bench/bench_notifications.py);
13. the similar-arguments finder and similar.json (bench/bench_similar.py);
14. scale-out: two gunicorn instances behind HAProxy, two workers and one beat, under a
    mixed load (bench/bench_scaleout.py).

Each step is a module of bench/ (setup, data, analysis_step, page, http_page, writes,
freshness, import_step, pure, queue_step, notifications_step, similar_step,
scaleout_step); this one puts them together. Each row of the table carries the 1-minute
load average when it was measured and the previous results.md's figure for the same row.

A number over budget never fails the run; an error does (exit status 1), after the
table is printed with the error in its row.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.analysis_step import AnalysisStep  # noqa: E402
from bench.config import (  # noqa: E402
    DATABASE_URL,
    OUT,
    REDIS_URL,
    RESULTS,
    ROOT,
    SCALEOUT_SECONDS,
    SECTIONS,
    SEED,
    SIZES,
    bench_env,
)
from bench.data import DataStep  # noqa: E402
from bench.freshness import FreshnessStep  # noqa: E402
from bench.http_page import HttpStep  # noqa: E402
from bench.import_step import ImportStep  # noqa: E402
from bench.notifications_step import HEADING as NOTIFICATIONS  # noqa: E402
from bench.notifications_step import NotificationsStep  # noqa: E402
from bench.page import PageStep  # noqa: E402
from bench.pure import PureStep  # noqa: E402
from bench.queue_step import HEADING as QUEUE  # noqa: E402
from bench.queue_step import QueueStep  # noqa: E402
from bench.report import Report, log, previous_figures  # noqa: E402
from bench.scaleout_step import HEADING as SCALEOUT  # noqa: E402
from bench.scaleout_step import ScaleoutStep  # noqa: E402
from bench.setup import flush_redis, machine_description, reset_database  # noqa: E402
from bench.similar_step import HEADING as SIMILAR  # noqa: E402
from bench.similar_step import SimilarStep  # noqa: E402
from bench.writes import WritesStep  # noqa: E402

# Parts whose rows make a section of results.md of their own, under this heading.
HEADINGS = {"queue": QUEUE, "notifications": NOTIFICATIONS, "similar": SIMILAR,
            "scaleout": SCALEOUT}  # fmt: skip


class Bench(
    DataStep,
    AnalysisStep,
    PageStep,
    HttpStep,
    WritesStep,
    FreshnessStep,
    ImportStep,
    PureStep,
    QueueStep,
    NotificationsStep,
    SimilarStep,
    ScaleoutStep,
):
    """The bench's state (threads built, the people using them) and its steps."""

    def __init__(self, args, report: Report, static_root: str) -> None:
        self.args = args
        self.report = report
        self.static_root = static_root
        self.threads: dict[int, int] = {}  # size -> thread id
        self.rng = random.Random(SEED)
        self.reader = None
        self.participant = None
        self.writers: list = []

    @property
    def big(self) -> int:
        return max(self.threads)


def parse_args(argv: list[str]):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep-db", action="store_true", help="Reuse the bench database.")
    parser.add_argument(
        "--only", default="", help=f"Comma-separated parts to run ({', '.join(SECTIONS)})."
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="Thread sizes.")
    parser.add_argument("--seconds", type=int, default=10, help="Seconds per load run (≤ 15).")
    parser.add_argument(
        "--scale-seconds",
        type=float,
        default=SCALEOUT_SECONDS,
        help="Seconds of mixed load per configuration in the scale-out part (≤ 60).",
    )
    args = parser.parse_args(argv)
    args.sizes = sorted(int(size) for size in args.sizes.split(","))
    args.seconds = max(1, min(args.seconds, 15))
    args.only = [part for part in args.only.split(",") if part]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    full = not args.only and tuple(args.sizes) == SIZES
    OUT.mkdir(parents=True, exist_ok=True)
    static_root = tempfile.mkdtemp(prefix="crux-bench-static-")
    os.environ.update(bench_env(static_root))
    report = Report()
    previous = previous_figures(RESULTS)  # read before this run overwrites it
    try:
        import psycopg
        import redis

        log(f"bench: database {DATABASE_URL}, Redis {REDIS_URL}")
        try:
            reset_database(args.keep_db)
        except psycopg.OperationalError as exc:
            raise SystemExit(
                f"bench: PostgreSQL at {DATABASE_URL} is not reachable: {exc}"
            ) from None
        try:
            flush_redis()
        except redis.RedisError as exc:
            raise SystemExit(f"bench: Redis at {REDIS_URL} is not reachable: {exc}") from None
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        machine = machine_description()
        bench = Bench(args, report, static_root)
        report.section("data", bench.build_data)
        if not bench.threads:
            raise RuntimeError("no bench threads were built")
        bench.make_people()
        parts = {
            "analysis": bench.analysis,
            "page": bench.page,
            "http": bench.http,
            "writes": bench.writes,
            "freshness": bench.freshness,
            "import": bench.importing,
            "httpwrites": bench.http_writes,
            "pure": bench.pure,
            "queue": bench.queue,
            "notifications": bench.notifications,
            "similar": bench.similar,
            "scaleout": bench.scaleout,
        }
        for name in SECTIONS:
            if not args.only or name in args.only:
                report.section(name, parts[name], HEADINGS.get(name, ""))
        report.notes.append(f"The whole run took {report.elapsed():.0f} s.")
        report.fill_previous(previous)
        text = report.markdown(machine)
        print(text)
        target = RESULTS if full else OUT / "results-partial.md"
        target.write_text(text)
        log(f"bench: table written to {target.relative_to(ROOT)}")
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        with contextlib.suppress(Exception):
            flush_redis()
    if report.errors:
        log("bench: errors:\n  " + "\n  ".join(report.errors))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
