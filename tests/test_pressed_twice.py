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


def test_the_question_buttons_pressed_twice_do_one_thing_and_say_so_in_blue(client_for, committee, cycle):
    from members.models import CycleQuestion

    client = client_for(committee)
    add = reverse("members:question-create", args=[cycle.pk])
    data = {"text": "Which setting?", "kind": "one", "choices": "Academic\nPublic", "audience": "both"}

    client.post(add, data, follow=True)
    second = client.post(add, data, follow=True)
    assert alerts(second) == [("info", "“Which setting?” is on the form already: it is asked once.")]
    client.post(add, {**data, "text": "Anything else?", "kind": "long", "choices": ""})
    first, other = CycleQuestion.objects.order_by("order")
    assert (first.order, other.order) == (0, 1)

    move = reverse("members:question-move", args=[other.pk])
    client.post(move, {"direction": "up", "order": "1"}, follow=True)
    second = client.post(move, {"direction": "up", "order": "1"}, follow=True)
    assert alerts(second) == [("info", "This question has moved since the page was shown: nothing more was done.")]
    assert list(CycleQuestion.objects.order_by("order").values_list("text", flat=True)) == [
        "Anything else?",
        "Which setting?",
    ]

    archive = reverse("members:question-archive", args=[first.pk])
    client.post(archive, {"action": "archive"}, follow=True)
    assert alerts(client.post(archive, {"action": "archive"}, follow=True)) == [
        ("info", "This question is archived already.")
    ]
    client.post(archive, {"action": "restore"}, follow=True)
    assert alerts(client.post(archive, {"action": "restore"}, follow=True)) == [
        ("info", "This question is asked already.")
    ]

    delete = reverse("members:question-delete", args=[other.pk])
    client.post(delete, follow=True)
    second = client.post(delete, follow=True)
    assert alerts(second) == [("info", "This question is deleted already.")]
    assert CycleQuestion.objects.count() == 1


# --- Issue 14: topics, a check-in's author's changes, certificates ---------------------------------


def test_adding_the_same_topic_twice_keeps_one_and_the_second_press_says_so_in_blue(client_for, committee):
    from pairs.models import Topic

    client = client_for(committee)
    data = {"month": "4", "title": "Committees", "text": "Which committee fits?"}

    client.post(reverse("pairs:topic-create"), data, follow=True)
    second = client.post(reverse("pairs:topic-create"), data, follow=True)

    assert alerts(second) == [("info", "Month 4's topic “Committees” is saved already: nothing more was done.")]
    assert Topic.objects.count() == 1


def test_deleting_a_checkin_twice_deletes_it_and_the_second_press_says_so_in_blue(client_for, pair, member):
    checkin = CheckIn.objects.create(pair=pair, logged_by=member, met_on=pair.starts_on, mode="video")
    client = client_for(member)
    url = reverse("pairs:checkin-delete", args=[pair.pk, checkin.pk])

    client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert alerts(second) == [("info", "This check-in is no longer there: it was deleted.")]
    assert not CheckIn.objects.exists()


def test_saving_an_edited_checkin_twice_says_the_second_time_that_nothing_changed(client_for, pair, member):
    checkin = CheckIn.objects.create(pair=pair, logged_by=member, met_on=pair.starts_on, mode="video")
    client = client_for(member)
    url = reverse("pairs:checkin-edit", args=[pair.pk, checkin.pk])
    data = {"met_on": pair.starts_on.isoformat(), "mode": "phone", "minutes": "20"}

    client.post(url, data, follow=True)
    second = client.post(url, data, follow=True)

    assert alerts(second) == [("info", "Nothing was changed: the check-in is as it was.")]
    assert CheckIn.objects.get().mode == "phone"


@pytest.mark.django_db(transaction=True)  # each press commits on its own connection
def test_reissuing_a_certificate_pressed_four_times_at_once_reissues_it_once(pair, committee, at_once):
    from pairs.models import Certificate, Pair
    from pairs.services import certificates

    Pair.objects.filter(pk=pair.pk).update(status="completed")
    old = certificates.certificate_of(pair=Pair.objects.with_people().get(pk=pair.pk), role="mentor")
    url = reverse("pairs:certificate-reissue", args=[pair.pk, "mentor"])

    def press():
        client = Client()
        client.force_login(committee)
        return client.post(url, {"certificate": old.pk}, follow=True)

    outcomes = at_once([press] * 4)

    assert sum("the old code no longer verifies" in o.text for o in outcomes) == 1
    assert sum("nothing more was done" in o.text for o in outcomes) == 3
    assert Certificate.objects.filter(pair=pair, role="mentor").count() == 2
    assert Certificate.objects.current().filter(pair=pair, role="mentor").count() == 1


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


# --- "Make the N pairs" pressed twice (issue 15, item 1) -------------------------------------


@pytest.fixture
def solved(cycle, committee):
    """A solved draft of two pairs for `cycle`."""
    from matching.services import proposal as proposals
    from tests.test_matching import mentee, mentor

    mentee(cycle, "Cam", "One", title="Cataloger", areas=["cataloging"])
    mentee(cycle, "Kai", "Four", title="Youth Services Assistant", areas=["youth_services"])
    mentor(cycle, "Cora", "Catalog")
    mentor(cycle, "Kit", "Kidd", title="Children's Librarian", areas=["youth_services"])
    return proposals.proposal_solve(cycle=cycle, by=committee)


def confirm(client: Client, cycle):
    return client.post(reverse("matching:proposal-confirm", args=[cycle.pk]), follow=True)


def test_make_the_pairs_pressed_again_after_it_worked_says_when_and_by_whom_in_blue(
    client_for, cycle, committee, solved
):
    from matching.models import Proposal
    from pairs.models import Pair

    client = client_for(committee)
    confirm(client, cycle)  # its own page shows its message
    second = confirm(client, cycle)
    stale = client.get(reverse("matching:proposal-confirm", args=[cycle.pk]), follow=True)  # a tab left open

    at = timezone.localtime(Proposal.objects.get().confirmed_at)
    said = (
        f"This proposal was confirmed on {at:%B} {at.day} at {at:%H:%M} by Carol Committee: "
        "its 2 pairs are listed here. Nothing more was done."
    )
    assert alerts(second) == [("info", said)]
    assert alerts(stale) == [("info", said)]
    assert second.redirect_chain[-1][0] == f"{reverse('pairs:pair-list')}?cycle={cycle.pk}"
    assert "Cam One" in second.text and "Kai Four" in second.text
    assert Pair.objects.count() == 2
    assert Email.objects.filter(kind__in=[EmailKind.INTRO_MENTEE, EmailKind.INTRO_MENTOR]).count() == 4


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_make_the_pairs_pressed_twice_at_once_on_postgresql_makes_them_once(cycle, committee, solved, at_once):
    from pairs.models import Pair

    def press():
        client = Client()
        client.force_login(committee)
        return confirm(client, cycle)

    outcomes = at_once([press] * 2)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    said = sorted(alerts(o)[0][1].split(":")[0] for o in outcomes)
    assert said[0] == "2 pairs made. Their 4 introductions are on their way."
    assert said[1].startswith("This proposal was confirmed on ")
    assert Pair.objects.count() == 2
    assert Email.objects.filter(kind__in=[EmailKind.INTRO_MENTEE, EmailKind.INTRO_MENTOR]).count() == 4


# On the embedded default (SQLite, `make run`) the second press failed with Django's error page
# "OperationalError: database is locked" — though the first had made every pair. SQLite is not
# what the suite runs on, so this runs the site's own settings on a SQLite file in a process of
# its own: two presses 0.3 s apart, the first one slowed down (a large draft).
SQLITE_PRESSES = r"""
import html, json, re, threading, time
from django.test import Client
from django.urls import reverse
from members.models import committee_group
from matching.services import proposal as proposals
from pairs.services import pairing
from tests.factories import CycleFactory, UserFactory
from tests.test_matching import mentee, mentor

cycle = CycleFactory()
committee = UserFactory(seasoned=True, first_name="Carol", last_name="Committee", is_staff=True)
committee.groups.add(committee_group())
mentee(cycle, "Cam", "One", title="Cataloger", areas=["cataloging"])
mentee(cycle, "Kai", "Four", title="Youth Services Assistant", areas=["youth_services"])
mentor(cycle, "Cora", "Catalog")
mentor(cycle, "Kit", "Kidd", title="Children's Librarian", areas=["youth_services"])
proposals.proposal_solve(cycle=cycle, by=committee)
make = pairing.pair_create

def slow_pair_create(**kwargs):
    time.sleep(0.5)
    return make(**kwargs)

pairing.pair_create = slow_pair_create
said = [None, None]

def press(i):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(committee)
    try:
        response = client.post(reverse("matching:proposal-confirm", args=[cycle.pk]), follow=True)
        # From the page itself: the test client's captured context is shared between threads.
        found = re.findall(r'role="alert">\s*(.*?)\s*<button', response.content.decode(), re.S)
        said[i] = [html.unescape(text) for text in found]
    except Exception as e:
        said[i] = [f"{type(e).__name__}: {e}"]

threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
threads[0].start(); time.sleep(0.3); threads[1].start()
for t in threads:
    t.join()
from pairs.models import Pair
print(json.dumps({"said": said, "pairs": Pair.objects.count()}))
"""


@pytest.mark.slow
def test_make_the_pairs_pressed_twice_on_the_embedded_sqlite_makes_them_once_and_says_so(tmp_path):
    import json

    from tests.test_settings import manage

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "CELERY_TASK_ALWAYS_EAGER": "true"}
    migrated = manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr[-2000:]

    result = manage("shell", "-c", SQLITE_PRESSES, env=env)

    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert "database is locked" not in str(outcome["said"])
    made = [said for said in outcome["said"] if said[0].startswith("2 pairs made. Their 4 introductions ")]
    assert len(made) == 1, outcome
    second = outcome["said"][1 - outcome["said"].index(made[0])]  # the first press is not always served first
    assert (
        len(second) == 1
        and second[0].startswith("This proposal was confirmed on ")
        and second[0].endswith("by Carol Committee: its 2 pairs are listed here. Nothing more was done.")
    )
    assert outcome["pairs"] == 2
