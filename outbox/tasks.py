"""The outbox's Celery tasks: thin, safe to run twice and late (the row decides)."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_email(self, email_id: int) -> str:
    try:
        return services.email_send(email_id=email_id)
    except services.TransientEmailError as e:
        if self.request.retries + 1 >= settings.EMAIL_MAX_ATTEMPTS:
            raise
        # 1, 2, 4, 8… minutes; the row itself counts attempts and turns failed at the limit.
        raise self.retry(exc=e, countdown=min(60 * 2**self.request.retries, 3600)) from e


@shared_task(acks_late=True)
def send_emails(email_ids: list[int]) -> int:
    """Many rows' doorbells at once (a proposal's introductions): each handed on from the
    worker as its own send_email, so that the request which wrote them publishes one
    message, not hundreds. Run twice, a row is still sent once (email_send); a doorbell
    lost midway is found by the sweep."""
    for email_id in email_ids:
        services.email_enqueue(email_id, wait_for_broker=True)
    return len(email_ids)


@shared_task
def sweep_outbox() -> int:
    """Every few minutes: re-queue the pending emails whose task was lost."""
    return services.outbox_sweep()
