"""Settings for the processes `make bench` starts: Crux's production settings (everything
from the environment, DEBUG off) plus a bench-only URL for the "hello world" floor, a
static root of the harness's choosing, so collectstatic never touches the working tree,
and rate limits high enough never to stop the bench's writers (the check still runs):
gunicorn's processes cannot be given them with override_settings."""

import os

from bench.config import UNLIMITED
from forum.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("CRUX_BENCH_STATIC_ROOT") or STATIC_ROOT  # noqa: F405
CRUX_RATE_LIMITS = UNLIMITED
