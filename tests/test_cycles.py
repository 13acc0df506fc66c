"""The Mentoring Committee runs the program's cycles: creates and edits them, opens and
closes opt-ins (exactly one cycle open at a time), and sees each cycle's numbers."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from members.models import Cycle, Enrollment
from members.services import cycles as cycle_services

from .factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory
from .test_membership import COMMITMENTS
from .test_pairing_concurrency import all_at_once

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def cycle_data(**overrides) -> dict:
    data = {
        "name": "2027–28",
        "optin_opens": "2027-01-15",
        "optin_closes": "2027-07-15",
        "matchmaking_starts": "2027-06-01",
        "matchmaking_ends": "2027-08-31",
        "starts_on": "2027-10-06",
        "orientation": "Mentoring orientation, ArLA Annual Conference, Hot Springs",
        "default_length_months": "10",
        "mentor_min_years": "5",
    }
    data.update(overrides)
    return data


def row_numbers(page: str, name: str) -> list[int]:
    """The numbers the cycles page shows in the row of cycle `name`, left to right."""
    row = next(r for r in page.split("<tr>") if f'<span class="fw-semibold">{name}</span>' in r)
    return [int(n) for n in re.findall(r'<td class="text-end">(?:<a [^>]*>)?(\d+)', row)]


# --- Creating and editing ------------------------------------------------------------


def test_committee_creates_a_cycle_and_sees_it_in_the_list_closed_for_opt_ins(client_for, committee):
    client = client_for(committee)

    response = client.post(reverse("members:cycle-create"), cycle_data(), follow=True)

    assert "The 2027–28 cycle is created." in response.text
    cycle = Cycle.objects.get(name="2027–28")
    assert (cycle.optin_closes, cycle.starts_on, cycle.default_length_months) == (
        dt.date(2027, 7, 15),
        dt.date(2027, 10, 6),
        10,
    )
    assert not cycle.is_open
    page = client.get(reverse("members:cycle-list")).text
    assert "2027–28" in page and "Closed" in page and "Oct 6, 2027" in page


def test_cycle_form_offers_lengths_of_9_to_12_months_and_date_pickers(client_for, committee):
    page = client_for(committee).get(reverse("members:cycle-create")).text

    assert re.findall(r'<option value="(\d+)"', page) == ["9", "10", "11", "12"]
    assert page.count('type="date"') == 5
    assert 'name="is_open"' not in page


def test_committee_edits_a_cycle(client_for, committee, cycle):
    edit = reverse("members:cycle-edit", args=[cycle.pk])
    client = client_for(committee)
    assert f'value="{cycle.optin_closes:%Y-%m-%d}"' in client.get(edit).text  # the saved dates are filled in

    response = client.post(
        edit,
        cycle_data(name="2026–27", optin_opens=f"{cycle.optin_opens}", default_length_months="12"),
        follow=True,
    )

    assert "The 2026–27 cycle is saved." in response.text
    cycle.refresh_from_db()
    assert (cycle.name, cycle.default_length_months, cycle.starts_on) == ("2026–27", 12, dt.date(2027, 10, 6))
    assert cycle.is_open  # editing never opens or closes opt-ins


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"optin_closes": "2027-01-01"}, "Opt-ins must close after they open."),
        ({"matchmaking_ends": "2027-05-01"}, "Matchmaking must end after it starts."),
        ({"matchmaking_starts": "2027-01-01"}, "Matchmaking cannot start before opt-ins open (January 15, 2027)."),
        ({"starts_on": "2027-07-01"}, "The program cannot start before opt-ins close (July 15, 2027)."),
        ({"default_length_months": "8"}, "Select a valid choice."),
        ({"optin_opens": "15/01/2027"}, "Enter a valid date."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_cycle_input_is_refused_with_a_message_and_changes_nothing(client_for, committee, cycle, bad, message):
    before = Cycle.objects.values().get(pk=cycle.pk)
    client = client_for(committee)

    edited = client.post(reverse("members:cycle-edit", args=[cycle.pk]), cycle_data(**bad))
    created = client.post(reverse("members:cycle-create"), cycle_data(**{"name": "2028–29", **bad}))

    for response in (edited, created):
        assert response.status_code == 200
        assert "nothing was saved" in response.text
        assert message in response.text.replace("&#x27;", "'")
    assert Cycle.objects.values().get(pk=cycle.pk) == before
    assert Cycle.objects.count() == 1
    assert f"Edit the {cycle.name} cycle" in edited.text  # the heading shows the cycle as saved


def test_a_second_cycle_with_the_same_name_is_refused(client_for, committee, cycle):
    response = client_for(committee).post(reverse("members:cycle-create"), cycle_data(name=cycle.name))

    assert "There is a cycle with this name already." in response.text
    assert Cycle.objects.count() == 1


# --- Opening and closing opt-ins -----------------------------------------------------


def test_opening_opt_ins_for_one_cycle_closes_the_other_and_members_opt_in_to_it(client_for, committee, member, cycle):
    upcoming = CycleFactory(is_open=False, starts_on=cycle.starts_on + dt.timedelta(days=365))
    toggle = reverse("members:cycle-toggle", args=[upcoming.pk])
    client = client_for(committee)

    confirm = client.get(toggle).text
    assert f"Open opt-ins for {upcoming.name}?" in confirm
    assert f"Opt-ins for {cycle.name} will close." in confirm
    assert Cycle.objects.get(pk=upcoming.pk).is_open is False  # looking changes nothing

    done = client.post(toggle, {"action": "open"}, follow=True)

    assert f"The {upcoming.name} cycle is open for opt-ins. Opt-ins for {cycle.name} are closed." in done.text
    assert list(Cycle.objects.open_for_optins()) == [upcoming]
    opt_in = {"wants_mentor": "on", "mentee_goals": "Grow as a cataloger.", "meeting_modes": ["email"], **COMMITMENTS}
    client_for(member).post(reverse("members:enrollment-create"), opt_in)
    assert Enrollment.objects.get(member=member).cycle == upcoming


def test_closing_opt_ins_makes_the_membership_forms_say_they_are_closed(client_for, committee, member, cycle):
    toggle = reverse("members:cycle-toggle", args=[cycle.pk])
    client = client_for(committee)
    assert f"Close opt-ins for {cycle.name}?" in client.get(toggle).text

    done = client.post(toggle, {"action": "close"}, follow=True)

    assert f"Opt-ins for the {cycle.name} cycle are closed." in done.text
    assert not Cycle.objects.open_for_optins().exists()
    renewal = client_for(member).get(reverse("members:membership-renew")).text
    assert "No program cycle is open for opt-ins right now." in renewal
    assert "I would like to be a mentor" not in renewal


def test_a_stale_confirmation_page_does_not_do_the_opposite(client_for, committee, cycle):
    closed = CycleFactory(is_open=False)
    client = client_for(committee)

    again = client.post(reverse("members:cycle-toggle", args=[cycle.pk]), {"action": "open"}, follow=True)
    closed_again = client.post(reverse("members:cycle-toggle", args=[closed.pk]), {"action": "close"}, follow=True)

    assert f"The {cycle.name} cycle is already open for opt-ins." in again.text
    assert f"Opt-ins for the {closed.name} cycle are already closed." in closed_again.text
    assert list(Cycle.objects.open_for_optins()) == [cycle]


def test_opening_a_cycle_before_its_window_says_when_members_can_opt_in(client_for, committee):
    later = CycleFactory(is_open=False, optin_opens=TODAY + dt.timedelta(days=20))
    toggle = reverse("members:cycle-toggle", args=[later.pk])
    client = client_for(committee)
    when = f"{later.optin_opens:%B %-d, %Y}"

    assert f"Opt-ins for the {later.name} cycle open on {when}." in client.get(toggle).text
    done = client.post(toggle, {"action": "open"}, follow=True).text

    assert (
        f"The {later.name} cycle is open for opt-ins. Note: Opt-ins for the {later.name} cycle open on {when}." in done
    )
    assert "Open, outside its window" in done


@pytest.mark.django_db(transaction=True)  # each committee member commits on their own connection
def test_two_committee_members_opening_two_cycles_at_once_leave_exactly_one_open():
    assert connection.vendor == "postgresql", "this test needs PostgreSQL's row locks: run it with `make test`"
    CycleFactory()
    cycles = [CycleFactory(is_open=False) for _ in range(4)]

    outcomes = all_at_once([lambda c=c: cycle_services.cycle_open_optins(cycle=c) for c in cycles])

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert Cycle.objects.open_for_optins().count() == 1


def test_opening_a_cycle_that_was_deleted_meanwhile_is_refused():
    gone = CycleFactory(is_open=False)
    Cycle.objects.filter(pk=gone.pk).delete()

    with pytest.raises(cycle_services.CycleError, match="no longer exists"):
        cycle_services.cycle_open_optins(cycle=gone)


# --- The list ------------------------------------------------------------------------


def test_cycles_page_shows_each_cycles_numbers(client_for, committee, cycle):
    for status in ("waiting", "waiting", "paired", "withdrawn"):
        EnrollmentFactory(cycle=cycle, status=status)
    for status in ("waiting", "paired", "completed"):
        EnrollmentFactory(cycle=cycle, role="mentor", status=status, member=UserFactory(seasoned=True))
    last_year = CycleFactory(is_open=False, starts_on=cycle.starts_on - dt.timedelta(days=365))
    EnrollmentFactory(cycle=last_year, status="completed")
    EnrollmentFactory(cycle=last_year, role="mentor", status="withdrawn", member=UserFactory(seasoned=True))
    empty = CycleFactory(is_open=False, starts_on=cycle.starts_on + dt.timedelta(days=365))

    page = client_for(committee).get(reverse("members:cycle-list")).text

    # The statuses are the mentees': "paired" is how many pairs run (issue 15, item 9).
    #                                     mentees mentors | mentees: waiting paired completed withdrawn
    assert row_numbers(page, cycle.name) == [3, 3, 2, 1, 0, 1]
    assert row_numbers(page, last_year.name) == [1, 0, 0, 0, 1, 0]
    assert row_numbers(page, empty.name) == [0, 0, 0, 0, 0, 0]
    # Newest first; the open cycle says it is taking opt-ins today.
    assert page.index(empty.name) < page.index(cycle.name) < page.index(last_year.name)
    assert "Taking opt-ins" in page and page.count(">Open opt-ins<") == 2 and page.count(">Close opt-ins<") == 1


def test_the_cycles_list_counts_mentees_paired_as_many_as_the_pairs_and_says_so(client_for, committee, cycle):
    """Issue 15, item 9: "Paired 48" beside 24 pairs counted the mentees and the mentors."""
    for _ in range(2):
        PairFactory(cycle=cycle)

    page = client_for(committee).get(reverse("members:cycle-list")).text

    assert row_numbers(page, cycle.name)[3] == 2
    assert f'aria-label="2 mentees paired in {cycle.name}"' in page
    assert re.search(r'<th[^>]*colspan="4"[^>]*>\s*Mentees by status', page)


def test_an_open_cycle_whose_window_is_over_says_so_on_the_list(client_for, committee):
    CycleFactory(optin_opens=TODAY - dt.timedelta(days=90), optin_closes=TODAY - dt.timedelta(days=1))

    page = client_for(committee).get(reverse("members:cycle-list")).text

    assert "Open, outside its window" in page and "closed on" in page


@pytest.mark.parametrize("name", ["cycle-list", "cycle-create", "cycle-edit", "cycle-toggle"])
def test_member_is_refused_every_cycle_page_and_changes_nothing(client_for, member, cycle, name):
    url = reverse(f"members:{name}", kwargs={"pk": cycle.pk} if name in ("cycle-edit", "cycle-toggle") else None)
    client = client_for(member)

    assert client.get(url).status_code == 403
    assert client.post(url, {**cycle_data(name="mine"), "action": "close"}).status_code == 403
    assert list(Cycle.objects.values_list("name", "is_open")) == [(cycle.name, True)]


def test_a_mentors_threshold_no_current_member_meets_is_refused(client_for, committee, cycle):
    # The committee member is the one current member who may mentor (a librarian, 15 years).
    response = client_for(committee).post(
        reverse("members:cycle-edit", args=[cycle.pk]), cycle_data(name=cycle.name, mentor_min_years="16")
    )

    assert response.status_code == 200
    assert "No current member who may mentor has 16 years of library experience (1 could mentor with 5)" in (
        response.text
    )
    cycle.refresh_from_db()
    assert cycle.mentor_min_years == 5


# --- Archiving (issue 15, item 20) ------------------------------------------------------------


def archive(client, cycle, action="archive"):
    return client.post(reverse("members:cycle-archive", args=[cycle.pk]), {"action": action}, follow=True)


def test_an_archived_test_cycle_leaves_every_menu_and_is_restored_from_the_cycles_list(client_for, committee, cycle):
    test_cycle = CycleFactory(is_open=False, name="Test do not use")
    client = client_for(committee)
    assert "Test do not use" in client.get(reverse("pairs:pair-list")).text

    page = client.get(reverse("members:cycle-archive", args=[test_cycle.pk])).text
    assert "Archive the Test do not use cycle?" in page
    response = archive(client, test_cycle)

    assert "The Test do not use cycle is archived: it is in no menu now." in response.text
    assert [c.pk for c in Cycle.objects.chosen()[0]] == [cycle.pk]
    for name in ("pairs:pair-list", "members:enrollment-list", "pairs:orientation", "pairs:evaluation-summary"):
        assert "Test do not use" not in client.get(reverse(name)).text, name
    assert "Test do not use" not in client.get(reverse("matching:dashboard", args=[cycle.pk])).text
    assert "Test do not use" not in client.get(reverse("matching:health", args=[cycle.pk])).text
    listed = client.get(reverse("members:cycle-list")).text
    assert "Archived cycles" in listed and 'aria-label="Restore Test do not use"' in listed

    restored = archive(client, test_cycle, "restore")
    assert "The Test do not use cycle is restored: it is in the menus again." in restored.text
    assert "Test do not use" in client.get(reverse("pairs:pair-list")).text


def test_the_cycle_taking_opt_ins_cannot_be_archived_and_the_page_says_why(client_for, committee, cycle):
    response = archive(client_for(committee), cycle)

    assert f"The {cycle.name} cycle is taking opt-ins: close its opt-ins before archiving it." in response.text
    cycle.refresh_from_db()
    assert cycle.archived_at is None


def test_a_cycle_with_active_pairs_cannot_be_archived_and_the_page_says_why(client_for, committee):
    from .factories import PairFactory

    running = CycleFactory(is_open=False)
    PairFactory(cycle=running)
    PairFactory(cycle=running)

    response = archive(client_for(committee), running)

    assert f"The {running.name} cycle has 2 active pairs: archive it once they have completed or ended." in (
        response.text
    )
    running.refresh_from_db()
    assert running.archived_at is None


def test_archiving_or_restoring_twice_says_so_and_an_archived_cycle_cannot_take_opt_ins(client_for, committee):
    test_cycle = CycleFactory(is_open=False)
    client = client_for(committee)
    archive(client, test_cycle)

    again = archive(client, test_cycle)
    opened = client.post(reverse("members:cycle-toggle", args=[test_cycle.pk]), {"action": "open"}, follow=True)

    assert f"The {test_cycle.name} cycle is archived already." in again.text
    assert f"The {test_cycle.name} cycle is archived: restore it from the cycles list first." in opened.text
    test_cycle.refresh_from_db()
    assert test_cycle.archived_at and not test_cycle.is_open
    archive(client, test_cycle, "restore")
    assert f"The {test_cycle.name} cycle is in the menus already." in archive(client, test_cycle, "restore").text
