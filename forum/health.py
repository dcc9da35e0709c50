"""/healthz: is the database reachable, is the broker reachable, can pages find their
static files. No secrets in the answer."""

import redis
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


# Files every page links (templates/base.html): with the manifest storage of production,
# a missing `collectstatic` makes {% static %} raise, and so every page 500s.
PAGE_ASSETS = ("css/crux.css", "js/crux.js", "vendor/htmx-2.0.11.min.js")


def static_state() -> str:
    """'ok' when every page asset resolves through the configured storage, else 'missing'."""
    try:
        for name in PAGE_ASSETS:
            staticfiles_storage.url(name)
    except ValueError:  # ManifestStaticFilesStorage: no manifest, or no entry in it
        return "missing"
    return "ok"


def broker_state() -> str:
    """'ok', 'down', or 'not configured' (tasks then run in-process by design)."""
    if not settings.REDIS_URL:
        return "not configured"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        return "ok" if client.ping() else "down"
    except redis.RedisError:
        return "down"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    database = "ok" if database_ok() else "down"
    broker = broker_state()
    static = static_state()
    healthy = database == "ok" and broker != "down" and static == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": {"state": database, "vendor": connection.vendor},
            "broker": {"state": broker},
            "static": {"state": static},
        },
        status=200 if healthy else 503,
    )
