"""The table `make bench` prints and writes to bench/results.md, and the small
helpers its rows are measured with."""

from __future__ import annotations

import os
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import http_load
from bench.config import QUIET_BUSY, QUIET_PARTS, QUIET_WAIT_SECONDS

HEADER = ["area", "measurement", "Crux", "previous run", "budget", "met", "load"]
NEW = "—"  # the previous run had no such row


@dataclass
class Row:
    area: str
    what: str
    value: str
    budget: str = ""
    met: bool | None = None
    load: float = field(default_factory=lambda: os.getloadavg()[0])  # 1-minute, when measured
    heading: str = ""  # "": the main table; otherwise the section of results.md it goes in
    previous: str = NEW

    def cells(self) -> list[str]:
        met = {True: "yes", False: "**NO**", None: ""}[self.met]
        return [self.area, self.what, self.value, self.previous, self.budget, met,
                f"{self.load:.1f}"]  # fmt: skip


def row_key(area: str, what: str) -> tuple[str, str]:
    """How a row is found again in the next run: its area and measurement, with the SQL
    counts some measurement texts carry ("POST `vote` (13 queries)") left out."""
    return area.strip(), re.sub(r"\(\d+ quer(y|ies)\)", "(queries)", what.strip())


def _numbers_out(text: str) -> str:
    return re.sub(r"\d[\d,.]*", "#", text)


def _split_cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def previous_figures(path: Path) -> dict[tuple[str, str], str]:
    """The Crux figure of each row of an earlier results.md: every table whose header
    starts "area | measurement" and has a "Crux" column, whatever its other columns."""
    figures: dict[tuple[str, str], str] = {}
    if not path.exists():
        return figures
    column = None
    for line in path.read_text().splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = _split_cells(line)
        if cells[:2] == ["area", "measurement"] and "Crux" in cells:
            column = cells.index("Crux")
        elif column is not None and len(cells) > column and not set(cells[0]) <= set("-: "):
            figures.setdefault(row_key(cells[0], cells[1]), cells[column])
    return figures


class Report:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.load_averages: list[tuple[str, float, float | None]] = []
        self.headings: dict[str, list[str]] = {}  # section heading -> its opening paragraphs
        self.heading = ""
        self.started = time.monotonic()

    def add(self, area: str, what: str, value: str, budget: str = "", met: bool | None = None):
        row = Row(area, what, value, budget, met, heading=self.heading)
        self.rows.append(row)
        log(f"  {area} | {what} | {value}" + (f" | budget {budget}" if budget else ""))
        return row

    def section(self, name: str, function: Callable[[], None], heading: str = "") -> None:
        """Run one part; its rows go in the main table, or under `heading` of their own."""
        busy = self.wait_for_quiet() if name in QUIET_PARTS else None
        self.load_averages.append((name, os.getloadavg()[0], busy))
        log(f"[{self.elapsed():5.0f} s] {name} (load average {os.getloadavg()[0]:.2f})")
        self.heading = heading
        if heading:
            self.headings.setdefault(heading, [])
        try:
            function()
        except Exception as exc:
            self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            self.add(name, "ERROR", f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            traceback.print_exc()
        finally:
            self.heading = ""

    def describe(self, text: str) -> None:
        """A paragraph under the current section's heading (what it measures, how)."""
        self.headings.setdefault(self.heading, []).append(text)

    def fill_previous(self, figures: dict[tuple[str, str], str]) -> None:
        """Each row's figure in the earlier results.md: the same area and measurement, or
        failing that the one earlier row that differs only in its numbers (a measurement
        that names its own sizes: "5,320-post Crux JSON (50,339 votes)")."""
        loose: dict[tuple[str, str], list[str]] = {}
        for (area, what), figure in figures.items():
            loose.setdefault((area, _numbers_out(what)), []).append(figure)
        for row in self.rows:
            key = row_key(row.area, row.what)
            if key in figures:
                row.previous = figures[key]
            elif len(loose.get((key[0], _numbers_out(key[1])), ())) == 1:
                row.previous = loose[key[0], _numbers_out(key[1])][0]

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

    def table(self, heading: str) -> list[str]:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        for row in self.rows:
            if row.heading == heading:
                lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row.cells()) + " |")
        return lines

    def markdown(self, machine: list[str]) -> str:
        lines = [
            "# Crux benchmark results",
            "",
            "Measured by `make bench` (bench/run.py) on this machine; every number below "
            "comes from that one run. Budgets are issue #8's and issue #16's (and, in their "
            'sections, issues #13, #15 and #19\'s), for a 2-core box. "previous run" is '
            "the same row's figure in the results.md this run replaced (— when the row is "
            'new); "load" is the machine\'s 1-minute load average when the row was '
            "measured: other agents share these 2 cores, and a load above ~2 means this "
            "bench was waiting for CPU. To reproduce: `make bench` with PostgreSQL and Redis "
            "on 127.0.0.1 (or CRUX_BENCH_DATABASE_URL and CRUX_BENCH_REDIS_URL; the bench "
            "database is dropped and rebuilt, the Redis DB flushed). The SQL of the page and "
            "of the reply, vote and credence POSTs, with PostgreSQL's EXPLAIN ANALYZE, is "
            "left in bench/out/.",
            "",
            *[f"- {line}" for line in machine],
            "",
            *self.table(""),
        ]
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
        for heading, paragraphs in self.headings.items():
            if heading:
                lines += ["", f"## {heading}", ""]
                for paragraph in paragraphs:
                    lines += [paragraph, ""]
                lines += self.table(heading)
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
