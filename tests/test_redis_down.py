"""Redis down or hung (issue 10): logging in, signing up and resetting a password go on,
and their emails wait in the outbox until the broker is back.

allauth's rate limits count in the cache, which is Redis: with Redis stopped every login
answered 500, and with Redis hung it answered 500 after the 2 s timeout. Redis here is
the real throwaway server of `make test`, stopped (SIGTERM) or frozen (SIGSTOP).
"""

import contextlib
import datetime as dt
import logging
import os
import signal
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.urls import reverse
from redis import Redis as RedisClient

import arla_mentoring.cache
from arla_mentoring.celery import app
from members.models import User
from outbox.models import Email, EmailKind, EmailState
from outbox.services import outbox_sweep

from .factories import TEST_PASSWORD
from .test_outbox import Redis, wait_for
from .test_signup import SIGNUP

pytestmark = pytest.mark.django_db

NEWCOMER = SIGNUP["email"].lower()


@pytest.fixture
def redis():
    """The test's Redis, running again afterwards whatever happens (later tests need it)."""
    server = Redis()
    assert server.answers(), "Redis is not running before the test"
    try:
        yield server
    finally:
        if not server.answers():
            server.start()
        # Later tests use Redis at once, not after the outage's 30 s.
        arla_mentoring.cache.outage_forget()


@contextlib.contextmanager
def frozen(server: Redis):
    """Redis hung: its process stopped, so connections are accepted and never answered."""
    pid = int(server.pidfile.read_text().strip())
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def log_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.django_db(transaction=True)  # real commits: each request rings the outbox's doorbell itself
def test_with_redis_stopped_members_log_in_sign_up_and_reset_their_password_and_the_emails_wait_in_the_outbox(
    client, member, mailoutbox, redis, broker_tasks
):
    redis.stop()

    login = log_in(client, member.email, TEST_PASSWORD)
    client.logout()
    signup = client.post(reverse("account_signup"), SIGNUP)
    client.logout()
    reset = client.post(reverse("account_reset_password"), {"email": member.email})

    assert login.status_code == 302 and login["Location"] == reverse("members:profile")
    assert login.wsgi_request.user == member
    assert signup.status_code == 302 and signup["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=NEWCOMER).exists()
    assert reset.status_code == 302 and reset["Location"] == reverse("account_reset_password_done")
    # Redis is also the broker: the confirmation and the reset link wait in the outbox.
    waiting = Email.objects.filter(kind=EmailKind.ACCOUNT).order_by("created_at")
    assert [(e.to, e.state) for e in waiting] == [(NEWCOMER, EmailState.PENDING), (member.email, EmailState.PENDING)]
    assert mailoutbox == []

    redis.start()
    # The sweep, every few minutes, rings again for what the broker refused; a worker sends it.
    assert outbox_sweep(older_than=dt.timedelta(0)) == 2
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_for(lambda: len(mailoutbox) == 2), f"the worker sent {len(mailoutbox)} of the 2 emails"
        assert wait_for(lambda: not waiting.exclude(state=EmailState.SENT).exists())

    sent = {m.to[0]: m.body for m in mailoutbox}
    assert sorted(sent) == sorted([NEWCOMER, member.email])
    assert "/accounts/confirm-email/" in sent[NEWCOMER]
    assert "/accounts/password/reset/key/" in sent[member.email]
    assert [(e.state, e.attempts) for e in waiting.all()] == [(EmailState.SENT, 1)] * 2


def test_with_redis_stopped_health_says_so_and_the_log_says_where_the_limits_count(client, member, redis, caplog):
    redis.stop()
    caplog.set_level(logging.WARNING)

    log_in(client, member.email, TEST_PASSWORD)
    health = client.get("/health/")

    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "ok", "redis": "error"}
    assert any("Redis" in r.getMessage() and "rate limits" in r.getMessage() for r in caplog.records), caplog.text


def test_with_redis_stopped_failed_logins_are_still_limited(client, member, redis):
    redis.stop()

    for _ in range(5):
        log_in(client, member.email, "wrong")
    response = log_in(client, member.email, TEST_PASSWORD)

    assert "Too many failed login attempts" in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_with_redis_hung_a_login_waits_for_it_once_and_then_not_at_all(client, member, redis):
    with frozen(redis):
        started = time.monotonic()
        login = log_in(client, member.email, TEST_PASSWORD)
        first = time.monotonic() - started
        client.logout()
        started = time.monotonic()
        reset = client.post(reverse("account_reset_password"), {"email": member.email})
        second = time.monotonic() - started
        health = client.get("/health/")

    assert login.wsgi_request.user == member
    assert reset["Location"] == reverse("account_reset_password_done")
    # The first request waits out the Redis timeout once; the next ones remember the outage.
    assert first < settings.REDIS_TIMEOUT + 1.5
    assert second < settings.REDIS_TIMEOUT
    assert health.status_code == 503 and health.json()["redis"] == "error"


def test_once_redis_is_back_the_limits_count_there_again_and_health_says_so(client, member, redis, monkeypatch, caplog):
    monkeypatch.setattr(arla_mentoring.cache, "OUTAGE_SECONDS", 0.5)
    redis.stop()
    log_in(client, member.email, "wrong")
    assert client.get("/health/").status_code == 503

    redis.start()
    time.sleep(0.6)
    log_in(client, member.email, "wrong")

    assert client.get("/health/").status_code == 200
    assert "Redis answers again" in caplog.text
    assert RedisClient.from_url(settings.REDIS_URL).keys("*login_failed*"), "the failed login is not counted in Redis"


@pytest.mark.django_db(transaction=True)  # real commits: the request rings the outbox's doorbell itself
def test_with_redis_hung_password_resets_answer_within_seconds_and_their_emails_wait_in_the_outbox(
    client, member, mailoutbox, redis, broker_tasks
):
    with frozen(redis):
        times = []
        for _ in range(2):
            started = time.monotonic()
            reset = client.post(reverse("account_reset_password"), {"email": member.email})
            times.append(time.monotonic() - started)
            assert reset["Location"] == reverse("account_reset_password_done")

    # The first waits out the timeouts of the cache and of the broker (both Redis) once;
    # the next remembers both outages.
    assert times[0] < 10, f"the first reset took {times[0]:.1f} s with Redis hung"
    assert times[1] < 1, f"the second reset took {times[1]:.1f} s with Redis hung"
    assert (
        list(Email.objects.filter(kind=EmailKind.ACCOUNT).values_list("to", "state"))
        == [(member.email, EmailState.PENDING)] * 2
    )
    assert mailoutbox == []
