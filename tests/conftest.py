import contextlib
import copy
import gc
import os
from importlib import import_module
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from members.models import Role, committee_group

from .factories import CycleFactory, EnrollmentFactory, UserFactory

# The slow lane (`make test` runs it, `make test-fast` leaves it out): real browsers, real
# faults (servers stopped and killed, workers, threads committing on their own connections)
# and load-like runs: the fuzzing of every form (test_fuzz.py) and the sweeps of hostile
# values over every address (test_hostile_queries.py's, and test_admin_security.py's over the
# admin's date drill-downs and every admin list's dates, marked there), the sweep of every
# page under the LLAMA preset (test_presets.py) and the roster file of 10,000 rows
# (test_import.py). A test is slow by what it does, so new ones join by themselves.
SLOW_FILES = {"test_faults.py", "test_fuzz.py", "test_redis_down.py"}


def pytest_collection_finish(session):
    """Django, the apps and the ~3,000 collected tests live as long as the process: moved out
    of the garbage collector's sight, each collection looks only at what the tests make
    (its time in test_authorization, test_pair_year and test_matching: 1.4 s → 1.05 s)."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config, items):
    for item in items:
        db = item.get_closest_marker("django_db")
        transactional = bool(db and db.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(
            item.fixturenames
        )
        if transactional or item.path.parent.name == "browser" or item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)


# Playwright drives the browser from the test thread while live_server serves from
# another; Django's async-safety check would refuse the ORM calls the tests make.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Under `scripts/with-services.sh --template-cache` (make test, make test-fast) the test
    databases are copies of one with every migration applied (TEST_DB_TEMPLATE): Django then
    finds nothing to migrate, where each test process ran the ~100 migrations itself."""
    template = os.environ.get("TEST_DB_TEMPLATE")
    if template and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = template


def _redis_database_of_this_worker(url: str, worker: str) -> str:
    """`make test-fast` runs the tests in several processes (pytest-xdist: gw0, gw1…). Each
    empties the cache before every test (FLUSHDB) and may queue Celery tasks: on one Redis
    database they would empty each other's rate-limit counts and program version mid-test.
    So worker gwN uses the database N+1 after the URL's, on the same server (pytest-django
    gives it its own PostgreSQL database the same way); a run without workers keeps the URL's."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise pytest.UsageError(f"Several test processes need REDIS_URL as redis://host:port/db, not {url}.")
    database = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw")) + 1
    if database > 15:
        raise pytest.UsageError(f"Redis has databases 0–15: test process {worker} would need database {database}.")
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(autouse=True, scope="session")
def _own_redis_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not (worker and settings.REDIS_URL):
        yield
        return
    from arla_mentoring.celery import app

    url = _redis_database_of_this_worker(settings.REDIS_URL, worker)
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = url
    broker_before = app.conf.broker_url
    # Celery has read its settings already (the `settings` fixture cannot change them): set its own.
    app.conf.broker_url = url
    with override_settings(REDIS_URL=url, CACHES=caches, CELERY_BROKER_URL=url):
        yield
    app.conf.broker_url = broker_before


@pytest.fixture
def cycle(db):
    """The cycle open for opt-ins today."""
    return CycleFactory()


@pytest.fixture
def member(db):
    """A current member (library staff) with a complete profile."""
    return UserFactory(first_name="Mina", last_name="Member")


@pytest.fixture
def seasoned_member(db):
    """A current member who may mentor: a librarian with 15 years of experience."""
    return UserFactory(seasoned=True, first_name="Sam", last_name="Senior")


@pytest.fixture
def new_account(db):
    """Signed up and verified, but has not filled in the membership form."""
    return UserFactory(new_account=True, first_name="Nia", last_name="Newcomer")


@pytest.fixture
def stranger(db):
    """Another current member, with no business in the first member's data."""
    return UserFactory(first_name="Stan", last_name="Stranger")


@pytest.fixture
def committee(db):
    user = UserFactory(seasoned=True, first_name="Carol", last_name="Committee", is_staff=True)
    user.groups.add(committee_group())
    return user


@pytest.fixture
def site_admin(db):
    return UserFactory(first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)


# The tests' one vocabulary. People are users: `member` (Mina, may be a mentee),
# `seasoned_member` (Sam, may mentor), `new_account`, `stranger`, `committee`, `site_admin`;
# a file that needs a person in a role says so (`mentee_member`, `mentor_member`). Opt-ins
# are `mentee` and `mentor`: Mina's and Sam's in the open `cycle`. A file that needs more of
# an opt-in (a phone number, room for three) refines the same fixture under the same name.


@pytest.fixture
def mentee(member, cycle):
    """Mina's opt-in as a mentee of the open cycle, waiting for a mentor."""
    return EnrollmentFactory(member=member, cycle=cycle, role=Role.MENTEE)


@pytest.fixture
def mentor(seasoned_member, cycle):
    """Sam's opt-in as a mentor of the open cycle, with room for two mentees."""
    return EnrollmentFactory(member=seasoned_member, cycle=cycle, role=Role.MENTOR, capacity=2)


@pytest.fixture
def page_queries(django_assert_num_queries, django_assert_max_num_queries):
    """page_queries(client, url) → the queries of one GET of the page (which must answer 200),
    counted by pytest-django; `most=n` fails above n, `exactly=n` fails at any other count
    (a page read again with more rows), each failure listing the queries."""

    def count(client, url: str, *, most: int | None = None, exactly: int | None = None) -> int:
        if exactly is not None:
            check = django_assert_num_queries(exactly)
        else:
            check = django_assert_max_num_queries(most) if most is not None else contextlib.nullcontext()
        with CaptureQueriesContext(connection) as captured, check:
            response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        return len(captured)

    return count


def login(user) -> Client:
    """A test client signed in as `user`: the session django.contrib.auth.login() would leave,
    written at once (a query for a free key, an insert). Client.force_login() goes through the
    whole sign-in (a session written, its key cycled, written again, last_login updated): 15
    queries and 3.5 ms of this process's CPU against 0.8 ms, for every signed-in test. Signing
    in itself is tested as a member does it, through the form (tests/test_auth_security.py,
    tests/test_signup.py)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@pytest.fixture
def client_for():
    """client_for(user) is a test client logged in as that user (None: a visitor)."""
    return lambda user: login(user) if user else Client()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: allauth's rate limits count in it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _program_settings_held(request, _fresh_cache):
    """Each test starts holding the program's settings as a running process holds them
    (members.program): reading them then costs a page no query, whichever test ran before.
    A test's database starts without a settings row (tests/test_program_settings.py checks
    it), so what a process would read is the preset's defaults: held without reading the row,
    which was two of a test's four milliseconds of set-up."""
    from members import program

    program.forget()
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_db:
        program.hold(program.preset_defaults())
    yield
    program.forget()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # Production's PBKDF2 takes ~0.5 s a password: far too slow for hundreds of users. For the
    # whole session, not per test: the worlds built once per module (test_authorization's) come
    # before any test's fixtures, and hashed their eleven passwords with PBKDF2 (~6 s each world).
    # A test that needs production's hashing asks for it (test_auth_security's `production_hashing`).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _broker_assumed_up():
    """Each test starts without the memory of a broker outage from an earlier test."""
    import outbox.services.sending

    outbox.services.sending._broker_down_since = None
    yield
    outbox.services.sending._broker_down_since = None


@contextlib.contextmanager
def _celery_eager(eager: bool):
    # Celery reads CELERY_TASK_ALWAYS_EAGER once: the `settings` fixture cannot change it.
    from arla_mentoring.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@pytest.fixture
def eager_tasks():
    """Celery tasks run in process, as without Redis: queued emails land in mailoutbox."""
    with _celery_eager(True):
        yield


@pytest.fixture
def sending(django_capture_on_commit_callbacks, eager_tasks, mailoutbox):
    """`with sending():` around a request sends what it wrote through the outbox, into
    mailoutbox: the after-commit doorbells ring (never inside a test's transaction
    otherwise) and Celery runs them in process. On live_server (real commits) `eager_tasks`
    is enough."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def broker_tasks():
    """Celery tasks go through the real Redis broker (for tests with a real worker)."""
    with _celery_eager(False):
        yield
