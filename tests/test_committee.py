"""The committee's list of opt-ins, and managing who is on the committee."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from members.models import COMMITTEE_GROUP, User, committee_group
from pairs.models import Pair
from pairs.services import reminders, year

from .factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_committee_searches_opt_ins_by_any_word_of_name_job_or_institution(client_for, committee, cycle):
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Holloway", job_title="Cataloger"))
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Pruitt", job_title="Children's Librarian"))

    page = client_for(committee).get(reverse("members:enrollment-list"), {"q": "holloway catalog"}).text

    assert "Holloway" in page and "Pruitt" not in page
    assert "1 opt-in" in page


def test_committee_filters_by_role_and_status_and_sorts_by_name(client_for, committee, cycle):
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Zimmerman"), role="mentor")
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Adams"), role="mentor")
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Mentee"), role="mentee")
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Gone"), role="mentor", status="withdrawn")

    page = (
        client_for(committee)
        .get(reverse("members:enrollment-list"), {"role": "mentor", "status": "waiting", "sort": "name"})
        .text
    )

    assert page.index("Adams") < page.index("Zimmerman")
    assert "Mentee" not in page.split("<tbody>")[1] and "Gone" not in page


def test_committee_pages_through_many_opt_ins_and_switches_cycle(client_for, committee, cycle):
    for _ in range(30):
        EnrollmentFactory(cycle=cycle)
    old = CycleFactory(is_open=False, name="2019–20")
    EnrollmentFactory(cycle=old, member=UserFactory(last_name="Oldtimer"))
    client = client_for(committee)

    second = client.get(reverse("members:enrollment-list"), {"page": 2}).text
    past = client.get(reverse("members:enrollment-list"), {"cycle": old.pk}).text

    assert "Page 2 of 2" in second and second.count("<tr>") == 1 + 5
    assert "Oldtimer" in past and "2019–20" in past


def test_committee_command_adds_and_removes_members(capsys):
    user = UserFactory(email="carol@example.org")

    call_command("committee", "add", "Carol@example.org")
    user.refresh_from_db()
    assert user.runs_program and user.is_staff

    call_command("committee", "list")
    assert "carol@example.org" in capsys.readouterr().out

    call_command("committee", "remove", "carol@example.org")
    user = User.objects.get(pk=user.pk)
    assert not user.groups.filter(name=COMMITTEE_GROUP).exists() and not user.is_staff


def test_committee_command_refuses_an_unknown_address_and_changes_nothing():
    known = UserFactory(email="known@example.org")

    with pytest.raises(CommandError, match="nobody@example.org"):
        call_command("committee", "add", "known@example.org", "nobody@example.org")

    assert not User.objects.get(pk=known.pk).is_staff


def _committee_member(**names) -> User:
    user = UserFactory(seasoned=True, is_staff=True, **names)
    user.groups.add(committee_group())
    return user


def test_removing_a_committee_member_hands_their_active_pairs_to_the_least_busy_colleagues(capsys, committee, cycle):
    busy = _committee_member(first_name="Bea", last_name="Busy")
    free = _committee_member(first_name="Fred", last_name="Free")
    PairFactory.create_batch(2, cycle=cycle, liaison=busy)
    carols = PairFactory.create_batch(3, cycle=cycle, liaison=committee)
    finished = PairFactory(cycle=cycle, liaison=committee, status="completed")

    call_command("committee", "remove", committee.email)

    liaisons = [Pair.objects.get(pk=p.pk).liaison for p in carols]
    # Fred had none, Bea two: Fred takes the first two, then the one with the lower id of the two tied.
    assert liaisons == [free, free, busy]
    out = capsys.readouterr().out
    assert f"Removed {committee.email} (Mentoring Committee)." in out
    assert f"{carols[0]} ({cycle}): liaison now Fred Free." in out
    assert f"{carols[2]} ({cycle}): liaison now Bea Busy." in out
    # A finished pair keeps the liaison it had, as a record: it gives no rights (see below).
    assert Pair.objects.get(pk=finished.pk).liaison == committee
    assert str(finished) not in out


def test_removing_the_last_committee_member_leaves_their_pairs_without_a_liaison_and_says_so(capsys, committee, cycle):
    pair = PairFactory(cycle=cycle, liaison=committee)

    call_command("committee", "remove", committee.email)

    assert Pair.objects.get(pk=pair.pk).liaison is None
    out = capsys.readouterr().out
    assert f"{pair} ({cycle}): no liaison now, nobody else is on the Mentoring Committee" in out


def test_a_member_no_longer_on_the_committee_keeps_no_right_to_the_pairs_they_liaised(client_for, committee, cycle):
    pair = PairFactory(cycle=cycle, liaison=committee, mentee__member=UserFactory(last_name="Pairedmentee"))
    client = client_for(committee)
    assert client.get(reverse("pairs:pair-detail", args=[pair.pk])).status_code == 200

    # Taken off the committee without the command (a site admin unticks the group in the admin):
    # the pair still names them, their rights are gone all the same.
    committee.groups.remove(committee_group())
    client = client_for(User.objects.get(pk=committee.pk))

    assert client.get(reverse("pairs:pair-detail", args=[pair.pk])).status_code == 404
    assert client.get(reverse("pairs:pair-calendar", args=[pair.pk])).status_code == 404
    mine = client.get(reverse("pairs:pair-mine")).text
    assert "Pairedmentee" not in mine and reverse("pairs:pair-detail", args=[pair.pk]) not in mine
    assert pair.mentee.member.email not in mine


def test_the_pair_emails_of_a_liaison_no_longer_on_the_committee_go_to_the_committee(
    committee, cycle, django_capture_on_commit_callbacks, eager_tasks, mailoutbox
):
    colleague = _committee_member(first_name="Cleo", last_name="Colleague")
    pair = PairFactory(cycle=cycle, liaison=committee)
    committee.groups.remove(committee_group())

    with django_capture_on_commit_callbacks(execute=True):
        reminders.liaison_digests_send()
        year.pair_report_unresponsive(pair=pair, by=pair.mentee.member, note="No answer since May.")

    assert [m.to for m in mailoutbox] == [[colleague.email]]
    assert "This pair has no liaison" in mailoutbox[0].body


def test_health_check_reports_database_and_redis(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_check_says_503_when_redis_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "arla_mentoring.cache.RedisCacheWithStandIn",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["redis"] == "error"


@pytest.mark.django_db
def test_the_committee_group_made_anew_has_the_permissions_the_migrations_gave_it():
    from django.contrib.auth.models import Group

    from members.models import COMMITTEE_GROUP, COMMITTEE_PERMISSIONS

    def names(group):
        return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}

    migrated = names(Group.objects.get(name=COMMITTEE_GROUP))
    Group.objects.filter(name=COMMITTEE_GROUP).delete()  # as a flushed test database has none

    assert names(committee_group()) == migrated == set(COMMITTEE_PERMISSIONS)
