"""A member's own data (DESIGN.md rule 6): download everything the site holds about
me, and delete my account — the other side keeps the pair's history without my
personal data."""

import datetime as dt
import json
from html import escape

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from members.models import Enrollment, EnrollmentStatus, Role
from outbox.models import Email, EmailKind
from pairs.models import CheckIn, Evaluation, Goal, Pair, PairStatus
from pairs.services import pairing, privacy, reminders, year

from .factories import (
    TEST_PASSWORD,
    CycleFactory,
    EnrollmentFactory,
    EvaluationFactory,
    PairFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# What is personal to the mentee (who deletes their account in most tests) and to the
# mentor: each string unique, so that "it is not in there" means something.
MENTEE = {
    "first_name": "Delia",
    "last_name": "Departing",
    "email": "delia.departing@example.org",
    "phone": "479-555-0101",
    "institution": "Fayetteville Public Library",
    "job_title": "Circulation Clerk",
}
MENTEE_GOALS = "Learn how to run a summer reading program."
MENTOR = {
    "first_name": "Marta",
    "last_name": "Mentorson",
    "email": "marta.mentorson@example.org",
    "phone": "501-555-0177",
    "institution": "Arkansas State Library",
}
MENTOR_GOALS = "Twenty years in youth services."
# Notes stay as written: what a member typed into them is the pair's shared record.
MENTEE_NOTE = "Note from the mentee: applying for the branch manager post."
MENTOR_NOTE = "Note from the mentor: talked about the budget cycle."
GOAL = "Plan a teen advisory board"


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def mentee_member(db):
    return UserFactory(**MENTEE)


@pytest.fixture
def mentor_member(db):
    return UserFactory(seasoned=True, **MENTOR)


@pytest.fixture
def pair(cycle, mentor_member, mentee_member, committee, sending):
    """An active pair made by the committee (introductions sent), with a check-in from
    each side, a goal, the mentee's evaluation and a liaison digest naming them."""
    mentee_optin = EnrollmentFactory(cycle=cycle, member=mentee_member, goals=MENTEE_GOALS)
    mentor_optin = EnrollmentFactory(cycle=cycle, member=mentor_member, role=Role.MENTOR, goals=MENTOR_GOALS)
    with sending():
        pair = pairing.pair_create(mentee_id=mentee_optin.pk, mentor_id=mentor_optin.pk, by=committee)
    pair.created_at -= dt.timedelta(days=3)  # made three days ago: they met since
    pair.save(update_fields=["created_at"])
    year.checkin_log(
        pair=pair, by=mentee_member, met_on=days(-2), mode="video", minutes=30, topics="", notes=MENTEE_NOTE
    )
    year.checkin_log(
        pair=pair, by=mentor_member, met_on=days(-1), mode="phone", minutes=20, topics="", notes=MENTOR_NOTE
    )
    year.goal_save(pair=pair, by=mentee_member, goal=Goal(title=GOAL))
    EvaluationFactory(pair=pair, overall=5)
    with sending():
        reminders.liaison_digests_send()
    return pair


def download(client) -> tuple[dict, str]:
    response = client.get(reverse("pairs:my-data-download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="arla-mentoring-my-data-')
    text = response.content.decode()
    return json.loads(text), text


def delete_account(client, password: str = TEST_PASSWORD):
    return client.post(reverse("pairs:account-delete"), {"password": password}, follow=True)


# --- The page and the download ------------------------------------------------------------------


def test_my_data_page_explains_and_offers_the_download_and_the_deletion(client_for, member):
    page = client_for(member).get(reverse("pairs:my-data")).text

    assert "What is held" in page
    assert f'href="{reverse("pairs:my-data-download")}"' in page
    assert "Download my data (JSON)" in page
    assert f'href="{reverse("pairs:account-delete")}"' in page


def test_the_profile_links_to_my_data(client_for, member):
    assert f'href="{reverse("pairs:my-data")}"' in client_for(member).get(reverse("members:profile")).text


def test_my_download_has_my_profile_opt_ins_and_pairs_with_the_other_sides_name_only(client_for, pair, mentee_member):
    data, text = download(client_for(mentee_member))

    assert data["profile"]["email"] == MENTEE["email"]
    assert data["profile"]["phone"] == MENTEE["phone"]
    assert data["profile"]["institution"] == MENTEE["institution"]
    assert data["membership"]["expires"] == mentee_member.expires_on.isoformat()
    assert data["email_addresses"] == [{"email": MENTEE["email"], "verified": True, "primary": True}]
    assert [(o["role"], o["goals"]) for o in data["opt_ins"]] == [("Mentee", MENTEE_GOALS)]
    [mine] = data["pairs"]
    assert (mine["my_role"], mine["mentor"], mine["status"]) == ("mentee", "Marta Mentorson", "Active")
    # The other side's contact details stay with them.
    for private in (MENTOR["email"], MENTOR["phone"], MENTOR["institution"], MENTOR_GOALS):
        assert private not in text
    # The pair's check-ins (notes included: they are mine too) and goals.
    assert {c["notes"] for c in mine["check_ins"]} == {MENTEE_NOTE, MENTOR_NOTE}
    assert {c["logged_by"] for c in mine["check_ins"]} == {"you", "Marta Mentorson"}
    assert [g["title"] for g in mine["goals"]] == [GOAL]
    assert [(e["kind"], e["overall"]) for e in data["evaluations"]] == [("Closing evaluation", 5)]
    subjects = [e["subject"] for e in data["emails_sent_to_me"]]
    assert subjects == ["Meet your mentor: Marta Mentorson"]
    assert data["emails_sent_to_me"][0]["state"] == "Sent"


def test_another_members_data_never_appears_in_my_download(client_for, pair, stranger):
    data, text = download(client_for(stranger))

    assert data["profile"]["email"] == stranger.email
    assert data["pairs"] == [] and data["evaluations"] == [] and data["emails_sent_to_me"] == []
    for private in (*MENTEE.values(), *MENTOR.values(), MENTEE_NOTE, MENTOR_NOTE, GOAL, MENTEE_GOALS):
        assert private not in text


def test_a_liaisons_download_lists_the_pairs_they_liaise_by_cycle_and_status(client_for, committee, cycle):
    # Read as rows of three columns, not as models: the same cycle names and status labels.
    earlier = CycleFactory(is_open=False, name="Cycle of 2024")
    mine = [
        PairFactory(cycle=earlier, liaison=committee, status=PairStatus.COMPLETED),
        PairFactory(cycle=cycle, liaison=committee),
        PairFactory(cycle=earlier, liaison=committee, status=PairStatus.ENDED),
    ]
    PairFactory(cycle=earlier, liaison=UserFactory())  # another liaison's

    data, _ = download(client_for(committee))

    assert data["liaison_of"] == [
        {"cycle": "Cycle of 2024", "pair": mine[0].pk, "status": "Completed"},
        {"cycle": cycle.name, "pair": mine[1].pk, "status": "Active"},
        {"cycle": "Cycle of 2024", "pair": mine[2].pk, "status": "Ended early"},
    ]


# --- Deleting my account -----------------------------------------------------------------------------


def test_the_confirmation_page_says_what_happens_and_who_is_told(client_for, pair, mentee_member):
    page = client_for(mentee_member).get(reverse("pairs:account-delete")).text

    assert "Former member" in page
    assert "including the notes you wrote" in page
    assert "Marta Mentorson is told by email" in page
    assert 'type="password"' in page


def test_a_wrong_password_deletes_nothing(client_for, pair, mentee_member, sending, mailoutbox):
    mailoutbox.clear()
    with sending():
        response = delete_account(client_for(mentee_member), password="not-my-password")

    assert "That is not your password. Nothing was deleted." in response.text
    mentee_member.refresh_from_db()
    assert (mentee_member.email, mentee_member.first_name, mentee_member.is_active) == (MENTEE["email"], "Delia", True)
    assert mentee_member.check_password(TEST_PASSWORD)
    assert EmailAddress.objects.filter(user=mentee_member).exists()
    assert Pair.objects.get().status == PairStatus.ACTIVE
    assert mailoutbox == []


def test_deleting_my_account_anonymises_me_and_signs_me_out_everywhere(client_for, pair, mentee_member):
    other_device = client_for(mentee_member)
    client = client_for(mentee_member)

    response = delete_account(client)

    assert response.redirect_chain[-1][0] == reverse("members:program")
    assert "Your account is deleted" in response.text
    assert not response.wsgi_request.user.is_authenticated
    mentee_member.refresh_from_db()
    assert mentee_member.email == f"deleted-{mentee_member.pk}@invalid.example"
    assert (mentee_member.first_name, mentee_member.last_name, str(mentee_member)) == (
        "Former member",
        "",
        "Former member",
    )
    assert (
        mentee_member.phone,
        mentee_member.institution,
        mentee_member.job_title,
        mentee_member.responsibilities,
    ) == ("", "", "", [])
    assert (mentee_member.member_since, mentee_member.expires_on, mentee_member.years_experience) == (None, None, None)
    assert not mentee_member.is_active and not mentee_member.has_usable_password()
    assert not EmailAddress.objects.filter(user=mentee_member).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(mentee_member.pk)]
    # The other browser is signed out, and nobody signs in with the old address again.
    assert other_device.get(reverse("members:profile"))["Location"].startswith(reverse("account_login"))
    assert authenticate(username=MENTEE["email"], password=TEST_PASSWORD) is None
    login = client.post(reverse("account_login"), {"login": MENTEE["email"], "password": TEST_PASSWORD})
    assert not login.wsgi_request.user.is_authenticated


def test_my_active_pair_ends_and_the_other_side_is_told_without_my_details(
    client_for, pair, mentee_member, mentor_member, sending, mailoutbox
):
    mailoutbox.clear()
    with sending():
        delete_account(client_for(mentee_member))

    pair.refresh_from_db()
    assert (pair.status, pair.end_category) == (PairStatus.ENDED, "account_deleted")
    [message] = mailoutbox
    assert message.to == [MENTOR["email"]]
    assert message.subject == "Your mentoring pair has ended"
    body = message.body + message.alternatives[0][0]
    assert "Your mentee has left the ArLA Mentoring Program" in body
    for private in ("Delia", "Departing", MENTEE["email"], MENTEE["phone"]):
        assert private not in body
    assert Email.objects.get(kind=EmailKind.PARTNER_LEFT).recipient == mentor_member
    # My opt-in is withdrawn and erased; my mentor is free for another mentee.
    mine = Enrollment.objects.get(member=mentee_member)
    assert (mine.status, mine.goals, mine.job_title) == (EnrollmentStatus.WITHDRAWN, "", "")
    assert Enrollment.objects.get(member=mentor_member).status == EnrollmentStatus.WAITING


def test_the_other_side_keeps_the_pairs_history_under_former_member(client_for, pair, mentee_member, mentor_member):
    delete_account(client_for(mentee_member))

    page = client_for(mentor_member).get(reverse("pairs:pair-detail", args=[pair.pk])).text

    assert "Marta Mentorson &amp; Former member" in page
    assert MENTEE_NOTE in page and MENTOR_NOTE in page  # the check-ins stay, with their notes
    assert GOAL in page
    for private in ("Delia", "Departing", MENTEE["email"], MENTEE["phone"], MENTEE_GOALS):
        assert private not in page
    assert CheckIn.objects.count() == 2 and Goal.objects.count() == 1
    evaluation = Evaluation.objects.get()
    assert evaluation.author is None and evaluation.overall == 5  # still counted, anonymous


def test_after_deletion_the_other_sides_download_holds_nothing_personal_of_mine(
    client_for, pair, mentee_member, mentor_member
):
    delete_account(client_for(mentee_member))

    data, text = download(client_for(mentor_member))

    assert data["pairs"][0]["mentee"] == "Former member"
    assert "Meet your mentee: Former member" in [e["subject"] for e in data["emails_sent_to_me"]]
    assert MENTEE_NOTE in text  # the pair's shared history
    for private in ("Delia", "Departing", MENTEE["email"], MENTEE["phone"], MENTEE["institution"], MENTEE_GOALS):
        assert private not in text


def test_no_email_in_the_outbox_still_names_me(client_for, pair, mentee_member):
    delete_account(client_for(mentee_member))

    for email in Email.objects.all():
        text = email.to + email.subject + email.body_text + email.body_html
        for private in ("Delia", "Departing", MENTEE["email"], MENTEE["phone"]):
            assert private not in text, f"{email.kind}: {private}"
    # The committee's record of what was sent stays: the introductions and the digest.
    assert Email.objects.filter(kind=EmailKind.INTRO_MENTEE, state="sent").exists()
    assert Email.objects.filter(kind=EmailKind.LIAISON_DIGEST, state="sent").exists()


def test_when_the_mentor_leaves_the_mentee_goes_back_to_the_pool_and_is_told(
    client_for, pair, mentee_member, mentor_member, sending, mailoutbox
):
    mailoutbox.clear()
    with sending():
        delete_account(client_for(mentor_member))

    assert Enrollment.objects.get(member=mentee_member).status == EnrollmentStatus.WAITING
    [message] = mailoutbox
    assert message.to == [MENTEE["email"]]
    assert "will look for a new mentor for you" in message.body
    assert "Marta" not in message.body


def test_my_waiting_opt_ins_are_withdrawn(client_for, member, mentee):
    delete_account(client_for(member))

    mentee.refresh_from_db()
    assert mentee.status == EnrollmentStatus.WITHDRAWN
    assert mentee.goals == ""


def test_a_site_admin_cannot_delete_their_own_account_here(client_for, site_admin):
    client = client_for(site_admin)

    page = client.get(reverse("pairs:account-delete")).text
    response = delete_account(client)

    assert "You are a site admin" in page and 'type="password"' not in page
    assert escape("A site admin's account cannot be deleted from this page.") in response.text
    site_admin.refresh_from_db()
    assert site_admin.is_active and site_admin.email.endswith("@example.org")


def test_account_delete_refuses_a_site_admin_without_the_page(site_admin):
    with pytest.raises(privacy.PrivacyError, match="site admin"):
        privacy.account_delete(user=site_admin)


def test_a_pair_of_other_people_is_untouched(client_for, member, cycle):
    others = PairFactory(cycle=cycle)

    delete_account(client_for(member))

    others.refresh_from_db()
    assert others.status == PairStatus.ACTIVE
    assert others.mentee.member.is_active and others.mentor.member.is_active


def test_a_short_name_does_not_erase_other_peoples_emails(client_for, cycle):
    al = UserFactory(first_name="Al", last_name="")
    others = PairFactory(cycle=cycle)
    kept = Email.objects.create(
        kind=EmailKind.CHECKIN_REMINDER,
        key="other",
        to="x@example.org",
        pair=others,
        subject="Salt",
        body_text="All well",
    )

    delete_account(client_for(al))

    kept.refresh_from_db()
    assert (kept.subject, kept.body_text, kept.state) == ("Salt", "All well", "pending")
