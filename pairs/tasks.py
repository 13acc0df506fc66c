"""Thin Celery tasks: load by id, call a service, retry on transient failure.

Every task is safe to run twice and to run late: the services check the database
state before acting, and outbox rows are keyed.
"""

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


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()


@shared_task
def send_checkin_reminders() -> int:
    return services.checkin_reminders_send()


@shared_task
def send_liaison_digests() -> int:
    return services.liaison_digests_send()


@shared_task
def send_evaluation_invitations() -> int:
    return services.evaluation_invitations_send()


@shared_task
def complete_due_pairs() -> int:
    return services.pair_complete_due()
