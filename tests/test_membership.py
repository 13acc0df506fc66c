"""The membership form ("I would like a mentor") and the renewal form ("I would like to be a mentor")."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Enrollment, EnrollmentStatus, User
from members.program import preset_defaults

from .factories import CycleFactory, EnrollmentFactory, accepting

pytestmark = pytest.mark.django_db

# Ticking every commitment of the program as it is before anyone changes the settings.
COMMITMENTS = accepting(preset_defaults())


def profile_data(**overrides):
    data = {
        "first_name": "Nia",
        "last_name": "Newcomer",
        "phone": "501-555-0101",
        "institution": "Fayetteville Public Library",
        "library_type": "public",
        "region": "northwest",
        "membership_category": "staff",
        "job_title": "Circulation Clerk",
        "responsibilities": ["circulation", "youth_services"],
        "responsibilities_other": "Summer reading",
        "years_experience": "2",
    }
    data.update(overrides)
    return data


def mentee_optin(**overrides):
    data = {
        "wants_mentor": "on",
        "mentee_goals": "Find my way into librarianship and ArLA committees.",
        "mentee_interests": "Youth services",
        "meeting_modes": ["video", "email"],
        "capacity": "1",
        **COMMITMENTS,
    }
    data.update(overrides)
    return data


def mentor_optin(capacity="2", **overrides):
    data = {
        "wants_to_mentor": "on",
        "mentor_goals": "Share what fifteen years of cataloging taught me.",
        "meeting_modes": ["in_person", "phone"],
        "capacity": capacity,
        **COMMITMENTS,
    }
    data.update(overrides)
    return data


# --- The membership form -------------------------------------------------------------


def test_new_member_joins_and_asks_for_a_mentor(client_for, new_account, cycle):
    response = client_for(new_account).post(
        reverse("members:membership-join"), {**profile_data(), **mentee_optin()}, follow=True
    )

    assert "You are signed up as a mentee" in response.text
    new_account.refresh_from_db()
    assert new_account.member_since == timezone.localdate()
    assert new_account.expires_on == timezone.localdate().replace(year=timezone.localdate().year + 1)
    assert new_account.job_title == "Circulation Clerk"
    enrollment = Enrollment.objects.get(member=new_account)
    assert (enrollment.role, enrollment.cycle, enrollment.status) == ("mentee", cycle, EnrollmentStatus.WAITING)
    # The snapshot holds the job title and responsibilities as they were at opt-in time.
    assert enrollment.job_title == "Circulation Clerk"
    assert enrollment.responsibilities == ["circulation", "youth_services"]
    assert enrollment.meeting_modes == ["video", "email"]
    assert enrollment.commitments_accepted_at is not None


def test_membership_form_offers_i_would_like_a_mentor_first(client_for, new_account, cycle):
    page = client_for(new_account).get(reverse("members:membership-join")).text

    assert page.index("I would like a mentor") < page.index("I would like to be a mentor")


def test_new_member_can_join_without_opting_in(client_for, new_account, cycle):
    response = client_for(new_account).post(reverse("members:membership-join"), profile_data(), follow=True)

    assert "Welcome to the Arkansas Library Association!" in response.text
    assert not Enrollment.objects.exists()
    new_account.refresh_from_db()
    assert new_account.is_current_member()


def test_opting_in_without_the_commitments_is_refused_and_changes_nothing(client_for, new_account, cycle):
    data = {**profile_data(), **mentee_optin()}
    del data["commitment_2"], data["commitment_4"]

    response = client_for(new_account).post(reverse("members:membership-join"), data)

    assert response.status_code == 200
    assert response.text.count("Taking part means agreeing to this commitment.") == 2
    new_account.refresh_from_db()
    assert new_account.member_since is None and new_account.job_title == ""
    assert not Enrollment.objects.exists()


def test_opting_in_without_goals_is_refused(client_for, new_account, cycle):
    response = client_for(new_account).post(
        reverse("members:membership-join"), {**profile_data(), **mentee_optin(mentee_goals="  ")}
    )

    assert "Tell the committee what you would like to gain" in response.text
    assert not Enrollment.objects.exists()


def test_missing_profile_fields_are_refused(client_for, new_account, cycle):
    response = client_for(new_account).post(
        reverse("members:membership-join"), {**profile_data(job_title="", region=""), **mentee_optin()}
    )

    assert response.status_code == 200
    assert "Please correct the errors below." in response.text
    new_account.refresh_from_db()
    assert not new_account.has_joined


def test_a_refused_renewal_leaves_the_signed_in_account_as_the_database_has_it(client_for, seasoned_member, cycle):
    """The form fills in a copy of the account: what the rest of the request reads is not half-changed."""
    response = client_for(seasoned_member).post(
        reverse("members:membership-renew"), profile_data(first_name="Changed", region="")
    )

    assert "Please correct the errors below." in response.text
    assert response.wsgi_request.user.first_name == seasoned_member.first_name != "Changed"


def test_ineligible_member_asking_for_a_mentor_is_refused_and_nothing_is_saved(client_for, new_account, cycle):
    data = {**profile_data(membership_category="supporter"), **mentee_optin()}

    response = client_for(new_account).post(reverse("members:membership-join"), data, follow=True)

    assert "Mentees in the ArLA Mentoring Program come from these membership categories" in response.text
    new_account.refresh_from_db()
    assert not new_account.has_joined  # the whole form was refused, not just the opt-in
    assert not Enrollment.objects.exists()


def test_opting_in_when_the_window_has_closed_is_refused_with_the_date(client_for, new_account):
    closed = CycleFactory(
        optin_opens=timezone.localdate() - dt.timedelta(days=90),
        optin_closes=timezone.localdate() - dt.timedelta(days=1),
    )

    response = client_for(new_account).post(
        reverse("members:membership-join"), {**profile_data(), **mentee_optin()}, follow=True
    )

    assert f"Opt-ins for the {closed.name} cycle closed on" in response.text
    assert not Enrollment.objects.exists()
    new_account.refresh_from_db()
    assert not new_account.has_joined


def test_membership_form_says_when_opt_ins_are_closed(client_for, new_account):
    response = client_for(new_account).get(reverse("members:membership-join"))

    assert "No program cycle is open for opt-ins right now." in response.text
    assert "I would like a mentor" not in response.text


def test_current_member_is_sent_from_the_membership_form_to_renewal(client_for, member):
    response = client_for(member).get(reverse("members:membership-join"))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:membership-renew")


# --- The renewal form ----------------------------------------------------------------


def test_member_renews_and_becomes_a_mentor_for_two_mentees(client_for, seasoned_member, cycle):
    before = seasoned_member.expires_on
    data = {
        **profile_data(
            first_name="Sam",
            last_name="Senior",
            membership_category="librarian",
            job_title="Cataloging Librarian",
            years_experience="15",
        ),
        **mentor_optin(capacity="2"),
    }

    response = client_for(seasoned_member).post(reverse("members:membership-renew"), data, follow=True)

    assert "Your membership is renewed. You are signed up as a mentor" in response.text
    seasoned_member.refresh_from_db()
    assert seasoned_member.expires_on == before.replace(year=before.year + 1)
    assert seasoned_member.renewed_on == timezone.localdate()
    enrollment = Enrollment.objects.get(member=seasoned_member)
    assert (enrollment.role, enrollment.capacity, enrollment.job_title) == ("mentor", 2, "Cataloging Librarian")


def test_renewal_form_offers_i_would_like_to_be_a_mentor_first(client_for, seasoned_member, cycle):
    page = client_for(seasoned_member).get(reverse("members:membership-renew")).text

    assert page.index("I would like to be a mentor") < page.index("I would like a mentor")


def test_expired_member_renewal_counts_a_year_from_today(client_for, cycle):
    from .factories import UserFactory

    lapsed = UserFactory(expired=True)
    client_for(lapsed).post(reverse("members:membership-renew"), profile_data(), follow=True)

    lapsed.refresh_from_db()
    today = timezone.localdate()
    assert lapsed.expires_on == today.replace(year=today.year + 1)


def test_member_without_enough_experience_cannot_mentor_and_renewal_changes_nothing(client_for, member, cycle):
    before = member.expires_on
    data = {**profile_data(years_experience="3"), **mentor_optin()}

    response = client_for(member).post(reverse("members:membership-renew"), data, follow=True)

    assert (
        f"Mentors in the {cycle.name} cycle have at least 5 years of library experience (your profile says 3)"
        in response.text
    )
    member.refresh_from_db()
    assert member.expires_on == before and member.renewed_on is None
    assert not Enrollment.objects.exists()


# --- Offer only what the member can do (issue 15, item 12) ---


def test_renewal_does_not_offer_a_mentor_to_a_member_who_has_asked_for_one_and_says_so(client_for, member, cycle):
    EnrollmentFactory(member=member, cycle=cycle, role="mentee")

    page = client_for(member).get(reverse("members:membership-renew")).text

    assert "I would like a mentor" not in page
    assert f"You are signed up as a mentee for the {cycle.name} cycle already (waiting for a match)." in page
    assert "I would like to be a mentor" not in page  # library staff with 3 years: not a mentor either
    assert f"You cannot opt in as a mentor: Mentors in the {cycle.name} cycle have at least 5 years" in page


def test_renewal_does_not_offer_mentoring_to_a_member_who_may_not_mentor_and_says_why(client_for, member, cycle):
    page = client_for(member).get(reverse("members:membership-renew")).text

    assert "I would like to be a mentor" not in page and "I would like a mentor" in page
    assert (
        f"You cannot opt in as a mentor: Mentors in the {cycle.name} cycle have at least 5 years of library "
        "experience (your profile says 3)."
    ) in page


def test_a_refused_opt_in_says_the_renewal_was_not_applied_either(client_for, seasoned_member, cycle):
    before = seasoned_member.expires_on
    data = {**profile_data(membership_category="librarian", years_experience="3"), **mentor_optin()}

    response = client_for(seasoned_member).post(reverse("members:membership-renew"), data, follow=True)

    assert (
        f"Nothing was saved, so your membership is not renewed yet: Mentors in the {cycle.name} cycle have at "
        "least 5 years of library experience (your profile says 3)."
    ) in response.text.replace("&#x27;", "'")
    seasoned_member.refresh_from_db()
    assert seasoned_member.expires_on == before and not Enrollment.objects.exists()


def test_an_opt_in_ticked_on_a_page_from_before_is_refused_and_the_renewal_not_applied(
    client_for, seasoned_member, cycle
):
    """The mentor opt-in was made in another tab after this page was loaded."""
    EnrollmentFactory(member=seasoned_member, cycle=cycle, role="mentor", capacity=1)
    before = seasoned_member.expires_on
    data = {**profile_data(membership_category="librarian", years_experience="15"), **mentor_optin(capacity="3")}

    response = client_for(seasoned_member).post(reverse("members:membership-renew"), data, follow=True)

    assert "Nothing was saved, so your membership is not renewed yet. Please correct the errors below." in response.text
    assert f"You are signed up as a mentor for the {cycle.name} cycle already (waiting for a match)." in response.text
    seasoned_member.refresh_from_db()
    assert seasoned_member.expires_on == before


def test_duplicate_opt_in_on_renewal_is_refused_and_changes_nothing(client_for, seasoned_member, cycle):
    EnrollmentFactory(member=seasoned_member, cycle=cycle, role="mentor", capacity=1)
    before = seasoned_member.expires_on
    data = {**profile_data(membership_category="librarian", years_experience="15"), **mentor_optin(capacity="3")}

    response = client_for(seasoned_member).post(reverse("members:membership-renew"), data, follow=True)

    assert f"You are signed up as a mentor for the {cycle.name} cycle already" in response.text
    seasoned_member.refresh_from_db()
    assert seasoned_member.expires_on == before
    assert Enrollment.objects.get(member=seasoned_member).capacity == 1


def test_member_may_opt_in_as_mentor_and_mentee_at_once(client_for, seasoned_member, cycle):
    data = {**profile_data(membership_category="librarian", years_experience="15"), **mentor_optin(), **mentee_optin()}

    client_for(seasoned_member).post(reverse("members:membership-renew"), data, follow=True)

    assert sorted(Enrollment.objects.filter(member=seasoned_member).values_list("role", flat=True)) == [
        "mentee",
        "mentor",
    ]


def test_account_that_never_joined_is_sent_from_renewal_to_the_membership_form(client_for, new_account):
    response = client_for(new_account).get(reverse("members:membership-renew"))

    assert response["Location"] == reverse("members:membership-join")


def test_membership_join_refuses_a_current_member_even_from_a_stale_page(new_account, cycle):
    from members.services import membership

    membership.membership_join(member=new_account, profile=profile_data(), optins=[])
    with pytest.raises(membership.MembershipError, match="already a member"):
        membership.membership_join(member=new_account, profile=profile_data(), optins=[])
    assert User.objects.get(pk=new_account.pk).member_since == timezone.localdate()
