"""The same roster confirmed in two tabs at the same moment: on PostgreSQL, with one
database connection per request, the file is imported once and neither tab gets an error."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from members.models import User
from members.views.roster import ROSTER_SESSION_KEY

pytestmark = pytest.mark.django_db(transaction=True)  # each request commits on its own connection

# Enough rows that both confirmations are at work at the same time, not one after the other.
ROWS = 400
ROSTER = "email,first_name,last_name,job_title\n" + "".join(
    f"tab{i}@example.org,Tess,Tabb {i},Library Assistant\n" for i in range(ROWS)
)


@pytest.fixture(autouse=True)
def postgresql():
    assert connection.vendor == "postgresql", "these tests need PostgreSQL's locks: run them with `make test`"


def tabs(committee, count: int) -> list[Client]:
    """`count` tabs of one browser: the same session, where the roster was previewed once."""
    first = Client(raise_request_exception=False)
    first.force_login(committee)
    file = SimpleUploadedFile("roster.csv", ROSTER.encode(), content_type="text/csv")
    assert "Check the import" in first.post(reverse("members:import"), {"file": file}).content.decode()
    others = []
    for _ in range(count - 1):
        tab = Client(raise_request_exception=False)
        tab.cookies = first.cookies
        others.append(tab)
    return [first, *others]


def all_at_once(calls) -> list:
    """Each call in its own thread (and database connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            outcomes[i] = call()
        except BaseException as e:
            outcomes[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a confirmation never finished (deadlock?)"
    return outcomes


def test_the_same_roster_confirmed_in_two_tabs_at_once_is_imported_once_and_both_tabs_say_what_happened(committee):
    clients = tabs(committee, 2)
    sha256 = clients[0].session[ROSTER_SESSION_KEY]["sha256"]

    responses = all_at_once(
        [lambda c=c: c.post(reverse("members:import-confirm"), {"sha256": sha256}) for c in clients]
    )

    assert [r.status_code for r in responses] == [302, 302], [getattr(r, "status_code", r) for r in responses]
    said = sorted(str(m) for r in responses for m in get_messages(r.wsgi_request))
    assert said[0].startswith(f"Imported roster.csv: {ROWS} new members, 0 updated, 0 unchanged."), said
    assert said[1].startswith("Nothing changed: every member in roster.csv is already here as the file says"), said
    assert User.objects.filter(email__startswith="tab").count() == ROWS
