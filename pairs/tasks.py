"""Thin Celery tasks: call a service. Every task is safe to run twice and to run late:
the services check the database state before acting, and outbox rows are keyed."""

from celery import shared_task

from .services import pairing, reminders, topics


@shared_task
def send_checkin_reminders() -> int:
    return reminders.checkin_reminders_send()


@shared_task
def send_liaison_digests() -> int:
    return reminders.liaison_digests_send()


@shared_task
def send_evaluation_invitations() -> int:
    return reminders.evaluation_invitations_send()


@shared_task
def complete_due_pairs() -> int:
    return pairing.pair_complete_due()


@shared_task
def send_monthly_topics() -> int:
    return topics.topics_send()
