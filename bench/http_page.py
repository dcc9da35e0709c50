"""Step 5: the same pages served by gunicorn under wrk, with a bench-only
"hello world" view as the floor."""

from __future__ import annotations

from bench import http_load
from bench.config import (
    BIN,
    BUDGET_GUNICORN_MIB,
    BUDGET_P99_MS,
    BUDGET_RPS,
    CONNECTIONS,
    GUNICORN_WORKERS,
    MISAGO,
    OUT,
    ROOT,
    bench_env,
)
from bench.report import log
from bench.setup import free_port


class HttpStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def http(self) -> None:
        from django.conf import settings
        from django.test import Client

        wrk, note = http_load.ensure_wrk(log)
        if note:
            self.report.notes.append(note)
        tool = f"wrk {http_load.wrk_version(wrk)}" if wrk else "Python load generator"
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
            session = Client()
            session.force_login(self.participant)
            name = settings.SESSION_COOKIE_NAME
            cookie = f"{name}={session.cookies[name].value}"
            targets = [("hello world (floor)", "/bench/hello", {})]
            if self.thread_url(self.big) is None:
                self.report.add("http", "thread page (route `thread`)", "not available")
            else:
                for size in self.args.sizes:
                    targets.append((f"{size:,}-post thread, logged out", self.thread_url(size), {}))
                targets.append(
                    (
                        f"{self.big:,}-post thread, logged in as a participant",
                        self.thread_url(self.big),
                        {"Cookie": cookie},
                    )
                )
            floor = None
            for label, path, headers in targets:
                result, cpu = self.load(server, wrk, path, headers)
                if floor is None:
                    floor = result.requests_per_second
                is_budgeted = label.startswith(f"{self.big:,}-post thread, logged out")
                cost = ""
                if path != "/bench/hello" and result.requests_per_second:
                    cost = f" ({floor / result.requests_per_second:.1f}× the floor's cost)"
                self.report.add(
                    "http (gunicorn ×2, c=8)",
                    f"{label}: throughput",
                    f"{result.requests_per_second:.1f} req/s{cost}",
                    f"≥ {BUDGET_RPS} req/s" if is_budgeted else "",
                    result.requests_per_second >= BUDGET_RPS if is_budgeted else None,
                )
                self.report.add(
                    "http (gunicorn ×2, c=8)",
                    f"{label}: p50 / p99, errors, server CPU per request",
                    f"{result.p50_ms:.0f} / {result.p99_ms:.0f} ms, {result.errors} errors "
                    f"of {result.requests:,}, {cpu * 1000:.1f} ms CPU",
                    f"p99 ≤ {BUDGET_P99_MS} ms, 0 errors" if is_budgeted else "",
                    (result.p99_ms <= BUDGET_P99_MS and result.errors == 0)
                    if is_budgeted
                    else None,
                )
            self.report.add(
                "http (gunicorn ×2, c=8)",
                "reference, not measured here: Misago 0.39, 5,000-post thread page (issue #8)",
                MISAGO.split(": ", 1)[1],
            )
            peaks = [http_load.proc_status_mib(pid, "VmHWM") or 0 for pid in server.worker_pids()]
            peak = max(peaks)
            self.report.add(
                "memory",
                "gunicorn worker peak RSS (VmHWM after the load runs)",
                " / ".join(f"{mib:.1f}" for mib in peaks) + " MiB",
                f"≤ {BUDGET_GUNICORN_MIB} MiB",
                peak <= BUDGET_GUNICORN_MIB,
            )
            self.report.notes.append(
                f"HTTP: gunicorn {GUNICORN_WORKERS} sync workers, DEBUG=0, static collected, "
                f"{tool}, {CONNECTIONS} connections, {self.args.seconds} s per URL on "
                f"127.0.0.1; the load tool shares the 2 cores with the server."
            )
        finally:
            server.stop()

    def load(self, server, wrk, path: str, headers: dict):
        import urllib.request

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
