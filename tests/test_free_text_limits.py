"""The pairs' free texts have limits, said as they are typed and kept by the services
(issue 15, item 16): check-in notes 2,000 characters, a goal's description 1,000, the
reason a pair ends 1,000 (topics and titles keep their 300 and 200)."""

import pytest
from django.urls import reverse

from members.models import Role
from pairs.models import CheckIn, Goal, Pair, PairStatus
from pairs.services import pairing, year

from .factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cycle, member, seasoned_member, committee):
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
        liaison=committee,
    )


def checkin(pair, **changes) -> dict:
    return {"met_on": pair.began_on.isoformat(), "mode": "video", "minutes": "30", "topics": "", "notes": "", **changes}


def test_notes_of_2001_characters_are_refused_and_nothing_is_logged(client_for, pair, member):
    response = client_for(member).post(reverse("pairs:checkin-create", args=[pair.pk]), checkin(pair, notes="a" * 2001))

    assert response.status_code == 200
    assert "Keep this to 2,000 characters (it has 2,001)." in response.text
    assert not CheckIn.objects.exists()


def test_notes_at_the_limit_are_counted_as_typed_a_line_break_one_character(client_for, pair, member):
    """The browser stops typing at maxlength="2000" counting a line break as one, and sends two."""
    notes = ("a" * 99 + "\r\n") * 20  # 2,000 typed, 2,020 sent

    client_for(member).post(reverse("pairs:checkin-create", args=[pair.pk]), checkin(pair, notes=notes))

    assert CheckIn.objects.get().notes.count("a") == 1980


def test_checkin_log_refuses_notes_too_long_without_the_form(pair, member):
    with pytest.raises(year.PairYearError, match="Keep this to 2,000 characters"):
        year.checkin_log(
            pair=pair, by=member, met_on=pair.began_on, mode="video", minutes=None, topics="", notes="a" * 2001
        )
    assert not CheckIn.objects.exists()


def test_a_goal_description_of_1001_characters_is_refused(client_for, pair, member):
    response = client_for(member).post(
        reverse("pairs:goal-create", args=[pair.pk]), {"title": "Grant", "status": "open", "description": "d" * 1001}
    )

    assert "Keep this to 1,000 characters (it has 1,001)." in response.text
    assert not Goal.objects.exists()
    with pytest.raises(year.PairYearError, match="Keep this to 1,000 characters"):
        year.goal_save(pair=pair, by=member, goal=Goal(title="Grant", description="d" * 1001))


def test_the_reason_a_pair_ends_is_at_most_1000_characters(client_for, pair, committee):
    response = client_for(committee).post(
        reverse("pairs:pair-end", args=[pair.pk]), {"category": "other", "reason": "r" * 1001}
    )

    assert "Keep this to 1,000 characters (it has 1,001)." in response.text
    assert Pair.objects.get().status == PairStatus.ACTIVE
    with pytest.raises(pairing.PairingError, match="1,000 characters"):
        pairing.pair_end(pair=pair, by=committee, reason="r" * 1001)


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("pairs:checkin-create", {"topics": "300", "notes": "2000"}),
        ("pairs:goal-create", {"title": "200", "description": "1000"}),
        ("pairs:pair-report", {"note": "1000"}),
    ],
)
def test_each_free_text_of_the_pairs_forms_has_its_limit_counted_as_it_is_typed(client_for, pair, member, name, fields):
    page = client_for(member).get(reverse(name, args=[pair.pk])).text

    for field, limit in fields.items():
        tag = next(t for t in page.split("<") if f'name="{field}"' in t)
        assert f'maxlength="{limit}"' in tag and "data-count" in tag, tag
    assert "js/char-count.js" in page


def test_the_committees_end_form_counts_the_reason_as_it_is_typed(client_for, pair, committee):
    page = client_for(committee).get(reverse("pairs:pair-end", args=[pair.pk])).text

    tag = next(t for t in page.split("<") if 'name="reason"' in t)
    assert 'maxlength="1000"' in tag and "data-count" in tag
