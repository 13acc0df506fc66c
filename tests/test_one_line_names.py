"""Names and the other one-line fields of a profile hold one line (issue 10, item 10).

A line break in a first name made the pair's calendar file answer 500 for both members
and the committee. Every form that takes a name, a job title, an institution or a phone
now refuses line breaks and control characters with a message; the calendar stays whole
for rows stored before that."""

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from members.models import User

from .factories import TEST_PASSWORD, PairFactory
from .test_membership import mentee_optin, profile_data
from .test_signup import SIGNUP

pytestmark = pytest.mark.django_db

ONE_LINE = "Write this on one line: line breaks and control characters are not allowed."
BROKEN = ["Mina\nEvil", "Mina\rEvil", "Mina\r\nEvil", "Mi\x0bna", "Mi\x1bna", "Mina\u2028Evil", "Mina\u0085Evil"]
FIELDS = ["first_name", "last_name", "job_title", "institution", "phone"]


def profile_columns(user: User) -> tuple:
    user.refresh_from_db()
    return tuple(getattr(user, name) for name in FIELDS)


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", BROKEN)
def test_the_profile_form_refuses_a_line_break_or_control_character_and_changes_nothing(
    client_for, member, field, value
):
    before = profile_columns(member)

    response = client_for(member).post(reverse("members:profile-edit"), profile_data(**{field: value}))

    assert response.status_code == 200
    assert ONE_LINE in response.text
    assert profile_columns(member) == before


@pytest.mark.parametrize("field", FIELDS)
def test_the_membership_form_refuses_a_name_on_two_lines_and_nobody_joins(client_for, new_account, cycle, field):
    response = client_for(new_account).post(
        reverse("members:membership-join"), {**profile_data(**{field: "Nia\nNewcomer"}), **mentee_optin()}
    )

    assert response.status_code == 200
    assert ONE_LINE in response.text
    new_account.refresh_from_db()
    assert new_account.member_since is None and not new_account.enrollments.exists()


def test_the_renewal_form_refuses_a_job_title_on_two_lines(client_for, member):
    expires_on = member.expires_on

    response = client_for(member).post(
        reverse("members:membership-renew"), profile_data(job_title="Librarian\r\nand hacker")
    )

    assert ONE_LINE in response.text
    member.refresh_from_db()
    assert member.expires_on == expires_on and member.job_title == "Library Assistant"


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_signup_refuses_a_name_on_two_lines_and_makes_no_account(client, field):
    response = client.post(reverse("account_signup"), {**SIGNUP, field: "Nia\nNewcomer"})

    assert response.status_code == 200
    assert ONE_LINE in response.text
    assert not User.objects.exists()


def test_the_admins_user_form_refuses_a_name_on_two_lines(client_for, site_admin):
    response = client_for(site_admin).post(
        reverse("admin:members_user_add"),
        {
            "email": "nia@example.org",
            "first_name": "Nia\r\nEvil",
            "last_name": "Newcomer",
            "usable_password": "true",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert ONE_LINE in response.text
    assert not User.objects.filter(email="nia@example.org").exists()


@pytest.mark.parametrize("who", ["mentee", "mentor", "liaison"])
def test_the_calendar_opens_for_a_pair_whose_stored_names_hold_line_breaks(client_for, committee, who):
    pair = PairFactory(liaison=committee)
    # Stored before names were checked (or by a path that skips the forms).
    User.objects.filter(pk=pair.mentee.member_id).update(first_name="Mina\nEvil", last_name="Member\r")
    User.objects.filter(pk=pair.mentor.member_id).update(first_name="Sam\r\nX-INJECTED:1", last_name="Senior")
    reader = {"mentee": pair.mentee.member, "mentor": pair.mentor.member, "liaison": committee}[who]

    response = client_for(reader).get(reverse("pairs:pair-calendar", args=[pair.pk]))

    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Mentoring: Sam X-INJECTED:1 Senior & Mina Evil Member"
    assert "X-INJECTED" not in calendar
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert len(summaries) == 7
    assert all(s.endswith("(Sam X-INJECTED:1 Senior & Mina Evil Member)") for s in summaries)
    # Every line of the file is a content line: no bare CR or LF inside one.
    assert all(b"\r" not in line and b"\n" not in line for line in response.content.split(b"\r\n"))


def test_the_roster_import_refuses_a_name_on_two_lines_and_imports_nobody(client_for, committee):
    roster = 'email,first_name,last_name\nada@example.org,Ada,Archer\nben@example.org,"Ben\nEvil",Brooks\n'
    before = User.objects.count()

    response = client_for(committee).post(
        reverse("members:import"), {"file": SimpleUploadedFile("roster.csv", roster.encode(), "text/csv")}
    )

    page = unescape(response.content.decode())
    assert "The file was not imported: nothing was written." in page
    assert ONE_LINE.lower().rstrip(".") in page.lower()
    assert User.objects.count() == before
