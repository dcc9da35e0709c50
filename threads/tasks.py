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


# --- Notifications and mail (threads.services.notifications / .mail) ----------------------


@shared_task(name="threads.notify_post", acks_late=True, reject_on_worker_lost=True)
def notify_post(post_id: int, mentions_only: bool = False) -> int:
    from threads.services import notifications

    to_mail = notifications.fan_out_post(post_id, mentions_only=mentions_only)
    if to_mail:
        send_notification_mail.delay(to_mail)
    return len(to_mail)


@shared_task(name="threads.notify_top_crux", acks_late=True, reject_on_worker_lost=True)
def notify_top_crux(thread_id: int, post_id: int) -> int:
    from threads.services import notifications

    return notifications.fan_out_top_crux(thread_id, post_id)


@shared_task(name="threads.send_notification_mail", acks_late=True)
def send_notification_mail(notification_ids: list[int]) -> int:
    from threads.services import mail

    return mail.send_immediate(notification_ids)


@shared_task(name="threads.send_digests")
def send_digests() -> int:
    from threads.services import mail

    return mail.send_digests()
