"""Scale-out, measured (issue 16 item 4): two gunicorn instances behind HAProxy, two Celery
workers and one beat, sharing one PostgreSQL and one Redis, under a bounded mixed load
(participant page reads, replies, votes) on loopback only.

    CRUX_SCALE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crux_bench_mine \\
    CRUX_SCALE_REDIS_URL=redis://127.0.0.1:6379/12 \\
      .venv/bin/python bench/bench_scaleout.py --thread ID [--seconds 60] [--clients 8]

`make bench` runs it as its "scaleout" part (bench/scaleout_step.py) on the bench's
5,000-post thread; standalone, the thread comes from `manage.py bench_data` in the
database of CRUX_SCALE_DATABASE_URL (default: the bench's, CRUX_BENCH_DATABASE_URL).
HAProxy is the Debian package, installed with apt-get when missing and root.

It checks: no lost writes (every reply answered 302 is in the database, every vote
counter equals its rows), a session made once is valid on both instances, each analysis
of the thread runs once per data version with two workers taking tasks (coalescing holds
across workers), exactly one beat (the sweep arrives once per period, not twice), two
workers answering `inspect ping`; and reports mixed-load throughput through the proxy to
two instances against one instance alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import config  # noqa: E402
from bench.http_load import Gunicorn, Session, cpu_seconds, ensure_tool  # noqa: E402
from bench.setup import free_port  # noqa: E402
from bench.worker import start_worker  # noqa: E402

BIN = ROOT / ".venv" / "bin"
DATABASE_URL = os.environ.get("CRUX_SCALE_DATABASE_URL", config.DATABASE_URL)
REDIS_URL = os.environ.get("CRUX_SCALE_REDIS_URL", config.REDIS_URL)
QUEUE = "crux-scaleout"
SWEEP_SECONDS = 5  # the beat's sweep, often enough to count how many beats send it
MARK = "scale-out bench reply"


def environment(static_root: str) -> dict[str, str]:
    """The bench's production-like environment, on this step's database, Redis and queue."""
    return config.bench_env(
        static_root,
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        CELERY_QUEUE=QUEUE,
        CRUX_SWEEP_SECONDS=str(SWEEP_SECONDS),
    )


HAPROXY_CFG = """global
    maxconn 256
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend web
    bind 127.0.0.1:{proxy}
    default_backend crux
backend crux
    balance roundrobin
    option httpchk GET /healthz
{servers}
"""


def django_setup(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def make_sessions(usernames: list[str]) -> list[str]:
    """Session keys for these users, written to the shared session store."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from threads.models import User

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    keys = []
    for name in usernames:
        user = User.objects.filter(username=name).first() or User.objects.create_user(
            name, password="correct horse battery"
        )
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def mixed_load(
    base: str,
    keys: list[str],
    thread_url: str,
    posts: list[int],
    root: int,
    seconds: float,
    label: str,
) -> dict:
    """Each client: 75 % page reads, 15 % replies, 10 % votes, until `seconds` pass."""
    results = {"reads": 0, "replies": [], "votes": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int, key: str) -> None:
        rng = random.Random(index)
        session = Session(base, key)
        session.get(thread_url)
        while time.monotonic() < deadline:
            roll = rng.random()
            try:
                if roll < 0.75:
                    status, _ = session.get(thread_url)
                    ok, kind = status == 200, "reads"
                elif roll < 0.90:
                    body = f"{MARK} {label} {index} {rng.getrandbits(48):x}"
                    status = session.post(f"/p/{root}/reply/", {"role": "comment", "body": body})
                    ok, kind = status == 302, "replies"
                    if ok:
                        with lock:
                            results["replies"].append(body)
                        continue
                else:
                    pk = rng.choice(posts)
                    status = session.post(f"/p/{pk}/vote/", {"axis": "quality", "value": "1"})
                    ok, kind = status == 302, "votes"
            except OSError:
                ok, kind = False, "errors"
            with lock:
                if ok:
                    results[kind] += 1
                else:
                    results["errors"] += 1

    threads = [threading.Thread(target=client, args=(i, k)) for i, k in enumerate(keys)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ops = results["reads"] + len(results["replies"]) + results["votes"]
    results["seconds"] = elapsed
    results["ops_per_s"] = ops / elapsed
    return results


class AnalysisRuns:
    """Watches the thread's analysis row while the load runs: every run that starts sets
    attempts_version (the data version it analyses) and started_at, so a version that
    two workers analysed shows two starts (or an attempt count above one)."""

    def __init__(self, thread_id: int, interval: float = 0.05) -> None:
        self.thread_id, self.interval = thread_id, interval
        self.starts: dict[int, set] = {}  # data version -> the started_at values seen
        self.attempts: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> AnalysisRuns:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _watch(self) -> None:
        from django.db import connection

        from threads.models import ThreadAnalysis

        try:
            while not self._stop.is_set():
                row = (
                    ThreadAnalysis.objects.filter(thread_id=self.thread_id)
                    .values_list("attempts_version", "started_at", "attempts")
                    .first()
                )
                if row and row[0] is not None and row[1] is not None:
                    version, started, attempts = row
                    self.starts.setdefault(version, set()).add(started)
                    self.attempts[version] = max(self.attempts.get(version, 0), attempts)
                time.sleep(self.interval)
        finally:
            connection.close()

    def repeated(self, since: int) -> list[int]:
        """Data versions after `since` whose analysis started more than once."""
        return sorted(
            version
            for version, starts in self.starts.items()
            if version > since and (len(starts) > 1 or self.attempts.get(version, 0) > 1)
        )

    def runs(self, since: int) -> int:
        return sum(len(starts) for version, starts in self.starts.items() if version > since)


def wait_fresh(thread_id: int, timeout: float) -> float | None:
    """Seconds until the thread's analysis has caught up with its data, or None."""
    from threads.models import Thread

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        version, watermark, status = Thread.objects.values_list(
            "data_version", "analysis__watermark", "analysis__status"
        ).get(pk=thread_id)
        if watermark == version and status == "done":
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def wait_nothing_stale(timeout: float) -> None:
    """Let the sweep bring every thread of the database up to date first, so that runs
    left from earlier parts of the bench do not fall inside the measured load."""
    from threads.services.analysis import stale_thread_ids

    deadline = time.monotonic() + timeout
    while stale_thread_ids(limit=1) and time.monotonic() < deadline:
        time.sleep(0.5)


def check_writes(thread_id: int, replies: list[str]) -> list[str]:
    from django.db.models import Count, F, Q

    from threads.models import Post

    problems = []
    stored = set(
        Post.objects.filter(thread_id=thread_id, body__startswith=MARK).values_list(
            "body", flat=True
        )
    )
    lost = [body for body in replies if body not in stored]
    if lost:
        problems.append(f"{len(lost)} replies answered 302 but not stored")
    skewed = (
        Post.objects.filter(thread_id=thread_id)
        .annotate(up_rows=Count("votes", filter=Q(votes__axis="quality", votes__value=1)))
        .exclude(upvotes=F("up_rows"))
        .count()
    )
    if skewed:
        problems.append(f"{skewed} posts whose upvote counter differs from their vote rows")
    return problems


def _count(path: Path, pattern: str) -> int:
    return len(re.findall(pattern, path.read_text(errors="replace"))) if path.exists() else 0


def _instance_cpu(servers: list[Gunicorn]) -> list[float]:
    return [sum(cpu_seconds(pid) for pid in server.worker_pids()) for server in servers]


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def measure(*, thread_id: int, seconds: float = 60.0, clients: int = 8, log=print) -> dict:
    """Start the two-instance shape, load it, check it; returns every figure (JSON-able)."""
    seconds = min(seconds, 60.0)
    haproxy, note = ensure_tool("haproxy", "haproxy", log)
    if haproxy is None:
        raise RuntimeError(f"HAProxy is needed: {note} (`apt-get install -y haproxy`)")
    work = Path(tempfile.mkdtemp(prefix="crux-scaleout-"))
    env = environment(str(work / "static"))
    subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    django_setup(env)
    from threads.models import Post, Thread

    thread = Thread.objects.get(pk=thread_id)
    thread_url = thread.get_absolute_url()
    root = Post.objects.get(thread=thread, parent=None).pk
    posts = list(
        Post.objects.filter(thread=thread, depth=1)
        .exclude(author__username__startswith="bench_scale_")
        .values_list("pk", flat=True)[:200]
    )
    keys = make_sessions([f"bench_scale_{i}" for i in range(clients)])
    result: dict = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0], "logs": str(work)}
    ports = [free_port(), free_port()]
    proxy_port = free_port()
    procs: list[subprocess.Popen] = []
    servers: list[Gunicorn] = []
    try:
        servers = [
            Gunicorn(bin_dir=BIN, cwd=ROOT, env=env, port=port, workers=config.GUNICORN_WORKERS,
                     log=work / f"gunicorn-{port}.log")
            for port in ports
        ]  # fmt: skip
        for server in servers:
            server.wait_ready("/healthz")
        cfg = work / "haproxy.cfg"
        cfg.write_text(
            HAPROXY_CFG.format(
                proxy=proxy_port,
                servers="\n".join(
                    f"    server web{i} 127.0.0.1:{p} check" for i, p in enumerate(ports)
                ),
            )
        )
        with (work / "haproxy.log").open("w") as out:
            procs.append(subprocess.Popen([haproxy, "-db", "-f", str(cfg)], stdout=out, stderr=out))
        worker_logs = [work / f"celery-{name}.log" for name in ("w1", "w2")]
        for name, path in zip(("w1", "w2"), worker_logs, strict=True):
            procs.append(start_worker(QUEUE, env=env, log_path=path, name=name))
        beat_log = work / "beat.log"
        with beat_log.open("w") as out:
            beat = subprocess.Popen(
                [str(BIN / "celery"), "-A", "forum", "beat", "--loglevel", "INFO",
                 "-s", str(work / "beat-schedule")],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        procs.append(beat)
        beat_started = time.monotonic()
        wait_nothing_stale(60)
        wait_fresh(thread_id, 60)

        # Sessions: one session key, valid on each instance directly.
        result["sessions"] = {}
        for port in ports:
            status, body = Session(f"http://127.0.0.1:{port}", keys[0]).get(thread_url)
            ok = status == 200 and "bench_scale_0" in body and "Log in to reply" not in body
            result["sessions"][str(port)] = ok

        version_before = Thread.objects.values_list("data_version", flat=True).get(pk=thread_id)
        with AnalysisRuns(thread_id) as runs:
            result["one"] = mixed_load(
                f"http://127.0.0.1:{ports[0]}", keys, thread_url, posts, root, seconds, "one"
            )
            cpu_before = _instance_cpu(servers)
            result["two"] = mixed_load(
                f"http://127.0.0.1:{proxy_port}", keys, thread_url, posts, root, seconds, "two"
            )
            result["two"]["instance_cpu_s"] = [
                after - before
                for after, before in zip(_instance_cpu(servers), cpu_before, strict=True)
            ]
            result["load_during"] = os.getloadavg()[0]
            result["fresh_after_s"] = wait_fresh(thread_id, 90)
            time.sleep(0.3)  # the watcher's last look
        version_after = Thread.objects.values_list("data_version", flat=True).get(pk=thread_id)
        result["analysis"] = {
            "data_versions": version_after - version_before,
            "runs": runs.runs(version_before),
            "repeated_versions": runs.repeated(version_before),
        }
        result["ratio"] = result["two"]["ops_per_s"] / max(result["one"]["ops_per_s"], 1e-9)
        replies = result["one"]["replies"] + result["two"]["replies"]
        result["problems"] = check_writes(thread_id, replies)
        for label in ("one", "two"):
            result[label]["replies"] = len(result[label]["replies"])
        ping = subprocess.run(
            [str(BIN / "celery"), "-A", "forum", "inspect", "ping", "--timeout", "5"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        beat_seconds = time.monotonic() - beat_started
        result["workers"] = len(re.findall(r"->\s+\S+@", ping.stdout))
        result["beat"] = {
            "running": beat.poll() is None,
            "seconds": beat_seconds,
            "period": SWEEP_SECONDS,
            "sent": _count(beat_log, r"Sending due task sweep-stale-analyses"),
            "received": sum(
                _count(path, r"Task threads\.sweep_stale_analyses\[\S+\] received")
                for path in worker_logs
            ),
        }
        result["load_after"] = os.getloadavg()[0]
    finally:
        _stop(procs)
        for server in servers:
            server.stop()
        from django.db import connections

        connections.close_all()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--thread", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=config.SCALEOUT_SECONDS)
    parser.add_argument("--clients", type=int, default=config.SCALEOUT_CLIENTS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure(thread_id=args.thread, seconds=args.seconds, clients=args.clients)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['cpus']} CPUs; load average {result['load_before']:.1f} before, "
          f"{result['load_during']:.1f} during the load")  # fmt: skip
    print("sessions valid on each instance:", result["sessions"])
    for label, name in (("one", "one instance"), ("two", "two behind HAProxy")):
        run = result[label]
        print(f"{name:20s} {run['ops_per_s']:6.1f} ops/s  reads {run['reads']}  replies "
              f"{run['replies']}  votes {run['votes']}  errors {run['errors']}")  # fmt: skip
    print(f"ratio two/one: {result['ratio']:.2f}; CPU s per instance while two ran: "
          f"{result['two']['instance_cpu_s']}")  # fmt: skip
    print("lost writes / counter drift:", "; ".join(result["problems"]) or "none")
    print("analysis:", result["analysis"], f"fresh {result['fresh_after_s']} s after the load")
    print(f"celery workers answering: {result['workers']}; beat: {result['beat']}")
    print(f"logs in {result['logs']}")


if __name__ == "__main__":
    main()
