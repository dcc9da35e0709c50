"""Settings for the test suite: real PostgreSQL and Redis when they answer.

DATABASE_URL and REDIS_URL default to the services these machines run. When one does
not answer, tests fall back to SQLite / in-process tasks and the service-bound tests
skip — unless CRUX_REQUIRE_SERVICES=1 (CI), where an unreachable service is an error.
"""

import os
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/crux"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


REQUIRE_SERVICES = os.environ.get("CRUX_REQUIRE_SERVICES", "") == "1"
os.environ.setdefault("SECRET_KEY", "crux-tests-only-secret-key-not-for-production-0123456789")

_db_url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
if _db_url.startswith("postgres") and not _answers(_db_url, 5432):
    if REQUIRE_SERVICES:
        raise ImproperlyConfigured(f"CRUX_REQUIRE_SERVICES=1 but PostgreSQL at {_db_url} is down")
    os.environ["DATABASE_URL"] = ""

_redis_url = os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
if _redis_url and not _answers(_redis_url, 6379):
    if REQUIRE_SERVICES:
        raise ImproperlyConfigured(f"CRUX_REQUIRE_SERVICES=1 but Redis at {_redis_url} is down")
    os.environ["REDIS_URL"] = ""

from forum.settings import *  # noqa: E402,F403

# Tests must not share rate-limit counters or cached fragments through Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# In tests the web process never talks to the broker unless a test asks for it:
# tasks enqueued on commit run in-process, so behaviour is deterministic.
CELERY_TASK_ALWAYS_EAGER = True
CRUX_ANALYSIS_COALESCE_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Most tests build threads through the services; analysing each change would only slow
# them down. Tests of the analysis flow switch this on.
CRUX_ANALYSE_ON_COMMIT = False
# The test client speaks plain HTTP; HTTPS redirects are checked by the deploy check test.
SECURE_SSL_REDIRECT = False
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The Sybil rules are tested where they are switched on; elsewhere every vote counts.
CRUX_EMAIL_VERIFICATION = False
CRUX_TRUSTED_MIN_ACCOUNT_DAYS = 0
CRUX_TRUSTED_MIN_POSTS = 0
