"""Shared fixtures. Service-bound tests are marked; in CI (CRUX_REQUIRE_SERVICES=1) the
settings refuse to start without PostgreSQL and Redis, so those tests cannot skip there."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bench.worker import start_worker

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("CRUX_REQUIRE_SERVICES") == "1"
# The first migration, 0001–0015 squashed: it seeds the moderators group and the tags.
SQUASHED_MIGRATION = "0001_squashed_0015_notifications_watching_drafts"


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs Redis (REDIS_URL)"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and coalescing keys live in the cache; no test inherits them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _seed_data(request):
    """Transactional tests end by emptying every table, data migrations' rows included.
    Before a test that uses the database, put back the moderators group and the tag
    taxonomy if an earlier test flushed them."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        {"transactional_db", "live_server"} & names
        or (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    )
    if transactional or marker or "db" in names:
        request.getfixturevalue("transactional_db" if transactional else "db")
        from django.contrib.auth.models import Group

        if not Group.objects.filter(name="moderators").exists():
            _reseed()
    yield


def _reseed():
    import importlib

    from django.apps import apps
    from django.db import connection

    module = importlib.import_module(f"threads.migrations.{SQUASHED_MIGRATION}")
    for function in (module.create_group, module.seed_tags):
        with connection.schema_editor() as editor:
            function(apps, editor)


@pytest.fixture
def no_rate_limits(settings):
    """Limits high enough that a test building many posts, votes or threads is never
    refused (the limits themselves are tested in test_moderation)."""
    settings.CRUX_RATE_LIMITS = {
        action: {"new": (10_000, 3600), "established": (10_000, 3600)}
        for action in ("thread", "post", "vote", "report")
    }


@pytest.fixture
def user(db):
    from tests.factories import make_user

    return make_user("alice")


@pytest.fixture
def moderator(db):
    from tests.factories import make_user

    return make_user("mod", moderator=True)


@pytest.fixture
def thread(db, user):
    from tests.factories import make_thread

    return make_thread(user)


def worker_database_url() -> str:
    """DATABASE_URL of the test database, for processes started by tests (workers)."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{connection.settings_dict['NAME']}"


def redis_cache(location: str) -> dict:
    """CACHES for the production cache backend at `location`, with a key prefix of the
    test's own and the short timeouts that make a dead Redis fail fast."""
    return {
        "default": {
            "BACKEND": "forum.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"crux-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker process on Redis, consuming a queue of its own.

    Tasks sent by the test go through the real broker (not in-process) and the worker
    writes to the test database, so the test sees the committed results.
    """
    from forum.celery import app

    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and Redis")
    queue = f"crux-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "forum.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CRUX_ANALYSIS_COALESCE_SECONDS": "0",
        "CELERY_QUEUE": queue,
        "OMP_NUM_THREADS": "1",
    }
    log_path = ROOT / "var" / f"{queue}.log"
    log_path.parent.mkdir(exist_ok=True)
    proc = start_worker(queue, env=env, log_path=log_path)
    old = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.broker_url = settings.REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield WorkerHandle(proc=proc, queue=queue, log_path=log_path, env=env)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url = old
        handle_proc = WorkerHandle.current_proc or proc
        for p in {proc, handle_proc}:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        WorkerHandle.current_proc = None


class WorkerHandle:
    """The running worker; tests may kill it and start another on the same queue."""

    current_proc: subprocess.Popen | None = None

    def __init__(self, *, proc, queue, log_path, env):
        self.proc, self.queue, self.log_path, self.env = proc, queue, log_path, env
        self.restarts = 0
        WorkerHandle.current_proc = proc

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def restart(self, *, beat: bool = False) -> None:
        """Start a new worker on the same queue (with an embedded beat if asked)."""
        self.restarts += 1
        extra = ["-B", "--schedule", str(self.log_path.with_suffix(".beat"))] if beat else []
        self.proc = start_worker(
            self.queue,
            env=self.env,
            log_path=self.log_path,
            name=f"{self.queue}-{self.restarts}",
            extra=extra,
            append=True,
        )
        WorkerHandle.current_proc = self.proc


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy (for work done by other processes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


# --- Browser tests ---------------------------------------------------------------------------
# Debian's Chromium driven by Playwright (never a downloaded browser build).

CHROMIUM = os.environ.get("CRUX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if REQUIRE_SERVICES:
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests
    # make between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@contextmanager
def browser_tab(chromium, base_url: str, **options):
    """A tab in a browser context of its own (`options`: a phone's viewport, no
    JavaScript, ...), closed afterwards; `tab.base_url` is the server's address."""
    context = chromium.new_context(base_url=base_url, **options)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.base_url = base_url
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab on the live server."""
    with browser_tab(chromium, live_server.url) as tab:
        yield tab


def watch_for_problems(page) -> list[str]:
    """Collect what a reader would notice going wrong: script errors, console errors
    (CSP refusals, htmx failures) and failed requests. Empty means a clean visit."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and problems.append(msg.text)
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"),
    )
    return problems


def browser_login(page, username: str, password: str = "correct horse battery") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form [type=submit]")
    page.wait_for_load_state()


# --- Mail --------------------------------------------------------------------------------------


class ReceivedMail(list):
    """What a real local SMTP server (aiosmtpd) received, parsed: a list of messages,
    with the server's address and helpers to wait for mail and pick it by recipient."""

    def __init__(self, host: str, port: int):
        super().__init__()
        self.host, self.port = host, port

    @property
    def messages(self) -> list:
        return self

    def wait_for(self, count: int, timeout: float = 30.0) -> list:
        wait_until(lambda: len(self.messages) >= count, timeout=timeout)
        return self.messages

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_server(settings, monkeypatch):
    """A real SMTP server on a free local port; Django (and any Celery worker started
    after this fixture) sends mail to it. Yields ReceivedMail."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = ReceivedMail("127.0.0.1", port)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            received.append(message)
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    values = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings.EMAIL_BACKEND = values["EMAIL_BACKEND"]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    try:
        yield received
    finally:
        controller.stop()
