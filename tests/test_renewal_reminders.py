"""Members are reminded to renew before their term expires: once per term."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import User

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def expiring_in(days):
    return UserFactory(expires_on=timezone.localdate() + dt.timedelta(days=days))


def test_members_expiring_within_30_days_get_one_reminder_with_the_renewal_link(mailoutbox):
    soon, later, lapsed = expiring_in(20), expiring_in(45), expiring_in(-3)

    assert services.renewal_reminders_send() == 1

    assert [m.to for m in mailoutbox] == [[soon.email]]
    message = mailoutbox[0]
    assert f"Your ArLA membership ends on {soon.expires_on:%B %-d, %Y}" == message.subject
    assert "http://127.0.0.1:8000" + reverse("members:membership-renew") in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert later.email not in {m.to[0] for m in mailoutbox} and lapsed.email not in {m.to[0] for m in mailoutbox}


def test_running_the_reminders_twice_sends_once(mailoutbox):
    expiring_in(10)

    services.renewal_reminders_send()
    services.renewal_reminders_send()

    assert len(mailoutbox) == 1


def test_after_renewing_the_next_term_gets_its_own_reminder(mailoutbox):
    member = expiring_in(10)
    services.renewal_reminders_send()
    member = User.objects.get(pk=member.pk)
    member.renew_term(timezone.localdate())
    member.save()

    services.renewal_reminders_send(today=member.expires_on - dt.timedelta(days=5))

    assert len(mailoutbox) == 2


def test_a_failing_mail_server_leaves_the_member_to_be_reminded_next_time(mailoutbox, monkeypatch):
    member = expiring_in(10)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        services.renewal_reminders_send()
    monkeypatch.undo()

    assert User.objects.get(pk=member.pk).renewal_reminded_for is None
    services.renewal_reminders_send()
    assert len(mailoutbox) == 1


def test_profile_warns_a_member_whose_term_ends_soon(client_for):
    member = expiring_in(12)

    response = client_for(member).get(reverse("members:profile"))

    assert f"Your membership ends on <strong>{member.expires_on:%B %-d, %Y}</strong>" in response.text
