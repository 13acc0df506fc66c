"""Faults, each made for real: a worker process killed in the middle of sending, a mail
server that refuses, PostgreSQL restarted while people use the site. Nothing is lost,
nothing is half-written, and the processes carry on.

The mail server here is a real SMTP server on a socket, whose answers each test scripts;
the workers and the web server are real processes on the test database.
"""

import contextlib
import datetime as dt
import email
import email.policy
import http.client
import os
import queue
import shlex
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arla_mentoring.celery import app
from members.models import Enrollment, EnrollmentStatus, Role
from outbox import services as outbox_services
from outbox.models import Email, EmailKind, EmailState
from outbox.tasks import send_email
from pairs.models import CheckIn, Pair
from pairs.services import pairing

from .factories import EnrollmentFactory, PairFactory, UserFactory
from .test_outbox import table_row, wait_for

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


# --- A real SMTP server whose answers the test scripts -----------------------------------------

ACCEPT = "accept"
BUSY_421 = "421 at the greeting"  # the server is overloaded: try later
GREYLIST_451 = "451 to the recipient"  # greylisting: try later
DATA_451 = "451 after the message"  # a local problem after receiving it all: try later
MAILBOX_550 = "550 to the recipient"  # permanent refusal
STALL = "stall after the message"  # has the whole message and never answers
ACCEPT_THEN_STALL = "accept, then stall at QUIT"  # accepted the message, then never answers


class _SmtpSession(socketserver.StreamRequestHandler):
    timeout = 60  # a stalled session ends by itself if nobody kills its client

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def read_message(self) -> bytes | None:
        """The message after DATA, up to the lone dot; None if the client vanished before it."""
        lines = []
        while line := self.rfile.readline():
            if line == b".\r\n":
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
        return None

    def hold_answer(self, recipients: list[str]) -> None:
        """Answer nothing until the client goes away."""
        self.server.smtp.stalled.set()
        if not self.rfile.readline():
            self.server.smtp.vanished.append(recipients)

    def handle(self) -> None:
        smtp: SmtpServer = self.server.smtp
        behaviour = smtp.next_behaviour()
        if behaviour == BUSY_421:
            self.reply("421 4.3.2 mail.test is busy, try again later")
            return
        self.reply("220 mail.test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 mail.test")
            elif verb == b"MAIL":
                recipients = []
                self.reply("250 2.1.0 OK")
            elif verb == b"RCPT" and behaviour == GREYLIST_451:
                self.reply("451 4.7.1 Greylisted, try again later")
            elif verb == b"RCPT" and behaviour == MAILBOX_550:
                self.reply("550 5.1.1 Mailbox unavailable")
            elif verb == b"RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip(" <>\r\n"))
                self.reply("250 2.1.5 OK")
            elif verb == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self.read_message()
                if data is None:
                    return
                if behaviour == DATA_451:
                    self.reply("451 4.3.0 Local error, try again later")
                elif behaviour == STALL:
                    # Never accepted, so when the client goes away a real server drops it too.
                    self.hold_answer(recipients)
                    return
                else:
                    smtp.received.append(email.message_from_bytes(data, policy=email.policy.default))
                    self.reply("250 2.0.0 Queued")
            elif verb == b"RSET":
                self.reply("250 2.0.0 OK")
            elif verb == b"QUIT" and behaviour == ACCEPT_THEN_STALL:
                self.hold_answer(recipients)
                return
            elif verb == b"QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognized")


class _ThreadedTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpServer:
    """An SMTP server on 127.0.0.1. Each connection gets the next behaviour of `plan`,
    then `default`. `received` holds the messages it accepted (answered 250 to)."""

    def __init__(self):
        self.plan: list[str] = []
        self.default = ACCEPT
        self.received: list[email.message.EmailMessage] = []
        self.vanished: list[list[str]] = []  # recipients of each session whose client vanished awaiting our answer
        self.connections = 0
        self.stalled = threading.Event()
        self.port = 0
        self._server: _ThreadedTCPServer | None = None
        self._lock = threading.Lock()

    def next_behaviour(self) -> str:
        with self._lock:
            self.connections += 1
            return self.plan.pop(0) if self.plan else self.default

    def start(self, port: int = 0) -> None:
        self._server = _ThreadedTCPServer(("127.0.0.1", port), _SmtpSession)
        self._server.smtp = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def recipients(self) -> list[str]:
        """Who received a message, once per copy."""
        return sorted(str(m["To"]) for m in self.received)


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_through(settings):
    """mail_through(port): this process sends email by SMTP to 127.0.0.1:port (the tests' default is locmem)."""

    def point_at(port: int) -> None:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }

    return point_at


@pytest.fixture
def eager_retries(eager_tasks):
    """Tasks run in process, and a task's retries run at once (a worker waits 1, 2, 4… minutes).
    Celery runs an eager task's retries only when it does not propagate eager exceptions."""
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Real worker and web processes on the test database ---------------------------------------


def child_database_url(**query: str) -> str:
    """DATABASE_URL for a child process: the same server, but pytest-django's test database."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"], query=urlencode(query)))


class Process:
    """A child process with its output in a log file; stopped (and waited for) by its pid."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path):
        self.name, self.log = name, log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(args, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def wait_until_logged(self, text: str, timeout: float = 30) -> None:
        assert wait_for(lambda: text in self.output() or not self.alive(), timeout=timeout)
        assert text in self.output(), f"{self.name} did not log {text!r}:\n{self.output()[-3000:]}"

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.contextmanager
def redis_client():
    """The raw Redis client of the Celery broker, to look at the queue and the unacknowledged tasks."""
    with app.connection_for_write() as conn:
        yield conn.default_channel.client


def broker_idle(parked: int = 0) -> bool:
    """No task waiting in the queue, and none taken but unacknowledged except `parked` ones."""
    with redis_client() as client:
        for _ in range(2):  # twice, 0.3 s apart: a task just taken may not be recorded as taken yet
            if client.llen("celery") or client.hlen("unacked") != parked:
                return False
            time.sleep(0.3)
    return True


def hand_out_again_tasks_of_dead_workers() -> None:
    """What the broker does to a task taken by a worker that never acknowledged it, once the
    visibility timeout (an hour) has passed: put it back in the queue. Here without the hour."""
    with app.connection_for_write(transport_options={"visibility_timeout": 0}) as conn:
        conn.default_channel.qos.restore_visible(num=100)


@pytest.fixture
def worker_processes(transactional_db, broker_tasks, tmp_path):
    """start(smtp_port, pool=...) runs `celery worker` as a child process on the test database and
    the test Redis, sending mail to 127.0.0.1:smtp_port. Every worker is stopped afterwards, and
    what the test left in the broker is removed (later tests' workers share it)."""
    assert django_settings.REDIS_URL, "make test provides Redis; run under scripts/with-services.sh"
    app.control.purge()
    started: list[Process] = []

    def start(smtp_port: int, *, pool: str = "solo", **more_env: str) -> Process:
        name = f"faults-{len(started) + 1}"
        env = {
            **os.environ,
            "DATABASE_URL": child_database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "30",  # longer than any stall here: the worker is killed, never timed out
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
            **more_env,
        }
        args = [
            str(VENV_BIN / "celery"),
            "-A",
            "arla_mentoring",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            f"--hostname={name}@127.0.0.1",
            "--loglevel=INFO",
        ]
        worker = Process(name, args, env, tmp_path / f"{name}.log")
        started.append(worker)
        worker.wait_until_logged(" ready.")
        return worker

    yield start
    for worker in started:
        worker.stop()
    app.control.purge()
    with redis_client() as client:
        client.delete("unacked", "unacked_index")


def row_lock_released(email_id: int) -> bool:
    """True once nobody holds the row lock that `email_send` takes while sending."""
    with transaction.atomic():
        return Email.objects.select_for_update(skip_locked=True).filter(pk=email_id).exists()


# --- 1. The worker killed mid-send ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("stall", "copies"),
    [(STALL, 1), (ACCEPT_THEN_STALL, 2)],
    ids=["before-the-mail-server-accepted", "after-the-mail-server-accepted"],
)
def test_worker_killed_mid_send_leaves_the_email_pending_and_the_next_worker_delivers_it(
    stall, copies, worker_processes, smtp_server, committee, mentor, mentee
):
    """A worker process killed with SIGKILL in the middle of sending an introduction: the
    row's transaction dies with the worker's database connection, so the email is still
    pending, the attempt not counted, nothing marked sent. Its task waits in the broker as
    taken-but-unacknowledged (acks_late). The outbox sweep re-queues the row for the next
    worker, which sends it; when the broker hands the dead worker's task out again (after
    its visibility timeout, an hour), the row is sent already and nothing more goes out.

    The honest limit, at-least-once delivery: killed after the mail server accepted the
    message (answered 250) but before the row's commit, the row is still pending and the
    email goes out a second time. It is never lost.
    """
    smtp_server.plan = [stall]
    first = worker_processes(smtp_server.port)
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    assert smtp_server.stalled.wait(20), f"the worker never reached the mail server:\n{first.output()[-3000:]}"

    first.kill()

    assert wait_for(lambda: len(smtp_server.vanished) == 1, timeout=10), "the mail server did not see the worker go"
    [[stalled_to]] = smtp_server.vanished
    stalled = Email.objects.get(pair=pair, to=stalled_to)
    assert wait_for(lambda: row_lock_released(stalled.pk), timeout=10), "the dead worker's row lock was not released"
    rows = Email.objects.filter(pair=pair)
    assert (
        sorted(rows.values_list("state", "attempts", "sent_at", "last_error"))
        == [(EmailState.PENDING, 0, None, "")] * 2
    )
    assert smtp_server.recipients() == [stalled_to] * (copies - 1)
    with redis_client() as client:
        parked = client.hlen("unacked")
    assert parked >= 1, "the dead worker's task should wait in the broker, taken but not acknowledged"

    # The sweep (every five minutes, for rows pending longer than OUTBOX_SWEEP_AFTER_SECONDS) re-queues both.
    assert outbox_services.outbox_sweep(older_than=dt.timedelta(0)) == 2
    second = worker_processes(smtp_server.port)
    assert wait_for(lambda: rows.filter(state=EmailState.SENT).count() == 2), second.output()[-3000:]
    assert wait_for(lambda: broker_idle(parked)), "the second worker did not finish the queued sends"
    hand_out_again_tasks_of_dead_workers()
    assert wait_for(broker_idle), "the dead worker's task was not handed out again and run"

    [other_to] = {mentor.member.email, mentee.member.email} - {stalled_to}
    assert smtp_server.recipients() == sorted([stalled_to] * copies + [other_to])
    delivered = next(m for m in smtp_server.received if m["To"] == stalled_to)
    assert delivered["Subject"] == stalled.subject
    assert pair.get_absolute_url() in delivered.get_body(("plain",)).get_content()
    assert sorted(rows.values_list("state", "attempts")) == [(EmailState.SENT, 1)] * 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_child_killed_mid_send_has_its_task_run_again_at_once_without_the_sweep(
    worker_processes, smtp_server, committee, mentor, mentee
):
    """With the prefork pool, the OOM killer (or an operator) killing the child process that
    runs the task leaves the worker's main process alive: with acks_late and
    reject_on_worker_lost it puts the task back in the queue at once, and a new child sends
    the email — no sweep needed."""
    smtp_server.plan = [STALL]
    worker = worker_processes(smtp_server.port, pool="prefork")
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    assert smtp_server.stalled.wait(20), f"the worker never reached the mail server:\n{worker.output()[-3000:]}"

    [child] = worker.children()
    os.kill(child, signal.SIGKILL)

    rows = Email.objects.filter(pair=pair)
    assert wait_for(lambda: rows.filter(state=EmailState.SENT).count() == 2), worker.output()[-3000:]
    assert wait_for(broker_idle), "the worker did not finish the sends"
    assert worker.alive()
    assert "WorkerLostError" in worker.output()
    assert len(smtp_server.vanished) == 1
    assert smtp_server.recipients() == sorted([mentor.member.email, mentee.member.email])
    assert sorted(rows.values_list("state", "attempts")) == [(EmailState.SENT, 1)] * 2


# --- 2. The mail server refusing --------------------------------------------------------------


@pytest.mark.django_db
def test_mail_server_refusing_for_a_while_delays_the_introduction_and_it_is_sent_once(
    smtp_server, mail_through, eager_retries, committee, mentor, mentee
):
    """Busy, greylisting, a local error after the whole message: each answer says "later",
    so the task retries (here at once; a worker waits 1, 2, 4… minutes) and the fourth
    attempt delivers the email, once."""
    mail_through(smtp_server.port)
    smtp_server.plan = [BUSY_421, GREYLIST_451, DATA_451]
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    email_to_mentee = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTEE)

    assert send_email.apply(args=[email_to_mentee.pk]).get() == EmailState.SENT

    assert smtp_server.connections == 4
    assert smtp_server.recipients() == [mentee.member.email]
    assert smtp_server.received[0]["Subject"] == email_to_mentee.subject
    email_to_mentee.refresh_from_db()
    assert (email_to_mentee.state, email_to_mentee.attempts, email_to_mentee.last_error) == (EmailState.SENT, 4, "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("refusal", "error_shown", "attempts"),
    [
        # A permanent refusal fails at the first attempt: retrying cannot help. The committee
        # reads whose problem it is in plain words, never Python's.
        (MAILBOX_550, "The recipient&#x27;s mail server says this mailbox does not exist: check the address.", 1),
        (
            "connection refused",
            "Our mail server cannot be reached: it refused the connection (is it running? is EMAIL_URL right?).",
            None,
        ),
    ],
    ids=["550-mailbox-unavailable", "connection-refused"],
)
def test_mail_server_refusing_every_attempt_fails_the_email_visibly_and_the_committee_resend_delivers_it_once(
    refusal,
    error_shown,
    attempts,
    mail_through,
    eager_retries,
    django_capture_on_commit_callbacks,
    client_for,
    committee,
    mentor,
    mentee,
):
    smtp_server = SmtpServer()
    if refusal == "connection refused":
        smtp_server.port = free_port()  # nothing listens there yet
    else:
        smtp_server.default = refusal
        smtp_server.start()
    mail_through(smtp_server.port)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)

        emails = Email.objects.filter(pair=pair)
        assert (
            sorted(emails.values_list("state", "attempts"))
            == [(EmailState.FAILED, attempts or django_settings.EMAIL_MAX_ATTEMPTS)] * 2
        )
        assert smtp_server.received == []
        committee_client = client_for(committee)
        outbox_page = committee_client.get(reverse("outbox:email-list")).content.decode()
        row = table_row(outbox_page, mentee.member.email)
        assert ">Failed</span>" in row
        assert error_shown in row
        assert "Error" not in row and "b&#x27;" not in row
        assert "Send again" in row

        # The server is fixed (or the mailbox restored): the committee presses "Send again".
        smtp_server.stop()
        smtp_server.default = ACCEPT
        smtp_server.start(smtp_server.port)
        email_to_mentee = emails.get(kind=EmailKind.INTRO_MENTEE)
        with django_capture_on_commit_callbacks(execute=True):
            committee_client.post(reverse("outbox:email-resend", args=[email_to_mentee.pk]))
    finally:
        smtp_server.stop()

    assert smtp_server.recipients() == [mentee.member.email]
    email_to_mentee.refresh_from_db()
    assert (email_to_mentee.state, email_to_mentee.attempts, email_to_mentee.last_error) == (EmailState.SENT, 1, "")
    assert emails.get(kind=EmailKind.INTRO_MENTOR).state == EmailState.FAILED  # not resent: nobody asked


# --- 3. PostgreSQL restarted under load -------------------------------------------------------


class Postgres:
    """The throwaway PostgreSQL that `scripts/with-services.sh` started: restart, stop, start it."""

    def __init__(self):
        data, bindir = os.environ.get("TEST_PG_DATA"), os.environ.get("TEST_PG_BIN")
        if not (data and bindir):
            pytest.fail(
                "TEST_PG_DATA and TEST_PG_BIN are not set: run this test under scripts/with-services.sh "
                "(`make test` does), which starts a throwaway PostgreSQL that the test may restart."
            )
        self.data, self.bin = Path(data), Path(bindir)

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, cwd=self.data, timeout=60, capture_output=True, text=True)

    def control(self, *args: str) -> None:
        done = self.pg_ctl(*args, "-w", "-t", "60")
        assert done.returncode == 0, f"pg_ctl {args[0]} failed: {done.stdout}{done.stderr}"

    def restart(self) -> None:
        """Stop (ending every session) and start again; pg_ctl reuses the options of the last start."""
        self.control("restart", "-m", "fast", "-l", str(self.data / "server.log"))

    def stop(self) -> None:
        self.control("stop", "-m", "fast")

    def start(self) -> None:
        # Unlike restart, start needs the options again (port, address…): those of the last start.
        words = shlex.split((self.data / "postmaster.opts").read_text())[1:]  # without the postgres binary
        del words[words.index("-D") : words.index("-D") + 2]
        self.control("start", "-l", str(self.data / "server.log"), "-o", shlex.join(words))

    def running(self) -> bool:
        return self.pg_ctl("status").returncode == 0


@pytest.fixture
def postgres(transactional_db):
    """PostgreSQL, which the test may restart or stop; running again afterwards whatever happens."""
    server = Postgres()
    assert server.running(), "PostgreSQL is not running before the test"
    try:
        yield server
    finally:
        if not server.running():
            server.start()
        # This process's own connection died with the old server: pytest-django flushes the
        # database after the test, and later tests use the connection, so open a fresh one.
        connection.close()


WEB_APP_NAME = "arla-faults-web"


@dataclass
class Answer:
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    location: str
    body: str = field(repr=False)


class Browser:
    """One person's browser: their session cookie and a CSRF token, one HTTP connection per request."""

    def __init__(self, port: int, user=None):
        self.port = port
        self.csrf = os.urandom(16).hex()  # 32 characters: a CSRF secret Django accepts in cookie and header
        self.cookies = {"csrftoken": self.csrf}
        if user is not None:
            client = Client()
            client.force_login(user)  # the session row is committed (transactional test): the server reads it
            self.cookies["sessionid"] = client.cookies["sessionid"].value

    def request(self, method: str, path: str, data: dict | None = None) -> Answer:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "X-CSRFToken": self.csrf}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            return Answer(response.status, response.getheader("Location", ""), response.read().decode(errors="replace"))
        except OSError as e:
            return Answer(None, "", repr(e))
        finally:
            conn.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Answer:
        return self.request("POST", path, data)


@dataclass
class WebServer:
    port: int
    process: Process

    def workers(self) -> list[int]:
        return self.process.children()


@pytest.fixture
def web_server(transactional_db, tmp_path):
    """gunicorn (one worker process, four threads, as in production) on the test database, keeping
    its database connections between requests (CONN_MAX_AGE): a restart leaves them stale, and
    only the health check on reuse (CONN_HEALTH_CHECKS) keeps a stale one from failing a request."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(application_name=WEB_APP_NAME),
        "CONN_MAX_AGE": "600",
        "DEBUG": "true",  # plain HTTP and static files without collectstatic; the database code is the same
        "PYTHONUNBUFFERED": "1",
    }
    args = [
        str(VENV_BIN / "gunicorn"),
        "arla_mentoring.wsgi",
        f"--bind=127.0.0.1:{port}",
        "--workers=1",
        "--worker-class=gthread",
        "--threads=4",
        "--graceful-timeout=5",
    ]
    process = Process("gunicorn", args, env, tmp_path / "gunicorn.log")
    server = WebServer(port, process)
    assert wait_for(lambda: Browser(port).get("/health/").status == 200, timeout=30), process.output()[-3000:]
    yield server
    process.stop()
    app.control.purge()  # the pairs made here queued introductions that no worker of this test sends


def web_sessions() -> int:
    """How many database sessions the web server holds open right now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [WEB_APP_NAME])
        return cursor.fetchone()[0]


@dataclass
class Call:
    what: str
    key: str
    started: float
    ended: float
    answer: Answer
    ok: bool


def keep_calling(stop: threading.Event, calls: list[Call], steps) -> None:
    """Run `steps` (what, key, call, is_ok) in a loop until `stop`, recording every call."""
    while not stop.is_set():
        for what, key, call, is_ok in steps():
            started = time.monotonic()
            answer = call()
            calls.append(
                Call(what, key, started, time.monotonic(), answer, answer.status is not None and is_ok(answer))
            )
        time.sleep(0.01)


def committee_steps(browser: Browser, to_pair: queue.Queue):
    """The committee pairs the next waiting mentee (while there is one) and looks at the outbox."""
    try:
        mentee_id, mentor_id = to_pair.get_nowait()
    except queue.Empty:
        pass
    else:
        data = {"mentee": mentee_id, "mentor": mentor_id, "liaison": "", "length_months": 10}
        yield (
            "pair",
            str(mentee_id),
            lambda: browser.post(reverse("matching:pair-create"), data),
            lambda a: a.status == 302 and a.location.startswith("/pairs/"),
        )
    yield "outbox page", "", lambda: browser.get(reverse("outbox:email-list")), lambda a: a.status == 200


def member_steps(browser: Browser, pair: Pair, name: str):
    """A member logs a check-in with their pair, and reads the pair's page."""
    counter = 0

    def steps():
        nonlocal counter
        counter += 1
        topic = f"{name} check-in #{counter}"
        data = {"met_on": timezone.localdate().isoformat(), "mode": "video", "minutes": 30, "topics": topic}
        pair_url = reverse("pairs:pair-detail", args=[pair.pk])
        yield (
            "check-in",
            topic,
            lambda: browser.post(reverse("pairs:checkin-create", args=[pair.pk]), data),
            lambda a: a.status == 302 and a.location == pair_url,
        )
        yield "pair page", "", lambda: browser.get(pair_url), lambda a: a.status == 200

    return steps


@pytest.mark.django_db(transaction=True)
def test_postgresql_restarted_under_load_fails_only_requests_in_flight_and_loses_no_answered_write(
    postgres, web_server, committee, cycle
):
    """Two committee members pairing and reading the outbox, two mentees logging check-ins
    and reading their pair's page, without pause, through gunicorn; PostgreSQL restarts
    (fast shutdown: every session cut, transactions in flight rolled back).

    A request caught in the restart fails with a server error; every other request, and
    every request after the restart, succeeds; the web process lives on; every write the
    site confirmed is there; no pair is half-made."""
    mentors = [
        EnrollmentFactory(member=UserFactory(seasoned=True), cycle=cycle, role=Role.MENTOR, capacity=5)
        for _ in range(12)
    ]
    mentees = [EnrollmentFactory(cycle=cycle, role=Role.MENTEE) for _ in range(5 * len(mentors))]
    # Half the pairings for before the restart, half for after: pairing goes on across it, however fast.
    pairings = [(m.pk, mentors[i % len(mentors)].pk) for i, m in enumerate(mentees)]
    to_pair = queue.Queue()
    for mentee_and_mentor in pairings[: len(pairings) // 2]:
        to_pair.put(mentee_and_mentor)
    running_pairs = [PairFactory(cycle=cycle) for _ in range(2)]
    port = web_server.port
    committee_browser = Browser(port, committee)
    member_browsers = [(Browser(port, p.mentee.member), p) for p in running_pairs]

    for _ in range(4):
        assert committee_browser.get(reverse("outbox:email-list")).status == 200
    assert web_sessions() >= 1, "the web server should keep its database connection between requests"
    web_workers = web_server.workers()

    stop, calls = threading.Event(), []
    loops = [lambda: committee_steps(committee_browser, to_pair)] * 2
    loops += [member_steps(browser, p, f"mentee of pair {p.pk}") for browser, p in member_browsers]
    threads = [threading.Thread(target=keep_calling, args=(stop, calls, steps)) for steps in loops]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        went_down = time.monotonic()
        postgres.restart()
        came_back = time.monotonic()
        for pairing in pairings[len(pairings) // 2 :]:
            to_pair.put(pairing)
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    connection.close()  # this process's connection died with the old server

    # The web server answered every request, with the same worker process as before.
    assert [c for c in calls if c.answer.status is None] == []
    assert web_server.process.alive()
    assert web_server.workers() == web_workers
    # Only a request in flight while the database was away may fail, and then with a server error.
    failed = [c for c in calls if not c.ok]
    assert [(c.what, c.answer.status) for c in failed if c.ended < went_down or c.started > came_back] == []
    assert {c.answer.status for c in failed} <= {500, 503}
    # Every request made after the restart succeeds: no stale connection is ever used.
    after = [c for c in calls if c.started > came_back]
    assert len(after) >= 20, f"only {len(after)} requests after the restart"
    assert {c.what for c in after} == {"pair", "outbox page", "check-in", "pair page"}
    assert all(c.ok for c in after)

    # Every write that was answered with a success is in the database.
    paired = {c.key: c.answer.location for c in calls if c.what == "pair" and c.ok}
    for mentee_id, location in paired.items():
        pair = Pair.objects.get(mentee_id=mentee_id)
        assert location == pair.get_absolute_url()
    logged = [c.key for c in calls if c.what == "check-in" and c.ok]
    assert sorted(CheckIn.objects.filter(topics__in=logged).values_list("topics", flat=True)) == sorted(logged)
    # Nothing half-written: each pair made has its two introductions, its two sides are
    # paired, and everyone else still waits.
    made = list(Pair.objects.filter(mentee__in=mentees))
    for pair in made:
        kinds = sorted(Email.objects.filter(pair=pair).values_list("kind", flat=True))
        assert kinds == [EmailKind.INTRO_MENTEE, EmailKind.INTRO_MENTOR], f"pair {pair.pk} has emails {kinds}"
    in_pairs = {p.mentee_id for p in made} | {p.mentor_id for p in made}
    statuses = dict(Enrollment.objects.filter(pk__in=[e.pk for e in mentees + mentors]).values_list("pk", "status"))
    assert statuses == {pk: EnrollmentStatus.PAIRED if pk in in_pairs else EnrollmentStatus.WAITING for pk in statuses}

    print(
        f"\n{len(calls)} requests, {len(failed)} failed while PostgreSQL restarted "
        f"({came_back - went_down:.2f} s), {len(after)} after it; {len(paired)} pairs and {len(logged)} check-ins"
    )


@pytest.mark.django_db(transaction=True)
def test_connections_left_stale_by_a_restart_are_replaced_and_health_answers_503_while_postgresql_is_down(
    postgres, web_server, committee
):
    """A restart while the site is idle leaves the web server's kept connections dead without
    any request noticing: the first request after it checks its connection before use
    (CONN_HEALTH_CHECKS) and opens a new one, instead of failing on the dead one."""
    visitor, committee_browser = Browser(web_server.port), Browser(web_server.port, committee)
    assert committee_browser.get(reverse("outbox:email-list")).status == 200
    assert web_sessions() >= 1, "the web server should keep its database connection between requests"

    postgres.restart()
    connection.close()  # this process's connection died with the old server

    assert committee_browser.get(reverse("outbox:email-list")).status == 200
    assert visitor.get("/health/").status == 200

    postgres.stop()
    down = visitor.get("/health/")
    page = committee_browser.get(reverse("outbox:email-list"))
    postgres.start()
    back = visitor.get("/health/")

    assert (down.status, back.status) == (503, 200)
    assert '"database": "error"' in down.body
    assert '"database": "ok"' in back.body
    assert page.status == 500
    assert committee_browser.get(reverse("outbox:email-list")).status == 200
    assert web_server.process.alive()


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_sending_after_postgresql_restarts(
    postgres, worker_processes, smtp_server, committee, mentor, mentee, cycle
):
    """A restart between two tasks costs a worker nothing: Celery closes the worker's database
    connection around every task, whatever CONN_MAX_AGE says, so the next task opens a new one.
    (A restart in the middle of a send is the killed worker's case: the row stays pending.)"""
    worker = worker_processes(smtp_server.port, CONN_MAX_AGE="60")  # as in production
    pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    assert wait_for(lambda: len(smtp_server.received) == 2), worker.output()[-3000:]

    postgres.restart()
    connection.close()  # this process's connection died with the old server

    second_mentee = EnrollmentFactory(cycle=cycle, role=Role.MENTEE)
    pair = pairing.pair_create(mentee_id=second_mentee.pk, mentor_id=mentor.pk, by=committee)
    rows = Email.objects.filter(pair=pair)
    assert wait_for(lambda: rows.filter(state=EmailState.SENT).count() == 2), worker.output()[-3000:]
    assert sorted(rows.values_list("attempts", "last_error")) == [(1, "")] * 2
    assert len(smtp_server.received) == 4
    assert worker.alive()
