"""Step 4: the thread page in-process (queries, bytes, p50/p99, CPU per request)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bench.config import BUDGET_PARTICIPANT_QUERIES, BUDGET_QUERIES, OUT
from bench.report import Queries, ms, p

# Issue 8: ≤ 8 queries logged out; issue 16: ≤ 6 for a participant (big thread).
QUERY_BUDGETS = {
    "logged out": BUDGET_QUERIES,
    "logged in, a participant": BUDGET_PARTICIPANT_QUERIES,
}


class PageStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def page(self) -> None:
        from django.test import Client

        if self.thread_url(self.big) is None:
            self.report.add("page", "thread page (route `thread`)", "not available")
            return
        reader, participant = Client(), Client()
        reader.force_login(self.reader)
        participant.force_login(self.participant)
        visitors = (
            ("logged out", Client()),
            ("logged in, not taking part", reader),
            ("logged in, a participant", participant),
        )
        for size in self.args.sizes:
            url = self.thread_url(size)
            for who, client in visitors:
                for _ in range(3):
                    response = client.get(url)
                    if response.status_code != 200:
                        raise RuntimeError(f"GET {url} ({who}) answered {response.status_code}")
                with Queries() as queries:
                    response = client.get(url)
                if size == self.big:
                    self.explain(queries, "page_" + re.sub(r"\W+", "_", who))
                with Queries() as timed:
                    times, cpu = self.sample(lambda c=client, u=url: c.get(u))
                sql_ms = timed.seconds / max(len(times), 1) * 1000
                shown = len(re.findall(rb'<article[^>]*\sdata-post-id="', response.content))
                budget = met = ""
                most = QUERY_BUDGETS.get(who)
                if size == self.big and most is not None:
                    budget = f"≤ {most} queries"
                    met = len(queries) <= most
                self.report.add(
                    "page (in-process)",
                    f"{size:,}-post thread, {who}: SQL queries, bytes, posts shown",
                    f"{len(queries)} quer{'y' if len(queries) == 1 else 'ies'}, "
                    f"{len(response.content) / 1024:.0f} KiB, "
                    f"{shown} posts",
                    budget,
                    met if budget else None,
                )
                self.report.add(
                    "page (in-process)",
                    f"{size:,}-post thread, {who}: p50 / p99; CPU and SQL time per request",
                    f"{ms(p(times, 0.5))} / {ms(p(times, 0.99))}; {ms(cpu)} CPU, "
                    f"{sql_ms:.1f} ms in SQL (n={len(times)})",
                )

        self.cpu_ratio(visitors)

    def cpu_ratio(self, visitors: tuple, *, rounds: int = 15, per_round: int = 8) -> None:
        """CPU per request of each kind of visitor on the big thread, measured in
        alternating rounds (so a busy moment of the machine falls on all of them alike);
        the median of the rounds. Issue 16: a participant costs at most 2× a reader."""
        url = self.thread_url(self.big)
        cpu: dict[str, list[float]] = {who: [] for who, _ in visitors}
        for _ in range(rounds):
            for who, client in visitors:
                started = time.process_time()
                for _ in range(per_round):
                    client.get(url)
                cpu[who].append((time.process_time() - started) / per_round)
        median = {who: sorted(values)[len(values) // 2] for who, values in cpu.items()}
        reader, participant = median["logged out"], median["logged in, a participant"]
        self.report.add(
            "page (in-process)",
            f"{self.big:,}-post thread: CPU per request, median of {rounds} alternating rounds",
            "; ".join(f"{who} {ms(value)}" for who, value in median.items())
            + f"; participant / logged out {participant / reader:.2f}×",
            "participant ≤ 2× logged out",
            participant <= 2 * reader,
        )

    def explain(self, queries: Queries, name: str) -> None:
        """The page's SQL and PostgreSQL's EXPLAIN ANALYZE of each, into bench/out/."""
        from django.db import connection

        parts = []
        with connection.cursor() as cursor:
            for sql, params in zip(queries.sql, queries.params, strict=True):
                parts.append(sql + ";")
                if sql.lstrip().upper().startswith("SELECT"):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    parts.append("\n".join(row[0] for row in cursor.fetchall()))
        (OUT / f"{name}_explain.txt").write_text("\n\n".join(parts) + "\n")

    def sample(self, request: Callable, *, count: int = 100, seconds: float = 10.0):
        """Wall times of up to `count` calls (at most `seconds`), and CPU per call."""
        times: list[float] = []
        cpu_started = time.process_time()
        deadline = time.monotonic() + seconds
        while len(times) < count and time.monotonic() < deadline:
            started = time.perf_counter()
            request()
            times.append(time.perf_counter() - started)
        return times, (time.process_time() - cpu_started) / max(len(times), 1)
