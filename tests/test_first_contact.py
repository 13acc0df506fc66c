"""First contact confirmed: each introduction carries a one-click "We have been in touch"; the
timeline's first contact is done when either side confirms or a check-in is logged; a pair
with neither by its day is nudged, then its liaison is told, and it needs attention."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from outbox.models import Email
from pairs.models import CheckIn, Pair
from pairs.services import contact, pairing
from pairs.services.contact import ContactAlreadyConfirmed
from pairs.tokens import in_touch_token

from .factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(committee, cycle, member, seasoned_member) -> Pair:
    mentee = EnrollmentFactory(cycle=cycle, member=member)
    mentor = EnrollmentFactory(cycle=cycle, member=seasoned_member, role="mentor")
    return pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)


def text_of(response) -> str:
    return unescape(response.content.decode())


def in_touch_link(kind: str) -> str:
    body = Email.objects.get(kind=kind).body_text
    found = re.findall(r"https?://[^/\s]+(/pairs/in-touch/[^\s<>\"]+/)", body)
    assert len(found) == 1, body
    return found[0]


def first_contact(client, pair) -> tuple[str, str]:
    """The first-contact milestone on the pair page: its badge and the line under its name."""
    page = text_of(client.get(pair.get_absolute_url()))
    item = re.search(r"First contact<div[^>]*>(.*?)</div></div>\s*<span[^>]*>(.*?)</span>", page, re.S)
    return item.group(2), item.group(1)


def test_each_introduction_carries_its_own_in_touch_link(pair):
    mentor_link, mentee_link = in_touch_link("intro_mentor"), in_touch_link("intro_mentee")

    assert mentor_link != mentee_link
    assert "We have been in touch" in Email.objects.get(kind="intro_mentee").body_text


def test_one_side_confirms_from_the_link_without_signing_in_and_the_timeline_shows_it(client, client_for, pair):
    link = in_touch_link("intro_mentee")
    assert first_contact(client_for(pair.mentee.member), pair)[0] == "Due soon"

    asked = client.get(link)
    assert "Have you and Sam Senior been in touch?" in text_of(asked)
    assert Pair.objects.get().first_contact_on is None  # opening the link changes nothing
    done = client.post(link)

    assert "Thank you: first contact is recorded" in text_of(done)
    pair.refresh_from_db()
    assert (pair.first_contact_on, pair.first_contact_by) == (timezone.localdate(), pair.mentee.member)
    badge, line = first_contact(client_for(pair.mentor.member), pair)
    assert badge == "Done" and f"done {timezone.localdate():%b %-d, %Y}" in line

    again = client.post(link)  # pressed twice
    assert again.status_code == 200
    assert "First contact was confirmed by Mina Member on" in text_of(again)
    other_side = client.post(in_touch_link("intro_mentor"))  # the mentor's link, later
    assert "First contact is recorded already" in text_of(other_side)
    pair.refresh_from_db()
    assert pair.first_contact_by == pair.mentee.member


def test_the_in_touch_page_asks_in_two_queries(client, django_assert_num_queries, pair):
    """The pair with its members' names (Pair.objects.with_members, which loads only what the
    page reads: a column more read would be a query more), then its first check-in."""
    link = in_touch_link("intro_mentor")

    with django_assert_num_queries(2):
        asked = client.get(link)

    assert "Have you and Mina Member been in touch?" in text_of(asked)


def test_a_check_in_logged_counts_as_first_contact(client, client_for, pair):
    met_on = timezone.localdate() - dt.timedelta(days=1)
    CheckIn.objects.create(pair=pair, logged_by=pair.mentor.member, met_on=met_on, mode="phone")

    response = client.post(in_touch_link("intro_mentor"))

    assert "already counts as first contact" in text_of(response)
    assert Pair.objects.get().first_contact_on is None
    assert first_contact(client_for(pair.mentee.member), pair)[0] == "Done"


def test_a_link_altered_or_for_a_stranger_does_nothing(client, pair):
    link = in_touch_link("intro_mentor")

    assert client.post(link[:-3] + "xx/").status_code == 400
    strangers = in_touch_token(pair_id=pair.pk, member_id=UserFactory().pk)
    response = client.post(reverse("pairs:in-touch", args=[strangers]))
    assert response.status_code == 400 and "This pair no longer exists" in text_of(response)
    assert Pair.objects.get().first_contact_on is None


def test_no_contact_by_day_14_both_are_nudged_then_the_liaison_is_told(client_for, committee, pair, cycle):
    made = timezone.localdate()
    assert pair.first_contact_due_on == made + dt.timedelta(days=14)

    assert contact.no_contact_follow_up(today=made + dt.timedelta(days=13)) == (0, 0)
    assert not Pair.objects.needing_attention(made + dt.timedelta(days=13)).exists()
    assert contact.no_contact_follow_up(today=made + dt.timedelta(days=14)) == (1, 0)
    assert contact.no_contact_follow_up(today=made + dt.timedelta(days=15)) == (0, 0)  # once

    nudges = Email.objects.filter(kind="no_contact_nudge")
    assert sorted(nudges.values_list("to", flat=True)) == sorted([pair.mentor.member.email, pair.mentee.member.email])
    mentor_nudge = nudges.get(to=pair.mentor.member.email)
    assert mentor_nudge.subject == "Have you and Mina been in touch?"
    assert "/pairs/in-touch/" in mentor_nudge.body_text
    assert list(Pair.objects.needing_attention(made + dt.timedelta(days=14))) == [pair]
    assert Pair.objects.with_attention(made + dt.timedelta(days=14)).get().no_first_contact

    assert contact.no_contact_follow_up(today=made + dt.timedelta(days=20)) == (0, 0)
    assert contact.no_contact_follow_up(today=made + dt.timedelta(days=21)) == (0, 1)
    assert contact.no_contact_follow_up(today=made + dt.timedelta(days=22)) == (0, 0)
    told = Email.objects.get(kind="no_contact_liaison")
    assert told.to == pair.liaison.email
    assert told.subject == "No first contact yet: Sam Senior & Mina Member"


def test_a_pair_without_first_contact_shows_as_needing_attention_with_the_reason(client_for, committee, pair):
    Pair.objects.update(first_contact_due_on=timezone.localdate() - dt.timedelta(days=1))
    client = client_for(committee)

    listing = text_of(client.get(reverse("pairs:pair-list") + f"?cycle={pair.cycle_id}"))
    assert "Needs attention: no first contact" in listing
    assert "Needs attention: no first contact" in text_of(client.get(pair.get_absolute_url()))
    health = text_of(client.get(reverse("matching:health", args=[pair.cycle_id])))
    assert "no first contact" in health

    contact.first_contact_confirm(pair_id=pair.pk, member_id=pair.mentor.member_id)
    assert "Needs attention" not in text_of(client.get(pair.get_absolute_url()))
    assert contact.no_contact_follow_up() == (0, 0)
    with pytest.raises(ContactAlreadyConfirmed):
        contact.first_contact_confirm(pair_id=pair.pk, member_id=pair.mentee.member_id)


def test_the_days_to_first_contact_are_the_cycles_and_a_later_change_moves_no_pair(committee, member, seasoned_member):
    cycle = CycleFactory(first_contact_days=21)
    mentee = EnrollmentFactory(cycle=cycle, member=member)
    mentor = EnrollmentFactory(cycle=cycle, member=seasoned_member, role="mentor")
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)

    cycle.first_contact_days = 7
    cycle.save()

    pair.refresh_from_db()
    assert pair.first_contact_due_on == timezone.localdate() + dt.timedelta(days=21)
    assert contact.no_contact_follow_up(today=timezone.localdate() + dt.timedelta(days=20)) == (0, 0)


def test_the_cycle_form_sets_accept_first_and_the_days_and_refuses_days_out_of_range(client_for, committee):
    cycle = CycleFactory(is_open=False)
    client = client_for(committee)
    page = text_of(client.get(reverse("members:cycle-edit", args=[cycle.pk])))
    assert "Mentor accepts before the introduction" in page and "Days to first contact" in page
    data = {
        "name": cycle.name,
        "optin_opens": cycle.optin_opens,
        "optin_closes": cycle.optin_closes,
        "matchmaking_starts": cycle.matchmaking_starts,
        "matchmaking_ends": cycle.matchmaking_ends,
        "starts_on": cycle.starts_on,
        "orientation": cycle.orientation,
        "default_length_months": 10,
        "mentor_min_years": 5,
        "mentor_accepts_first": "on",
        "offer_answer_days": 5,
        "first_contact_days": 10,
    }

    refused = client.post(reverse("members:cycle-edit", args=[cycle.pk]), {**data, "offer_answer_days": 90})
    assert refused.status_code == 200 and "less than or equal to 30" in text_of(refused)
    cycle.refresh_from_db()
    assert not cycle.mentor_accepts_first
    client.post(reverse("members:cycle-edit", args=[cycle.pk]), data)
    cycle.refresh_from_db()
    assert (cycle.mentor_accepts_first, cycle.offer_answer_days, cycle.first_contact_days) == (True, 5, 10)
