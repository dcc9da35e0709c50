"""/healthz: is the database reachable, is the broker reachable. No secrets in the answer."""

import redis
from django.conf import settings
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


def broker_state() -> str:
    """'ok', 'down', or 'not configured' (tasks then run in-process by design)."""
    if not settings.REDIS_URL:
        return "not configured"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return "ok" if client.ping() else "down"
    except redis.RedisError:
        return "down"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    database = "ok" if database_ok() else "down"
    broker = broker_state()
    healthy = database == "ok" and broker != "down"
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": {"state": database, "vendor": connection.vendor},
            "broker": {"state": broker},
        },
        status=200 if healthy else 503,
    )
