"""No email a member cannot stop (issue 12): the optional kinds each have a switch on My
membership, and every optional email carries a one-click unsubscribe link (RFC 8058) that
works without logging in, once, for one member and one kind. The outbox records what a
member turned off as skipped."""

import datetime as dt
import html

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import Role
from outbox.models import Email, EmailKind, EmailPreference, EmailState
from outbox.services import email_send
from outbox.tokens import MAX_AGE, SALT, unsubscribe_token
from pairs.services import pairing, reminders

from .factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def quiet_pair(cycle):
    """A pair with no check-in for 90 days: the reminders are due."""
    return PairFactory(cycle=cycle, starts_on=timezone.localdate() - dt.timedelta(days=90))


def reminder_to(member) -> Email:
    return Email.objects.get(kind=EmailKind.CHECKIN_REMINDER, recipient=member)


def link_path(email: Email) -> str:
    return email.unsubscribe_url.removeprefix("http://127.0.0.1:8000")


# --- The link in the email ------------------------------------------------------------------------


def test_a_reminder_carries_the_one_click_headers_and_a_link_to_stop_reminders(quiet_pair, sending, mailoutbox):
    mentee = quiet_pair.mentee.member
    with sending():
        reminders.checkin_reminders_send()

    [message] = [m for m in mailoutbox if m.to == [mentee.email]]
    row = reminder_to(mentee)
    assert message.extra_headers["List-Unsubscribe"] == f"<{row.unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/outbox/stop/" in row.unsubscribe_url
    footer = "You receive check-in reminders as a member of the ArLA Mentoring Program.\nTo stop them, open: "
    assert footer + row.unsubscribe_url in message.body
    assert f'<a href="{row.unsubscribe_url}">Stop check-in reminders</a>' in message.alternatives[0].content
    assert message.from_email == "ArLA Mentoring <mentoring@arlib.example>"


def test_an_introduction_has_no_unsubscribe_link(member, seasoned_member, cycle, committee, sending, mailoutbox):
    mentee = EnrollmentFactory(member=member, cycle=cycle)
    mentor = EnrollmentFactory(member=seasoned_member, cycle=cycle, role=Role.MENTOR)
    with sending():
        pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)

    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert "List-Unsubscribe" not in message.extra_headers
        assert "To stop them" not in message.body


def test_a_member_turns_reminders_off_from_the_link_without_logging_in_and_the_next_one_is_skipped(
    quiet_pair, sending, mailoutbox
):
    mentee = quiet_pair.mentee.member
    with sending():
        reminders.checkin_reminders_send()
    visitor = Client(enforce_csrf_checks=True)
    path = link_path(reminder_to(mentee))

    asked = visitor.get(path)
    assert asked.status_code == 200
    assert "Stop check-in reminders?" in text_of(asked)
    assert f"Pressing the button stops check-in reminders to {mentee.email[0]}…@example.org." in text_of(asked)
    assert not EmailPreference.objects.exists()  # opening the link changes nothing
    done = visitor.post(path)
    again = visitor.post(path)

    assert done.status_code == 200
    assert "Done: check-in reminders are off" in text_of(done)
    assert "were already off\n" in text_of(again) or "Check-in reminders were already off" in text_of(again)
    assert "nothing changed" in text_of(again)
    choice = EmailPreference.objects.get(member=mentee, kind=EmailKind.CHECKIN_REMINDER)
    assert (choice.receives, choice.changed_how, choice.changes) == (False, "link", 1)

    # The next quiet spell: the mentee's reminder is recorded as skipped, the mentor's sent.
    quiet_pair.reminded_on = None
    quiet_pair.save()
    mailoutbox.clear()
    with sending():
        reminders.checkin_reminders_send(today=timezone.localdate() + dt.timedelta(days=1))
    skipped = Email.objects.filter(recipient=mentee, state=EmailState.SKIPPED).get()
    assert skipped.skip_reason.startswith("The member turned check-in reminders off from the link in an email on")
    assert [m.to for m in mailoutbox] == [[quiet_pair.mentor.member.email]]


def test_a_mail_programs_one_click_post_turns_the_kind_off_without_cookie_or_token(quiet_pair):
    reminders.checkin_reminders_send()
    mentor = quiet_pair.mentor.member

    response = Client(enforce_csrf_checks=True).post(
        link_path(reminder_to(mentor)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert not EmailPreference.objects.get(member=mentor, kind=EmailKind.CHECKIN_REMINDER).receives


def test_a_reminder_written_before_the_member_turned_it_off_is_skipped_when_sent(quiet_pair, mailoutbox):
    reminders.checkin_reminders_send()  # written, not sent yet (a worker is busy, Redis down…)
    mentee = quiet_pair.mentee.member
    row = reminder_to(mentee)
    Client().post(link_path(row))

    assert email_send(email_id=row.pk) == EmailState.SKIPPED

    row.refresh_from_db()
    assert row.state == EmailState.SKIPPED and "turned check-in reminders off" in row.skip_reason
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("token", "said"),
    [
        ("garbage", "This link is not complete or not valid"),
        (signing.dumps({"m": 1, "k": "checkin_reminder", "n": 0}, salt="another.salt"), "This link is not complete"),
    ],
    # Named, not by the token: it holds the time it was signed, which each test process of
    # `make test-fast` would see differently (pytest-xdist then refuses to run).
    ids=["garbage", "signed-for-something-else"],
)
def test_a_tampered_link_is_refused_and_changes_nothing(client, member, token, said):
    response = client.post(reverse("outbox:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert said in text_of(response)
    assert not EmailPreference.objects.exists()


def test_an_expired_link_says_so_and_changes_nothing(client, member, monkeypatch):
    token = unsubscribe_token(member_id=member.pk, kind=EmailKind.CHECKIN_REMINDER, changes=0)
    later = timezone.now() + MAX_AGE + dt.timedelta(days=1)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())

    response = client.post(reverse("outbox:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert "This link has expired: links to stop emails work for 90 days." in text_of(response)
    assert not EmailPreference.objects.exists()


def test_a_link_names_one_member_and_one_kind(client, member, stranger):
    token = signing.dumps({"m": member.pk, "k": EmailKind.INTRO_MENTEE, "n": 0}, salt=SALT)

    response = client.post(reverse("outbox:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert "These emails cannot be stopped from a link." in text_of(response)
    assert not EmailPreference.objects.exists()


def test_an_old_link_does_nothing_once_the_member_turned_the_emails_back_on(client_for, member):
    old = unsubscribe_token(member_id=member.pk, kind=EmailKind.RENEWAL_REMINDER, changes=0)
    Client().post(reverse("outbox:unsubscribe", args=[old]))
    client_for(member).post(reverse("outbox:preferences"), {EmailKind.RENEWAL_REMINDER: "on"})
    assert EmailPreference.objects.get(member=member, kind=EmailKind.RENEWAL_REMINDER).receives

    response = Client().post(reverse("outbox:unsubscribe", args=[old]))

    assert response.status_code == 400
    assert "This link was made before you last changed your choice for membership renewal reminders" in text_of(
        response
    )
    assert EmailPreference.objects.get(member=member, kind=EmailKind.RENEWAL_REMINDER).receives


# --- My membership ----------------------------------------------------------------------------------


def test_my_membership_has_a_switch_for_each_optional_email_that_reaches_me(client_for, member, committee):
    page = text_of(client_for(member).get(reverse("members:profile")))

    assert "Emails I receive" in page
    for label in ("Check-in reminders", "Membership renewal reminders", "Thanks at the end of a mentoring year"):
        assert label in page
    assert "Monthly digests of your pairs" not in page  # only liaisons get them
    assert "Introductions, news that your pair has ended and account emails" in page
    assert "Monthly digests of your pairs" in text_of(client_for(committee).get(reverse("members:profile")))


def test_a_member_turns_off_reminders_on_their_page_and_back_on(client_for, member):
    client = client_for(member)
    everything_but_reminders = {
        EmailKind.RENEWAL_REMINDER: "on",
        EmailKind.EVALUATION: "on",
        EmailKind.SURVEY_MIDPOINT: "on",
        EmailKind.SURVEY_EXIT: "on",
        EmailKind.SURVEY_REMINDER: "on",
        EmailKind.THANKS: "on",
        EmailKind.NO_CONTACT_NUDGE: "on",
        EmailKind.TOPIC: "on",
        "next": reverse("members:profile") + "#emails",
    }

    off = client.post(reverse("outbox:preferences"), everything_but_reminders, follow=True)
    again = client.post(reverse("outbox:preferences"), everything_but_reminders, follow=True)

    assert off.redirect_chain[-1][0] == reverse("members:profile") + "#emails"
    assert "Saved: you no longer receive check-in reminders." in text_of(off)
    assert "Nothing changed: your emails were already set so." in text_of(again)
    assert list(EmailPreference.objects.filter(member=member).values_list("kind", "receives")) == [
        (EmailKind.CHECKIN_REMINDER, False)
    ]
    on = client.post(reverse("outbox:preferences"), {**everything_but_reminders, EmailKind.CHECKIN_REMINDER: "on"})
    assert on.status_code == 302
    assert EmailPreference.objects.get(member=member, kind=EmailKind.CHECKIN_REMINDER).receives


def test_a_member_cannot_turn_off_an_introduction_or_someone_elses_emails(client_for, member, stranger):
    client_for(member).post(reverse("outbox:preferences"), {"intro_mentee": "", "member": stranger.pk})

    assert not EmailPreference.objects.filter(kind=EmailKind.INTRO_MENTEE).exists()
    assert not EmailPreference.objects.filter(member=stranger).exists()


def test_a_kind_the_committee_switched_off_says_so_on_the_members_page(client_for, member, committee):
    client_for(committee).post(reverse("outbox:template-switch", args=[EmailKind.THANKS]), {})

    page = text_of(client_for(member).get(reverse("outbox:preferences")))

    assert "The committee has switched these off for everyone for now." in page


def test_the_preferences_pages_query_count_does_not_grow(client_for, member, django_assert_max_num_queries):
    for kind in (EmailKind.CHECKIN_REMINDER, EmailKind.THANKS):
        EmailPreference.objects.create(member=member, kind=kind, receives=False)

    client, visitor = client_for(member), Client()
    token = unsubscribe_token(member_id=member.pk, kind=EmailKind.RENEWAL_REMINDER, changes=0)

    with django_assert_max_num_queries(5):
        assert client.get(reverse("outbox:preferences")).status_code == 200
    with django_assert_max_num_queries(1):
        assert visitor.get(reverse("outbox:unsubscribe", args=[token])).status_code == 200


def test_my_data_download_lists_the_emails_i_turned_off(client_for, member):
    client_for(member).post(
        reverse("outbox:preferences"),
        {
            EmailKind.RENEWAL_REMINDER: "on",
            EmailKind.THANKS: "on",
            EmailKind.TOPIC: "on",
            EmailKind.NO_CONTACT_NUDGE: "on",
        },
    )

    data = client_for(member).get(reverse("pairs:my-data-download")).json()

    assert [(e["kind"], e["how"]) for e in data["emails_i_turned_off"]] == [
        ("Check-in reminder", "on My membership"),
        ("Closing evaluation invitation", "on My membership"),
        ("Exit survey invitation (pair ended early)", "on My membership"),
        ("Midpoint survey invitation", "on My membership"),
        ("Survey reminder", "on My membership"),
    ]
