# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1

WORKDIR /app
RUN useradd --create-home --uid 1000 crux
COPY requirements/base.lock requirements/base.lock
RUN pip install --no-cache-dir --no-deps -r requirements/base.lock
COPY --chown=crux:crux . .
# collectstatic needs settings that import cleanly; the real secret comes at run time.
RUN SECRET_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --noinput
USER crux
EXPOSE 8000
# gunicorn kills a request after --timeout (GUNICORN_TIMEOUT, 30 s); PostgreSQL gives up first.
CMD ["gunicorn", "forum.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "30", "--access-logfile", "-"]
