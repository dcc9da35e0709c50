"""The ground everything stands on: configuration, health, deployment files, workers."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.db import connection, transaction
from django.test import override_settings

from tests.conftest import redis_cache, wait_until
from tests.factories import make_reply, make_thread, opening_post

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-real-production-secret-that-is-long-and-random-8f3k2l9q0z7x6c5v4b",
    "ALLOWED_HOSTS": "crux.example.org",
    "DATABASE_URL": "",
    "REDIS_URL": "",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The browser fixture allows sync ORM calls beside Playwright's loop; not here.
    skip = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in skip}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["state"] == "ok"
    assert body["broker"]["state"] in {"ok", "not configured"}
    assert "redis://" not in response.content.decode() and "postgres" not in body


@override_settings(REDIS_URL="redis://127.0.0.1:9/0")
def test_healthz_is_503_when_the_configured_broker_is_down(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["state"] == "down"
    assert "9/0" not in response.content.decode()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_URL", "mysql://root@localhost/crux"), ("REDIS_URL", "http://localhost:6379")],
)
def test_bad_service_url_is_a_one_line_error_naming_the_variable(variable, value):
    result = manage("check", env={"DEBUG": "1", variable: value})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and variable in lines[0]


def test_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_with_debug_off_is_refused():
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def settings_env_variables() -> set[str]:
    """Every environment variable forum/settings.py reads (first argument of env readers)."""
    tree = ast.parse((ROOT / "forum" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and (node.func.id.startswith("env_") or node.func.id.endswith("_from_env"))
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def test_compose_gives_web_and_worker_every_setting_and_one_image():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    wanted = settings_env_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"} <= wanted
    for name in ("web", "worker", "beat"):
        provided = set(services[name]["environment"])
        assert wanted <= provided, f"{name} lacks {sorted(wanted - provided)}"
        assert services[name]["image"] == services["web"]["image"]
        assert "healthcheck" in services[name] or name == "beat"
    assert "gunicorn" in services["web"]["command"]
    assert compose["volumes"].keys() >= {"postgres-data", "redis-data"}


def test_base_page_loads_vendored_htmx_and_sends_csrf_with_htmx_requests(client, db):
    html = client.get("/").content.decode()
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert (ROOT / "static" / "vendor" / "htmx-2.0.11.min.js").stat().st_size > 40_000


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_analyses_a_thread_end_to_end(celery_worker):
    """Posting on the web side enqueues on commit; a worker process on Redis computes the
    map from PostgreSQL; the page's data then shows it."""
    from django.test import override_settings as override

    from threads.models import ThreadAnalysis

    assert connection.vendor == "postgresql"
    # One commit, so one run sees both posts (the test process coalesces in its own
    # in-memory cache, which the worker's start of a run cannot reset).
    with override(CRUX_ANALYSE_ON_COMMIT=True), transaction.atomic():
        thread = make_thread()
        make_reply(opening_post(thread), body="Prediction at scale requires planning ahead.")
    analysis = wait_until(
        lambda: ThreadAnalysis.objects.filter(
            thread=thread,
            status="done",
            watermark=thread.__class__.objects.get(pk=thread.pk).data_version,
        ).first(),
        timeout=60,
    )
    assert analysis.map["participants"] >= 2
    assert "analyze_thread" in celery_worker.log()


DEAD_REDIS_CACHE = redis_cache("redis://127.0.0.1:9/0")  # nothing listens on port 9


@pytest.mark.django_db
def test_pages_and_writes_work_while_the_redis_cache_is_down(client):
    from tests.factories import make_user
    from threads.models import Post

    thread = make_thread()
    with override_settings(CACHES=DEAD_REDIS_CACHE):
        assert client.get(thread.get_absolute_url()).status_code == 200
        client.force_login(make_user("writer"))
        assert client.get(thread.get_absolute_url()).status_code == 200
        response = client.post(
            f"/p/{opening_post(thread).pk}/reply/",
            {"body": "Written while Redis is down.", "role": "comment", "quote": ""},
        )
        assert response.status_code in (200, 302)
        assert Post.objects.filter(body="Written while Redis is down.").exists()


@pytest.mark.redis
def test_the_resilient_cache_is_a_real_cache_when_redis_is_up(settings):
    from forum.cache import ResilientRedisCache

    cache = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "crux-test-resilient"})
    cache.set("answer", 42, 30)
    assert cache.get("answer") == 42 and cache.add("answer", 1) is False
    cache.delete("answer")
    assert cache.get("answer") is None
