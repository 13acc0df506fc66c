"""The one service that makes a pair, and the committee's plain pairing page and admin."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Enrollment
from outbox.models import Email
from pairs.models import Pair
from pairs.services import pairing
from pairs.services.pairing import PairingError

from .factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(mentor):
    """The mentor, with room for one mentee: the first pair fills it."""
    mentor.capacity = 1
    mentor.save(update_fields=["capacity"])
    return mentor


def pair_rows():
    return Pair.objects.count(), Email.objects.count()


def test_committee_pairs_a_mentee_with_a_mentor_and_both_introductions_are_written(committee, mentee, mentor, cycle):
    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)

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

    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee, length_months=12)

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

    pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=busy)

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
        pairing.pair_create(**kwargs)

    assert pair_rows() == before


def test_a_mentor_with_capacity_two_takes_two_mentees_and_no_third(committee, cycle, seasoned_member):
    mentor = EnrollmentFactory(cycle=cycle, member=seasoned_member, role="mentor", capacity=2)
    mentees = [EnrollmentFactory(cycle=cycle) for _ in range(3)]

    pairing.pair_create(mentee_id=mentees[0].pk, mentor_id=mentor.pk, by=committee)
    pairing.pair_create(mentee_id=mentees[1].pk, mentor_id=mentor.pk, by=committee)
    with pytest.raises(PairingError, match="already mentors 2 of the 2 mentees"):
        pairing.pair_create(mentee_id=mentees[2].pk, mentor_id=mentor.pk, by=committee)

    assert Pair.objects.filter(mentor=mentor).count() == 2


@pytest.mark.parametrize("second", ["the same mentee again", "a third mentee for two places"])
def test_many_pairs_at_once_keep_the_rules_against_each_other_and_make_all_or_nothing(committee, cycle, second):
    """pairs_create (a proposal's confirmation) checks each pair against those before it in
    the same call, as one pair_create after another would; refused, it writes nothing."""
    mentor = EnrollmentFactory(cycle=cycle, member=UserFactory(seasoned=True), role="mentor", capacity=2)
    mentees = [EnrollmentFactory(cycle=cycle, role="mentee") for _ in range(3)]
    requests = [pairing.PairRequest(mentee_id=e.pk, mentor_id=mentor.pk) for e in mentees[:2]]
    last = mentees[0] if second == "the same mentee again" else mentees[2]
    requests.append(pairing.PairRequest(mentee_id=last.pk, mentor_id=mentor.pk))

    with pytest.raises(PairingError) as refused:
        pairing.pairs_create(requests, by=committee)

    assert refused.value.request is requests[2]
    expected = "has been paired meanwhile" if second == "the same mentee again" else "already mentors 2 of the 2"
    assert expected in str(refused.value)
    assert pair_rows() == (0, 0)
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"waiting"}
    assert len(pairing.pairs_create(requests[:2], by=committee)) == 2


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
    page = client.get(reverse("matching:pair-create"))
    assert str(mentee.member) in page.text and str(mentor.member) in page.text

    response = client.post(
        reverse("matching:pair-create") + f"?cycle={cycle.pk}",
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
    pairing.pair_create(mentee_id=mentee.pk, mentor_id=other_mentor.pk, by=committee)

    response = client_for(committee).post(
        reverse("matching:pair-create"), {"mentee": mentee.pk, "mentor": mentor.pk, "length_months": "10"}
    )

    assert response.status_code == 200
    assert "no longer available" in response.text
    assert Pair.objects.count() == 1


def test_the_service_refusal_shows_as_a_message_on_the_page(client_for, committee, mentee, cycle):
    # The page offers only mentors with a place left; the service's own refusal: the same person.
    themself = EnrollmentFactory(cycle=cycle, role="mentor", member=mentee.member)

    response = client_for(committee).post(
        reverse("matching:pair-create"), {"mentee": mentee.pk, "mentor": themself.pk, "length_months": "10"}
    )

    assert f"{mentee.member} cannot be their own mentor." in response.text
    assert Pair.objects.count() == 0


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


def test_the_admin_asks_before_pairing_two_people_again_right_after_their_pair_ended(
    client_for, committee, cycle, mentee, mentor
):
    """Issue 15, item 20: the admin paired them again at once, with no warning."""
    first = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    pairing.pair_end(pair=first, by=committee, category="not_a_match", reason="", back_to_pool=True)
    client = client_for(committee)
    data = {"mentee": mentee.pk, "mentor": mentor.pk, "liaison": "", "length_months": "10"}

    refused = client.post(reverse("admin:pairs_pair_add"), data)
    again = client.post(reverse("admin:pairs_pair_add"), {**data, "pair_again": "on"})

    today = timezone.localdate()
    assert refused.status_code == 200
    assert (
        f"{mentee.member} and {mentor.member} were paired before: their pair of {cycle.name} ended on "
        f"{today:%B} {today.day}, {today.year} (Not a good match). Tick “Pair them again” to pair them anyway."
    ) in unescape(refused.text)
    assert again.status_code == 302, unescape(again.text)[:3000]
    assert Pair.objects.count() == 2 and Pair.objects.active().count() == 1


def test_the_admin_adds_a_pair_by_ids_without_a_list_of_every_mentee_mentor_and_member(
    client_for, site_admin, cycle, mentee, mentor
):
    page = client_for(site_admin).get(reverse("admin:pairs_pair_add")).text

    for field in ("mentee", "mentor", "liaison"):
        assert re.search(rf'<input type="text" name="{field}"[^>]*class="vForeignKeyRawIdAdminField"', page), field
    assert "<option" not in page.split('id="pair_form"', 1)[1].split("length_months", 1)[0]


def test_the_admin_lists_pairs_50_a_page(client_for, site_admin, cycle):
    for _ in range(51):
        PairFactory(cycle=cycle)

    client = client_for(site_admin)
    first = client.get(reverse("admin:pairs_pair_changelist")).text
    second = client.get(reverse("admin:pairs_pair_changelist") + "?p=2").text

    assert first.count('class="action-select"') == 50
    assert second.count('class="action-select"') == 1


# --- The pairing page with a cycle of thousands: search, never every opt-in ---------------


def offered(page: str, name: str) -> list[str]:
    """The options of the `name` drop-down, as the committee reads them (without the empty choice)."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return [unescape(label) for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)]


def chosen(page: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    found = re.search(r'<option value="(\d+)"[^>]*selected[^>]*>', select)
    return found and found.group(1)


def test_the_pairing_page_lists_only_the_mentees_and_mentors_matching_the_search(
    client_for, committee, cycle, mentee, mentor
):
    EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Otto", last_name="Other"))
    url = reverse("matching:pair-create")

    page = client_for(committee).get(url, {"cycle": cycle.pk, "mentee_q": "Other", "mentor_q": "nobody-at-all"}).text

    assert [name.split(" — ")[0] for name in offered(page, "mentee")] == ["Otto Other"]
    assert offered(page, "mentor") == []
    assert "No mentor matches “nobody-at-all”." in page


def test_a_search_that_finds_one_mentee_chooses_them(client_for, committee, cycle, mentee, mentor):
    EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Otto", last_name="Other"))

    page = client_for(committee).get(reverse("matching:pair-create"), {"cycle": cycle.pk, "mentee_q": "Other"}).text

    assert chosen(page, "mentee") == str(Enrollment.objects.get(member__last_name="Other").pk)
    assert chosen(page, "mentor") is None  # no search for the mentor: nobody chosen for the committee


def test_the_pairing_page_offers_the_first_50_and_the_mentee_chosen_from_the_address(
    client_for, committee, cycle, mentor
):
    many = [
        EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Mentee", last_name=f"No{i:02d}"))
        for i in range(52)
    ]
    client = client_for(committee)

    page = client.get(reverse("matching:pair-create"), {"cycle": cycle.pk, "mentee": many[51].pk}).text

    names = [name.split(" — ")[0] for name in offered(page, "mentee")]
    assert len(names) == 51 and names[0] == "Mentee No51" and names[1:] == [f"Mentee No{i:02d}" for i in range(50)]
    assert chosen(page, "mentee") == str(many[51].pk)
    assert "The first 50: search above to find others." in page

    # Any waiting mentee can be paired, offered on the page or not.
    response = client.post(
        reverse("matching:pair-create") + f"?cycle={cycle.pk}",
        {"mentee": many[50].pk, "mentor": mentor.pk, "length_months": "10"},
    )
    assert response.status_code == 302
    assert Pair.objects.get().mentee == many[50]


def test_the_pairing_page_query_count_does_not_grow_with_the_opt_ins(
    client_for, committee, cycle, mentee, mentor, page_queries
):
    client = client_for(committee)
    url = reverse("matching:pair-create") + f"?cycle={cycle.pk}"

    few = page_queries(client, url)
    for i in range(60):
        EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Mentee", last_name=f"No{i:02d}"))
    many = page_queries(client, url, exactly=few)

    # Measured: 9 (session, user, committee group, cycles, the ids of a page of mentees, then
    # the mentees, the same for mentors, the liaisons).
    assert many <= 9
