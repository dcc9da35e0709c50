"""Scale-out, measured: two gunicorn instances behind HAProxy, two Celery workers and one
beat, sharing one PostgreSQL and one Redis, under a bounded mixed load (reads, replies,
votes) on loopback only.

    CRUX_SCALE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crux_h16 \\
    CRUX_SCALE_REDIS_URL=redis://127.0.0.1:6379/12 \\
      .venv/bin/python bench/bench_scaleout.py --thread ID [--seconds 20] [--clients 8]

The thread comes from `manage.py bench_data` in that database (never the shared bench
database). HAProxy is the Debian package: if `haproxy` is not on PATH the script says so
and stops — install it with `apt-get install -y haproxy` (as root). Nothing here is part
of the test suite or CI.

It checks: no lost writes (every reply answered 302 is in the database, every vote
counter equals its rows), a session made once is valid on both instances, exactly one
beat process, two workers answering `inspect ping`; and reports mixed-load throughput
through the proxy to two instances against one instance alone.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.config import bench_env  # noqa: E402
from bench.http_load import Gunicorn  # noqa: E402

BIN = ROOT / ".venv" / "bin"
DATABASE_URL = os.environ.get(
    "CRUX_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crux_h16"
)
REDIS_URL = os.environ.get("CRUX_SCALE_REDIS_URL", "redis://127.0.0.1:6379/12")
PORTS = (18081, 18082)
PROXY_PORT = 18080
MARK = "scale-out bench reply"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def environment(static_root: str) -> dict[str, str]:
    """The bench's production-like environment, on this step's database, Redis and queue."""
    return bench_env(
        static_root, DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, CELERY_QUEUE="crux-scaleout"
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


class Session:
    """A logged-in browser: cookies, a CSRF token from the last page."""

    def __init__(self, base: str, session_key: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.cookies = {"sessionid": session_key}
        self.token = ""

    def _headers(self) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Referer": self.base + "/"}

    def get(self, path: str) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, headers=self._headers())
        with self.opener.open(request, timeout=30) as response:
            body = response.read().decode()
            self._take_cookies(response)
            found = TOKEN.search(body)
            if found:
                self.token = found.group(1)
            return response.status, body

    def post(self, path: str, data: dict) -> int:
        data = {**data, "csrfmiddlewaretoken": self.token}
        request = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(data).encode(), headers=self._headers()
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                self._take_cookies(response)
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def _take_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


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
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
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
    results["ops_per_s"] = ops / elapsed
    return results


def check_writes(thread_id: int, replies: list[str]) -> list[str]:
    from django.db.models import Count, Q

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
        .annotate(
            up_rows=Count("votes", filter=Q(votes__axis="quality", votes__value=1)),
        )
        .exclude(upvotes=models_f("up_rows"))
        .count()
    )
    if skewed:
        problems.append(f"{skewed} posts whose upvote counter differs from their vote rows")
    return problems


def models_f(name: str):
    from django.db.models import F

    return F(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--thread", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    args.seconds = min(args.seconds, 60.0)
    haproxy = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
    )
    if haproxy is None:
        sys.exit(
            "haproxy is not installed: `apt-get install -y haproxy` (Debian package), then rerun"
        )
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

    thread = Thread.objects.get(pk=args.thread)
    thread_url = thread.get_absolute_url()
    root = Post.objects.get(thread=thread, parent=None).pk
    posts = list(Post.objects.filter(thread=thread, depth=1).values_list("pk", flat=True)[:200])
    keys = make_sessions([f"bench_scale_{i}" for i in range(args.clients)])
    print(f"load average at start: {os.getloadavg()}; {os.cpu_count()} CPUs")

    procs: list = []
    servers = []
    try:
        for port in PORTS:
            server = Gunicorn(
                bin_dir=BIN,
                cwd=ROOT,
                env=env,
                port=port,
                workers=2,
                log=work / f"gunicorn-{port}.log",
            )
            servers.append(server)
        for server in servers:
            server.wait_ready("/healthz")
        cfg = work / "haproxy.cfg"
        cfg.write_text(
            HAPROXY_CFG.format(
                proxy=PROXY_PORT,
                servers="\n".join(
                    f"    server web{i} 127.0.0.1:{p} check" for i, p in enumerate(PORTS)
                ),
            )
        )
        procs.append(
            subprocess.Popen(
                [haproxy, "-db", "-f", str(cfg)],
                stdout=(work / "haproxy.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        for name in ("w1", "w2"):
            procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "celery"),
                        "-A",
                        "forum",
                        "worker",
                        "-Q",
                        "crux-scaleout",
                        "--concurrency",
                        "1",
                        "-n",
                        f"{name}@%h",
                        "--loglevel",
                        "WARNING",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=(work / f"celery-{name}.log").open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        beat = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "forum",
                "beat",
                "--loglevel",
                "WARNING",
                "-s",
                str(work / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=(work / "beat.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        procs.append(beat)
        time.sleep(3)

        # Sessions: one session key, valid on each instance directly.
        for port in PORTS:
            status, body = Session(f"http://127.0.0.1:{port}", keys[0]).get(thread_url)
            ok = status == 200 and "bench_scale_0" in body and "Log in to reply" not in body
            print(f"session valid on 127.0.0.1:{port}: {ok}")

        one = mixed_load(
            f"http://127.0.0.1:{PORTS[0]}", keys, thread_url, posts, root, args.seconds, "one"
        )
        two = mixed_load(
            f"http://127.0.0.1:{PROXY_PORT}", keys, thread_url, posts, root, args.seconds, "two"
        )
        print(f"load average after the load: {os.getloadavg()}")
        for label, result in (("one instance", one), ("two behind HAProxy", two)):
            print(
                f"{label:20s} {result['ops_per_s']:6.1f} ops/s  reads {result['reads']}  "
                f"replies {len(result['replies'])}  votes {result['votes']}  "
                f"errors {result['errors']}"
            )
        print(f"ratio two/one: {two['ops_per_s'] / max(one['ops_per_s'], 1e-9):.2f}")
        problems = check_writes(thread.pk, one["replies"] + two["replies"])
        print("lost writes / counter drift:", "none" if not problems else "; ".join(problems))
        ping = subprocess.run(
            [str(BIN / "celery"), "-A", "forum", "inspect", "ping", "--timeout", "5"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        workers = len(re.findall(r"->\s+\S+@", ping.stdout))
        beats = 1 if beat.poll() is None else 0
        print(f"celery workers answering: {workers}; beat processes running: {beats}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for server in servers:
            server.stop()
    print(f"logs in {work}")


if __name__ == "__main__":
    main()
