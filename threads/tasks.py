"""Celery tasks: thin wrappers that take ids, call a service, and let it do the work."""

from celery import shared_task

from threads.services import analysis


@shared_task(name="threads.analyze_thread", acks_late=True, reject_on_worker_lost=True)
def analyze_thread(thread_id: int) -> dict | None:
    result = analysis.run_analysis(thread_id)
    if result is None:
        return None
    return {"thread": thread_id, "watermark": result.watermark, "status": result.status}


@shared_task(name="threads.sweep_stale_analyses")
def sweep_stale_analyses() -> int:
    return analysis.sweep_stale()
