"""Settings for the processes `make bench` starts: Crux's production settings (everything
from the environment, DEBUG off) plus a bench-only URL for the "hello world" floor and a
static root of the harness's choosing, so collectstatic never touches the working tree."""

import os

from forum.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("CRUX_BENCH_STATIC_ROOT") or STATIC_ROOT  # noqa: F405
