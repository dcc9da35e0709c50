"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

# Workers share two cores with the web server; BLAS threads fighting over them made
# k-means jitter tenfold (ALGORITHMS.md).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")

from celery import Celery

app = Celery("forum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
