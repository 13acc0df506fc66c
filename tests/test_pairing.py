"""The one service that makes a pair, and the committee's plain pairing page and admin."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Enrollment
from pairs import services
from pairs.models import Email, Pair
from pairs.services import PairingError

from .factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentee(cycle, member):
    return EnrollmentFactory(cycle=cycle, member=member, role="mentee")


@pytest.fixture
def mentor(cycle, seasoned_member):
    return EnrollmentFactory(cycle=cycle, member=seasoned_member, role="mentor", capacity=1)


def pair_rows():
    return Pair.objects.count(), Email.objects.count()


def test_committee_pairs_a_mentee_with_a_mentor_and_both_introductions_are_written(committee, mentee, mentor, cycle):
    pair = services.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)

    assert (pair.status, pair.created_by, pair.liaison) == ("active", committee, committee)
    assert pair.starts_on == cycle.starts_on and pair.length_months == cycle.default_length_months
    emails = {e.kind: e for e in Email.objects.filter(pair=pair)}
    assert set(emails) == {"intro_mentor", "intro_mentee"}
    assert emails["intro_mentor"].to == mentor.member.email and mentee.member.email in emails["intro_mentor"].body_text
    assert emails["intro_mentee"].to == mentee.member.email and mentor.member.email in emails["intro_mentee"].body_text
    assert all(e.state == "pending" for e in emails.values())
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"paired"}


def test_a_pair_made_after_the_fall_conference_starts_today(committee, mentee, mentor, cycle):
    cycle.starts_on = timezone.localdate() - dt.timedelta(days=20)
    cycle.save()

    pair = services.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee, length_months=12)

    assert pair.starts_on == timezone.localdate()
    assert pair.ends_on == pair.starts_on.replace(year=pair.starts_on.year + 1)


def test_the_liaison_is_the_committee_member_with_the_fewest_pairs(committee, cycle):
    busy = committee
    free = UserFactory()
    free.groups.add(*busy.groups.all())
    PairFactory(cycle=cycle, liaison=busy)
    mentee, mentor = (
        EnrollmentFactory(cycle=cycle),
        EnrollmentFactory(cycle=cycle, role="mentor", member=UserFactory(seasoned=True)),
    )

    pair = services.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=busy)

    assert pair.liaison == free


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("mentee_paired", "has been paired meanwhile"),
        ("mentor_full", "already mentors 1 of the 1 mentee they offered to take"),
        ("self", "cannot be their own mentor"),
        ("other_cycle", "opted in to different cycles"),
        ("withdrawn", "opt-in is withdrawn"),
        ("roles_swapped", "Choose a mentee's opt-in and a mentor's opt-in"),
        ("too_long", "A pair runs 9 to 12 months, not 13"),
        ("not_committee_liaison", "is not on the Mentoring Committee"),
    ],
)
def test_pairing_that_breaks_a_rule_is_refused_and_writes_nothing(committee, cycle, mentee, mentor, setup, message):
    kwargs = {"mentee_id": mentee.pk, "mentor_id": mentor.pk, "by": committee}
    if setup == "mentee_paired":
        PairFactory(cycle=cycle, mentee=mentee)
    elif setup == "mentor_full":
        PairFactory(cycle=cycle, mentor=mentor)
    elif setup == "self":
        kwargs["mentor_id"] = EnrollmentFactory(cycle=cycle, member=mentee.member, role="mentor").pk
    elif setup == "other_cycle":
        kwargs["mentor_id"] = EnrollmentFactory(cycle=CycleFactory(is_open=False), role="mentor").pk
    elif setup == "withdrawn":
        Enrollment.objects.filter(pk=mentee.pk).update(status="withdrawn")
    elif setup == "roles_swapped":
        kwargs = {"mentee_id": mentor.pk, "mentor_id": mentee.pk, "by": committee}
    elif setup == "too_long":
        kwargs["length_months"] = 13
    elif setup == "not_committee_liaison":
        kwargs["liaison"] = UserFactory()
    before = pair_rows()

    with pytest.raises(PairingError, match=message):
        services.pair_create(**kwargs)

    assert pair_rows() == before


def test_a_mentor_with_capacity_two_takes_two_mentees_and_no_third(committee, cycle, seasoned_member):
    mentor = EnrollmentFactory(cycle=cycle, member=seasoned_member, role="mentor", capacity=2)
    mentees = [EnrollmentFactory(cycle=cycle) for _ in range(3)]

    services.pair_create(mentee_id=mentees[0].pk, mentor_id=mentor.pk, by=committee)
    services.pair_create(mentee_id=mentees[1].pk, mentor_id=mentor.pk, by=committee)
    with pytest.raises(PairingError, match="already mentors 2 of the 2 mentees"):
        services.pair_create(mentee_id=mentees[2].pk, mentor_id=mentor.pk, by=committee)

    assert Pair.objects.filter(mentor=mentor).count() == 2


def test_the_database_refuses_a_second_active_pair_for_a_mentee_even_without_the_service(cycle, mentee):
    from django.db import IntegrityError, transaction

    PairFactory(cycle=cycle, mentee=mentee)
    with pytest.raises(IntegrityError), transaction.atomic():
        PairFactory(cycle=cycle, mentee=mentee)


def test_the_database_refuses_a_pair_of_13_months(cycle):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PairFactory(cycle=cycle, length_months=13)


# --- The committee's page ------------------------------------------------------------


def test_committee_pairs_from_the_plain_page(client_for, committee, mentee, mentor, cycle):
    client = client_for(committee)
    page = client.get(reverse("pairs:pair-create"))
    assert str(mentee.member) in page.text and str(mentor.member) in page.text

    response = client.post(
        reverse("pairs:pair-create") + f"?cycle={cycle.pk}",
        {"mentee": mentee.pk, "mentor": mentor.pk, "liaison": "", "length_months": "10"},
        follow=True,
    )

    pair = Pair.objects.get()
    assert response.redirect_chain[-1][0] == reverse("pairs:pair-detail", args=[pair.pk])
    assert f"Paired {mentee.member} with {mentor.member}." in response.text


def test_a_stale_page_pairing_a_mentee_paired_meanwhile_gets_a_message_not_an_error(
    client_for, committee, mentee, mentor, cycle
):
    other_mentor = EnrollmentFactory(cycle=cycle, role="mentor", member=UserFactory(seasoned=True))
    services.pair_create(mentee_id=mentee.pk, mentor_id=other_mentor.pk, by=committee)

    response = client_for(committee).post(
        reverse("pairs:pair-create"), {"mentee": mentee.pk, "mentor": mentor.pk, "length_months": "10"}
    )

    assert response.status_code == 200
    assert "no longer available" in response.text
    assert Pair.objects.count() == 1


def test_the_service_refusal_shows_as_a_message_on_the_page(client_for, committee, mentee, cycle):
    full = EnrollmentFactory(
        cycle=cycle, role="mentor", member=UserFactory(seasoned=True, last_name="Busy"), capacity=1
    )
    PairFactory(cycle=cycle, mentor=full)

    response = client_for(committee).post(
        reverse("pairs:pair-create"), {"mentee": mentee.pk, "mentor": full.pk, "length_months": "10"}
    )

    assert "already mentors 1 of the 1 mentee they offered to take" in response.text
    assert Pair.objects.count() == 1


def test_site_admin_adds_a_pair_in_the_django_admin_through_the_service(
    client_for, site_admin, committee, mentee, mentor
):
    response = client_for(site_admin).post(
        reverse("admin:pairs_pair_add"),
        {"mentee": mentee.pk, "mentor": mentor.pk, "liaison": "", "length_months": "10"},
    )

    assert response.status_code == 302, response.text[:2000]
    pair = Pair.objects.get()
    assert pair.created_by == site_admin and pair.liaison == committee
    assert Email.objects.filter(pair=pair).count() == 2


def test_the_admin_shows_a_refusal_as_a_form_error(client_for, site_admin, cycle, mentee, mentor):
    PairFactory(cycle=cycle, mentor=mentor)

    response = client_for(site_admin).post(
        reverse("admin:pairs_pair_add"), {"mentee": mentee.pk, "mentor": mentor.pk, "length_months": "10"}
    )

    assert response.status_code == 200
    assert "already mentors 1 of the 1 mentee" in response.text
    assert Pair.objects.count() == 1
