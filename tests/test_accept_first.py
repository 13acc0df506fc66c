"""Accept first: a cycle where the mentor accepts before the introduction. Pairing offers the
mentee to the mentor by email; the mentor answers from the signed link without signing in;
the committee sees the answers, and withdraws an offer left unanswered."""

import datetime as dt
import re
from html import unescape
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Enrollment
from outbox.models import Email
from pairs.models import Offer, Pair, mentors_with_places_left
from pairs.services import offers, pairing
from pairs.services.offers import OfferAlreadyAnswered, OfferError
from pairs.tokens import OFFER_MAX_AGE, in_touch_token, offer_token

from .factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(db):
    return CycleFactory(mentor_accepts_first=True)


@pytest.fixture
def mentee(cycle, member):
    return EnrollmentFactory(cycle=cycle, member=member, role="mentee", goals="Learn to lead a reference team.")


@pytest.fixture
def mentor(cycle, seasoned_member):
    return EnrollmentFactory(cycle=cycle, member=seasoned_member, role="mentor", capacity=1)


def text_of(response) -> str:
    return unescape(response.content.decode())


def offer_them(committee, mentee, mentor, **kwargs) -> Offer:
    made = offers.pair_or_offer(
        mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee, match_reasons=["Same region"], **kwargs
    )
    assert isinstance(made, Offer)
    return made


def links_in(email: Email) -> dict[str, str]:
    """The offer email's Accept and Decline addresses, as paths of this site."""
    found = re.findall(r"https?://[^/\s]+(/pairs/offer/[^\s<>\"]+/)", email.body_text)
    assert len(found) == 2, email.body_text
    return {"accept": found[0], "decline": found[1]}


# --- Off by default --------------------------------------------------------------------------------


def test_a_cycle_pairs_at_once_unless_the_committee_turns_accept_first_on(committee, member, seasoned_member):
    plain = CycleFactory(is_open=False)
    assert plain.mentor_accepts_first is False and plain.offer_answer_days == 7 and plain.first_contact_days == 14
    mentee = EnrollmentFactory(cycle=plain, member=member)
    mentor = EnrollmentFactory(cycle=plain, member=seasoned_member, role="mentor")

    made = offers.pair_or_offer(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)

    assert isinstance(made, Pair)
    assert not Offer.objects.exists()
    assert set(Email.objects.values_list("kind", flat=True)) == {"intro_mentor", "intro_mentee"}


# --- The offer -------------------------------------------------------------------------------------


def test_pairing_from_the_dashboard_sends_the_mentor_an_offer_and_no_introduction(
    client_for, committee, mentee, mentor, cycle
):
    response = client_for(committee).post(reverse("matching:pair", args=[cycle.pk, mentee.pk, mentor.pk]))

    assert response.status_code == 302 and response["Location"].endswith("#offers")
    offer = Offer.objects.get()
    assert (offer.status, offer.mentor, offer.mentee, offer.created_by) == ("waiting", mentor, mentee, committee)
    assert offer.answer_by == timezone.localdate() + dt.timedelta(days=7)
    assert not Pair.objects.exists()
    email = Email.objects.get()
    assert (email.kind, email.to, email.cycle_id) == ("offer", mentor.member.email, cycle.pk)
    assert email.subject == "Would you mentor Mina Member?"
    assert "Learn to lead a reference team." in email.body_text  # the mentee's goals
    assert "Why the committee suggests you" in email.body_text
    assert mentee.member.email not in email.body_text  # contact details come with the introduction
    assert set(links_in(email)) == {"accept", "decline"}
    assert Enrollment.objects.get(pk=mentee.pk).status == "offered"
    page = text_of(client_for(committee).get(reverse("matching:dashboard", args=[cycle.pk])))
    assert "Offers to mentors" in page and "Waiting for the mentor" in page
    assert "No mentee is waiting" in page  # the offered mentee is not waiting for a mentor any more


def test_a_waiting_offer_holds_the_mentors_place_and_the_mentee(committee, mentee, mentor, cycle):
    offer_them(committee, mentee, mentor)
    other = EnrollmentFactory(cycle=cycle, member=UserFactory())
    other_mentor = EnrollmentFactory(cycle=cycle, member=UserFactory(seasoned=True), role="mentor")

    with pytest.raises(pairing.PairingError, match="counting 1 offer waiting for their answer"):
        offers.pair_or_offer(mentee_id=other.pk, mentor_id=mentor.pk, by=committee)
    with pytest.raises(pairing.PairingError, match="is offered to a mentor, who has yet to answer"):
        offers.pair_or_offer(mentee_id=mentee.pk, mentor_id=other_mentor.pk, by=committee)
    with pytest.raises(pairing.PairingError, match="is offered to a mentor"):
        pairing.pair_create(mentee_id=mentee.pk, mentor_id=other_mentor.pk, by=committee)
    assert list(mentors_with_places_left(Enrollment.objects.mentors())) == [other_mentor]
    assert Offer.objects.count() == 1


def test_the_whole_cycles_proposal_sends_offers_when_the_mentor_accepts_first(client_for, committee, cycle):
    for i in range(2):
        EnrollmentFactory(cycle=cycle, member=UserFactory(institution=f"Mentee Library {i}"))
        EnrollmentFactory(
            cycle=cycle, member=UserFactory(seasoned=True, institution=f"Mentor Library {i}"), role="mentor"
        )
    client = client_for(committee)
    client.post(reverse("matching:proposal-solve", args=[cycle.pk]))
    assert "Offer all 2 mentees to their mentors?" in text_of(
        client.get(reverse("matching:proposal-confirm", args=[cycle.pk]))
    )

    response = client.post(reverse("matching:proposal-confirm", args=[cycle.pk]), follow=True)

    assert "2 offers sent to the mentors" in text_of(response)
    assert Offer.objects.filter(status="waiting").count() == 2
    assert not Pair.objects.exists()
    assert Email.objects.filter(kind="offer").count() == 2


# --- The mentor answers ------------------------------------------------------------------------------


def test_the_mentor_accepts_from_the_link_without_signing_in_and_both_introductions_go(
    client, committee, mentee, mentor, sending, mailoutbox
):
    offer_them(committee, mentee, mentor)
    accept = links_in(Email.objects.get(kind="offer"))["accept"]

    asked = client.get(accept)
    assert asked.status_code == 200 and "Mentor Mina Member?" in text_of(asked)
    assert asked["X-Robots-Tag"] == "noindex" and asked["Referrer-Policy"] == "same-origin"
    assert Offer.objects.get().status == "waiting"  # opening the link changes nothing
    with sending():
        done = client.post(accept)

    assert "Thank you: you are Mina Member's mentor" in text_of(done)
    offer = Offer.objects.get()
    pair = Pair.objects.get()
    assert (offer.status, offer.pair) == ("accepted", pair)
    assert (pair.mentor, pair.mentee, pair.created_by, pair.match_reasons) == (
        mentor,
        mentee,
        committee,
        ["Same region"],
    )
    assert {m.subject for m in mailoutbox} >= {"Meet your mentee: Mina Member", "Meet your mentor: Sam Senior"}
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"paired"}

    again = client.post(accept)  # pressed twice, or the link replayed
    assert again.status_code == 200
    assert "You accepted to mentor Mina Member on" in text_of(again) and "Nothing more was done" in text_of(again)
    assert Pair.objects.count() == 1 and Email.objects.filter(kind="intro_mentor").count() == 1
    decline = links_in(Email.objects.get(kind="offer"))["decline"]
    assert "You accepted to mentor Mina Member" in text_of(client.post(decline, {"reason": "changed my mind"}))
    assert Offer.objects.get().status == "accepted"


def test_the_mentor_declines_with_a_reason_the_committee_is_told_and_the_mentee_is_back_with_it(
    client, client_for, committee, mentee, mentor, cycle
):
    offer_them(committee, mentee, mentor)
    decline = links_in(Email.objects.get(kind="offer"))["decline"]
    assert "Decline to mentor Mina Member?" in text_of(client.get(decline))

    done = client.post(decline, {"reason": "Away on sabbatical until March."})

    assert "You declined to mentor Mina Member" in text_of(done)
    offer = Offer.objects.get()
    assert (offer.status, offer.decline_reason) == ("declined", "Away on sabbatical until March.")
    assert Enrollment.objects.get(pk=mentee.pk).status == "waiting"
    news = Email.objects.get(kind="offer_declined")
    assert news.to == committee.email and "Their reason: Away on sabbatical until March." in news.body_text
    page = text_of(client_for(committee).get(reverse("matching:dashboard", args=[cycle.pk])))
    assert "Declined by Sam Senior" in page and "Away on sabbatical until March." in page
    assert "Mina Member" in page
    # The next suggestion: the mentor who declined is not suggested again.
    suggestions = text_of(client_for(committee).get(reverse("matching:suggestions", args=[cycle.pk, mentee.pk])))
    assert "declined this mentee" in suggestions
    assert "Thank you for answering" not in text_of(client.post(decline, {"reason": "again"}))
    assert Email.objects.filter(kind="offer_declined").count() == 1


@pytest.mark.parametrize(
    "reason, message",
    [
        ("x" * 1001, "Keep the reason to 1,000 characters."),
        # A NUL is no text (PostgreSQL refuses it in a string): a 500 before, found by test_fuzz.
        ("Away\x00", "Null characters are not allowed."),
    ],
    ids=["too long", "a NUL"],
)
def test_a_reason_refused_says_why_and_changes_nothing(client, committee, mentee, mentor, reason, message):
    offer_them(committee, mentee, mentor)
    decline = links_in(Email.objects.get(kind="offer"))["decline"]

    response = client.post(decline, {"reason": reason})

    assert response.status_code == 400
    assert message in text_of(response)
    assert Offer.objects.get().status == "waiting"
    assert not Email.objects.filter(kind="offer_declined").exists()


def test_a_link_altered_for_another_offer_or_expired_does_nothing(client, committee, mentee, mentor, cycle):
    offer = offer_them(committee, mentee, mentor)
    accept = links_in(Email.objects.get(kind="offer"))["accept"]

    altered = client.post(accept.replace("/offer/", "/offer/x"))
    assert altered.status_code == 400 and "This link is not complete or not valid" in text_of(altered)
    # Somebody else's member id in a signed link of ours: no offer of theirs.
    stranger = offer_token(offer_id=offer.pk, member_id=mentee.member_id, action="accept")
    assert client.post(reverse("pairs:offer-answer", args=[stranger])).status_code == 400
    later = timezone.now() + OFFER_MAX_AGE + dt.timedelta(days=1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        expired = client.post(accept)
    assert expired.status_code == 400 and "This link has expired" in text_of(expired)
    assert Offer.objects.get().status == "waiting" and not Pair.objects.exists()


def test_an_offer_past_its_answer_day_cannot_be_accepted(client, committee, mentee, mentor):
    offer_them(committee, mentee, mentor)
    Offer.objects.update(answer_by=timezone.localdate() - dt.timedelta(days=1))
    accept = links_in(Email.objects.get(kind="offer"))["accept"]

    response = client.post(accept)

    assert "This offer waited for an answer until" in text_of(response)
    assert not Pair.objects.exists()


# --- No answer ----------------------------------------------------------------------------------------


def test_no_answer_one_reminder_at_half_time_then_the_committee_is_told_and_withdraws(
    client_for, committee, mentee, mentor, cycle
):
    offer = offer_them(committee, mentee, mentor)
    today = timezone.localdate()

    assert offers.offers_follow_up(today=today + dt.timedelta(days=2)) == (0, 0)
    assert offers.offers_follow_up(today=today + dt.timedelta(days=3)) == (1, 0)
    assert offers.offers_follow_up(today=today + dt.timedelta(days=4)) == (0, 0)  # one reminder only
    reminder = Email.objects.get(kind="offer_reminder")
    assert reminder.to == mentor.member.email and reminder.subject == "Reminder: would you mentor Mina Member?"
    assert offers.offers_follow_up(today=today + dt.timedelta(days=7)) == (0, 0)  # the last day to answer
    assert offers.offers_follow_up(today=today + dt.timedelta(days=8)) == (0, 1)
    assert offers.offers_follow_up(today=today + dt.timedelta(days=9)) == (0, 0)
    offer.refresh_from_db()
    assert offer.status == "expired"
    assert Email.objects.get(kind="offer_expired").to == committee.email
    # Still held until the committee withdraws it.
    assert Enrollment.objects.get(pk=mentee.pk).status == "offered"
    assert not mentors_with_places_left(Enrollment.objects.mentors()).exists()

    client = client_for(committee)
    page = text_of(client.get(reverse("matching:dashboard", args=[cycle.pk])))
    assert "Not answered in time" in page and "Withdraw" in page
    url = reverse("matching:offer-withdraw", args=[cycle.pk, offer.pk])
    first = text_of(client.post(url, follow=True))
    assert "is withdrawn: Mina Member is back among the mentees waiting" in first
    second = text_of(client.post(url, follow=True))  # pressed twice
    assert "This offer was withdrawn already: nothing more was done." in second
    assert Enrollment.objects.get(pk=mentee.pk).status == "waiting"
    assert Offer.objects.get().status == "withdrawn"
    accept = links_in(Email.objects.get(kind="offer"))["accept"]
    assert "The committee has withdrawn this offer" in text_of(client_for(None).get(accept))


def test_a_withdrawn_offer_frees_the_mentors_place(committee, mentee, mentor, cycle):
    offer = offer_them(committee, mentee, mentor)
    offers.offer_withdraw(offer_id=offer.pk, by=committee)
    other = EnrollmentFactory(cycle=cycle, member=UserFactory())

    again = offers.pair_or_offer(mentee_id=other.pk, mentor_id=mentor.pk, by=committee)

    assert again.status == "waiting"
    with pytest.raises(OfferAlreadyAnswered):
        offers.offer_accept(offer_id=offer.pk, member_id=mentor.member_id)
    with pytest.raises(OfferError):
        offers.offer_accept(offer_id=offer.pk, member_id=mentee.member_id)


def test_the_dashboards_offers_keep_their_query_count_as_offers_grow(
    client_for, committee, cycle, django_assert_max_num_queries
):
    client = client_for(committee)
    url = reverse("matching:dashboard", args=[cycle.pk]) + "?offers=waiting"
    for _ in range(12):
        e = EnrollmentFactory(cycle=cycle, member=UserFactory())
        m = EnrollmentFactory(cycle=cycle, member=UserFactory(seasoned=True), role="mentor")
        offer_them(committee, e, m)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(12):
        e = EnrollmentFactory(cycle=cycle, member=UserFactory())
        m = EnrollmentFactory(cycle=cycle, member=UserFactory(seasoned=True), role="mentor")
        offer_them(committee, e, m)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert text_of(page).count("Withdraw<span") == 24


def test_the_signed_pages_read_a_handful_of_queries(client, committee, mentee, mentor, django_assert_max_num_queries):
    offer_them(committee, mentee, mentor)
    links = links_in(Email.objects.get(kind="offer"))

    # The offer with its people, the program's settings; accepting: locks, the pair, two emails.
    for link in links.values():
        with django_assert_max_num_queries(4):
            assert client.get(link).status_code == 200
    with django_assert_max_num_queries(40):
        client.post(links["accept"])
    pair = Pair.objects.get()
    in_touch = reverse("pairs:in-touch", args=[in_touch_token(pair_id=pair.pk, member_id=mentee.member_id)])
    with django_assert_max_num_queries(5):
        assert client.get(in_touch).status_code == 200


@pytest.mark.parametrize("kind", ["offer", "offer_reminder", "offer_declined", "offer_expired"])
def test_the_committee_previews_an_offers_emails_with_a_real_offer(committee, mentee, mentor, kind):
    from outbox import kinds
    from outbox.services import wording

    offer = offer_them(committee, mentee, mentor)
    declared = kinds.get(kind)
    assert [e.key for e in declared.examples("Mina")] == [f"offer:{offer.pk}"]

    to, rendered = wording.wording_preview(
        kind=kind, subject=declared.subject, body=declared.body, example=f"offer:{offer.pk}"
    )

    assert to in (mentor.member.email, committee.email)
    assert "Mina Member" in rendered.subject and "{" not in rendered.text


def test_my_data_download_lists_my_offers_and_only_my_own_reason(client_for, committee, mentee, mentor):
    offer = offer_them(committee, mentee, mentor)
    offers.offer_decline(offer_id=offer.pk, member_id=mentor.member_id, reason="Away until March.")

    as_mentor = client_for(mentor.member).get(reverse("pairs:my-data-download")).json()["offers"]
    as_mentee = client_for(mentee.member).get(reverse("pairs:my-data-download")).json()["offers"]

    assert as_mentor == [
        {
            "cycle": offer.cycle.name,
            "my_role": "mentor",
            "mentee": "Mina Member",
            "status": "Declined",
            "made_at": as_mentor[0]["made_at"],
            "answer_by": offer.answer_by.isoformat(),
            "answered_at": as_mentor[0]["answered_at"],
            "my_reason": "Away until March.",
        }
    ]
    assert as_mentee[0]["offered_to"] == "Sam Senior" and "my_reason" not in as_mentee[0]
    assert "Away until March." not in str(as_mentee)


def test_a_mentor_deleting_their_account_withdraws_the_offer_and_the_mentee_waits_again(committee, mentee, mentor):
    from pairs.services import privacy

    offer_them(committee, mentee, mentor)

    privacy.account_delete(user=mentor.member)

    assert Offer.objects.get().status == "withdrawn"
    assert Enrollment.objects.get(pk=mentee.pk).status == "waiting"
