"""A member sees, edits and withdraws their own opt-ins."""

import pytest
from django.urls import reverse

from members.models import Enrollment, EnrollmentStatus

from .factories import CycleFactory, EnrollmentFactory
from .test_membership import COMMITMENTS

pytestmark = pytest.mark.django_db


def test_member_opts_in_during_their_term_without_renewing(client_for, member, cycle):
    data = {
        "wants_mentor": "on",
        "mentee_goals": "Learn about grant writing.",
        "meeting_modes": ["email"],
        **COMMITMENTS,
    }

    response = client_for(member).post(reverse("members:enrollment-create"), data, follow=True)

    assert f"You are signed up as a mentee for the {cycle.name} cycle." in response.text
    assert Enrollment.objects.get(member=member).goals == "Learn about grant writing."


def test_opt_in_page_without_a_tick_says_what_to_do(client_for, member, cycle):
    response = client_for(member).post(reverse("members:enrollment-create"), {}, follow=True)

    assert "Tick &quot;I would like a mentor&quot; or &quot;I would like to be a mentor&quot;." in response.text
    assert not Enrollment.objects.exists()


def test_expired_member_is_sent_to_renew_before_opting_in(client_for, cycle):
    from .factories import UserFactory

    response = client_for(UserFactory(expired=True)).get(reverse("members:enrollment-create"))

    assert response["Location"] == reverse("members:membership-renew")


def test_profile_lists_my_opt_ins_with_their_status(client_for, member, mentee):
    response = client_for(member).get(reverse("members:profile"))

    assert f"Mentee · {mentee.cycle.name}" in response.text
    assert "Waiting for a match" in response.text
    assert reverse("members:enrollment-edit", args=[mentee.pk]) in response.text


def test_member_edits_a_waiting_opt_in_and_the_snapshot_follows_the_profile(client_for, member, mentee):
    member.job_title = "Youth Services Assistant"
    member.save()

    client_for(member).post(
        reverse("members:enrollment-edit", args=[mentee.pk]),
        {"goals": "Plan a summer reading program.", "interests": "", "meeting_modes": ["phone"]},
    )

    mentee.refresh_from_db()
    assert mentee.goals == "Plan a summer reading program."
    assert mentee.meeting_modes == ["phone"]
    assert mentee.job_title == "Youth Services Assistant"


def test_editing_with_bad_input_changes_nothing(client_for, member, mentee):
    response = client_for(member).post(
        reverse("members:enrollment-edit", args=[mentee.pk]),
        {"goals": "", "meeting_modes": ["carrier-pigeon"]},
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    mentee.refresh_from_db()
    assert mentee.goals == "Learn how ArLA committees work."


def test_mentor_can_change_capacity_but_a_mentee_cannot(client_for, seasoned_member, member, cycle, mentee):
    mentor = EnrollmentFactory(member=seasoned_member, cycle=cycle, role="mentor", capacity=1)
    data = {"goals": "Share.", "interests": "", "meeting_modes": ["phone"], "capacity": "3"}

    client_for(seasoned_member).post(reverse("members:enrollment-edit", args=[mentor.pk]), data)
    client_for(member).post(reverse("members:enrollment-edit", args=[mentee.pk]), data)

    mentor.refresh_from_db()
    mentee.refresh_from_db()
    assert (mentor.capacity, mentee.capacity) == (3, 1)


def test_withdrawing_asks_for_confirmation_first(client_for, member, mentee):
    response = client_for(member).get(reverse("members:enrollment-withdraw", args=[mentee.pk]))

    assert "Withdraw my opt-in?" in response.text
    mentee.refresh_from_db()
    assert mentee.status == EnrollmentStatus.WAITING


def test_member_withdraws_and_can_opt_in_again(client_for, member, mentee, cycle):
    client = client_for(member)

    response = client.post(reverse("members:enrollment-withdraw", args=[mentee.pk]), follow=True)

    assert f"You have withdrawn as a mentee from the {cycle.name} cycle." in response.text
    mentee.refresh_from_db()
    assert mentee.status == EnrollmentStatus.WITHDRAWN

    data = {"wants_mentor": "on", "mentee_goals": "Back again.", "meeting_modes": ["email"], **COMMITMENTS}
    client.post(reverse("members:enrollment-create"), data)

    again = Enrollment.objects.get(member=member)  # the same row, reactivated
    assert (again.pk, again.status, again.goals) == (mentee.pk, EnrollmentStatus.WAITING, "Back again.")


@pytest.mark.parametrize("action", ["enrollment-edit", "enrollment-withdraw"])
def test_a_matched_opt_in_cannot_be_changed_by_the_member(client_for, member, mentee, action):
    Enrollment.objects.filter(pk=mentee.pk).update(status=EnrollmentStatus.PAIRED)

    response = client_for(member).post(
        reverse(f"members:{action}", args=[mentee.pk]),
        {"goals": "x", "meeting_modes": ["email"]},
        follow=True,
    )

    assert "has been matched already" in response.text
    mentee.refresh_from_db()
    assert mentee.status == EnrollmentStatus.PAIRED and mentee.goals != "x"


@pytest.mark.parametrize("action", ["enrollment-edit", "enrollment-withdraw"])
def test_another_members_opt_in_is_not_found(client_for, stranger, mentee, action):
    response = client_for(stranger).post(reverse(f"members:{action}", args=[mentee.pk]), {"goals": "x"})

    assert response.status_code == 404
    mentee.refresh_from_db()
    assert mentee.status == EnrollmentStatus.WAITING and mentee.goals != "x"


def test_duplicate_opt_in_from_two_tabs_is_refused(client_for, member, mentee):
    data = {"wants_mentor": "on", "mentee_goals": "Twice.", "meeting_modes": ["email"], **COMMITMENTS}

    response = client_for(member).post(reverse("members:enrollment-create"), data, follow=True)

    assert "You have already opted in as a mentee" in response.text
    assert Enrollment.objects.filter(member=member).count() == 1


def test_only_one_cycle_can_be_open_for_opt_ins(cycle):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CycleFactory(is_open=True)
