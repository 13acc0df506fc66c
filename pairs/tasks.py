"""Thin Celery tasks: call a service. Every task is safe to run twice and to run late:
the services check the database state before acting, and outbox rows are keyed."""

from celery import shared_task

from .services import contact, offers, pairing, reminders, surveys, topics


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
def send_survey_invitations() -> int:
    return surveys.midpoint_invitations_send()


@shared_task
def send_survey_reminders() -> int:
    return surveys.survey_reminders_send()


@shared_task
def complete_due_pairs() -> int:
    return pairing.pair_complete_due()


@shared_task
def follow_up_offers() -> tuple[int, int]:
    return offers.offers_follow_up()


@shared_task
def follow_up_first_contact() -> tuple[int, int]:
    return contact.no_contact_follow_up()


@shared_task
def send_monthly_topics() -> int:
    return topics.topics_send()
