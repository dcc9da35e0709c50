"""Step 5: the same pages served by gunicorn under wrk, with a bench-only "hello world"
view as the floor; then reply, vote and credence POSTs through the same server."""

from __future__ import annotations

import itertools
import secrets
import urllib.request

from bench import http_load
from bench.config import (
    BIN,
    BUDGET_GUNICORN_MIB,
    BUDGET_MEMBER_RPS,
    BUDGET_P99_MS,
    BUDGET_PARTICIPANT_GZIP_KB,
    BUDGET_PARTICIPANT_P99_MS,
    BUDGET_PARTICIPANT_RPS,
    BUDGET_RPS,
    CONNECTIONS,
    GUNICORN_WORKERS,
    MISAGO,
    MISAGO_REPLIES_PER_S,
    MISAGO_VOTES_PER_S,
    MISAGO_WRITES,
    OUT,
    ROOT,
    WRITERS,
    bench_env,
)
from bench.report import log
from bench.setup import free_port

AREA = "http (gunicorn ×2, c=8)"
WRITES_AREA = f"http writes (gunicorn ×2, {WRITERS} writers)"
GZIP = {"Accept-Encoding": "gzip"}  # what browsers send


class HttpStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def gunicorn(self) -> http_load.Gunicorn:
        server = http_load.Gunicorn(
            bin_dir=BIN,
            cwd=ROOT,
            env=bench_env(self.static_root, ALLOWED_HOSTS="127.0.0.1"),
            port=free_port(),
            workers=GUNICORN_WORKERS,
            log=OUT / "gunicorn.log",
        )
        try:
            server.wait_ready("/bench/hello")
        except Exception:
            server.stop()
            raise
        return server

    def http(self) -> None:
        wrk, note = http_load.ensure_wrk(log)
        if note:
            self.report.notes.append(note)
        tool = f"wrk {http_load.wrk_version(wrk)}" if wrk else "Python load generator"
        server = self.gunicorn()
        try:
            self.reads(server, wrk)
            peaks = [http_load.proc_status_mib(pid, "VmHWM") or 0 for pid in server.worker_pids()]
            self.report.add(
                "memory",
                "gunicorn worker peak RSS (VmHWM after the load runs)",
                " / ".join(f"{mib:.1f}" for mib in peaks) + " MiB",
                f"≤ {BUDGET_GUNICORN_MIB} MiB",
                max(peaks) <= BUDGET_GUNICORN_MIB,
            )
            self.report.notes.append(
                f"HTTP: gunicorn {GUNICORN_WORKERS} sync workers, DEBUG=0, static collected, "
                f"{tool}, {CONNECTIONS} connections, {self.args.seconds} s per URL on "
                f"127.0.0.1; the load tool shares the 2 cores with the server."
            )
        finally:
            server.stop()

    def http_writes(self) -> None:
        """Reply, vote and credence POSTs by 8 logged-in writers at once through gunicorn,
        each kind for the load run's length: throughput, latency, server CPU per write.
        A part of its own, after the others that measure the big thread, so that its few
        hundred replies do not change what they measure."""
        if not (self.route("reply", 1) and self.route("vote", 1)):
            self.report.add(WRITES_AREA, "reply and vote POSTs (routes)", "not available")
            return
        server = self.gunicorn()
        try:
            self.http_write_kinds(server)
            self.report.notes.append(
                f"Writes through gunicorn ({GUNICORN_WORKERS} sync workers): {WRITERS} "
                "logged-in writers (Python threads, the CSRF token read from a page as a "
                f"browser does), {self.args.seconds} s per kind, on the largest thread."
            )
        finally:
            server.stop()

    def session_cookie(self, user) -> str:
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={client.cookies[name].value}"

    def reads(self, server, wrk) -> None:
        targets = [("hello world (floor)", "/bench/hello", {}, None)]
        big = self.thread_url(self.big)
        if big is None:
            self.report.add("http", "thread page (route `thread`)", "not available")
        else:
            for size in self.args.sizes:
                budget = (BUDGET_RPS, BUDGET_P99_MS) if size == self.big else None
                targets.append(
                    (f"{size:,}-post thread, logged out", self.thread_url(size), {}, budget)
                )
            member = {"Cookie": self.session_cookie(self.reader)}
            participant = {"Cookie": self.session_cookie(self.participant)}
            targets += [
                (
                    f"{self.big:,}-post thread, logged in, not taking part",
                    big,
                    member,
                    (BUDGET_MEMBER_RPS, None),
                ),
                (
                    f"{self.big:,}-post thread, logged in as a participant",
                    big,
                    participant,
                    (BUDGET_PARTICIPANT_RPS, BUDGET_PARTICIPANT_P99_MS),
                ),
                (
                    f"{self.big:,}-post thread, participant, `Accept-Encoding: gzip`",
                    big,
                    {**participant, **GZIP},
                    (BUDGET_PARTICIPANT_RPS, BUDGET_PARTICIPANT_P99_MS),
                ),
            ]
        floor = None
        for label, path, headers, budget in targets:
            result, cpu = self.load(server, wrk, path, headers)
            if floor is None:
                floor = result.requests_per_second
            cost = ""
            if path != "/bench/hello" and result.requests_per_second:
                cost = f" ({floor / result.requests_per_second:.1f}× the floor's cost)"
            rps, p99 = budget or (None, None)
            self.report.add(
                AREA,
                f"{label}: throughput",
                f"{result.requests_per_second:.1f} req/s{cost}",
                f"≥ {rps} req/s" if rps else "",
                result.requests_per_second >= rps if rps else None,
            )
            checks = ([f"p99 ≤ {p99} ms"] if p99 else []) + (["0 errors"] if budget else [])
            self.report.add(
                AREA,
                f"{label}: p50 / p99, errors, server CPU per request",
                f"{result.p50_ms:.0f} / {result.p99_ms:.0f} ms, {result.errors} errors "
                f"of {result.requests:,}, {cpu * 1000:.1f} ms CPU",
                ", ".join(checks),
                ((p99 is None or result.p99_ms <= p99) and result.errors == 0) if budget else None,
            )
        if big is not None:
            self.page_bytes(server, big, participant)
        self.report.add(
            AREA,
            "reference, not measured here: Misago 0.39, 5,000-post thread page (issue #8)",
            MISAGO.split(": ", 1)[1],
        )

    def page_bytes(self, server, path: str, participant: dict) -> None:
        """The participant's page on the wire, as it is and as a browser gets it."""
        sizes = {}
        for name, headers in (("plain", participant), ("gzip", {**participant, **GZIP})):
            request = urllib.request.Request(server.base_url + path, headers=headers)
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                sizes[name] = (len(body), response.headers.get("Content-Encoding", ""))
        (plain, _), (packed, encoding) = sizes["plain"], sizes["gzip"]
        self.report.add(
            AREA,
            f"{self.big:,}-post thread, participant (~100 posts shown): bytes, "
            "plain / with `Accept-Encoding: gzip`",
            f"{plain / 1000:.0f} kB / {packed / 1000:.1f} kB"
            + (f" ({encoding})" if encoding else " (NOT compressed)"),
            f"≤ {BUDGET_PARTICIPANT_GZIP_KB} kB compressed",
            encoding in ("gzip", "br") and packed <= BUDGET_PARTICIPANT_GZIP_KB * 1000,
        )

    def load(self, server, wrk, path: str, headers: dict):
        url = server.base_url + path
        for _ in range(4 * GUNICORN_WORKERS):  # warm both workers' templates and connections
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        pids = server.worker_pids()
        cpu_before = sum(http_load.cpu_seconds(pid) for pid in pids)
        if wrk:
            result = http_load.run_wrk(
                wrk, url, seconds=self.args.seconds, connections=CONNECTIONS, headers=headers
            )
        else:
            result = http_load.run_python_load(
                url, seconds=self.args.seconds, connections=CONNECTIONS, headers=headers
            )
            for note in result.notes:
                if note not in self.report.notes:
                    self.report.notes.append(note)
        cpu = sum(http_load.cpu_seconds(pid) for pid in pids) - cpu_before
        return result, cpu / max(result.requests, 1)

    def http_write_kinds(self, server) -> None:
        from threads.models import Post, Role

        thread_id = self.threads[self.big]
        parents = list(
            Post.objects.filter(thread_id=thread_id, depth__lt=30).values_list("pk", flat=True)
        )
        sessions = []
        for writer in self.writers:
            key = self.session_cookie(writer).split("=", 1)[1]
            session = http_load.Session(server.base_url, key)
            session.get(self.thread_url(min(self.threads)))  # the CSRF token, as a browser
            sessions.append(session)

        def replies(index: int):
            plan = itertools.cycle(self.reply_plan(parents, 60))

            def next_write() -> tuple[str, dict]:
                parent, fields = next(plan)  # a new token: each POST is a new reply
                token = f"bench-{secrets.token_hex(8)}"
                return self.route("reply", parent), {**fields, "submission_token": token}

            return next_write

        self.http_write_kind(server, "reply", sessions, replies, MISAGO_REPLIES_PER_S, "replies/s")
        own = set(
            Post.objects.filter(thread_id=thread_id, author__in=self.writers).values_list(
                "pk", flat=True
            )
        )
        others = [pk for pk in parents if pk not in own]

        def votes(index: int):
            targets = itertools.cycle(
                (pk, axis)
                for pk in self.rng.sample(others, min(len(others), 300))
                for axis in ("agree", "quality")
            )

            def next_write() -> tuple[str, dict]:
                pk, axis = next(targets)  # round again: the same vote takes it back
                return self.route("vote", pk), {"axis": axis, "value": 1}

            return next_write

        self.http_write_kind(server, "vote", sessions, votes, MISAGO_VOTES_PER_S, "votes/s")
        if self.route("credence", parents[0]) is not None:
            claims = list(
                Post.objects.filter(pk__in=others)
                .exclude(role=Role.QUESTION)
                .values_list("pk", flat=True)[:300]
            )

            def credences(index: int):
                targets = itertools.cycle(self.rng.sample(claims, len(claims)))

                def next_write() -> tuple[str, dict]:
                    return self.route("credence", next(targets)), {"value": self.rng.randint(1, 99)}

                return next_write

            self.http_write_kind(server, "credence", sessions, credences, None, "credences/s")
        self.report.add(WRITES_AREA, "reference, not measured here", MISAGO_WRITES)

    def http_write_kind(self, server, kind, sessions, make_plan, misago, unit) -> None:
        clients = [(session, make_plan(i)) for i, session in enumerate(sessions)]
        pids = server.worker_pids()
        cpu_before = sum(http_load.cpu_seconds(pid) for pid in pids)
        result, first_error = http_load.write_load(clients, self.args.seconds)
        cpu = sum(http_load.cpu_seconds(pid) for pid in pids) - cpu_before
        per_write = cpu / max(result.requests, 1) * 1000
        budget = "0 errors"
        met = result.errors == 0
        if misago:
            budget = f"≥ {2 * misago:.0f} {unit} (2× Misago), 0 errors"
            met = met and result.requests_per_second >= 2 * misago
        self.report.add(
            WRITES_AREA,
            f"{kind} POSTs: throughput; p50 / p99, errors, server CPU per write",
            f"{result.requests_per_second:.0f} {unit}; {result.p50_ms:.0f} / "
            f"{result.p99_ms:.0f} ms, {result.errors} errors of {result.requests:,}, "
            f"{per_write:.1f} ms CPU" + (f" (first: {first_error[:100]})" if first_error else ""),
            budget,
            met,
        )
