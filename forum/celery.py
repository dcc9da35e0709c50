"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

# Workers share two cores with the web server; BLAS threads fighting over them made
# k-means jitter tenfold (ALGORITHMS.md).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")

from celery import Celery
from celery.signals import worker_init, worker_process_init

app = Celery("forum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
@worker_init.connect
def _longer_database_timeouts(**_kwargs: object) -> None:
    """Workers run analyses of big threads: they get longer statement and lock timeouts
    than web requests (settings: CRUX_WORKER_DB_*), set before their first connection."""
    from django.conf import settings
    from django.db import connections

    from forum.env import database_timeouts

    for database in (settings.DATABASES["default"], connections["default"].settings_dict):
        database_timeouts(
            database,
            settings.CRUX_WORKER_DB_STATEMENT_TIMEOUT_MS,
            settings.CRUX_WORKER_DB_LOCK_TIMEOUT_MS,
        )
    connections["default"].close()
