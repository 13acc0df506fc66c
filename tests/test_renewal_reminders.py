"""Members are reminded to renew before their term expires: once per term, through the
outbox like every other email, so that one refused address delays nobody else."""

import datetime as dt
import smtplib

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from members.models import User
from members.services import membership
from outbox.models import Email, EmailKind, EmailState

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def expiring_in(days, **kwargs):
    return UserFactory(expires_on=timezone.localdate() + dt.timedelta(days=days), **kwargs)


@pytest.fixture
def send_reminders(eager_tasks, django_capture_on_commit_callbacks):
    """Run the daily task as beat would, and let the outbox send what it wrote."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return membership.renewal_reminders_send(**kwargs)

    return run


def test_members_expiring_within_30_days_get_one_reminder_with_the_renewal_link(mailoutbox, send_reminders):
    soon, later, lapsed = expiring_in(20), expiring_in(45), expiring_in(-3)

    assert send_reminders() == 1

    assert [m.to for m in mailoutbox] == [[soon.email]]
    message = mailoutbox[0]
    assert f"Your ArLA membership ends on {soon.expires_on:%B %-d, %Y}" == message.subject
    assert "http://127.0.0.1:8000" + reverse("members:membership-renew") in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert later.email not in {m.to[0] for m in mailoutbox} and lapsed.email not in {m.to[0] for m in mailoutbox}


def test_running_the_reminders_twice_sends_once(mailoutbox, send_reminders):
    expiring_in(10)

    send_reminders()
    send_reminders()

    assert len(mailoutbox) == 1


def test_after_renewing_the_next_term_gets_its_own_reminder(mailoutbox, send_reminders):
    member = expiring_in(10)
    send_reminders()
    member = User.objects.get(pk=member.pk)
    member.renew_term(timezone.localdate())
    member.save()

    send_reminders(today=member.expires_on - dt.timedelta(days=5))

    assert len(mailoutbox) == 2


def test_one_refused_address_fails_that_reminder_alone_and_the_others_are_sent(
    mailoutbox, send_reminders, monkeypatch, client_for, committee
):
    first, refused, last = expiring_in(5), expiring_in(6, email="gone@closed-library.example"), expiring_in(7)
    send = EmailMultiAlternatives.send

    def mail_server(message, *args, **kwargs):
        if message.to == [refused.email]:
            raise smtplib.SMTPRecipientsRefused({refused.email: (550, b"5.1.1 mailbox unavailable")})
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", mail_server)

    assert send_reminders() == 3

    assert sorted(m.to[0] for m in mailoutbox) == sorted([first.email, last.email])
    row = Email.objects.get(kind=EmailKind.RENEWAL_REMINDER, to=refused.email)
    assert row.state == EmailState.FAILED
    outbox = client_for(committee).get(reverse("outbox:email-list"))
    assert refused.email in outbox.text
    assert "The recipient&#x27;s mail server says this mailbox does not exist: check the address." in outbox.text
    # Every member was reminded once: tomorrow's run writes nothing again, the refused one included.
    assert send_reminders() == 0
    assert Email.objects.filter(kind=EmailKind.RENEWAL_REMINDER).count() == 3


def test_a_mail_server_down_delays_the_reminder_and_the_sweep_sends_it_once(mailoutbox, send_reminders, monkeypatch):
    member = expiring_in(10)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert send_reminders() == 1
    monkeypatch.undo()

    row = Email.objects.get(recipient=member)
    assert row.state == EmailState.PENDING and row.attempts == 1 and not mailoutbox
    from outbox.services import outbox_sweep

    outbox_sweep(older_than=dt.timedelta(0))
    outbox_sweep(older_than=dt.timedelta(0))
    assert [m.to for m in mailoutbox] == [[member.email]]


def test_profile_warns_a_member_whose_term_ends_soon(client_for):
    member = expiring_in(12)

    response = client_for(member).get(reverse("members:profile"))

    assert f"Your membership ends on <strong>{member.expires_on:%B %-d, %Y}</strong>" in response.text
