"""Surveys (issue 13, item 3): the committee writes each cycle's midpoint, closing and exit
surveys; each is sent through the outbox at its date and reminded once; a pair's two sides
answer on their pair page; program health reports them in aggregate, without names, and
year over year where the question is the same."""

import datetime as dt
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.survey_reports import survey_reports
from members.models import QuestionKind, Role
from members.presets.loading import preset_apply
from outbox.models import Email, EmailKind
from pairs.models import (
    REMINDER_AFTER,
    Evaluation,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    add_months,
)
from pairs.services import pairing, surveys

from .factories import CycleFactory, EnrollmentFactory, PairFactory, names_apart

pytestmark = pytest.mark.django_db

TOLD_NOBODY = "We hardly met after the conference: the distance was too much."


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


@pytest.fixture
def pair(cycle, seasoned_member, member):
    """Sam mentors Mina: started 150 days ago, ten months long (past its midpoint)."""
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
        starts_on=days(-160),
    )


def midpoint(cycle=None, **fields) -> Survey:
    """A midpoint survey (the cycle's own, or the program's default) with a scale, a choice and a text question."""
    survey = Survey.objects.create(cycle=cycle, kind=SurveyKind.MIDPOINT, title="Halfway", **fields)
    SurveyQuestion.objects.create(survey=survey, text="We meet often enough.", kind=QuestionKind.SCALE, order=1)
    SurveyQuestion.objects.create(
        survey=survey, text="How do you meet?", kind=QuestionKind.ONE, choices=["Video", "Phone"], order=2
    )
    SurveyQuestion.objects.create(survey=survey, text="What is going well?", kind=QuestionKind.LONG, order=3)
    return survey


def answers_for(survey: Survey, scale="4", one="Video", text="") -> dict:
    q = {q.kind: q.pk for q in survey.questions.all()}
    return {f"q{q[QuestionKind.SCALE]}": scale, f"q{q[QuestionKind.ONE]}": one, f"q{q[QuestionKind.LONG]}": text}


def messages_of(response) -> str:
    return unescape(response.text)


# --- The committee writes the surveys -----------------------------------------------------------------


def test_committee_writes_a_cycles_own_survey_from_the_programs_default(client_for, committee, cycle):
    default = midpoint(is_on=True)
    client = client_for(committee)
    page = client.get(reverse("pairs:survey-edit", args=[cycle.pk, "midpoint"])).text
    assert "follows the program's default survey" in page
    assert "We meet often enough." in page

    response = client.post(
        reverse("pairs:survey-question-create", args=[cycle.pk, "midpoint"]),
        {"text": "Have you set goals?", "kind": "yes_no", "audience": "mentee", "choices": "", "help_text": ""},
        follow=True,
    )

    assert "Question “Have you set goals?” saved." in messages_of(response)
    assert "This cycle now has its own copy of the program's survey." in messages_of(response)
    own = Survey.objects.get(cycle=cycle, kind=SurveyKind.MIDPOINT)
    assert [q.text for q in own.questions.all()] == [
        "We meet often enough.",
        "How do you meet?",
        "What is going well?",
        "Have you set goals?",
    ]
    # The program's default is untouched: another cycle still follows it as it was.
    assert default.questions.count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "  ", "kind": "short"}, "Write the question"),
        ({"text": "Which branch?", "kind": "one", "choices": ""}, "A choice question needs at least two"),
        ({"text": "Which branch?", "kind": "several", "choices": "Main"}, "A choice question needs at least two"),
    ],
)
def test_a_question_without_text_or_choices_is_refused_and_nothing_saved(client_for, committee, cycle, data, message):
    form = {"help_text": "", "choices": "", "audience": "both", **data}
    response = client_for(committee).post(reverse("pairs:survey-question-create", args=[cycle.pk, "midpoint"]), form)

    assert response.status_code == 200
    assert message in messages_of(response)
    assert not SurveyQuestion.objects.exists()


def test_a_midpoint_date_outside_the_pairs_year_is_refused(client_for, committee, cycle, pair):
    url = reverse("pairs:survey-edit", args=[cycle.pk, "midpoint"])
    client = client_for(committee)

    response = client.post(url, {"title": "Halfway", "intro": "", "is_on": "on", "opens_after_months": "11"})

    assert "The midpoint survey must open within the pair's year: the shortest pair runs 9 months" in messages_of(
        response
    )
    assert not Survey.objects.filter(opens_after_months=11).exists()

    response = client.post(
        url, {"title": "Halfway", "intro": "", "is_on": "on", "opens_after_months": "4"}, follow=True
    )
    assert "“Halfway” saved." in messages_of(response)
    survey = Survey.objects.get(cycle=cycle)
    assert survey.opens_on(pair) == add_months(pair.starts_on, 4)


def test_an_answered_question_keeps_its_kind_and_is_archived_not_deleted(client_for, committee, cycle, pair, member):
    survey = midpoint(cycle)
    surveys.survey_answer(
        pair=pair,
        by=member,
        survey=survey,
        questions=list(survey.questions.all()),
        cleaned={q.pk: v for q, v in zip(survey.questions.all(), [4, "Video", "Good."], strict=True)},
    )
    scale = survey.questions.get(kind=QuestionKind.SCALE)
    client = client_for(committee)
    edit = reverse("pairs:survey-question-edit", args=[cycle.pk, "midpoint", scale.pk])

    response = client.post(edit, {"text": scale.text, "kind": "short", "audience": "both", "choices": ""}, follow=True)
    assert "This question has answers: its kind cannot change." in messages_of(response)
    response = client.post(
        reverse("pairs:survey-question-action", args=[cycle.pk, "midpoint", scale.pk, "delete"]), follow=True
    )
    assert "This question has answers: archive it instead" in messages_of(response)
    # A corrected wording is fine: the answer stays as it was given.
    client.post(edit, {"text": "We meet as often as we need.", "kind": "scale", "audience": "both", "choices": ""})
    archive = reverse("pairs:survey-question-action", args=[cycle.pk, "midpoint", scale.pk, "archive"])
    assert "is archived: its answers stay in the reports" in messages_of(client.post(archive, follow=True))
    assert "is archived already: nothing was changed." in messages_of(client.post(archive, follow=True))

    scale.refresh_from_db()
    assert (scale.kind, scale.text, scale.archived_at is not None) == (QuestionKind.SCALE, scale.text, True)
    assert SurveyAnswer.objects.get(question=scale).value == 4
    assert "We meet as often as we need." not in [q.text for q in surveys.questions_for(survey, "mentee")]


def test_questions_move_up_and_down_and_an_unanswered_one_is_deleted(client_for, committee, cycle):
    survey = midpoint(cycle)
    first, second, third = survey.questions.all()
    client = client_for(committee)

    def act(q, action):
        url = reverse("pairs:survey-question-action", args=[cycle.pk, "midpoint", q.pk, action])
        return client.post(url, follow=True)

    act(third, "up")
    assert [q.pk for q in survey.questions.all()] == [first.pk, third.pk, second.pk]
    assert "is first already" in messages_of(act(first, "up"))
    act(second, "delete")
    assert "This question was deleted already." in messages_of(act(second, "delete"))
    assert [q.pk for q in survey.questions.all()] == [first.pk, third.pk]


# --- Sent at its date, reminded once -------------------------------------------------------------------


def test_the_midpoint_survey_is_sent_to_both_sides_at_the_pairs_midpoint_once(pair, cycle, sending, mailoutbox):
    midpoint(cycle)
    before = PairFactory(cycle=cycle, starts_on=days(-30))

    with sending():
        assert surveys.midpoint_invitations_send() == 2
        assert surveys.midpoint_invitations_send() == 0

    assert sorted(m.to[0] for m in mailoutbox) == sorted([pair.mentor.member.email, pair.mentee.member.email])
    url = settings.SITE_URL + reverse("pairs:survey", args=[pair.pk, "midpoint"])
    assert all(url in m.body and "Halfway" in m.body for m in mailoutbox)
    assert not Email.objects.filter(pair=before).exists()


def test_a_midpoint_survey_switched_off_or_without_questions_is_not_sent(pair, cycle):
    survey = midpoint(cycle, is_on=False)
    assert surveys.midpoint_invitations_send() == 0
    survey.is_on = True
    survey.save()
    survey.questions.update(archived_at=timezone.now())
    assert surveys.midpoint_invitations_send() == 0


def test_a_side_that_has_not_answered_is_reminded_once_two_weeks_later(pair, cycle, member):
    survey = midpoint(cycle)
    surveys.midpoint_invitations_send()
    assert surveys.survey_reminders_send() == 0  # not two weeks yet
    Email.objects.filter(kind=EmailKind.SURVEY_MIDPOINT).update(created_at=timezone.now() - REMINDER_AFTER)
    surveys.survey_answer(
        pair=pair, by=member, survey=survey, questions=surveys.questions_for(survey, "mentee"), cleaned={}
    )

    assert surveys.survey_reminders_send() == 1
    assert surveys.survey_reminders_send() == 0
    reminder = Email.objects.get(kind=EmailKind.SURVEY_REMINDER)
    assert reminder.recipient == pair.mentor.member


def test_the_closing_evaluation_is_reminded_once_to_the_side_that_has_not_filled_it(pair, member):
    pair.starts_on, pair.ends_on = days(-290), days(10)  # opened twenty days ago
    pair.save()
    Evaluation.objects.create(
        pair=pair, author=member, role="mentee", overall=4, relationship=4, goals_met=4, would_recommend=True
    )

    assert surveys.survey_reminders_send() == 1
    assert surveys.survey_reminders_send() == 0
    assert Email.objects.get(kind=EmailKind.SURVEY_REMINDER).recipient == pair.mentor.member


def test_a_pair_ended_early_sends_the_exit_survey_to_both_sides(pair, cycle, committee, sending, mailoutbox):
    exit_survey = Survey.objects.create(cycle=None, kind=SurveyKind.EXIT, title="Ending early")
    SurveyQuestion.objects.create(survey=exit_survey, text="What could have helped?", kind=QuestionKind.LONG)

    with sending():
        pairing.pair_end(pair=pair, by=committee, category="workload")

    invitations = [m for m in mailoutbox if "Ending early" in m.body]
    assert sorted(m.to[0] for m in invitations) == sorted([pair.mentor.member.email, pair.mentee.member.email])
    assert settings.SITE_URL + reverse("pairs:survey", args=[pair.pk, "exit"]) in invitations[0].body


def test_a_pair_ended_early_without_an_exit_survey_sends_none(pair, committee):
    pairing.pair_end(pair=pair, by=committee, category="workload")
    assert not Email.objects.filter(kind=EmailKind.SURVEY_EXIT).exists()


# --- The pair's sides answer --------------------------------------------------------------------------


def test_the_mentee_answers_the_midpoint_survey_on_the_pair_page_once(client_for, pair, cycle, member):
    survey = midpoint(cycle)
    client = client_for(member)
    page = client.get(reverse("pairs:pair-detail", args=[pair.pk])).text
    assert "Answer the survey" in page

    url = reverse("pairs:survey", args=[pair.pk, "midpoint"])
    response = client.post(url, answers_for(survey, text="Good talks."), follow=True)
    assert "Thank you: the committee reads the answers together, without names." in messages_of(response)
    assert "Thank you: your answers are in." in response.text
    response = client.post(url, answers_for(survey, scale="1"), follow=True)
    assert "Your answers are in already: thank you!" in messages_of(response)

    answer = SurveyResponse.objects.get()
    assert (answer.role, answer.author, answer.kind) == ("mentee", member, "midpoint")
    assert sorted(map(str, answer.answers.values_list("value", flat=True))) == ["4", "Good talks.", "Video"]


def test_a_required_question_left_empty_is_refused(client_for, pair, cycle, member):
    survey = midpoint(cycle)
    survey.questions.filter(kind=QuestionKind.SCALE).update(required=True)

    url = reverse("pairs:survey", args=[pair.pk, "midpoint"])
    response = client_for(member).post(url, answers_for(survey, scale=""))

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not SurveyResponse.objects.exists()


def test_a_survey_not_yet_open_is_not_offered(client_for, cycle, member, seasoned_member):
    midpoint(cycle)
    early = PairFactory(
        cycle=cycle,
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
        starts_on=days(-20),
    )
    client = client_for(member)
    assert "Answer the survey" not in client.get(reverse("pairs:pair-detail", args=[early.pk])).text
    response = client.get(reverse("pairs:survey", args=[early.pk, "midpoint"]), follow=True)
    assert "This survey is not open for your pair." in messages_of(response)


def test_the_closing_evaluation_asks_the_committees_questions_with_its_ratings(client_for, pair, cycle, member):
    pair.starts_on, pair.ends_on = days(-290), days(10)
    pair.save()
    closing = Survey.objects.create(cycle=cycle, kind=SurveyKind.CLOSING, title="Closing evaluation")
    q = SurveyQuestion.objects.create(survey=closing, text="Will you mentor one day?", kind=QuestionKind.YES_NO)
    SurveyQuestion.objects.create(survey=closing, text="For mentors only", kind=QuestionKind.SHORT, audience="mentor")
    client = client_for(member)
    page = client.get(reverse("pairs:evaluation", args=[pair.pk])).text
    assert "Will you mentor one day?" in page
    assert "For mentors only" not in page

    data = {"overall": "4", "relationship": "5", "goals_met": "3", "best": "", "improve": "", f"q{q.pk}": "yes"}
    client.post(reverse("pairs:evaluation", args=[pair.pk]), data)

    assert Evaluation.objects.get().overall == 4
    assert SurveyAnswer.objects.get().value is True
    assert SurveyResponse.objects.get().kind == SurveyKind.CLOSING


def test_the_exit_survey_is_answered_after_the_pair_ended(client_for, pair, committee, member):
    exit_survey = Survey.objects.create(cycle=None, kind=SurveyKind.EXIT, title="Ending early")
    q = SurveyQuestion.objects.create(survey=exit_survey, text="What could have helped?", kind=QuestionKind.LONG)
    pairing.pair_end(pair=pair, by=committee, category="workload")
    client = client_for(member)
    assert "Ending early" in client.get(reverse("pairs:pair-detail", args=[pair.pk])).text

    client.post(reverse("pairs:survey", args=[pair.pk, "exit"]), {f"q{q.pk}": TOLD_NOBODY})

    assert SurveyAnswer.objects.get().value == TOLD_NOBODY


# --- Program health -------------------------------------------------------------------------------------


def answer(pair, role, survey, values: dict) -> None:
    by = pair.mentor.member if role == "mentor" else pair.mentee.member
    questions = list(survey.questions.all())
    cleaned = {q.pk: values.get(q.kind) for q in questions}
    response = SurveyResponse.objects.create(pair=pair, survey=survey, kind=survey.kind, role=role, author=by)
    surveys.answers_write(response=response, questions=questions, cleaned=cleaned)


def test_health_shows_each_survey_in_aggregate_without_names_and_year_over_year(client_for, committee, cycle, pair):
    survey = midpoint(cycle)
    answer(pair, "mentee", survey, {QuestionKind.SCALE: 5, QuestionKind.ONE: "Video", QuestionKind.LONG: TOLD_NOBODY})
    answer(pair, "mentor", survey, {QuestionKind.SCALE: 3, QuestionKind.ONE: "Video"})
    last_year = CycleFactory(name="2024–25", is_open=False, starts_on=cycle.starts_on - dt.timedelta(days=365))
    old = PairFactory(cycle=last_year)
    answer(old, "mentee", midpoint(last_year), {QuestionKind.SCALE: 2})
    names = names_apart(pair)

    page = client_for(committee).get(reverse("matching:health", args=[cycle.pk])).text

    assert "Midpoint survey: Halfway" in page
    assert "average 4.0" in page
    assert "Answers to “We meet often enough.”: 1: 0; 2: 0; 3: 1; 4: 0; 5: 1." in unescape(page)
    assert "Video: 2; Phone: 0." in unescape(page)
    assert TOLD_NOBODY in unescape(page)
    assert "2024–25" in page and "2.0" in page
    section = page[page.index('id="surveys-heading"') :]
    section = section[: section.index('id="years-heading"')]
    for name in names:
        assert name not in section


def test_a_questions_years_give_each_cycle_the_average_and_count_of_its_answers_numbers(cycle, pair):
    # The shown cycle's own figures come from its summary, the other cycles' from one query: both
    # must be what averaging the answers' numbers in the database gives (a scale and a yes/no).
    survey = midpoint(cycle)
    SurveyQuestion.objects.create(survey=survey, text="We set goals.", kind=QuestionKind.YES_NO, order=4)
    last_year = CycleFactory(name="2024–25", is_open=False, starts_on=cycle.starts_on - dt.timedelta(days=365))
    old_survey = midpoint(last_year)
    SurveyQuestion.objects.create(survey=old_survey, text="We set goals.", kind=QuestionKind.YES_NO, order=4)
    answered = [(pair, survey)] + [(PairFactory(cycle=cycle), survey) for _ in range(4)]
    answered += [(PairFactory(cycle=last_year), old_survey) for _ in range(3)]
    for i, (p, s) in enumerate(answered):
        for role in ("mentor", "mentee"):
            answer(
                p,
                role,
                s,
                {QuestionKind.SCALE: 1 + (i * 3 + len(role)) % 5, QuestionKind.YES_NO: (i + len(role)) % 3 != 0},
            )

    reports = {q.text: q for s in survey_reports(cycle, cycles=[cycle, last_year]) for q in s.questions}

    for text in ("We meet often enough.", "We set goals."):
        expected = [
            (
                c,
                *SurveyAnswer.objects.filter(response__pair__cycle=c, question__text=text)
                .aggregate(a=Avg("number"), n=Count("pk"))
                .values(),
            )
            for c in (cycle, last_year)
        ]
        assert reports[text].years == expected


def test_in_the_admin_an_answered_survey_keeps_its_cycle_and_kind(client_for, site_admin, cycle, pair):
    from .test_admin_security import change_url, offered_form

    survey = midpoint(cycle)
    answer(pair, "mentee", survey, {QuestionKind.SCALE: 5})
    other = CycleFactory(is_open=False, starts_on=cycle.starts_on - dt.timedelta(days=400))
    client = client_for(site_admin)
    url = change_url(survey)

    data = {**offered_form(client, url), "title": "Halfway there", "cycle": other.pk, "kind": SurveyKind.EXIT}
    assert client.post(url, data).status_code == 302
    survey.refresh_from_db()
    # Its answers stay its cycle's pairs' answers to a midpoint survey, as program health counts them.
    assert (survey.title, survey.cycle, survey.kind) == ("Halfway there", cycle, SurveyKind.MIDPOINT)


def test_health_query_count_does_not_grow_with_survey_answers(client_for, committee, cycle):
    url = reverse("matching:health", args=[cycle.pk])
    survey = midpoint(cycle)
    client = client_for(committee)
    answer(PairFactory(cycle=cycle), "mentee", survey, {QuestionKind.SCALE: 4, QuestionKind.LONG: "Fine."})

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(8):
        p = PairFactory(cycle=cycle)
        values = {QuestionKind.SCALE: 1 + i % 5, QuestionKind.ONE: "Phone", QuestionKind.LONG: f"t{i}"}
        answer(p, "mentee", survey, values)
        answer(p, "mentor", survey, {QuestionKind.SCALE: 2})
    other = CycleFactory(is_open=False, starts_on=cycle.starts_on - dt.timedelta(days=400))
    answer(PairFactory(cycle=other), "mentee", midpoint(other), {QuestionKind.SCALE: 3})

    assert queries() == few


# --- Presets --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["arla", "llama"])
def test_a_presets_surveys_load_once_for_the_program_and_the_open_cycle(cycle, name):
    report = preset_apply(name=name)
    assert any("midpoint survey" in line for line in report)
    for scope in (None, cycle):
        assert set(Survey.objects.filter(cycle=scope).values_list("kind", flat=True)) == set(SurveyKind.values)
    closing = Survey.objects.get(cycle=cycle, kind=SurveyKind.CLOSING)
    # The closing evaluation's core ratings are its own: the preset adds only the committee's questions.
    assert "Overall, the program was worthwhile." not in closing.questions.values_list("text", flat=True)
    counts = SurveyQuestion.objects.count()

    again = preset_apply(name=name)

    assert "Surveys: as the preset has them already." in again
    assert SurveyQuestion.objects.count() == counts


def test_switching_presets_archives_answered_questions_and_keeps_their_answers(cycle, pair, member):
    preset_apply(name="arla")
    survey = Survey.objects.get(cycle=cycle, kind=SurveyKind.MIDPOINT)
    surveys.survey_answer(
        pair=pair, by=member, survey=survey, questions=[], cleaned={}
    )  # an empty response: nothing answered, nothing to keep
    question = survey.questions.get(text="What is going well so far?")
    response = SurveyResponse.objects.get()
    SurveyAnswer.objects.create(response=response, question=question, value="Much.")

    preset_apply(name="llama")

    question.refresh_from_db()
    assert question.archived_at is None  # the same words and kind in both presets: the same question
    gone = SurveyQuestion.objects.filter(survey=survey, text__startswith="We have clarified").first()
    assert gone is None  # unanswered and not in the llama preset: deleted
    assert SurveyAnswer.objects.get().value == "Much."


def test_a_cycle_not_open_keeps_its_own_surveys_when_a_preset_loads(cycle):
    closed = CycleFactory(is_open=False, name="2023–24", starts_on=cycle.starts_on - dt.timedelta(days=700))
    own = midpoint(closed)

    preset_apply(name="llama")

    assert list(own.questions.values_list("text", flat=True)) == [
        "We meet often enough.",
        "How do you meet?",
        "What is going well?",
    ]
    assert Survey.objects.filter(cycle=None, kind=SurveyKind.MIDPOINT).exists()


def test_new_cycles_follow_the_programs_default_surveys(cycle):
    preset_apply(name="arla")
    later = CycleFactory(is_open=False, name="2030–31")

    used = Survey.objects.in_use(later, SurveyKind.EXIT)

    assert used.cycle is None and used.title == "Ending early"


# --- A member's own data --------------------------------------------------------------------------------


def test_a_members_own_answers_are_in_their_data_and_stay_without_them_when_they_leave(client_for, pair, cycle, member):
    import json

    from pairs.services import privacy

    survey = midpoint(cycle)
    answer(pair, "mentee", survey, {QuestionKind.LONG: TOLD_NOBODY})

    data = json.loads(client_for(member).get(reverse("pairs:my-data-download")).content)
    assert data["surveys"][0]["answers"] == {"What is going well?": TOLD_NOBODY}
    assert data["surveys"][0]["survey"] == "Halfway"

    privacy.account_delete(user=member)

    response = SurveyResponse.objects.get()
    assert response.author is None and response.answers.get().value == TOLD_NOBODY
