"""The outbox shows what was sent (issue 12, item 7; issue 15, item 10): one email's page
with its words, recipient, wording version, attempts and the mail server's answer in plain
words — never a Python exception for the committee —, and "Send again" says whether it went.
After pairing, the committee is told what became of the introductions, not a promise."""

import html
import smtplib

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Role
from outbox.models import Email, EmailKind, EmailState
from outbox.services import email_send
from pairs.services import pairing

from .factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.django_db

MAILBOX_GONE = "The recipient's mail server says this mailbox does not exist: check the address."


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def refusing(monkeypatch):
    """A mail server that refuses every recipient for good (550 5.1.1)."""

    def refuse(message, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused(dict.fromkeys(message.to, (550, b"5.1.1 mailbox unavailable")))

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)


def test_the_outbox_says_in_plain_words_what_the_mail_server_answered(
    client_for, committee, site_admin, mentee, mentor, refusing
):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    email = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTEE)
    assert email_send(email_id=email.pk) == EmailState.FAILED

    listing = text_of(client_for(committee).get(reverse("outbox:email-list")))
    detail = text_of(client_for(committee).get(reverse("outbox:email-detail", args=[email.pk])))
    as_admin = text_of(client_for(site_admin).get(reverse("outbox:email-detail", args=[email.pk])))

    for page in (listing, detail):
        assert MAILBOX_GONE in page
        assert "SMTPRecipientsRefused" not in page and "b'5.1.1" not in page
    assert "It was not sent. Fix the cause (the address, or the mail server's settings), then send it again." in detail
    assert "For site admins, as the server said it:" in as_admin
    assert "SMTPRecipientsRefused: {" in as_admin


def test_send_again_against_a_still_refusing_server_says_it_did_not_go_and_counts_the_attempt(
    client_for, committee, mentee, mentor, refusing
):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    email = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTEE)
    email_send(email_id=email.pk)
    detail = reverse("outbox:email-detail", args=[email.pk])

    response = client_for(committee).post(
        reverse("outbox:email-resend", args=[email.pk]), {"next": detail}, follow=True
    )

    page = text_of(response)
    assert f"Not sent to {mentee.member.email}: {MAILBOX_GONE} It stays failed" in page
    assert "again." not in page.split("Not sent to")[0]  # no "Sending … again." before it
    email.refresh_from_db()
    assert (email.state, email.attempts) == (EmailState.FAILED, 1)  # counted afresh: this press's attempt
    assert 'Attempts</dt><dd class="col-sm-8">1</dd>' in page


def test_send_again_when_the_server_takes_it_says_sent(client_for, committee, mentee, mentor, mailoutbox):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    email = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTEE)
    Email.objects.filter(pk=email.pk).update(state=EmailState.FAILED, last_error="SMTPServerDisconnected: x")

    first = client_for(committee).post(reverse("outbox:email-resend", args=[email.pk]), follow=True)
    second = client_for(committee).post(reverse("outbox:email-resend", args=[email.pk]), follow=True)

    assert f"Sent “{email.subject}” to {mentee.member.email}." in text_of(first)
    assert "This email was sent on" in text_of(second)
    assert [m.to for m in mailoutbox] == [[mentee.member.email]]


# Real commits (a transactional test), so that the introductions are sent when the pair's
# transaction commits, in process, as `make run` does without Redis: the message then reads them.
@pytest.mark.django_db(transaction=True)
def test_pairing_against_a_refusing_server_says_the_introductions_were_not_sent(
    client_for, committee, cycle, mentee, mentor, refusing, eager_tasks
):
    response = client_for(committee).post(
        reverse("matching:pair-create"),
        {"mentee": mentee.pk, "mentor": mentor.pk, "length_months": cycle.default_length_months},
        follow=True,
    )

    page = text_of(response)
    assert "Both introductions are on their way" not in page
    assert f"Paired {mentee.member} with {mentor.member}." in page
    assert f"But 2 introductions (the first to {mentor.member.email}) could not be sent: {MAILBOX_GONE}" in page


@pytest.mark.django_db(transaction=True)
def test_pairing_with_a_working_server_says_both_introductions_are_sent(
    client_for, committee, cycle, mentee, mentor, eager_tasks, mailoutbox
):
    response = client_for(committee).post(
        reverse("matching:pair-create"),
        {"mentee": mentee.pk, "mentor": mentor.pk, "length_months": cycle.default_length_months},
        follow=True,
    )

    assert "Both introductions are sent." in text_of(response)
    assert len(mailoutbox) == 2


def test_one_emails_page_shows_its_words_recipient_wording_and_attempts(
    client_for, committee, mentee, mentor, django_assert_max_num_queries
):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    email = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTOR)
    client = client_for(committee)
    client.get(reverse("outbox:email-list"))

    with django_assert_max_num_queries(6):
        response = client.get(reverse("outbox:email-detail", args=[email.pk]))

    page = text_of(response)
    assert email.subject in page
    assert mentor.member.email in page
    assert f"Dear {mentor.member.first_name}," in page
    assert "The shipped wording (not edited by the committee then)." in page
    assert "Waiting for a worker: pending emails go out within minutes." in page
    assert "ArLA Mentoring <mentoring@arlib.example>" in page


def test_the_committee_never_reads_an_account_emails_body_on_its_page(client_for, committee, site_admin, member):
    client_for(None).post(reverse("account_reset_password"), {"email": member.email})
    email = Email.objects.get(kind=EmailKind.ACCOUNT)

    as_committee = text_of(client_for(committee).get(reverse("outbox:email-detail", args=[email.pk])))
    as_admin = text_of(client_for(site_admin).get(reverse("outbox:email-detail", args=[email.pk])))

    assert "/accounts/password/reset/key/" not in as_committee
    assert "only site admins read it" in as_committee
    assert "/accounts/password/reset/key/" in as_admin


def test_the_outbox_searches_by_recipient_or_subject_and_filters_by_kind(client_for, committee, mentee, mentor):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    client = client_for(committee)

    by_address = text_of(client.get(reverse("outbox:email-list"), {"state": "all", "q": mentee.member.email}))
    by_kind = text_of(client.get(reverse("outbox:email-list"), {"state": "all", "kind": EmailKind.INTRO_MENTOR}))

    to_mentee, to_mentor = (
        Email.objects.get(pair=pair, kind=k) for k in (EmailKind.INTRO_MENTEE, EmailKind.INTRO_MENTOR)
    )
    assert reverse("outbox:email-detail", args=[to_mentee.pk]) + '"' in by_address
    assert reverse("outbox:email-detail", args=[to_mentor.pk]) + '"' not in by_address
    assert reverse("outbox:email-detail", args=[to_mentor.pk]) + '"' in by_kind
    assert reverse("outbox:email-detail", args=[to_mentee.pk]) + '"' not in by_kind


def test_the_outbox_pages_query_count_does_not_grow_with_the_emails(
    client_for, committee, cycle, django_assert_num_queries
):
    client = client_for(committee)
    pairing.pair_create(
        mentee_id=EnrollmentFactory(cycle=cycle).pk,
        mentor_id=EnrollmentFactory(cycle=cycle, role=Role.MENTOR, member__seasoned=True).pk,
        by=committee,
    )
    client.get(reverse("outbox:email-list"))
    with CaptureQueriesContext(connection) as counted:
        client.get(reverse("outbox:email-list"), {"state": "all"})
    few = len(counted.captured_queries)  # read now: the next requests empty the connection's log
    for _ in range(10):
        PairFactory(cycle=cycle)
        Email.objects.create(
            kind=EmailKind.THANKS, key=f"k{Email.objects.count()}", to="x@example.org", subject="s", body_text="b"
        )
    with django_assert_num_queries(few):
        client.get(reverse("outbox:email-list"), {"state": "all", "q": "example"})
