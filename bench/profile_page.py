"""The thread page's cost per kind of viewer, in-process, in one run: CPU per request
(time.process_time, so a loaded machine skews it far less than wall time), SQL queries
and bytes, and optionally a cProfile of the participant's page.

    DATABASE_URL=postgres://…/crux_h16 REDIS_URL=redis://…/12 \\
      .venv/bin/python bench/profile_page.py --thread ID [--profile 30] [--n 60]

The thread comes from `manage.py bench_data --posts 5000` (which prints its id) in the
database of DATABASE_URL — never the shared bench database. The participant is the
thread's most active author (bench_user_0000), who also voted there; the member is
bench_reader (created if missing), who took part in nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "crux-profile-only-secret-key-never-used-0123456789abc")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    for key in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ.setdefault(key, "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    # The page, not the static files: no collectstatic needed for a profile.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def measure(client, url: str, n: int) -> dict:
    from django.db import connection

    for _ in range(3):
        assert client.get(url).status_code == 200
    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    body = response.content
    raw = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
    started = time.process_time()
    for _ in range(n):
        client.get(url)
    cpu = (time.process_time() - started) / n
    return {
        "cpu_ms": cpu * 1000,
        "queries": len(queries),
        "kib": len(raw) / 1024,
        "gzip_kib": len(gzip.compress(raw, 6)) / 1024,
        "sql": [sql[:120] for sql in queries],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--thread", type=int, required=True)
    parser.add_argument("--n", type=int, default=10, help="requests per round")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--profile", type=int, default=0, help="requests to profile")
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args()
    setup()
    from django.test import Client

    from threads.models import Thread, User

    thread = Thread.objects.get(pk=args.thread)
    url = thread.get_absolute_url()
    member = User.objects.filter(username="bench_reader").first() or User.objects.create_user(
        "bench_reader", password="correct horse battery"
    )
    participant = User.objects.get(username="bench_user_0000")
    clients = {"reader (logged out)": Client(), "member": Client(), "participant": Client()}
    clients["member"].force_login(member)
    clients["participant"].force_login(participant)
    print(f"load average: {os.getloadavg()}")
    # Alternating rounds, so a busy moment of the machine falls on every viewer alike;
    # the median round of each.
    rounds: dict[str, list[dict]] = {who: [] for who in clients}
    for _ in range(args.rounds):
        for who, client in clients.items():
            rounds[who].append(measure(client, url, args.n))
    for who, found in rounds.items():
        m = sorted(found, key=lambda r: r["cpu_ms"])[len(found) // 2]
        print(
            f"{who:20s} {m['cpu_ms']:6.1f} ms CPU/request  {m['queries']} SQL  "
            f"{m['kib']:.0f} KiB ({m['gzip_kib']:.0f} KiB gzipped)"
        )
        if args.sql:
            for sql in m["sql"]:
                print("    ", sql)
    if args.profile:
        client = clients["participant"]
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.profile):
            client.get(url)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    main()
