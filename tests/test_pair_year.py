"""A pair's year (DESIGN.md flows 5–6, rules 5–6): the pair page, check-ins, goals,
the calendar file, reminders, the liaison's digest, reports, ending, completing and
the closing evaluation."""

import datetime as dt
import re
from html import escape, unescape

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from members.models import Enrollment, EnrollmentStatus, Role, committee_group
from outbox.models import Email, EmailKind
from pairs.models import CheckIn, Evaluation, EvaluationKind, Goal, Pair, PairStatus, add_months
from pairs.services import pairing, reminders, year

from .factories import EnrollmentFactory, EvaluationFactory, PairFactory, UserFactory, names_apart

pytestmark = pytest.mark.django_db

MENTOR_PHONE = "501-555-0142"
MENTEE_PHONE = "479-555-0199"
MENTEE_GOALS = "Find my way into ArLA committees and learn original cataloging."
MENTOR_OFFER = "Fifteen years of cataloging and two terms on the ArLA board."
TOPICS = "Salary negotiation"
NOTES = "She is thinking of leaving her library for a better-paid post."


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def short(day: dt.date) -> str:
    """A date as the pair pages print it ("M j, Y")."""
    return f"{day:%b} {day.day}, {day.year}"


def long(day: dt.date) -> str:
    """A date as the messages print it ("F j, Y")."""
    return f"{day:%B} {day.day}, {day.year}"


def text_of(message) -> str:
    """An email's plain text and HTML together, for "is this anywhere in it" checks."""
    return message.subject + message.body + "".join(content for content, _ in message.alternatives)


# --- Personas -------------------------------------------------------------------------------


@pytest.fixture
def mentor_member(seasoned_member):
    seasoned_member.phone = MENTOR_PHONE
    seasoned_member.save(update_fields=["phone"])
    return seasoned_member


@pytest.fixture
def mentee_member(member):
    member.phone = MENTEE_PHONE
    member.save(update_fields=["phone"])
    return member


@pytest.fixture
def liaison(committee):
    """The committee member who liaises the pair."""
    return committee


@pytest.fixture
def colleague(db):
    """Another member of the Mentoring Committee, not the pair's liaison."""
    user = UserFactory(seasoned=True, first_name="Cleo", last_name="Colleague", is_staff=True)
    user.groups.add(committee_group())
    return user


@pytest.fixture
def pair(cycle, mentor_member, mentee_member, liaison):
    """An active pair that started 60 days ago, with no check-in yet."""
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(
            cycle=cycle, member=mentor_member, role=Role.MENTOR, status="paired", goals=MENTOR_OFFER
        ),
        mentee=EnrollmentFactory(cycle=cycle, member=mentee_member, status="paired", goals=MENTEE_GOALS),
        liaison=liaison,
    )


def checkin_data(**changes) -> dict:
    data = {
        "met_on": days(-3).isoformat(),
        "mode": "video",
        "minutes": "45",
        "topics": TOPICS,
        "notes": NOTES,
    }
    return {**data, **changes}


def log_checkin(pair: Pair, met_on: dt.date | None = None, **fields) -> CheckIn:
    values = {"mode": "video", "minutes": 45, "topics": TOPICS, "notes": NOTES, **fields}
    return CheckIn.objects.create(pair=pair, logged_by=pair.mentor.member, met_on=met_on or days(-3), **values)


def page_of(client, pair: Pair) -> str:
    response = client.get(reverse("pairs:pair-detail", args=[pair.pk]))
    assert response.status_code == 200
    return response.text


# --- Contact details ----------------------------------------------------------------------------


def test_mentor_sees_the_mentees_email_and_goals_but_not_the_mentees_phone(
    client_for, pair, mentor_member, mentee_member
):
    page = page_of(client_for(mentor_member), pair)

    assert "Your mentee" in page
    assert str(mentee_member) in page
    assert f'href="mailto:{mentee_member.email}"' in page
    assert MENTEE_GOALS in page
    assert MENTEE_PHONE not in page


def test_mentee_sees_the_mentors_email_and_phone(client_for, pair, mentor_member, mentee_member):
    page = page_of(client_for(mentee_member), pair)

    assert "Your mentor" in page
    assert f'href="mailto:{mentor_member.email}"' in page
    assert MENTOR_PHONE in page
    assert MENTOR_OFFER in page
    assert MENTEE_PHONE not in page


# --- Check-ins ------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_either_side_logs_a_checkin_and_both_read_its_notes(client_for, pair, mentor_member, mentee_member, side):
    author = mentor_member if side == "mentor" else mentee_member

    response = client_for(author).post(reverse("pairs:checkin-create", args=[pair.pk]), checkin_data(), follow=True)

    assert response.redirect_chain[-1][0] == reverse("pairs:pair-detail", args=[pair.pk])
    assert "Check-in logged." in response.text
    checkin = CheckIn.objects.get(pair=pair)
    assert (checkin.logged_by, checkin.met_on, checkin.mode, checkin.minutes) == (author, days(-3), "video", 45)
    for reader in (mentor_member, mentee_member):
        page = page_of(client_for(reader), pair)
        assert short(days(-3)) in page
        assert "Video call" in page
        assert "45 min" in page
        assert TOPICS in page
        assert NOTES in page


def test_a_checkin_dated_in_the_future_is_refused_with_a_message_and_not_saved(client_for, pair, mentee_member):
    response = client_for(mentee_member).post(
        reverse("pairs:checkin-create", args=[pair.pk]), checkin_data(met_on=days(1).isoformat())
    )

    assert response.status_code == 200
    assert "Log a check-in after it happened: this date is in the future." in response.text
    assert not CheckIn.objects.exists()


def test_a_checkin_with_an_unknown_way_of_meeting_is_refused(client_for, pair, mentor_member):
    response = client_for(mentor_member).post(
        reverse("pairs:checkin-create", args=[pair.pk]), checkin_data(mode="telepathy")
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not CheckIn.objects.exists()


def test_checkin_log_refuses_a_future_date_even_without_the_form(pair, mentor_member):
    with pytest.raises(year.PairYearError, match="future"):
        year.checkin_log(
            pair=pair, by=mentor_member, met_on=days(1), mode="phone", minutes=None, topics="", notes="Soon."
        )

    assert not CheckIn.objects.exists()


# --- Confidentiality (rule 5) ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["liaison", "colleague"])
def test_liaison_and_committee_see_when_and_how_the_pair_met_but_never_what_was_said(client_for, request, pair, who):
    log_checkin(pair, met_on=days(-5), mode="video")
    viewer = request.getfixturevalue(who)

    with CaptureQueriesContext(connection) as ctx:
        page = page_of(client_for(viewer), pair)

    assert short(days(-5)) in page
    assert "Video call" in page
    assert "What the pair talked about is private to them" in page
    assert NOTES not in page
    assert TOPICS not in page
    # "Notes never leave the database for anyone but the pair": not even into the view.
    assert not [q["sql"] for q in ctx.captured_queries if '"pairs_checkin"."notes"' in q["sql"]]


def test_notes_appear_on_no_committee_page_and_in_no_liaison_digest(client_for, pair, liaison, sending, mailoutbox):
    log_checkin(pair)
    with sending():
        reminders.liaison_digests_send()

    assert len(mailoutbox) == 1
    assert NOTES not in text_of(mailoutbox[0])
    assert TOPICS not in text_of(mailoutbox[0])
    for url in (
        reverse("pairs:pair-list"),
        reverse("pairs:pair-mine"),
        reverse("pairs:pair-calendar", args=[pair.pk]),
        reverse("outbox:email-list") + "?state=sent",  # the digest just sent
    ):
        response = client_for(liaison).get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert NOTES not in content, url
        assert TOPICS not in content, url


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("pairs:pair-detail", "get"),
        ("pairs:pair-calendar", "get"),
        ("pairs:checkin-create", "post"),
        ("pairs:goal-create", "post"),
        ("pairs:pair-report", "post"),
        ("pairs:evaluation", "post"),
    ],
)
def test_stranger_gets_404_on_everything_of_the_pair_and_changes_nothing(client_for, pair, stranger, name, method):
    log_checkin(pair)
    data = {**checkin_data(), "title": "Take over the pair", "note": "Hello", "overall": "1", "relationship": "1"}

    response = getattr(client_for(stranger), method)(reverse(name, args=[pair.pk]), data)

    assert response.status_code == 404
    assert CheckIn.objects.count() == 1
    assert not Goal.objects.exists()
    assert not Email.objects.exists()
    assert not Evaluation.objects.exists()


def test_a_member_cannot_open_another_pairs_goal_through_their_own_pair(client_for, pair, mentee_member):
    other_goal = Goal.objects.create(pair=PairFactory(cycle=pair.cycle), title="Somebody else's project")

    response = client_for(mentee_member).get(reverse("pairs:goal-edit", args=[pair.pk, other_goal.pk]))

    assert response.status_code == 404


def test_liaison_cannot_log_a_checkin_for_the_pair(client_for, pair, liaison):
    response = client_for(liaison).post(reverse("pairs:checkin-create", args=[pair.pk]), checkin_data())

    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_liaison_does_not_get_the_checkin_form_on_the_pair_page(client_for, pair, liaison):
    page = page_of(client_for(liaison), pair)

    assert reverse("pairs:checkin-create", args=[pair.pk]) not in page
    assert reverse("pairs:goal-create", args=[pair.pk]) not in page


# --- The liaison's monthly digest ---------------------------------------------------------------------


def test_liaison_digest_lists_each_pair_with_its_last_checkin_date_once_a_month(
    pair, liaison, colleague, mentor_member, mentee_member, sending, mailoutbox
):
    log_checkin(pair, met_on=days(-40))
    log_checkin(pair, met_on=days(-12))
    colleagues_pair = PairFactory(cycle=pair.cycle, liaison=colleague)
    PairFactory(cycle=pair.cycle, liaison=None)  # nobody to tell

    with sending():
        assert reminders.liaison_digests_send() == 2
        assert reminders.liaison_digests_send() == 0

    assert sorted(m.to[0] for m in mailoutbox) == sorted([liaison.email, colleague.email])
    digest = next(m for m in mailoutbox if m.to == [liaison.email])
    assert digest.subject == f"Your mentoring pairs — {today():%B %Y}"
    assert f"{mentor_member} (mentor) & {mentee_member} (mentee)" in digest.body
    assert f"last check-in: {short(days(-12))}; check-ins: 2" in digest.body
    assert f"{settings.SITE_URL}/pairs/{pair.pk}/" in digest.body
    assert short(days(-12)) in digest.alternatives[0][0]
    assert str(colleagues_pair.mentee.member) not in text_of(digest)
    assert NOTES not in text_of(digest)


def test_liaison_digest_goes_out_again_the_next_month(pair, liaison, sending, mailoutbox):
    with sending():
        reminders.liaison_digests_send()
        reminders.liaison_digests_send(today=add_months(today(), 1))

    assert [m.to for m in mailoutbox] == [[liaison.email], [liaison.email]]
    assert "none yet" in mailoutbox[0].body
    assert "NEEDS ATTENTION" in mailoutbox[0].body  # started 60 days ago, never met


# --- Goals ------------------------------------------------------------------------------------------


def test_both_sides_add_update_and_complete_goals(client_for, pair, mentor_member, mentee_member):
    as_mentor, as_mentee = client_for(mentor_member), client_for(mentee_member)

    response = as_mentor.post(
        reverse("pairs:goal-create", args=[pair.pk]),
        {
            "title": "Catalog the local-history collection",
            "description": "Start with the county newspapers.",
            "status": "open",
            "target_on": days(90).isoformat(),
        },
        follow=True,
    )
    assert "Goal “Catalog the local-history collection” saved." in response.text
    goal = Goal.objects.get(pair=pair)
    assert (goal.created_by, goal.status, goal.target_on) == (mentor_member, "open", days(90))

    as_mentee.post(
        reverse("pairs:goal-edit", args=[pair.pk, goal.pk]),
        {"title": goal.title, "description": "Start with the 1920s newspapers.", "status": "in_progress"},
    )
    goal.refresh_from_db()
    assert (goal.status, goal.description, goal.target_on, goal.completed_on) == (
        "in_progress",
        "Start with the 1920s newspapers.",
        None,
        None,
    )

    response = as_mentee.post(
        reverse("pairs:goal-edit", args=[pair.pk, goal.pk]),
        {"title": goal.title, "description": goal.description, "status": "done"},
        follow=True,
    )
    assert "saved." in response.text
    goal.refresh_from_db()
    assert goal.status == "done"
    assert goal.completed_on == today()

    as_mentee.post(
        reverse("pairs:goal-create", args=[pair.pk]), {"title": "Present a poster at the conference", "status": "open"}
    )
    for client in (as_mentor, as_mentee):
        page = page_of(client, pair)
        assert "Catalog the local-history collection" in page
        assert "Start with the 1920s newspapers." in page
        assert "Present a poster at the conference" in page
        assert "Done" in page and "Not started" in page


def test_reopening_a_done_goal_clears_its_completion_date(client_for, pair, mentor_member):
    goal = Goal.objects.create(pair=pair, title="Write a grant", status="done", completed_on=days(-2))

    client_for(mentor_member).post(
        reverse("pairs:goal-edit", args=[pair.pk, goal.pk]), {"title": goal.title, "status": "in_progress"}
    )

    goal.refresh_from_db()
    assert (goal.status, goal.completed_on) == ("in_progress", None)


def test_goals_still_to_do_are_listed_before_the_goals_done(client_for, pair, mentor_member):
    Goal.objects.create(pair=pair, title="Finished the reading list", status="done", completed_on=days(-1))
    Goal.objects.create(pair=pair, title="Plan the summer program", status="open")
    Goal.objects.create(pair=pair, title="Shadow the director", status="in_progress")

    page = page_of(client_for(mentor_member), pair)

    done = page.index("Finished the reading list")
    assert page.index("Plan the summer program") < done
    assert page.index("Shadow the director") < done


# --- The calendar file ---------------------------------------------------------------------------


def test_pair_calendar_file_has_the_milestones_with_the_orientations_place(client_for, pair, cycle, mentee_member):
    response = client_for(mentee_member).get(reverse("pairs:pair-calendar", args=[pair.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="mentoring-pair-{pair.pk}.ics"' in response["Content-Disposition"]
    events = {str(e["SUMMARY"]).split(" (")[0]: e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert set(events) == {
        "Introduction sent",
        "First contact",
        "Mentoring orientation at the ArLA fall conference",
        "Goals set",
        "Midpoint review",
        "Closing evaluation",
        "End of the mentoring year",
    }
    orientation = events["Mentoring orientation at the ArLA fall conference"]
    assert str(orientation["LOCATION"]) == cycle.orientation
    assert orientation["DTSTART"].dt == cycle.starts_on
    assert events["End of the mentoring year"]["DTSTART"].dt == pair.ends_on
    assert f"{settings.SITE_URL}/pairs/{pair.pk}/" in str(events["Goals set"]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events.values()}) == 7
    # The orientation's event keeps the UID it had before programs named it: an imported calendar updates.
    assert str(orientation["UID"]) == f"pair-{pair.pk}-orientation-at-the-fall-conference@arla-mentoring"


def test_pair_calendar_file_is_404_for_a_stranger(client_for, pair, stranger):
    assert client_for(stranger).get(reverse("pairs:pair-calendar", args=[pair.pk])).status_code == 404


# --- Reminders and "needs attention" ------------------------------------------------------------


def attention_badge(client, pair: Pair) -> bool:
    """Whether the committee's pair list flags this pair as needing attention."""
    response = client.get(reverse("pairs:pair-list"))
    assert response.status_code == 200
    row = re.search(rf'href="{reverse("pairs:pair-detail", args=[pair.pk])}".*?</tr>', response.text, re.S)
    return "Needs attention" in row.group(0)


def test_quiet_pair_gets_one_reminder_per_side_and_needs_attention_until_they_meet(
    client_for, pair, mentor_member, mentee_member, committee, sending, mailoutbox
):
    assert attention_badge(client_for(committee), pair)

    with sending():
        assert reminders.checkin_reminders_send() == 1
        assert reminders.checkin_reminders_send() == 0

    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor_member.email, mentee_member.email])
    to_mentor = next(m for m in mailoutbox if m.to == [mentor_member.email])
    assert to_mentor.subject == f"Time to catch up with your mentee, {mentee_member}?"
    assert mentee_member.email in to_mentor.body
    assert f"{settings.SITE_URL}/pairs/{pair.pk}/" in to_mentor.body
    to_mentee = next(m for m in mailoutbox if m.to == [mentee_member.email])
    assert to_mentee.subject == f"Time to catch up with your mentor, {mentor_member}?"

    client_for(mentee_member).post(
        reverse("pairs:checkin-create", args=[pair.pk]), checkin_data(met_on=today().isoformat())
    )

    assert not attention_badge(client_for(committee), pair)
    assert "Needs attention" not in page_of(client_for(mentee_member), pair)
    with sending():
        assert reminders.checkin_reminders_send() == 0
    assert len(mailoutbox) == 2


def test_after_a_checkin_the_next_quiet_spell_gets_its_own_reminder(
    client_for, pair, mentee_member, sending, mailoutbox
):
    with sending():
        reminders.checkin_reminders_send()
    client_for(mentee_member).post(
        reverse("pairs:checkin-create", args=[pair.pk]), checkin_data(met_on=today().isoformat())
    )

    with sending():
        assert reminders.checkin_reminders_send(today=days(settings.CHECKIN_QUIET_DAYS)) == 1

    assert len(mailoutbox) == 4


def test_pair_with_a_recent_checkin_is_not_reminded_and_needs_no_attention(
    client_for, pair, committee, sending, mailoutbox
):
    log_checkin(pair, met_on=days(-10))
    PairFactory(cycle=pair.cycle, starts_on=days(-20))  # too new to be quiet

    with sending():
        assert reminders.checkin_reminders_send() == 0

    assert mailoutbox == []
    assert not attention_badge(client_for(committee), pair)


def test_pair_whose_last_checkin_is_older_than_45_days_is_reminded(pair, sending, mailoutbox):
    pair.starts_on = days(-200)
    pair.save()
    log_checkin(pair, met_on=days(-50))

    with sending():
        assert reminders.checkin_reminders_send() == 1

    assert len(mailoutbox) == 2


# --- Reporting an unresponsive partner -------------------------------------------------------------


def report(client, pair: Pair, note: str = "Three emails since October, no answer."):
    return client.post(reverse("pairs:pair-report", args=[pair.pk]), {"note": note}, follow=True)


def test_the_report_page_names_the_liaison_read_with_the_pair(client_for, pair, mentee_member, liaison, page_queries):
    """The page says who will be told: the liaison comes with the pair's one query (the session,
    the user, their permissions and the pair: four), not in a query of its own."""
    client = client_for(mentee_member)
    url = reverse("pairs:pair-report", args=[pair.pk])

    page_queries(client, url, most=4)

    assert f"your liaison, {liaison}," in client.get(url).text


def test_mentee_reports_a_silent_mentor_and_the_liaison_is_told(
    client_for, pair, mentor_member, mentee_member, liaison, sending, mailoutbox
):
    with sending():
        response = client_for(mentee_member).post(
            reverse("pairs:pair-report", args=[pair.pk]),
            {"note": "Three emails since October, no answer."},
            follow=True,
        )

    assert "Thank you: your liaison has been told and will get in touch." in response.text
    assert [m.to for m in mailoutbox] == [[liaison.email]]
    message = mailoutbox[0]
    assert message.subject == f"Please reach out: {mentee_member} has not heard from {mentor_member}"
    assert f"reports that they have not been able to reach their mentor, {mentor_member}" in message.body
    assert "Three emails since October, no answer." in message.body
    assert mentor_member.email in message.body
    assert f"The mentee reported on {short(today())} that the mentor is not responding." in page_of(
        client_for(liaison), pair
    )


def test_without_a_liaison_every_committee_member_hears_of_the_report(
    client_for, pair, mentor_member, mentee_member, committee, colleague, sending, mailoutbox
):
    pair.liaison = None
    pair.save()

    with sending():
        response = report(client_for(mentee_member), pair, note="")

    assert "Thank you: the Mentoring Committee has been told and will get in touch." in response.text
    assert sorted(m.to[0] for m in mailoutbox) == sorted([committee.email, colleague.email])
    assert all(str(mentor_member) in m.subject for m in mailoutbox)
    assert "This pair has no liaison" in mailoutbox[0].body


def test_a_second_report_within_14_days_is_not_emailed_and_the_page_says_when_the_first_was_made(
    client_for, pair, mentee_member, liaison, sending, mailoutbox
):
    with sending():
        report(client_for(mentee_member), pair)
        second = report(client_for(mentee_member), pair, note="Still nothing!")

    assert [m.to for m in mailoutbox] == [[liaison.email]]
    assert (
        f"You reported this on {long(today())}: your liaison, {liaison}, was told then. Nothing was sent again."
        in unescape(second.text)
    )
    assert second.redirect_chain[-1][0] == reverse("pairs:pair-detail", args=[pair.pk])


def test_after_14_days_the_same_side_may_report_again(client_for, pair, mentee_member, sending, mailoutbox):
    with sending():
        report(client_for(mentee_member), pair)
    Pair.objects.filter(pk=pair.pk).update(
        mentee_reported_unresponsive_at=timezone.now() - dt.timedelta(days=14, minutes=1)
    )

    with sending():
        response = report(client_for(mentee_member), pair, note="A month now.")

    assert "Thank you: your liaison has been told and will get in touch." in response.text
    assert len(mailoutbox) == 2 and "A month now." in mailoutbox[1].body


def test_each_side_has_its_own_report(client_for, pair, mentor_member, mentee_member, sending, mailoutbox):
    with sending():
        report(client_for(mentee_member), pair)
        report(client_for(mentor_member), pair, note="She does not answer either.")

    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == f"Please reach out: {mentor_member} has not heard from {mentee_member}"


def test_only_the_reporter_sees_on_the_pair_page_that_the_report_was_made(
    client_for, pair, mentor_member, mentee_member
):
    report(client_for(mentee_member), pair)

    mine = page_of(client_for(mentee_member), pair)
    assert f"You told your liaison on {long(today())} that your mentor is not responding." in unescape(mine)
    assert reverse("pairs:pair-report", args=[pair.pk]) not in mine
    theirs = page_of(client_for(mentor_member), pair)
    assert "is not responding." not in unescape(theirs) and "You told" not in theirs
    assert reverse("pairs:pair-report", args=[pair.pk]) in theirs  # their own report is still theirs to make


def test_the_report_page_after_a_report_says_when_instead_of_offering_the_form(
    client_for, pair, mentor_member, mentee_member
):
    report(client_for(mentee_member), pair)

    page = unescape(client_for(mentee_member).get(reverse("pairs:pair-report", args=[pair.pk])).text)

    assert f"You told your liaison, {pair.liaison}, on {long(today())} that {mentor_member} is not responding" in page
    assert f"You can report again from {long(today() + dt.timedelta(days=14))}." in page
    assert 'name="note"' not in page


def test_the_report_note_is_at_most_1000_characters_in_the_browser_and_on_the_server(
    client_for, pair, mentee_member, sending, mailoutbox
):
    page = client_for(mentee_member).get(reverse("pairs:pair-report", args=[pair.pk])).text
    assert re.search(r'<textarea name="note"[^>]* maxlength="1000"', page)
    assert "At most 1,000 characters." in page

    with sending():
        response = client_for(mentee_member).post(reverse("pairs:pair-report", args=[pair.pk]), {"note": "x" * 1001})

    assert response.status_code == 200
    assert "Keep the note to 1,000 characters (it has 1,001)." in unescape(response.text)
    assert mailoutbox == []
    pair.refresh_from_db()
    assert pair.mentee_reported_unresponsive_at is None
    with pytest.raises(year.PairYearError, match="1,000 characters"):
        year.pair_report_unresponsive(pair=pair, by=mentee_member, note="x" * 1001)


@pytest.mark.parametrize("has_liaison", [True, False])
def test_the_report_page_says_who_is_told_in_one_sentence(
    client_for, pair, mentor_member, mentee_member, liaison, has_liaison
):
    if not has_liaison:
        Pair.objects.filter(pk=pair.pk).update(liaison=None)

    page = unescape(client_for(mentee_member).get(reverse("pairs:pair-report", args=[pair.pk])).text)

    told = f"your liaison, {liaison}," if has_liaison else "the Mentoring Committee,"
    assert f"We will tell {told} who will get in touch with {mentor_member.first_name}." in page
    assert ",," not in page


# --- Ending a pair early ----------------------------------------------------------------------------------


REASON = "The mentor's library closed and she moved out of state."


def test_committee_ends_a_pair_and_the_mentee_goes_back_to_the_pool(
    client_for, pair, cycle, mentor_member, mentee_member, committee, sending, mailoutbox
):
    with sending():
        response = client_for(committee).post(
            reverse("pairs:pair-end", args=[pair.pk]),
            {"category": "moved", "reason": REASON, "back_to_pool": "on"},
            follow=True,
        )

    assert escape(f"The pair {pair} has ended.") in response.text
    assert f"This pair ended early on {long(today())}: moved or changed job." in response.text
    pair.refresh_from_db()
    assert (pair.status, pair.end_category, pair.end_reason, pair.ended_by) == (
        PairStatus.ENDED,
        "moved",
        REASON,
        committee,
    )
    assert Enrollment.objects.get(pk=pair.mentee_id).status == EnrollmentStatus.WAITING
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor_member.email, mentee_member.email])
    for message in mailoutbox:
        assert message.subject == "Your mentoring pair has ended"
        assert REASON not in text_of(message)
        assert "moved out of state" not in text_of(message)
    to_mentee = next(m for m in mailoutbox if m.to == [mentee_member.email])
    assert "The committee will look for a new mentor for you" in to_mentee.body

    new_mentor = EnrollmentFactory(cycle=cycle, role=Role.MENTOR, member=UserFactory(seasoned=True))
    again = pairing.pair_create(mentee_id=pair.mentee_id, mentor_id=new_mentor.pk, by=committee)
    assert again.is_active
    assert Enrollment.objects.get(pk=pair.mentee_id).status == EnrollmentStatus.PAIRED


def test_a_pair_ended_without_back_to_the_pool_withdraws_the_mentee(client_for, pair, cycle, committee):
    client_for(committee).post(reverse("pairs:pair-end", args=[pair.pk]), {"category": "moved", "reason": REASON})

    assert Enrollment.objects.get(pk=pair.mentee_id).status == EnrollmentStatus.WITHDRAWN
    new_mentor = EnrollmentFactory(cycle=cycle, role=Role.MENTOR, member=UserFactory(seasoned=True))
    with pytest.raises(pairing.PairingError, match="withdrawn"):
        pairing.pair_create(mentee_id=pair.mentee_id, mentor_id=new_mentor.pk, by=committee)


def test_ending_a_pair_needs_a_reason(client_for, pair, committee):
    client = client_for(committee)

    none = client.post(reverse("pairs:pair-end", args=[pair.pk]), {"reason": "  "})
    other = client.post(reverse("pairs:pair-end", args=[pair.pk]), {"category": "other", "reason": "  "})

    assert none.status_code == other.status_code == 200
    assert "Choose why the pair ends: the committee&#x27;s reports count the reasons." in none.text
    assert "Say in a few words why the pair ends." in other.text
    assert Pair.objects.get(pk=pair.pk).is_active


@pytest.mark.parametrize("who", ["mentor_member", "mentee_member", "stranger"])
def test_a_member_cannot_end_a_pair(client_for, request, pair, who):
    response = client_for(request.getfixturevalue(who)).post(
        reverse("pairs:pair-end", args=[pair.pk]), {"reason": "I quit"}
    )

    assert response.status_code == 403
    assert Pair.objects.get(pk=pair.pk).is_active
    assert not Email.objects.exists()


# --- Completing the year ---------------------------------------------------------------------------------


def test_pairs_past_their_end_date_are_completed_and_thanked_once(
    mentor_member, mentee_member, cycle, sending, mailoutbox
):
    done = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=mentor_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=mentee_member, status="paired"),
        starts_on=days(-300),
        ends_on=days(-1),
    )
    running = PairFactory(cycle=cycle)

    with sending():
        assert pairing.pair_complete_due() == 1
        assert pairing.pair_complete_due() == 0

    done.refresh_from_db()
    assert done.status == PairStatus.COMPLETED
    assert set(Enrollment.objects.filter(pk__in=[done.mentor_id, done.mentee_id]).values_list("status", flat=True)) == {
        EnrollmentStatus.COMPLETED
    }
    assert Pair.objects.get(pk=running.pk).is_active
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor_member.email, mentee_member.email])
    renew_url = settings.SITE_URL + reverse("members:membership-renew")
    to_mentee = next(m for m in mailoutbox if m.to == [mentee_member.email])
    assert to_mentee.subject == "Thank you for your mentoring year"
    assert "Would you become a mentor yourself" in to_mentee.body
    assert renew_url in to_mentee.body
    assert f'href="{renew_url}"' in to_mentee.alternatives[0][0]
    to_mentor = next(m for m in mailoutbox if m.to == [mentor_member.email])
    assert "Would you mentor again next cycle?" in to_mentor.body


def test_both_sides_are_invited_to_the_evaluation_within_a_month_of_the_end_once(
    pair, mentor_member, mentee_member, sending, mailoutbox
):
    pair.starts_on, pair.ends_on = days(-280), days(20)
    pair.save()
    later = PairFactory(cycle=pair.cycle, starts_on=days(-240), ends_on=days(60))

    with sending():
        assert reminders.evaluation_invitations_send() == 2
        assert reminders.evaluation_invitations_send() == 0

    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor_member.email, mentee_member.email])
    url = settings.SITE_URL + reverse("pairs:evaluation", args=[pair.pk])
    for message in mailoutbox:
        assert message.subject == "Five minutes to tell us about your mentoring year"
        assert url in message.body
        assert long(pair.ends_on) in message.body
    assert not Email.objects.filter(pair=later).exists()


# --- The closing evaluation -----------------------------------------------------------------------------


def evaluation_data(**changes) -> dict:
    data = {
        "overall": "4",
        "relationship": "5",
        "goals_met": "3",
        "would_recommend": "on",
        "best": "Monthly video calls kept us going.",
        "improve": "A second in-person meeting in spring.",
    }
    return {**data, **changes}


def test_evaluation_is_refused_before_it_opens(client_for, pair, mentee_member):
    pair.starts_on, pair.ends_on = days(-240), days(60)
    pair.save()

    response = client_for(mentee_member).post(
        reverse("pairs:evaluation", args=[pair.pk]), evaluation_data(), follow=True
    )

    assert f"The closing evaluation opens on {long(add_months(days(60), -1))}." in response.text
    assert "Fill in the evaluation" not in response.text
    assert not Evaluation.objects.exists()


def test_evaluation_is_accepted_when_open_and_refused_the_second_time(client_for, pair, mentee_member):
    pair.starts_on, pair.ends_on = days(-280), days(20)
    pair.save()
    client = client_for(mentee_member)
    assert "Fill in the evaluation" in page_of(client, pair)

    response = client.post(reverse("pairs:evaluation", args=[pair.pk]), evaluation_data(), follow=True)

    assert "Thank you for your evaluation: the committee reads every answer." in response.text
    assert "Thank you: your evaluation is in." in response.text
    evaluation = Evaluation.objects.get()
    assert (evaluation.author, evaluation.role, evaluation.kind, evaluation.overall) == (
        mentee_member,
        "mentee",
        EvaluationKind.CLOSING,
        4,
    )

    response = client.post(reverse("pairs:evaluation", args=[pair.pk]), evaluation_data(overall="1"), follow=True)

    assert "Your evaluation is in already: your first answers are kept. Thank you!" in response.text
    assert Evaluation.objects.get().overall == 4


def test_evaluation_with_a_rating_out_of_range_is_refused(client_for, pair, mentee_member):
    pair.starts_on, pair.ends_on = days(-280), days(20)
    pair.save()

    response = client_for(mentee_member).post(reverse("pairs:evaluation", args=[pair.pk]), evaluation_data(overall="9"))

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not Evaluation.objects.exists()


def summary_row(html: str, side: str) -> list[str]:
    row = re.search(rf'<th scope="row">{side}</th>(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>.*?</td>", row, re.S)]


def test_committee_sees_evaluation_averages_per_side_and_the_comments_without_names(client_for, cycle, committee):
    pairs = [PairFactory(cycle=cycle), PairFactory(cycle=cycle)]
    names = names_apart(*pairs)
    answers = [
        # (pair, role, overall, relationship, goals_met, recommend, best)
        (pairs[0], "mentor", 4, 5, 3, True, "Seeing a new librarian grow in confidence."),
        (pairs[1], "mentor", 5, 5, 4, True, ""),
        (pairs[0], "mentee", 3, 4, 2, True, "Learning how the board works."),
        (pairs[1], "mentee", 2, 3, 2, False, ""),
    ]
    for p, role, overall, relationship, goals_met, recommend, best in answers:
        EvaluationFactory(
            pair=p,
            role=role,
            overall=overall,
            relationship=relationship,
            goals_met=goals_met,
            would_recommend=recommend,
            best=best,
        )

    response = client_for(committee).get(reverse("pairs:evaluation-summary"), {"cycle": cycle.pk})

    assert response.status_code == 200
    assert summary_row(response.text, "Mentors") == ["2", "4.5", "5.0", "3.5", "2 of 2"]
    assert summary_row(response.text, "Mentees") == ["2", "2.5", "3.5", "2.0", "1 of 2"]
    assert "Seeing a new librarian grow in confidence." in response.text
    assert "Learning how the board works." in response.text
    for name in names:
        assert name not in response.text


# --- The committee's list ------------------------------------------------------------------------------


def test_pair_list_counts_unsent_introductions_right_whatever_the_number_of_checkins(client_for, pair, committee):
    for kind in (EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE):
        Email.objects.create(kind=kind, key=f"{kind}-{pair.pk}", to="x@example.org", pair=pair, subject="Hi")
    for n in range(3):
        log_checkin(pair, met_on=days(-n - 1))

    response = client_for(committee).get(reverse("pairs:pair-list"))

    assert "2 not sent" in response.text
    assert "(3)" in response.text  # check-ins


def test_pair_list_pages_by_mentee_name_and_flags_the_quiet_pairs_on_every_page(client_for, cycle, committee):
    started = days(-settings.CHECKIN_QUIET_DAYS - 30)
    pairs = [
        PairFactory(
            cycle=cycle,
            starts_on=started,
            mentee=EnrollmentFactory(cycle=cycle, member=UserFactory(last_name=f"Mentee{29 - i:02d}")),
        )
        for i in range(30)  # the last made first by name: the list's order is not the pairs' ids
    ]
    quiet = {p.pk for p in pairs[::3]}  # every third pair has not met lately; the others twice
    for p in pairs:
        if p.pk not in quiet:
            log_checkin(p, met_on=days(-1))
            log_checkin(p, met_on=days(-2))
    client = client_for(committee)

    listed = []
    for number in (1, 2):
        page = client.get(reverse("pairs:pair-list") + f"?page={number}").text
        assert "30 pairs · 10 needing attention" in page
        for pk, row in re.findall(r'href="/pairs/(\d+)/"(.*?)</tr>', page, re.S):
            listed.append(int(pk))
            assert ("Needs attention" in row) == (int(pk) in quiet), row
            assert ("(0)" if int(pk) in quiet else "(2)") in row  # the row's own check-ins

    assert listed == [p.pk for p in reversed(pairs)]  # by the mentee's name: 25, then 5


# --- Query counts ----------------------------------------------------------------------------------------


def add_checkins_and_goals(pair: Pair, n: int) -> None:
    for i in range(n):
        log_checkin(pair, met_on=days(-i - 1), mode=["video", "phone", "email", "in_person"][i % 4])
        Goal.objects.create(pair=pair, title=f"Goal {i}", created_by=pair.mentee.member)


def intro_emails(pair: Pair) -> None:
    for kind in (EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE):
        Email.objects.create(kind=kind, key=f"pair:{pair.pk}:{kind}", to="x@example.org", pair=pair, subject="Hi")


# Measured on PostgreSQL: 17 queries for the mentor (session, user, committee group,
# the pair, the timeline's four — check-in dates, introductions' states, first goal
# and orientation, closing evaluations —, check-ins, goals, "my evaluation done?",
# the surveys due and my answers to them, "needs attention?", introductions, resources,
# the monthly topics); 14 for the liaison, who has no evaluation or survey of their own to look up.
@pytest.mark.parametrize(("who", "limit"), [("mentor_member", 17), ("liaison", 14)])
def test_pair_page_query_count_does_not_grow_with_checkins_and_goals(
    client_for, request, pair, who, limit, page_queries
):
    intro_emails(pair)
    add_checkins_and_goals(pair, 1)
    client = client_for(request.getfixturevalue(who))
    url = reverse("pairs:pair-detail", args=[pair.pk])

    few = page_queries(client, url)
    add_checkins_and_goals(pair, 19)
    many = page_queries(client, url, exactly=few)

    assert many <= limit, f"{many} queries (measured {limit})"


def test_pair_list_query_count_does_not_grow_with_pairs(client_for, cycle, committee, page_queries):
    def add_pair():
        p = PairFactory(cycle=cycle, liaison=committee)
        intro_emails(p)
        log_checkin(p)

    add_pair()
    client = client_for(committee)
    url = reverse("pairs:pair-list")

    few = page_queries(client, url)
    for _ in range(19):
        add_pair()
    many = page_queries(client, url, exactly=few)

    # Measured: 9 (session, user, committee group, cycles, needing attention counted, pairs
    # counted, a page of their ids, then of the pairs, the committee members who may liaise).
    assert many <= 9


def test_my_pairs_query_count_does_not_grow_with_pairs(client_for, cycle, committee, page_queries):
    as_mentor = EnrollmentFactory(cycle=cycle, member=committee, role=Role.MENTOR, capacity=5)

    def add_pairs():
        log_checkin(PairFactory(cycle=cycle, mentor=as_mentor))
        log_checkin(PairFactory(cycle=cycle, liaison=committee))

    add_pairs()
    client = client_for(committee)
    url = reverse("pairs:pair-mine")

    few = page_queries(client, url)
    for _ in range(19):
        add_pairs()
    many = page_queries(client, url, exactly=few)

    # Measured: 8 (session, user, my opt-ins, my pairs, pairs I liaise counted, a page of their
    # ids, then of them, committee group for the menu).
    assert many <= 8


def liaised_on(page: str) -> list[str]:
    """The pairs listed under "Pairs I liaise", as their headings read."""
    block = page.split("Pairs I liaise", 1)[1]
    return [unescape(h) for h in re.findall(r'<h3 class="h5 mb-1"><a href="/pairs/\d+/">([^<]*)</a></h3>', block)]


def test_a_liaison_of_many_pairs_sees_25_a_page_and_the_rest_on_the_next(client_for, cycle, committee):
    for i in range(27):
        PairFactory(
            cycle=cycle, liaison=committee, mentee__member=UserFactory(first_name="Mentee", last_name=f"No{i:02d}")
        )
    client = client_for(committee)

    first = client.get(reverse("pairs:pair-mine")).content.decode()
    second = client.get(reverse("pairs:pair-mine") + "?page=2").content.decode()

    assert len(liaised_on(first)) == 25 and "Page 1 of 2" in first
    assert [name.split(" & ")[1] for name in liaised_on(second)] == ["Mentee No25", "Mentee No26"]


def test_a_liaison_finds_a_pair_by_a_name(client_for, cycle, committee):
    for i in range(27):
        PairFactory(
            cycle=cycle, liaison=committee, mentee__member=UserFactory(first_name="Mentee", last_name=f"No{i:02d}")
        )

    page = client_for(committee).get(reverse("pairs:pair-mine") + "?q=No13").content.decode()

    assert [name.split(" & ")[1] for name in liaised_on(page)] == ["Mentee No13"]


def test_outbox_query_count_does_not_grow_with_emails(client_for, cycle, committee, page_queries):
    client = client_for(committee)
    url = reverse("outbox:email-list")
    intro_emails(PairFactory(cycle=cycle))

    few = page_queries(client, url)
    for _ in range(10):
        intro_emails(PairFactory(cycle=cycle))
    many = page_queries(client, url, exactly=few)

    # Measured: 8 (session, user, the user's and their groups' permissions — the page is the
    # outbox's permission —, the committee group for the menu, count, page, counts per state).
    assert many <= 8
