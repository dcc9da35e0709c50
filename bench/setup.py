"""Step 1: a database and a Redis DB of the bench's own, and a description of the
machine for the table."""

from __future__ import annotations

import contextlib
import os
import platform
import socket
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.config import DATABASE_URL, REDIS_URL


def reset_database(keep: bool) -> None:
    """Drop and re-create the bench database (never one whose name lacks "bench")."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to use database {name!r}: its name must say bench")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if not exists or not keep:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


def flush_redis() -> None:
    """Empty the bench's Redis DB: queued tasks, coalescing keys, rate-limit counters."""
    db = int(urlsplit(REDIS_URL).path.lstrip("/") or 0)
    if db == 0:
        raise SystemExit(
            "bench: refusing to flush Redis DB 0; point CRUX_BENCH_REDIS_URL elsewhere"
        )
    redis_client().flushdb()


def machine_description() -> list[str]:
    import celery
    import django
    import gunicorn
    from django.db import connection

    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis_version = redis_client().info("server").get("redis_version", "?")
    return [
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine: {os.cpu_count()} cores ({model or 'unknown CPU'}), {memory} memory, "
        f"Linux {platform.release()}",
        f"Versions: Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {postgres.split()[0]}, Redis {redis_version}, gunicorn {gunicorn.__version__}"
        f", Celery {celery.__version__}",
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
