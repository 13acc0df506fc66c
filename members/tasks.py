from celery import shared_task

from .services import membership


@shared_task
def send_renewal_reminders() -> int:
    """Daily: remind members whose membership ends soon (once per term)."""
    return membership.renewal_reminders_send()
