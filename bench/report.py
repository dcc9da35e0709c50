"""The table `make bench` prints and writes to bench/results.md, and the small
helpers its rows are measured with."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from bench import http_load
from bench.config import QUIET_BUSY, QUIET_PARTS, QUIET_WAIT_SECONDS


@dataclass
class Row:
    area: str
    what: str
    value: str
    budget: str = ""
    met: bool | None = None

    def cells(self) -> list[str]:
        met = {True: "yes", False: "**NO**", None: ""}[self.met]
        return [self.area, self.what, self.value, self.budget, met]


class Report:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.load_averages: list[tuple[str, float, float | None]] = []
        self.started = time.monotonic()

    def add(self, area: str, what: str, value: str, budget: str = "", met: bool | None = None):
        row = Row(area, what, value, budget, met)
        self.rows.append(row)
        log(f"  {area} | {what} | {value}" + (f" | budget {budget}" if budget else ""))
        return row

    def section(self, name: str, function: Callable[[], None]) -> None:
        busy = self.wait_for_quiet() if name in QUIET_PARTS else None
        self.load_averages.append((name, os.getloadavg()[0], busy))
        log(f"[{self.elapsed():5.0f} s] {name} (load average {os.getloadavg()[0]:.2f})")
        try:
            function()
        except Exception as exc:
            self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            self.add(name, "ERROR", f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            traceback.print_exc()

    def wait_for_quiet(self, longest: float = QUIET_WAIT_SECONDS) -> float:
        """Before a timing-sensitive part, wait (bounded) for other work on the machine to
        calm down; returns the share of CPU that was busy when the part started."""
        deadline = time.monotonic() + longest
        busy = http_load.cpu_busy()
        while busy > QUIET_BUSY and time.monotonic() < deadline:
            busy = http_load.cpu_busy(2.0)
        if busy > QUIET_BUSY:
            log(f"  the machine is still {busy:.0%} busy with other work; measuring anyway")
        return busy

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def markdown(self, machine: list[str]) -> str:
        header = ["area", "measurement", "Crux", "budget", "met"]
        lines = [
            "# Crux benchmark results",
            "",
            "Measured by `make bench` (bench/run.py) on this machine; every number below "
            "comes from that run. Budgets are issue #8's, for a 2-core box. To reproduce: "
            "`make bench` with PostgreSQL and Redis on 127.0.0.1 (or CRUX_BENCH_DATABASE_URL "
            "and CRUX_BENCH_REDIS_URL; the bench database is dropped and rebuilt, the Redis "
            "DB flushed). The SQL of the page and of the reply and vote POSTs, with "
            "PostgreSQL's EXPLAIN ANALYZE, is left in bench/out/.",
            "",
            *[f"- {line}" for line in machine],
            "",
            "| " + " | ".join(header) + " |",
            "|---|---|---|---|---|",
        ]
        for row in self.rows:
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row.cells()) + " |")
        notes = list(self.notes)
        if self.load_averages:
            notes.append(
                "The machine while each part started — 1-minute load average, and for the "
                "timing-sensitive parts the share of CPU busy just before (the harness first "
                f"waits up to {QUIET_WAIT_SECONDS} s for it to fall below {QUIET_BUSY:.0%}); "
                "other work on these 2 cores slows every number above: "
                + ", ".join(
                    f"{name} {load:.1f}" + (f" / {busy:.0%} busy" if busy is not None else "")
                    for name, load, busy in self.load_averages
                )
                + "."
            )
        if notes:
            lines += ["", "Notes:", "", *[f"- {note}" for note in notes]]
        return "\n".join(lines) + "\n"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def p(values: list[float], fraction: float) -> float:
    return http_load.percentile(values, fraction)


class Queries:
    """The SQL this thread's connection runs inside the block. (CaptureQueriesContext
    loses the queries of a test-Client request: request_started resets the log.)"""

    def __init__(self) -> None:
        self.sql: list[str] = []
        self.params: list = []
        self.seconds = 0.0  # waiting for PostgreSQL, fetching included

    def __enter__(self) -> Queries:
        from django.db import connection

        def record(execute, sql, params, many, context):
            self.sql.append(sql)
            self.params.append(params)
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.seconds += time.perf_counter() - started

        self._wrapper = connection.execute_wrapper(record)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return len(self.sql)
