"""Crux settings. Everything an operator changes comes from the environment (see .env.example).

With nothing set, Crux runs on a laptop: SQLite under var/, Celery tasks in-process.
With DATABASE_URL and REDIS_URL it uses PostgreSQL and a real broker with workers.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from forum.env import (
    database_from_env,
    database_timeouts,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "crux-insecure-development-key-never-use-in-production-0123456789"
# The placeholders of .env.example are public: refuse them outside development.
EXAMPLE_SECRETS = {"change-me-to-a-long-random-string-of-at-least-fifty-characters", "change-me"}
if not DEBUG and (SECRET_KEY in EXAMPLE_SECRETS or SECRET_KEY.startswith("change-me")):
    raise ImproperlyConfigured("SECRET_KEY is the example from .env.example: set a real secret")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "csp",
    "threads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # JSON errors under /api/, a friendly 503 when a database timeout fires.
    "forum.middleware.ErrorResponsesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed for clients that accept it (static files: whitenoise's own .gz/.br).
    # BREACH: Django masks the CSRF token anew in every response and this middleware
    # pads the gzip header randomly (tests/test_page_bytes.py checks the first).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "forum.urls"
WSGI_APPLICATION = "forum.wsgi.application"
ASGI_APPLICATION = "forum.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Named inline partials ({% partialdef %}) in every template without a load.
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

DATABASES = {"default": database_from_env("DATABASE_URL", str(VAR_DIR / "crux.sqlite3"))}
_postgres = DATABASES["default"]["ENGINE"].endswith("postgresql")
if _postgres and not DEBUG and DATABASES["default"].get("PASSWORD") in EXAMPLE_SECRETS:
    raise ImproperlyConfigured(
        "DATABASE_URL carries the example POSTGRES_PASSWORD from .env.example: change it"
    )
# PostgreSQL gives up on a web request's statement or lock wait well before gunicorn's
# own timeout (GUNICORN_TIMEOUT, 30 s, in docker-compose.yml) kills the worker, so the
# reader gets a friendly 503 (forum/middleware.py) instead of an empty 500, and no write
# lands after its client gave up. Celery workers get longer ones (forum/celery.py).
GUNICORN_TIMEOUT = env_int("GUNICORN_TIMEOUT", 30)
CRUX_DB_STATEMENT_TIMEOUT_MS = env_int("CRUX_DB_STATEMENT_TIMEOUT_MS", 10_000)
CRUX_DB_LOCK_TIMEOUT_MS = env_int("CRUX_DB_LOCK_TIMEOUT_MS", 3_000)
CRUX_WORKER_DB_STATEMENT_TIMEOUT_MS = env_int("CRUX_WORKER_DB_STATEMENT_TIMEOUT_MS", 55_000)
CRUX_WORKER_DB_LOCK_TIMEOUT_MS = env_int("CRUX_WORKER_DB_LOCK_TIMEOUT_MS", 20_000)
if CRUX_DB_STATEMENT_TIMEOUT_MS >= GUNICORN_TIMEOUT * 1000:
    raise ImproperlyConfigured("CRUX_DB_STATEMENT_TIMEOUT_MS must be below GUNICORN_TIMEOUT")
database_timeouts(DATABASES["default"], CRUX_DB_STATEMENT_TIMEOUT_MS, CRUX_DB_LOCK_TIMEOUT_MS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite builds the thread-outline index without its INCLUDE columns; that only costs
# speed on the embedded default, which PostgreSQL deployments do not use.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "threads.User"
# Django's ModelBackend, but the session's user load also brings whether they moderate and
# any active ban (two queries fewer on every signed-in request).
AUTHENTICATION_BACKENDS = ["threads.auth.StandingBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Broker, cache and Celery -------------------------------------------------------------

REDIS_URL = redis_from_env("REDIS_URL")
# A dead or frozen Redis must not hold a request: each call gives up after this long,
# and after two failures in a row the circuit breaker in forum/cache.py stops trying
# for 30 s. A request therefore waits on Redis at most 2 x this (0.4 s) in all.
CRUX_REDIS_SOCKET_TIMEOUT = env_int("CRUX_REDIS_SOCKET_TIMEOUT_MS", 200) / 1000

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "forum.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "crux",
            "OPTIONS": {
                "socket_connect_timeout": CRUX_REDIS_SOCKET_TIMEOUT,
                "socket_timeout": CRUX_REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# No broker configured: run tasks in-process so a laptop still gets maps.
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Reliability: a task is acknowledged only after it ran, and re-queued if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# An analysis takes seconds; a run past these limits is broken, not slow.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 50)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60)
# Redis redelivers an unacknowledged task after this long; keep it above the hard limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 75),
    "socket_connect_timeout": CRUX_REDIS_SOCKET_TIMEOUT,
    "socket_timeout": CRUX_REDIS_SOCKET_TIMEOUT,
}
# Enqueueing from a web request must not hang when Redis is down: one try, a short
# socket timeout, and the circuit breaker (threads/services/analysis.py); the beat
# sweep re-enqueues whatever was missed.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-analyses": {
        "task": "threads.sweep_stale_analyses",
        "schedule": env_int("CRUX_SWEEP_SECONDS", 30),
    },
    # Sends each digest that is due (daily or weekly per user); hourly is fine-grained enough.
    "send-digests": {
        "task": "threads.send_digests",
        "schedule": env_int("CRUX_DIGEST_SECONDS", 3600),
    },
}

# --- Email ---------------------------------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that stops answering must not hold a worker for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Crux <crux@localhost>")

# --- Security headers ----------------------------------------------------------------------
# Production defaults are strict; each is an env switch for a TLS-terminating proxy setup.

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's own CSRF failure page has an inline <style> the CSP refuses; ours is 403.html.
CSRF_FAILURE_VIEW = "threads.views.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sessions read from Redis, written through to PostgreSQL: a signed-in page skips one
# query, and a Redis restart or outage costs a database read, not a logout.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Remote images in posts are shown as links (threads/markdown.py): no reader's
        # browser calls a third-party host.
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login abuse (threads/views/login_guard.py): after this many failed logins for one
# account from one address, that pair is refused (429) for the cool-off period, even with
# the right password; past the per-address number, every account from that address is.
# Counters live in Redis in production, in the database while Redis is away.
CRUX_LOGIN_MAX_FAILURES = env_int("CRUX_LOGIN_MAX_FAILURES", 5)
CRUX_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("CRUX_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
CRUX_LOGIN_COOLOFF_SECONDS = env_int("CRUX_LOGIN_COOLOFF_SECONDS", 900)
# Addresses (or networks, 10.0.0.0/8) of our own reverse proxies. Only a request that
# arrives from one of them has its X-Forwarded-For read, right to left, and the first
# hop that is not ours is the client. Empty: the header is anyone's to forge; ignored.
CRUX_TRUSTED_PROXIES = env_list("CRUX_TRUSTED_PROXIES", [])
# Per-address limits (threads/services/limits.py: DEFAULT_ADDRESS_LIMITS) over signups,
# exports and map.json; e.g. {"signup": (5, 3600)}. Settings files only.
CRUX_ADDRESS_LIMITS: dict = {}

# --- Sybil resistance ----------------------------------------------------------------------
# New accounts confirm their email address by a link (on by default in production, off
# under `make run`, which sets DEBUG=1).
CRUX_EMAIL_VERIFICATION = env_bool("CRUX_EMAIL_VERIFICATION", not DEBUG)
# Whose agree/disagree votes shape the opinion groups (threads/services/analysis.py):
# a verified email (when verification is on) and an account at least this many days old
# or with at least this many posts. The map says how many participants were left out.
CRUX_TRUSTED_MIN_ACCOUNT_DAYS = env_int("CRUX_TRUSTED_MIN_ACCOUNT_DAYS", 0 if DEBUG else 2)
CRUX_TRUSTED_MIN_POSTS = env_int("CRUX_TRUSTED_MIN_POSTS", 0 if DEBUG else 1)

# --- Logging -------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Crux behaviour ------------------------------------------------------------------------

CRUX_MAX_BODY_CHARS = 40_000
CRUX_MAX_TITLE_CHARS = 200
CRUX_MAX_DEPTH = 200
# Seconds to wait before analysing a thread, so a burst of votes becomes one run.
CRUX_ANALYSIS_COALESCE_SECONDS = env_int("CRUX_ANALYSIS_COALESCE_SECONDS", 2)
# A running analysis older than this is considered stuck and re-enqueued by the sweep.
# Equal to the hard time limit: past it the run's worker is gone. With the sweep every
# 30 s, a run lost with its worker is redone within about 90 s.
CRUX_ANALYSIS_STUCK_SECONDS = env_int("CRUX_ANALYSIS_STUCK_SECONDS", 60)
# Poison runs: a run that started this many times for the same data without finishing
# (its worker died each time) is marked failed instead of being redelivered again.
CRUX_ANALYSIS_MAX_ATTEMPTS = env_int("CRUX_ANALYSIS_MAX_ATTEMPTS", 3)
# Failure drills only: sleep this long inside each run, so a test can kill a worker mid-run.
CRUX_ANALYSIS_DELAY_SECONDS = env_int("CRUX_ANALYSIS_DELAY_SECONDS", 0)
# The analysis is enqueued when a write commits; tests that drive it by hand turn this off.
CRUX_ANALYSE_ON_COMMIT = True
# Per-action rate-limit overrides laid over threads/services/limits.py's DEFAULT_LIMITS,
# e.g. {"report": {"new": (3, 3600)}}; empty: the defaults.
CRUX_RATE_LIMITS: dict = {}
# The Motte's filter: a new member's first posts wait for a moderator's approval.
CRUX_HOLD_FIRST_POSTS = False
# CI sets it: an unreachable PostgreSQL or Redis fails the tests instead of skipping them
# (read by forum/test_settings.py).
CRUX_REQUIRE_SERVICES = env_bool("CRUX_REQUIRE_SERVICES", False)

# --- Notifications and mail ----------------------------------------------------------------
# The site's address as mail links it (digests and notices are read outside the site).
CRUX_SITE_URL = env_str("CRUX_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How often the header badge and the "N new replies" strip refresh while the tab is seen.
CRUX_BADGE_POLL_SECONDS = env_int("CRUX_BADGE_POLL_SECONDS", 60)
CRUX_NEW_REPLIES_POLL_SECONDS = env_int("CRUX_NEW_REPLIES_POLL_SECONDS", 30)
