"""The orientation at the fall conference: the committee marks who came, each pair's
timeline shows it, and the pairs with someone absent are listed."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Role
from pairs.models import OrientationAttendance, PairStatus
from pairs.services import orientation as orientation_services

from .factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db

ORIENTATION = "Mentoring orientation at the ArLA fall conference"


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def short(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


@pytest.fixture
def held(db):
    """A cycle whose orientation took place three days ago."""
    return CycleFactory(starts_on=days(-3))


def active_pair(cycle, mentor: tuple[str, str], mentee: tuple[str, str]):
    """An active pair of the cycle between two people named (first, last)."""
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(
            cycle=cycle,
            role=Role.MENTOR,
            status="paired",
            member=UserFactory(seasoned=True, first_name=mentor[0], last_name=mentor[1]),
        ),
        mentee=EnrollmentFactory(
            cycle=cycle, status="paired", member=UserFactory(first_name=mentee[0], last_name=mentee[1])
        ),
    )


@pytest.fixture
def pairs(held):
    """Two active pairs of that cycle, with people easy to tell apart."""
    return [active_pair(held, (f"Mentor{n}", f"Tor{n}"), (f"Mentee{n}", f"Tee{n}")) for n in (1, 2)]


def url(cycle) -> str:
    return f"{reverse('pairs:orientation')}?cycle={cycle.pk}"


def mark(client, cycle, *people):
    return client.post(url(cycle), {"attended": [p.pk for p in people]}, follow=True)


def present(cycle) -> dict[str, bool]:
    return {str(a.member): a.attended for a in OrientationAttendance.objects.for_cycle(cycle).select_related("member")}


def orientation_on_page(client, pair) -> tuple[str, str]:
    """(state, the line under the milestone) as the pair page shows them."""
    page = client.get(reverse("pairs:pair-detail", args=[pair.pk])).text
    found = re.search(
        rf'{ORIENTATION}<div class="small text-body-secondary">([^<]*)</div></div>'
        r'\s*<span class="badge [^"]*">([^<]+)</span>',
        page,
    )
    assert found, "the orientation milestone is on the pair page"
    return found.group(2), found.group(1)


def test_committee_sees_every_member_of_the_cycles_pairs_once_with_the_event(client_for, committee, held, pairs):
    extra = PairFactory(cycle=held, mentor=pairs[0].mentor)  # Mentor1 mentors two mentees
    PairFactory(cycle=held, status=PairStatus.ENDED)  # an ended pair is not expected

    page = client_for(committee).get(url(held)).text

    assert held.orientation in page
    assert f"{held.starts_on:%B} {held.starts_on.day}, {held.starts_on.year}" in page
    for p in [*pairs, extra]:
        assert page.count(f'name="attended" value="{p.mentee.member.pk}"') == 1
    assert page.count(f'name="attended" value="{pairs[0].mentor.member.pk}"') == 1
    assert page.count('name="attended"') == 5  # 2 mentors and 3 mentees: nobody of the ended pair
    assert "Save attendance" in page


def test_committee_marks_attendance_in_one_save(client_for, committee, held, pairs):
    p1, p2 = pairs

    response = mark(client_for(committee), held, p1.mentor.member, p1.mentee.member, p2.mentor.member)

    assert "Attendance saved: 3 present." in response.text
    assert present(held) == {"Mentor1 Tor1": True, "Mentee1 Tee1": True, "Mentor2 Tor2": True, "Mentee2 Tee2": False}
    assert {a.marked_by for a in OrientationAttendance.objects.all()} == {committee}
    assert "3 of 4 members present" in response.text


def test_saving_the_same_sheet_again_changes_nothing(client_for, committee, held, pairs):
    p1, _ = pairs
    client = client_for(committee)
    mark(client, held, p1.mentor.member, p1.mentee.member)
    before = list(OrientationAttendance.objects.order_by("pk").values_list("pk", "attended", "marked_at"))

    response = mark(client, held, p1.mentor.member, p1.mentee.member)

    assert "Attendance saved: 2 present. Nothing had changed." in response.text
    assert list(OrientationAttendance.objects.order_by("pk").values_list("pk", "attended", "marked_at")) == before


def test_unticking_someone_marks_them_absent(client_for, committee, held, pairs):
    p1, _ = pairs
    client = client_for(committee)
    mark(client, held, p1.mentor.member, p1.mentee.member)

    mark(client, held, p1.mentor.member)

    assert present(held)["Mentee1 Tee1"] is False


def test_both_sides_present_turns_the_orientation_done_on_its_day(client_for, committee, held, pairs):
    p1, _ = pairs
    mark(client_for(committee), held, p1.mentor.member, p1.mentee.member)

    for side in (p1.mentor.member, p1.mentee.member):
        assert orientation_on_page(client_for(side), p1) == ("Done", f"done {short(held.starts_on)}")


def test_a_passed_orientation_with_one_side_absent_is_overdue_on_the_committees_timeline(
    client_for, committee, held, pairs
):
    _, p2 = pairs
    mark(client_for(committee), held, p2.mentor.member)

    assert orientation_on_page(client_for(committee), p2) == ("Overdue", f"due {short(held.starts_on)}")


def test_a_passed_orientation_nobody_marked_is_not_recorded_to_the_pair_who_cannot_mark_it(client_for, held, pairs):
    """Issue 15, item 6: members saw a red "Overdue" they could do nothing about."""
    assert orientation_on_page(client_for(pairs[0].mentor.member), pairs[0]) == (
        "Not recorded",
        f"{short(held.starts_on)}: the committee records who came",
    )


def test_an_orientation_to_come_is_upcoming_and_cannot_be_marked_yet(client_for, committee, cycle):
    pair = PairFactory(cycle=cycle)  # the orientation is 150 days away
    client = client_for(committee)

    page = client.get(url(cycle)).text
    response = mark(client, cycle, pair.mentor.member, pair.mentee.member)

    assert "Attendance can be marked from" in page
    assert "disabled" in page and "Save attendance" not in page
    assert "attendance can be marked from that day" in response.text
    assert not OrientationAttendance.objects.exists()
    assert orientation_on_page(client_for(pair.mentee.member), pair)[0] == "Upcoming"


def test_pairs_with_someone_absent_are_listed_once_the_orientation_has_passed(client_for, committee, held, pairs):
    p1, p2 = pairs
    client = client_for(committee)
    mark(client, held, p1.mentor.member, p1.mentee.member, p2.mentor.member)

    page = client.get(url(held)).text
    absent = page.split("Pairs with someone absent", 1)[1]

    assert "1 pair where the mentor or the mentee is not marked present" in absent
    assert "Mentee2 Tee2 (mentee)" in absent
    assert reverse("pairs:pair-detail", args=[p2.pk]) in absent
    assert reverse("pairs:pair-detail", args=[p1.pk]) not in absent


def test_the_absent_list_waits_for_the_orientation_to_pass(client_for, committee, cycle):
    PairFactory(cycle=cycle)

    page = client_for(committee).get(url(cycle)).text

    assert "This list appears once the orientation" in page


def test_everyone_present_says_so(client_for, committee, held, pairs):
    client = client_for(committee)
    mark(client, held, *[m for p in pairs for m in (p.mentor.member, p.mentee.member)])

    assert "Everyone came" in client.get(url(held)).text


def test_a_stale_sheet_ticking_someone_no_longer_in_a_pair_saves_nothing(client_for, committee, held, pairs, stranger):
    response = mark(client_for(committee), held, pairs[0].mentor.member, stranger)

    assert "no longer in a pair of the" in response.text
    assert not OrientationAttendance.objects.exists()


def test_orientation_mark_is_idempotent_without_the_page(committee, held, pairs):
    ids = {pairs[0].mentor.member_id}

    first = orientation_services.orientation_mark(cycle=held, attended_ids=ids, by=committee)
    again = orientation_services.orientation_mark(cycle=held, attended_ids=ids, by=committee)

    assert (first, again) == (4, 0)
    assert OrientationAttendance.objects.count() == 4


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_member_gets_403_and_marks_nothing(client_for, held, pairs, method):
    mentee = pairs[0].mentee.member
    client = client_for(mentee)

    response = getattr(client, method)(url(held), {"attended": [mentee.pk]} if method == "post" else None)

    assert response.status_code == 403
    assert not OrientationAttendance.objects.exists()


def test_the_pair_list_and_the_committee_menu_link_to_the_orientation(client_for, committee, held, pairs):
    page = client_for(committee).get(reverse("pairs:pair-list")).text

    assert f'href="{reverse("pairs:orientation")}?cycle={held.pk}"' in page
    assert f'href="{reverse("pairs:orientation")}"' in page


def test_orientation_page_query_count_does_not_grow_with_pairs(client_for, committee, held, pairs, page_queries):
    client = client_for(committee)
    orientation_services.orientation_mark(cycle=held, attended_ids={pairs[0].mentor.member_id}, by=committee)

    few = page_queries(client, url(held))
    for _ in range(18):
        PairFactory(cycle=held)
    many = page_queries(client, url(held), exactly=few)

    # Measured: 10 (session, user, committee group, cycles; the roster: every pair's two
    # members and every mark; a page of the sheet's ids, them, their partners; a page of the
    # pairs with someone absent).
    assert many <= 10


# --- A cycle of many pairs: the sheet a page at a time ---------------------------------------


@pytest.fixture
def crowd(held):
    """26 pairs of the held cycle: 52 members, Mentee00 Crowd00 … and Mentor00 Crowd00 …,
    so that the sheet (by last name) pairs them up: Mentee00, Mentor00, Mentee01, …"""
    return [
        active_pair(held, (f"Mentor{n:02d}", f"Crowd{n:02d}"), (f"Mentee{n:02d}", f"Crowd{n:02d}")) for n in range(26)
    ]


def on_sheet(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="on_sheet" value="(\d+)"', page)]


def test_the_sheet_shows_50_members_a_page_and_the_next_page_shows_the_rest(client_for, committee, held, crowd):
    client = client_for(committee)

    first = client.get(url(held)).text
    second = client.get(url(held) + "&page=2").text

    assert len(on_sheet(first)) == 50 and first.count('name="attended"') == 50
    assert on_sheet(second) == [crowd[25].mentee.member.pk, crowd[25].mentor.member.pk]
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "0 of 52 members present · 52 not marked yet" in second  # the totals are the whole sheet's
    assert "Save attendance on this page" in first


def test_saving_one_page_of_the_sheet_leaves_the_other_pages_marks_alone(client_for, committee, held, crowd):
    client = client_for(committee)
    second = on_sheet(client.get(url(held) + "&page=2").text)

    response = client.post(url(held) + "&page=2", {"attended": second, "on_sheet": second})

    assert response.url == url(held) + "&page=2"  # back to the page the committee was on
    assert dict(OrientationAttendance.objects.values_list("member_id", "attended")) == dict.fromkeys(second, True)
    page = client.get(response.url).text
    assert "2 of 52 members present · 50 not marked yet" in page

    first = on_sheet(client.get(url(held)).text)
    client.post(url(held), {"attended": first[:1], "on_sheet": first})

    marks = dict(OrientationAttendance.objects.values_list("member_id", "attended"))
    assert marks == {**dict.fromkeys(first, False), first[0]: True, **dict.fromkeys(second, True)}


def test_the_committee_finds_a_member_on_the_sheet_by_name(client_for, committee, held, crowd):
    page = client_for(committee).get(url(held) + "&q=Mentor07").text

    assert on_sheet(page) == [crowd[7].mentor.member.pk]
    assert "1 member matches “Mentor07”" in page
    assert "Mentee07 Crowd07" in page  # whom they are paired with
    assert "0 of 52 members present" in page


def test_ten_pairs_with_someone_absent_are_listed_with_a_link_to_all_of_them(client_for, committee, held, crowd):
    client = client_for(committee)

    page = client.get(url(held)).text
    absent = page.split("Pairs with someone absent", 1)[1]
    link = f"{reverse('pairs:orientation')}?cycle={held.pk}&amp;show=absent"

    assert "26 pairs where the mentor or the mentee is not marked present" in absent
    assert len(re.findall(r'href="/pairs/\d+/"', absent)) == 10
    assert f'href="{link}">See all 26 pairs with someone absent</a>' in absent
    every = client.get(link.replace("&amp;", "&")).text
    assert every.count('name="attended"') == 0  # the list alone, without the sheet
    assert len(re.findall(r'href="/pairs/\d+/"', every)) == 26


def test_mark_everyone_on_this_page_present_marks_the_page_not_the_others(client_for, committee, held, crowd):
    """Issue 15, items 17 and 19: no way to mark a whole page present at once."""
    client = client_for(committee)
    first = on_sheet(client.get(url(held)).text)

    response = client.post(url(held), {"on_sheet": first, "everyone": "present"}, follow=True)
    again = client.post(url(held), {"on_sheet": first, "everyone": "present"}, follow=True)

    assert "Everyone on the page is marked present: 50 members." in response.text
    assert "Everyone on the page is marked present: 50 members. Nothing had changed." in again.text
    assert dict(OrientationAttendance.objects.values_list("member_id", "attended")) == dict.fromkeys(first, True)
    assert "50 of 52 members present · 2 not marked yet" in again.text


def test_the_page_offers_to_mark_everyone_present_once_the_orientation_has_come(client_for, committee, held, pairs):
    page = client_for(committee).get(url(held)).text

    assert '<button type="submit" class="btn btn-outline-secondary" name="everyone" value="present">' in page
    assert 'class="form-check-input check-strong"' in page
