from celery import shared_task

from . import services


@shared_task
def send_renewal_reminders() -> int:
    """Daily: remind members whose membership ends soon (once per term)."""
    return services.renewal_reminders_send()
