"""Edit or delete your own check-in (issue 14, item 4): its author, for 14 days after logging it;
the other side sees that it was edited; after that, or for anyone else, refused with a reason."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Role
from pairs.models import CHECKIN_EDITABLE, CheckIn, Pair
from pairs.services import year

from .factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cycle, member, seasoned_member):
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
    )


@pytest.fixture
def checkin(pair, member) -> CheckIn:
    """Logged by the mentee, a moment ago."""
    logged, _ = year.checkin_log(
        pair=pair, by=member, met_on=pair.starts_on, mode="phone", minutes=30, topics="First call", notes="Hello."
    )
    return logged


def edit_data(checkin: CheckIn, **changes) -> dict:
    data = {"met_on": checkin.met_on.isoformat(), "mode": checkin.mode, "minutes": str(checkin.minutes)}
    return {**data, "topics": checkin.topics, "notes": checkin.notes, **changes}


def logged_days_ago(checkin: CheckIn, days: int) -> None:
    CheckIn.objects.filter(pk=checkin.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_the_author_corrects_a_checkin_and_the_other_side_sees_it_was_edited(
    client_for, pair, member, seasoned_member, checkin
):
    client = client_for(member)
    url = reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk])

    form = client.get(url).text
    assert 'value="First call"' in form and f'value="{pair.starts_on.isoformat()}"' in form
    response = client.post(url, edit_data(checkin, minutes="50", notes="Hello again."), follow=True)

    assert "Check-in saved: your partner sees that it was edited." in response.text
    checkin.refresh_from_db()
    assert (checkin.minutes, checkin.notes) == (50, "Hello again.") and checkin.edited_at is not None
    other_side = client_for(seasoned_member).get(pair.get_absolute_url()).text
    assert f"edited {timezone.localdate():%b} {timezone.localdate().day}" in other_side
    assert "Hello again." in other_side
    assert reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk]) not in other_side  # not theirs to change


def test_saving_an_unchanged_checkin_changes_nothing_and_says_so(client_for, pair, member, checkin):
    url = reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk])

    response = client_for(member).post(url, edit_data(checkin), follow=True)

    assert "Nothing was changed: the check-in is as it was." in response.text
    assert CheckIn.objects.get().edited_at is None


def test_an_edit_keeps_the_checkins_date_within_the_pairs_time(client_for, pair, member, checkin):
    response = client_for(member).post(
        reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk]), edit_data(checkin, met_on="2020-01-01")
    )

    assert response.status_code == 200
    assert f"This pair began on {pair.began_on:%B} {pair.began_on.day}, {pair.began_on.year}" in response.text
    assert CheckIn.objects.get().met_on == pair.starts_on


def test_the_other_side_may_not_change_or_delete_it(client_for, pair, seasoned_member, checkin):
    client = client_for(seasoned_member)

    for name in ("pairs:checkin-edit", "pairs:checkin-delete"):
        response = client.get(reverse(name, args=[pair.pk, checkin.pk]), follow=True)
        assert "Only the person who logged a check-in can change or delete it." in response.text
    client.post(reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk]), edit_data(checkin, notes="Mine now"))
    client.post(reverse("pairs:checkin-delete", args=[pair.pk, checkin.pk]))

    assert CheckIn.objects.get().notes == "Hello."
    with pytest.raises(year.PairYearError, match="Only the person who logged"):
        year.checkin_delete(pair=pair, checkin_id=checkin.pk, by=seasoned_member)


def test_after_14_days_the_author_is_refused_with_the_reason(client_for, pair, member, checkin):
    logged_days_ago(checkin, CHECKIN_EDITABLE.days + 1)
    client = client_for(member)

    page = client.get(pair.get_absolute_url()).text
    edited = client.post(
        reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk]), edit_data(checkin, notes="Late"), follow=True
    )
    deleted = client.post(reverse("pairs:checkin-delete", args=[pair.pk, checkin.pk]), follow=True)

    assert reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk]) not in page
    for response in (edited, deleted):
        assert "A check-in can be changed or deleted for 14 days after it was logged" in response.text
    assert CheckIn.objects.get().notes == "Hello."


def test_on_day_13_it_may_still_be_changed(client_for, pair, member, checkin):
    logged_days_ago(checkin, CHECKIN_EDITABLE.days - 1)

    client_for(member).post(reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk]), edit_data(checkin, notes="Ok"))

    assert CheckIn.objects.get().notes == "Ok"


def test_deleting_asks_first_and_pressed_twice_says_it_is_gone(client_for, pair, member, checkin):
    client = client_for(member)
    url = reverse("pairs:checkin-delete", args=[pair.pk, checkin.pk])

    question = client.get(url).text
    assert f"Delete the check-in of {pair.starts_on:%B} {pair.starts_on.day}, {pair.starts_on.year}?" in question
    assert CheckIn.objects.exists()

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert "The check-in is deleted." in first.text
    assert "This check-in is no longer there: it was deleted." in second.text
    assert not CheckIn.objects.exists()
    assert Pair.objects.get(pk=pair.pk).is_active


def test_the_edit_page_reads_as_many_queries_with_one_topic_or_twelve(client_for, pair, member, checkin, page_queries):
    from pairs.models import Topic

    url = reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk])
    Topic.objects.create(month=1, title="T1", text="t")
    few = page_queries(client_for(member), url, most=7)
    for m in range(2, 13):
        Topic.objects.create(month=m, title=f"T{m}", text="t")

    page_queries(client_for(member), url, exactly=few)
