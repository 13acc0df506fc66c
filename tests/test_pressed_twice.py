"""Every POST button is safe to press twice (DESIGN.md rule 11): the second press does no
second thing and gets a page that says what happened. Issue 10: "Log check-in" pressed
twice made two check-ins (and the statistics counted both)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import Role
from pairs.models import CheckIn, Email, EmailKind

from .factories import EnrollmentFactory, PairFactory
from .test_pairing_concurrency import all_at_once

pytestmark = pytest.mark.django_db

ALREADY_LOGGED = "This check-in was already logged: it is listed once."


@pytest.fixture
def pair(cycle, member, seasoned_member, committee):
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
        liaison=committee,
    )


def checkin_data(**changes) -> dict:
    met_on = timezone.localdate() - dt.timedelta(days=2)
    return {"met_on": met_on.isoformat(), "mode": "video", "minutes": "45", "topics": "Budgets", **changes}


def log(client: Client, pair, **changes):
    return client.post(reverse("pairs:checkin-create", args=[pair.pk]), checkin_data(**changes), follow=True)


def test_log_checkin_pressed_twice_makes_one_checkin_and_the_second_press_says_so(client_for, pair, member):
    client = client_for(member)

    first = log(client, pair, notes="We drafted her budget request.")
    second = log(client, pair, notes="We drafted her budget request.")

    assert "Check-in logged." in first.text
    assert ALREADY_LOGGED in second.text and "Check-in logged." not in second.text
    assert second.redirect_chain[-1][0] == reverse("pairs:pair-detail", args=[pair.pk])
    assert CheckIn.objects.filter(pair=pair).count() == 1
    assert second.text.count("We drafted her budget request.") == 1


def test_a_different_checkin_is_logged_and_the_other_side_logs_their_own(client_for, pair, member, seasoned_member):
    log(client_for(member), pair, notes="First call.")
    log(client_for(member), pair, notes="Second call, the same day.")
    log(client_for(seasoned_member), pair, notes="First call.")
    log(client_for(member), pair, notes="First call.", met_on=timezone.localdate().isoformat())

    assert CheckIn.objects.filter(pair=pair).count() == 4


@pytest.fixture
def at_once():
    """all_at_once(calls): each call in its own thread and database connection, released together."""
    assert connection.vendor == "postgresql", "these tests need PostgreSQL's row locks: run them with `make test`"
    return all_at_once


@pytest.mark.django_db(transaction=True)  # each press commits on its own connection
def test_log_checkin_pressed_four_times_at_once_makes_one_checkin(pair, member, at_once):
    def press():
        client = Client()
        client.force_login(member)
        return log(client, pair, notes="Double, triple, quadruple click.")

    outcomes = at_once([press] * 4)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sorted(o.status_code for o in outcomes) == [200] * 4
    assert sum("Check-in logged." in o.text for o in outcomes) == 1
    assert sum(ALREADY_LOGGED in o.text for o in outcomes) == 3
    assert CheckIn.objects.filter(pair=pair).count() == 1


@pytest.mark.django_db(transaction=True)
def test_my_partner_has_gone_quiet_pressed_four_times_at_once_tells_the_liaison_once(
    pair, member, committee, at_once, eager_tasks
):
    def press():
        client = Client()
        client.force_login(member)
        return client.post(reverse("pairs:pair-report", args=[pair.pk]), {"note": "Nothing since May."}, follow=True)

    outcomes = at_once([press] * 4)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sum("your liaison has been told" in o.text for o in outcomes) == 1
    assert sum("Nothing was sent again." in o.text for o in outcomes) == 3
    assert list(Email.objects.filter(kind=EmailKind.UNRESPONSIVE).values_list("to", flat=True)) == [committee.email]


# --- A second press after the first one worked says so in blue, never in red (issue 15, item 17) ---


def alerts(response) -> list[tuple[str, str]]:
    """(colour, text) of each alert the page shows: info is blue, danger red."""
    import re
    from html import unescape

    found = re.findall(r'<div class="alert alert-(\w+)[^"]*" role="alert">\s*(.*?)\s*<button', response.text, re.S)
    return [(colour, unescape(text)) for colour, text in found]


def test_the_evaluation_sent_twice_is_kept_once_and_the_second_press_says_so_in_blue(client_for, pair, member):
    pair.starts_on = timezone.localdate() - dt.timedelta(days=290)
    pair.ends_on = timezone.localdate() + dt.timedelta(days=10)
    pair.save()
    client = client_for(member)
    answers = {"overall": "5", "relationship": "5", "goals_met": "4", "would_recommend": "on"}

    client.post(reverse("pairs:evaluation", args=[pair.pk]), answers, follow=True)  # its own page shows its message
    second = client.post(reverse("pairs:evaluation", args=[pair.pk]), answers, follow=True)

    assert alerts(second) == [("info", "Your evaluation is in already: your first answers are kept. Thank you!")]
    assert pair.evaluations.count() == 1


def test_ending_a_pair_twice_ends_it_once_and_the_second_press_says_so_in_blue(client_for, pair, committee):
    client = client_for(committee)
    url = reverse("pairs:pair-end", args=[pair.pk])

    client.post(url, {"category": "moved", "reason": "Moved away."}, follow=True)  # its own page shows its message
    second = client.post(url, {"category": "moved", "reason": "Moved away."}, follow=True)

    today = timezone.localdate()
    assert alerts(second) == [
        ("info", f"This pair ended already on {today:%B} {today.day}, {today.year}: nothing more was done.")
    ]
    assert Email.objects.filter(kind=EmailKind.PAIR_ENDED).count() == 2  # one to each side, once


def test_opening_opt_ins_twice_says_so_in_blue(client_for, committee):
    from tests.factories import CycleFactory

    cycle = CycleFactory(is_open=False)
    client = client_for(committee)
    url = reverse("members:cycle-toggle", args=[cycle.pk])

    client.post(url, {"action": "open"}, follow=True)  # its own page shows its message
    second = client.post(url, {"action": "open"}, follow=True)

    assert alerts(second) == [("info", f"The {cycle.name} cycle is already open for opt-ins.")]


def test_approving_a_suggestion_twice_says_so_in_blue_and_a_contrary_decision_in_red(client_for, committee, member):
    from members.models import Resource

    resource = Resource.objects.create(
        title="Ten questions", description="For a first meeting.", url="https://example.org/q", suggested_by=member
    )
    client = client_for(committee)
    url = reverse("members:resource-decide", args=[resource.pk])

    client.post(url, {"action": "approve"}, follow=True)  # its own page shows its message
    second = client.post(url, {"action": "approve"}, follow=True)
    contrary = client.post(url, {"action": "decline"}, follow=True)

    assert alerts(second) == [
        ("info", "“Ten questions” is approved already (by Carol Committee): nothing was changed.")
    ]
    assert alerts(contrary)[0][0] == "danger"
    resource.refresh_from_db()
    assert resource.status == "approved"


def test_a_survey_sent_twice_is_kept_once_and_the_second_press_says_so_in_blue(client_for, pair, member):
    from members.models import QuestionKind
    from pairs.models import Survey, SurveyKind, SurveyQuestion, SurveyResponse

    pair.starts_on = timezone.localdate() - dt.timedelta(days=200)
    pair.ends_on = pair.starts_on + dt.timedelta(days=300)  # past its midpoint
    pair.save()
    survey = Survey.objects.create(cycle=pair.cycle, kind=SurveyKind.MIDPOINT, title="Halfway")
    q = SurveyQuestion.objects.create(survey=survey, text="How is it going?", kind=QuestionKind.SCALE)
    client = client_for(member)
    url = reverse("pairs:survey", args=[pair.pk, "midpoint"])

    client.post(url, {f"q{q.pk}": "4"}, follow=True)
    second = client.post(url, {f"q{q.pk}": "2"}, follow=True)

    assert alerts(second) == [("info", "Your answers are in already: thank you!")]
    assert SurveyResponse.objects.get().answers.get().value == 4


def test_a_survey_question_archived_twice_says_so_in_blue(client_for, cycle, committee):
    from members.models import QuestionKind
    from pairs.models import Survey, SurveyKind, SurveyQuestion

    survey = Survey.objects.create(cycle=cycle, kind=SurveyKind.EXIT, title="Ending early")
    q = SurveyQuestion.objects.create(survey=survey, text="What could have helped?", kind=QuestionKind.LONG)
    client = client_for(committee)
    url = reverse("pairs:survey-question-action", args=[cycle.pk, "exit", q.pk, "archive"])

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert alerts(first) == [("success", "“What could have helped?” is archived: its answers stay in the reports.")]
    assert alerts(second) == [("info", "“What could have helped?” is archived already: nothing was changed.")]
