"""Periodic work runs through a real Celery worker on the real Redis broker."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from arla_mentoring.celery import app
from members.tasks import send_renewal_reminders

from .factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the worker thread must see committed rows


@pytest.fixture
def worker():
    assert settings.REDIS_URL, "make test provides Redis; set REDIS_URL to run this test"
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_renewal_reminder_task_sent_through_redis_reaches_the_member(worker, mailoutbox):
    member = UserFactory(expires_on=timezone.localdate() + dt.timedelta(days=7))

    send_renewal_reminders.delay()

    assert wait_for(lambda: len(mailoutbox) == 1), "the worker did not send the reminder"
    assert mailoutbox[0].to == [member.email]


def test_the_beat_schedule_names_tasks_that_exist():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
