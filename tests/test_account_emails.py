"""django-allauth's account emails (address confirmation, password reset, "you already
have an account", "no account with this address") are outbox rows like every other
email: written in the request, sent by Celery after commit, swept when the doorbell was
lost. They carry secrets, so nobody but a site admin reads their body, and it is erased
once sent."""

import contextlib
import datetime as dt
import re
import smtplib

import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from outbox.models import Email, EmailKind, EmailState
from outbox.services import TransientEmailError, email_send, outbox_sweep

from .test_signup import SIGNUP

pytestmark = pytest.mark.django_db

NEWCOMER = SIGNUP["email"].lower()
RESET_PATH = re.compile(r"/accounts/password/reset/key/([^/\s]+)/")


def account_emails():
    return Email.objects.filter(kind=EmailKind.ACCOUNT).order_by("created_at")


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


def committee_pages(row) -> list[str]:
    """Every page where the committee reads outbox rows, and the admin's ways to look for one."""
    outbox = reverse("outbox:email-list")
    admin_list = reverse("admin:outbox_email_changelist")
    return [
        outbox,
        *(f"{outbox}?state={state}" for state in EmailState.values),
        admin_list,
        f"{admin_list}?kind__exact={EmailKind.ACCOUNT}",
        f"{admin_list}?q={row.to}",
        f"{admin_list}?q=Password",
        reverse("admin:outbox_email_change", args=[row.pk]),
        reverse("admin:outbox_email_history", args=[row.pk]),
    ]


def assert_committee_cannot_read_the_link(client, row, key: str) -> None:
    for url in committee_pages(row):
        page = client.get(url)
        assert page.status_code == 200, url
        assert key not in page.text, url
        assert "/accounts/password/reset/key/" not in page.text, url
    # Neither by asking the admin's list which rows' body holds some text, a letter at a time.
    for lookup in ("body_text__contains", "body_html__contains", "body_text__startswith", "body_text"):
        response = client.get(reverse("admin:outbox_email_changelist"), {lookup: key[:3]})
        assert response.status_code == 400, lookup


def test_the_committee_cannot_read_a_password_reset_link_in_the_admin_or_the_outbox_before_or_after_sending(
    client_for, committee, member, reset_email, eager_tasks, django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    row, key = reset_email
    committee_client = client_for(committee)

    # Pending: the Outbox page and the admin list it like any email, without its body.
    outbox_page = committee_client.get(reverse("outbox:email-list")).text
    assert row.subject in outbox_page and member.email in outbox_page and ">Pending</span>" in outbox_page
    assert row.subject in committee_client.get(reverse("admin:outbox_email_changelist")).text
    assert_committee_cannot_read_the_link(committee_client, row, key)

    # Failed (the mail server refused every attempt): the row keeps its body to be sent again.
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    for _ in range(settings.EMAIL_MAX_ATTEMPTS):
        with contextlib.suppress(TransientEmailError):
            email_send(email_id=row.pk)
    row.refresh_from_db()
    assert row.state == EmailState.FAILED and key in row.body_text
    assert_committee_cannot_read_the_link(committee_client, row, key)

    # The committee sends it again from the Outbox page: the member gets the link, and the row loses it.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = committee_client.post(reverse("outbox:email-resend", args=[row.pk]), follow=True)
    assert f"Sent “{row.subject}” to {member.email}." in response.text
    assert [m.to for m in mailoutbox] == [[member.email]] and key in mailoutbox[0].body
    row.refresh_from_db()
    assert row.state == EmailState.SENT and key not in row.body_text
    assert_committee_cannot_read_the_link(committee_client, row, key)


def test_a_site_admin_reads_a_pending_account_email_in_the_admin(client_for, site_admin, reset_email):
    row, key = reset_email

    page = client_for(site_admin).get(reverse("admin:outbox_email_change", args=[row.pk]))

    assert key in page.text


# --- Outages delay them, never lose them, never fail the request ------------------------------


@pytest.mark.django_db(transaction=True)  # real commits: the request rings the doorbell itself
def test_a_mail_server_outage_delays_a_signup_confirmation_and_the_sweep_sends_it_once(
    client, eager_tasks, monkeypatch, mailoutbox
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    [row] = account_emails()
    assert (row.to, row.state, row.attempts) == (NEWCOMER, EmailState.PENDING, 1)
    assert "Connection unexpectedly closed" in row.last_error
    assert mailoutbox == []

    monkeypatch.undo()
    outbox_sweep(older_than=dt.timedelta(0))
    outbox_sweep(older_than=dt.timedelta(0))

    [message] = mailoutbox
    assert message.to == [NEWCOMER] and "/accounts/confirm-email/" in message.body
    row.refresh_from_db()
    assert (row.state, row.attempts) == (EmailState.SENT, 2)
