"""django-allauth's account emails (address confirmation, password reset, "you already
have an account", "no account with this address") are outbox rows like every other
email: written in the request, sent by Celery after commit, swept when the doorbell was
lost. They carry secrets, so nobody but a site admin reads their body, and it is erased
once sent."""

import re

import pytest
from django.urls import reverse

from outbox.models import Email, EmailKind, EmailState
from outbox.services import email_send

from .test_signup import SIGNUP

pytestmark = pytest.mark.django_db

NEWCOMER = SIGNUP["email"].lower()
RESET_PATH = re.compile(r"/accounts/password/reset/key/([^/\s]+)/")


def account_emails(**filters):
    return Email.objects.filter(kind=EmailKind.ACCOUNT, **filters).order_by("created_at")


def reset_request(client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email})


# --- Through the outbox ---------------------------------------------------------------------


def test_signup_writes_the_confirmation_as_an_outbox_row_and_the_outbox_sends_it(client, sending, mailoutbox):
    with sending():
        response = client.post(reverse("account_signup"), SIGNUP)

    assert response["Location"] == reverse("account_email_verification_sent")
    [row] = account_emails()
    assert (row.to, row.recipient.email, row.state, row.attempts) == (NEWCOMER, NEWCOMER, EmailState.SENT, 1)
    [message] = mailoutbox
    assert message.to == [NEWCOMER]
    assert message.subject == row.subject
    assert message.subject.startswith("[ArLA Mentoring] ")
    assert "/accounts/confirm-email/" in message.body


def test_without_the_outbox_sending_an_account_email_stays_pending_and_nothing_is_mailed(client, member, mailoutbox):
    response = reset_request(client, member.email)

    assert response["Location"] == reverse("account_reset_password_done")
    [row] = account_emails()
    assert (row.to, row.recipient, row.state) == (member.email, member, EmailState.PENDING)
    assert RESET_PATH.search(row.body_text)
    assert mailoutbox == []


def test_each_password_reset_request_is_its_own_email(client, member, sending, mailoutbox):
    for _ in range(2):
        with sending():
            reset_request(client, member.email)

    rows = list(account_emails())
    assert len(rows) == 2 and rows[0].key != rows[1].key
    assert [m.to for m in mailoutbox] == [[member.email], [member.email]]
    assert all(RESET_PATH.search(m.body) for m in mailoutbox)


def test_an_account_email_to_an_address_of_no_account_names_no_recipient(client, sending, mailoutbox):
    with sending():
        reset_request(client, "nobody@example.org")

    [row] = account_emails()
    assert (row.to, row.recipient, row.state) == ("nobody@example.org", None, EmailState.SENT)
    assert [m.to for m in mailoutbox] == [["nobody@example.org"]]


def test_signing_up_with_a_taken_address_tells_its_account_through_the_outbox(client, member, sending, mailoutbox):
    with sending():
        client.post(reverse("account_signup"), {**SIGNUP, "email": member.email})

    [row] = account_emails()
    assert (row.to, row.recipient) == (member.email, member)
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert "already" in mailoutbox[0].body.lower()


# --- Their body: a secret until sent, then erased; the committee never reads it ---------------


@pytest.fixture
def reset_email(client, member):
    """A member asked for a password reset: the pending row, and the key its link carries."""
    reset_request(client, member.email)
    row = account_emails().get()
    return row, RESET_PATH.search(row.body_text).group(1)


def test_a_sent_account_email_keeps_its_kind_recipient_subject_state_and_dates_but_not_its_body(
    member, reset_email, eager_tasks, mailoutbox
):
    row, key = reset_email

    assert email_send(email_id=row.pk) == EmailState.SENT

    [message] = mailoutbox
    assert key in message.body  # the member got the link
    row.refresh_from_db()
    assert (row.kind, row.to, row.recipient, row.state, row.attempts) == (
        EmailKind.ACCOUNT,
        member.email,
        member,
        EmailState.SENT,
        1,
    )
    assert row.subject == message.subject and row.created_at and row.sent_at
    assert key not in row.body_text + row.body_html
    assert "/accounts/password/reset/key/" not in row.body_text + row.body_html
