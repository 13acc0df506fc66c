"""The outbox: introductions reach both sides once, through a real worker on Redis,
and a broker outage or a failing mail server delays an email but never loses or
doubles it. The committee sees what is stuck and can send it again."""

import contextlib
import datetime as dt
import os
import signal
import smtplib
import socket
import subprocess
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from arla_mentoring.celery import app
from outbox import services as outbox_services
from outbox.models import Email, EmailKind, EmailState
from outbox.tasks import send_email
from pairs.services import pairing, year

MENTEE_PHONE = "501-555-0142"
MENTOR_PHONE = "501-555-0199"


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


# --- Fixtures: the two people, the worker, eager tasks, Redis, the mail server ---------------


@pytest.fixture
def mentee(mentee):
    """The mentee, with a phone number (the introductions give it to the other side)."""
    mentee.member.phone = MENTEE_PHONE
    mentee.member.save(update_fields=["phone"])
    return mentee


@pytest.fixture
def mentor(mentor):
    """The mentor, with a phone number."""
    mentor.member.phone = MENTOR_PHONE
    mentor.member.save(update_fields=["phone"])
    return mentor


@pytest.fixture
def worker(broker_tasks):
    """A real Celery worker on the real Redis broker, in a thread of this process."""
    assert settings.REDIS_URL, "make test provides Redis; set REDIS_URL to run this test"
    app.control.purge()  # tasks other tests left in the queue are none of this test's business
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture
def finished_sends():
    """The email ids of every send_email task the worker finished, in order."""
    done = []

    def record(sender=None, args=None, **kwargs):
        if sender is not None and sender.name == send_email.name:
            done.append(args[0])

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)


class Redis:
    """The throwaway Redis that `scripts/with-services.sh` started: stop it, start it again."""

    def __init__(self):
        for name in ("TEST_REDIS_PORT", "TEST_REDIS_PIDFILE", "TEST_REDIS_DIR"):
            assert os.environ.get(name), f"{name} is not set: run the tests with `make test`"
        self.port = int(os.environ["TEST_REDIS_PORT"])
        self.pidfile = Path(os.environ["TEST_REDIS_PIDFILE"])
        self.dir = os.environ["TEST_REDIS_DIR"]

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def refuses(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
        except ConnectionRefusedError:
            return True
        except OSError:
            return False
        return False

    def stop(self) -> None:
        os.kill(int(self.pidfile.read_text().strip()), signal.SIGTERM)
        assert wait_for(self.refuses, timeout=10), "Redis did not stop"

    @contextlib.contextmanager
    def hung(self):
        """Stopped, with something on its port that takes connections and never answers."""
        self.stop()
        with socket.socket() as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            yield

    def start(self) -> None:
        """On the same port, pidfile and folder, as `scripts/with-services.sh` starts it."""
        options = {
            "daemonize": "yes",
            "bind": "127.0.0.1",
            "port": str(self.port),
            "save": "",
            "appendonly": "no",
            "dir": self.dir,
            "pidfile": str(self.pidfile),
            "logfile": f"{self.dir}/redis.log",
        }
        subprocess.run(
            ["redis-server", *(arg for name, value in options.items() for arg in (f"--{name}", value))],
            check=True,
            timeout=10,
        )
        assert wait_for(self.answers, timeout=10), "Redis did not come back"


@pytest.fixture
def redis():
    """Redis, which the test may stop; running again afterwards whatever happens (later tests need it)."""
    server = Redis()
    assert server.answers(), "Redis is not running before the test"
    try:
        yield server
    finally:
        if not server.answers():
            server.start()


@pytest.fixture
def mail_server(monkeypatch):
    """The mail server, which the test can take down: sending then raises as an SMTP outage does."""

    class MailServer:
        down = False

    real_send = EmailMultiAlternatives.send

    def send(message, *args, **kwargs):
        if MailServer.down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return MailServer


def long_ago() -> dt.datetime:
    """Older than the sweep's threshold."""
    return timezone.now() - dt.timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS + 60)


def intro(pair, kind) -> Email:
    return Email.objects.get(pair=pair, kind=kind)


def table_row(html: str, text: str) -> str:
    """The one table row of the page that mentions `text`."""
    rows = [r for r in html.split("<tr>") if text in r]
    assert len(rows) == 1, f"expected one row mentioning {text!r}, found {len(rows)}"
    return rows[0].split("</tr>")[0]


def introductions_card(html: str) -> str:
    start = html.index('id="intro-heading"')
    return html[start : html.index("</section>", start)]


# --- A real worker on Redis ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_committee_pairing_sends_both_introductions_through_the_worker(
    worker, mailoutbox, committee, cycle, mentor, mentee
):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)

    assert wait_for(lambda: len(mailoutbox) == 2), f"the worker sent {len(mailoutbox)} of the 2 introductions"
    assert wait_for(lambda: Email.objects.filter(pair=pair, state=EmailState.SENT).count() == 2)
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {mentor.member.email, mentee.member.email}
    pair_url = settings.SITE_URL + pair.get_absolute_url()

    to_mentor = by_recipient[mentor.member.email]
    assert mentee.member.email in to_mentor.body
    assert MENTEE_PHONE not in to_mentor.body
    assert all(MENTEE_PHONE not in content for content, _ in to_mentor.alternatives)

    to_mentee = by_recipient[mentee.member.email]
    assert mentor.member.email in to_mentee.body
    assert MENTOR_PHONE in to_mentee.body

    for message in (to_mentor, to_mentee):
        assert cycle.orientation in message.body
        assert pair_url in message.body
        html = message.alternatives[0].content
        assert cycle.orientation in html
        assert pair_url in html
    for email in Email.objects.filter(pair=pair):
        assert (email.state, email.attempts, email.last_error) == (EmailState.SENT, 1, "")


@pytest.mark.django_db(transaction=True)
def test_broker_outage_delays_introductions_and_the_sweep_delivers_each_exactly_once(
    redis, broker_tasks, mailoutbox, committee, cycle, mentor, mentee, client_for, finished_sends
):
    redis.stop()
    started = time.monotonic()
    response = client_for(committee).post(
        reverse("matching:pair-create"),
        {"mentee": mentee.pk, "mentor": mentor.pk, "length_months": cycle.default_length_months},
        follow=True,
    )
    elapsed = time.monotonic() - started

    assert elapsed < 10, f"pairing took {elapsed:.1f} s with the broker down"
    pair = mentee.pairs_as_mentee.get()
    assert response.redirect_chain == [(pair.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "Both introductions are on their way." in page
    assert introductions_card(page).count(">Pending</span>") == 2
    assert sorted(Email.objects.filter(pair=pair).values_list("state", flat=True)) == [EmailState.PENDING] * 2
    assert mailoutbox == []

    redis.start()
    # The sweep runs, and runs again before a worker got to the first doorbells: two per email.
    queued = 0
    for _ in range(2):
        Email.objects.filter(pair=pair).update(queued_at=long_ago())
        queued += outbox_services.outbox_sweep()
    assert queued == 4
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_for(lambda: len(finished_sends) == queued), (
            f"the worker finished {len(finished_sends)} of the {queued} queued sends"
        )

    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.member.email, mentee.member.email])
    for email in Email.objects.filter(pair=pair):
        assert (email.state, email.attempts) == (EmailState.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_committee_pairing_while_redis_hangs_answers_within_seconds(
    redis, broker_tasks, mailoutbox, committee, cycle, mentor, mentee
):
    with redis.hung():
        started = time.monotonic()
        pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
        elapsed = time.monotonic() - started

    assert elapsed < 10, f"pairing took {elapsed:.1f} s with Redis hung"
    assert sorted(Email.objects.filter(pair=pair).values_list("state", flat=True)) == [EmailState.PENDING] * 2
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_a_request_writing_many_emails_while_redis_hangs_waits_for_one_timeout_not_one_per_email(
    redis, broker_tasks, mailoutbox, committee, cycle
):
    from members.models import committee_group

    from .factories import PairFactory, UserFactory

    for _ in range(5):
        UserFactory().groups.add(committee_group())
    pair = PairFactory(cycle=cycle)  # no liaison: the report goes to all six committee members
    with redis.hung():
        started = time.monotonic()
        year.pair_report_unresponsive(pair=pair, by=pair.mentee.member, note="No answer since October.")
        elapsed = time.monotonic() - started

    assert Email.objects.filter(kind="unresponsive", state=EmailState.PENDING).count() == 6
    assert elapsed < 5, f"the report took {elapsed:.1f} s with Redis hung"


# --- Sending: at most once, failures recorded, the committee's resend -----------------------


@pytest.mark.django_db
def test_send_task_run_twice_sends_the_email_once(mailoutbox, committee, mentor, mentee):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    to_mentor, to_mentee = intro(pair, EmailKind.INTRO_MENTOR), intro(pair, EmailKind.INTRO_MENTEE)

    assert send_email.apply(args=[to_mentor.pk]).get() == EmailState.SENT
    assert send_email.apply(args=[to_mentor.pk]).get() == EmailState.SENT
    assert outbox_services.email_send(email_id=to_mentee.pk) == EmailState.SENT
    assert outbox_services.email_send(email_id=to_mentee.pk) == EmailState.SENT

    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.member.email, mentee.member.email])
    to_mentor.refresh_from_db()
    to_mentee.refresh_from_db()
    assert (to_mentor.attempts, to_mentee.attempts) == (1, 1)


@pytest.mark.django_db
def test_failing_mail_server_leaves_the_email_failed_and_the_committee_resends_it_once(
    mailoutbox, mail_server, eager_tasks, django_capture_on_commit_callbacks, client_for, committee, mentor, mentee
):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    email = intro(pair, EmailKind.INTRO_MENTEE)
    mail_server.down = True

    outcomes = []
    for _ in range(settings.EMAIL_MAX_ATTEMPTS):
        try:
            outcomes.append(outbox_services.email_send(email_id=email.pk))
        except outbox_services.TransientEmailError:
            outcomes.append("retry")

    assert outcomes == ["retry"] * (settings.EMAIL_MAX_ATTEMPTS - 1) + [EmailState.FAILED]
    email.refresh_from_db()
    assert email.state == EmailState.FAILED
    assert email.attempts == settings.EMAIL_MAX_ATTEMPTS
    assert "Connection unexpectedly closed" in email.last_error
    assert mailoutbox == []

    committee_client = client_for(committee)
    outbox_page = committee_client.get(reverse("outbox:email-list")).content.decode()
    row = table_row(outbox_page, mentee.member.email)
    assert ">Failed</span>" in row
    assert "The mail server closed the connection before it took the email." in row
    assert "SMTPServerDisconnected" not in row  # Python's words are for site admins
    assert "Send again" in row

    mail_server.down = False
    with django_capture_on_commit_callbacks(execute=True):
        response = committee_client.post(reverse("outbox:email-resend", args=[email.pk]), follow=True)

    assert f"Sent “{email.subject}” to {mentee.member.email}." in response.content.decode()
    assert [m.to for m in mailoutbox] == [[mentee.member.email]]
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (EmailState.SENT, 1, "")


@pytest.mark.django_db
def test_committee_resending_a_sent_email_is_refused_and_sends_nothing(
    mailoutbox, eager_tasks, django_capture_on_commit_callbacks, client_for, committee, mentor, mentee
):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    email = intro(pair, EmailKind.INTRO_MENTOR)
    outbox_services.email_send(email_id=email.pk)
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(committee).post(reverse("outbox:email-resend", args=[email.pk]), follow=True)

    sent_at = timezone.localtime(Email.objects.get(pk=email.pk).sent_at)
    assert f"This email was sent on {sent_at:%B %-d, %Y at %H:%M}." in response.content.decode()
    assert callbacks == []
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (EmailState.SENT, 1)


# --- The sweep and what the committee sees ------------------------------------------------


@pytest.mark.django_db
def test_sweep_requeues_a_pending_email_older_than_the_threshold_and_not_a_fresh_one(
    mailoutbox, eager_tasks, committee, mentor, mentee
):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    stale, fresh = intro(pair, EmailKind.INTRO_MENTOR), intro(pair, EmailKind.INTRO_MENTEE)
    Email.objects.filter(pk=stale.pk).update(queued_at=long_ago())

    assert outbox_services.outbox_sweep() == 1

    assert [m.to for m in mailoutbox] == [[mentor.member.email]]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.state == EmailState.SENT
    assert (fresh.state, fresh.attempts) == (EmailState.PENDING, 0)
    assert outbox_services.outbox_sweep() == 0  # the fresh one waits for its own task


@pytest.mark.django_db
def test_sweep_with_a_zero_threshold_requeues_every_pending_email(mailoutbox, eager_tasks, committee, mentor, mentee):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)

    assert outbox_services.outbox_sweep(older_than=dt.timedelta(0)) == 2

    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.member.email, mentee.member.email])
    assert set(Email.objects.filter(pair=pair).values_list("state", flat=True)) == {EmailState.SENT}


@pytest.mark.django_db
def test_committee_sees_pending_and_failed_introductions_on_the_outbox_and_the_pair_page(
    client_for, committee, mentor, mentee
):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    Email.objects.filter(pk=intro(pair, EmailKind.INTRO_MENTEE).pk).update(
        state=EmailState.FAILED,
        attempts=settings.EMAIL_MAX_ATTEMPTS,
        last_error=f"SMTPRecipientsRefused: {{'{mentee.member.email}': (552, b'5.2.2 Mailbox full')}}",
    )
    committee_client = client_for(committee)

    outbox_page = committee_client.get(reverse("outbox:email-list")).content.decode()
    mentor_row = table_row(outbox_page, mentor.member.email)
    mentee_row = table_row(outbox_page, mentee.member.email)
    assert ">Pending</span>" in mentor_row
    assert ">Failed</span>" in mentee_row
    assert "The recipient&#x27;s mailbox is full." in mentee_row

    card = introductions_card(committee_client.get(reverse("pairs:pair-detail", args=[pair.pk])).content.decode())
    items = card.split("<li")[1:]
    [mentor_line] = [item for item in items if "Introduction to the mentor:" in item]
    [mentee_line] = [item for item in items if "Introduction to the mentee:" in item]
    assert ">Pending</span>" in mentor_line
    assert ">Failed</span>" in mentee_line
    assert "send again" in mentor_line
    assert "send again" in mentee_line
