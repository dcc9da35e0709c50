"""Step 4: the thread page in-process (queries, bytes, p50/p99, CPU per request)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bench.config import BUDGET_QUERIES, OUT
from bench.report import Queries, ms, p


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
                if size == self.big and who == "logged out":
                    budget = f"≤ {BUDGET_QUERIES} queries"
                    met = len(queries) <= BUDGET_QUERIES
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
