"""A cycle's own opt-in questions (issue 13, item 2): the committee writes them, members
answer them when opting in and change them with their opt-in; an answered question keeps its
kind and choices and is archived rather than deleted; answers given are never rewritten."""

import pytest
from django.urls import reverse

from members.models import Answer, CycleQuestion, Enrollment, QuestionKind, Role
from members.services import questions as services

from .factories import CycleFactory, EnrollmentFactory
from .test_cycles import cycle_data
from .test_membership import mentee_optin, mentor_optin

pytestmark = pytest.mark.django_db

SETTING = "Which setting would you most like to work in?"
SETTINGS = ["Academic libraries", "Public libraries", "School libraries"]


def add(cycle, **fields):
    fields = {"text": SETTING, "kind": QuestionKind.ONE, "choices": SETTINGS, "audience": "both", **fields}
    return services.question_add(cycle=cycle, **fields)


def form_data(**overrides):
    return {"text": SETTING, "kind": "one", "choices": "\n".join(SETTINGS), "audience": "both", **overrides}


# --- The committee writes them --------------------------------------------------------


def test_committee_adds_a_question_and_sees_it_in_the_list(client_for, committee, cycle):
    client = client_for(committee)
    response = client.post(
        reverse("members:question-create", args=[cycle.pk]),
        form_data(required="on", help_text="Pick <one>"),
        follow=True,
    )

    assert f"The question “{SETTING}” is added" in response.text
    question = CycleQuestion.objects.get()
    assert (question.cycle, question.kind, question.choices, question.required) == (cycle, "one", SETTINGS, True)
    assert "Pick &lt;one&gt;" in response.text
    assert "Academic libraries · Public libraries · School libraries" in response.text


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (form_data(text="   "), "This field is required."),
        (form_data(choices=""), "A choice question needs at least two different choices"),
        (form_data(choices="Only one\nOnly one"), "A choice question needs at least two different choices"),
        (form_data(kind="long"), "Only a choice question has choices"),
        (form_data(kind="several", match_on="on"), "Only a one-choice question can be matched on"),
    ],
)
def test_a_question_the_rules_refuse_is_not_saved_and_says_why(client_for, committee, cycle, data, said):
    response = client_for(committee).post(reverse("members:question-create", args=[cycle.pk]), data)

    assert response.status_code == 200
    assert said in response.text
    assert "nothing was saved" in response.text
    assert not CycleQuestion.objects.exists()


def test_questions_move_up_and_down(client_for, committee, cycle):
    first, second = add(cycle, text="First?"), add(cycle, text="Second?")
    client = client_for(committee)

    client.post(reverse("members:question-move", args=[second.pk]), {"direction": "up"})
    assert list(CycleQuestion.objects.for_cycle(cycle).asked().values_list("text", flat=True)) == ["Second?", "First?"]
    response = client.post(reverse("members:question-move", args=[second.pk]), {"direction": "up"}, follow=True)
    assert "This question is first already." in response.text
    client.post(reverse("members:question-move", args=[second.pk]), {"direction": "down"})
    assert list(CycleQuestion.objects.for_cycle(cycle).asked().values_list("pk", flat=True)) == [first.pk, second.pk]


def test_an_unanswered_question_is_deleted_after_confirming(client_for, committee, cycle):
    question = add(cycle)
    client = client_for(committee)

    assert "Delete this question?" in client.get(reverse("members:question-delete", args=[question.pk])).text
    response = client.post(reverse("members:question-delete", args=[question.pk]), follow=True)

    assert f"“{SETTING}” is deleted." in response.text
    assert not CycleQuestion.objects.exists()
    again = client.post(reverse("members:question-delete", args=[question.pk]), follow=True)
    assert "This question is deleted already." in again.text


def test_an_answered_question_cannot_be_deleted_or_change_its_kind_but_can_be_archived(client_for, committee, cycle):
    question = add(cycle)
    Answer.objects.create(enrollment=EnrollmentFactory(cycle=cycle), question=question, value="Public libraries")
    client = client_for(committee)

    page = client.get(reverse("members:question-delete", args=[question.pk]))
    assert "This question cannot be deleted" in page.text and "Archive it instead" in page.text
    response = client.post(reverse("members:question-delete", args=[question.pk]), follow=True)
    assert "1 opt-in has answered this question, so it cannot be deleted: archive it instead" in response.text
    with pytest.raises(services.QuestionError, match="its kind of answer stays"):
        services.question_edit(question=question, kind=QuestionKind.SEVERAL)
    response = client.post(
        reverse("members:question-edit", args=[question.pk]), form_data(choices="Academic libraries\nSchool libraries")
    )
    assert "so its choices stay (you may add more): put back “Public libraries”" in response.text

    response = client.post(reverse("members:question-archive", args=[question.pk]), {"action": "archive"}, follow=True)
    assert "is archived: no longer asked; its answers stay." in response.text
    assert not CycleQuestion.objects.for_cycle(cycle).asked().exists()
    assert Answer.objects.get().value == "Public libraries"
    client.post(reverse("members:question-archive", args=[question.pk]), {"action": "restore"})
    assert CycleQuestion.objects.for_cycle(cycle).asked().get() == question


def test_rewording_an_answered_question_and_adding_a_choice_keeps_the_answers(client_for, committee, cycle):
    question = add(cycle)
    Answer.objects.create(enrollment=EnrollmentFactory(cycle=cycle), question=question, value="Public libraries")

    response = client_for(committee).post(
        reverse("members:question-edit", args=[question.pk]),
        form_data(text="Where would you like to work?", choices="\n".join([*SETTINGS, "Special libraries"])),
        follow=True,
    )

    assert "Answers already given stay as they were." in response.text
    question.refresh_from_db()
    assert question.text == "Where would you like to work?" and question.choices[-1] == "Special libraries"
    assert Answer.objects.get().value == "Public libraries"


def test_a_new_cycle_starts_with_the_programs_default_questions(client_for, committee, cycle):
    services.question_add(cycle=None, text="Default question?", kind=QuestionKind.YES_NO, audience="mentee")
    response = client_for(committee).post(reverse("members:cycle-create"), cycle_data(), follow=True)

    assert "Its opt-in form asks the program's 1 question." in response.text.replace("&#x27;", "'")
    new = CycleQuestion.objects.exclude(cycle=None).get()
    assert (new.cycle.name, new.text, new.audience) == ("2027–28", "Default question?", "mentee")


# --- Members answer them ------------------------------------------------------------------


@pytest.fixture
def asked(cycle):
    """The open cycle asks mentees one question, mentors one, and everybody one."""
    return {
        "mentee": add(
            cycle,
            text="Have you volunteered before?",
            kind=QuestionKind.YES_NO,
            choices=[],
            audience="mentee",
            required=True,
        ),
        "mentor": add(
            cycle, text="How many years have you supervised?", kind=QuestionKind.SCALE, choices=[], audience="mentor"
        ),
        "both": add(cycle, required=True),
    }


def test_member_answers_the_questions_of_the_role_they_opt_in_as(client_for, member, cycle, asked):
    client = client_for(member)
    page = client.get(reverse("members:enrollment-create"))
    for q in asked.values():
        assert q.text in page.text

    response = client.post(
        reverse("members:enrollment-create"),
        mentee_optin(**{f"question_{asked['mentee'].pk}": "yes", f"question_{asked['both'].pk}": "Public libraries"}),
        follow=True,
    )

    assert "You are signed up as a mentee" in response.text
    answers = dict(Answer.objects.values_list("question__text", "value"))
    assert answers == {"Have you volunteered before?": True, SETTING: "Public libraries"}


def test_a_required_question_of_the_role_ticked_must_be_answered(client_for, member, cycle, asked):
    response = client_for(member).post(reverse("members:enrollment-create"), mentee_optin())

    assert response.text.count("Please answer this question.") == 2
    assert not Enrollment.objects.exists() and not Answer.objects.exists()


def test_a_mentor_is_not_asked_the_mentees_questions(client_for, seasoned_member, cycle, asked):
    response = client_for(seasoned_member).post(
        reverse("members:enrollment-create"),
        mentor_optin(**{f"question_{asked['both'].pk}": "School libraries", f"question_{asked['mentor'].pk}": "4"}),
        follow=True,
    )

    assert "You are signed up as a mentor" in response.text
    assert dict(Answer.objects.values_list("question__text", "value")) == {
        SETTING: "School libraries",
        "How many years have you supervised?": 4,
    }


def test_member_changes_their_answers_with_their_opt_in(client_for, member, cycle, asked):
    enrollment = EnrollmentFactory(member=member, cycle=cycle, role=Role.MENTEE)
    Answer.objects.create(enrollment=enrollment, question=asked["both"], value="Public libraries")
    client = client_for(member)
    page = client.get(reverse("members:enrollment-edit", args=[enrollment.pk]))
    assert 'value="Public libraries" ' in page.text and "checked" in page.text
    assert asked["mentor"].text not in page.text

    response = client.post(
        reverse("members:enrollment-edit", args=[enrollment.pk]),
        {
            "goals": enrollment.goals,
            "interests": "",
            "meeting_modes": ["email"],
            f"question_{asked['mentee'].pk}": "no",
            f"question_{asked['both'].pk}": "School libraries",
        },
        follow=True,
    )

    assert "Your opt-in is updated." in response.text
    assert dict(Answer.objects.values_list("question__text", "value")) == {
        "Have you volunteered before?": False,
        SETTING: "School libraries",
    }


def test_an_archived_question_is_not_asked_but_its_answers_stay(client_for, member, cycle, asked):
    enrollment = EnrollmentFactory(member=member, cycle=cycle, role=Role.MENTEE)
    Answer.objects.create(enrollment=enrollment, question=asked["both"], value="Public libraries")
    services.question_archive(question=asked["both"])

    page = client_for(member).get(reverse("members:enrollment-create"))

    assert SETTING not in page.text
    assert services.answers_of([enrollment.pk], cycle=cycle)[enrollment.pk] == [(asked["both"], "Public libraries")]


def test_another_cycles_question_is_not_answered_through_this_one(member, cycle):
    other = add(CycleFactory(name="Other", is_open=False))
    enrollment = EnrollmentFactory(member=member, cycle=cycle)

    services.answers_save(enrollment=enrollment, answers={other.pk: "Public libraries"})

    assert not Answer.objects.exists()


# --- The committee sees the answers, and matches on them -----------------------------------------


@pytest.fixture
def matched(cycle):
    """A mentee and two mentors alike in every way the score reads, but for their answer to a
    "match on this" question (and their names)."""
    from .test_matching import mentee, mentor

    question = add(cycle, match_on=True)
    meg = mentee(cycle, "Meg", "Mentee", title="Reference Librarian", areas=("reference",))
    first = mentor(cycle, "Abe", "Aardvark", title="Reference Librarian", areas=("reference",))
    second = mentor(cycle, "Zoe", "Zebra", title="Reference Librarian", areas=("reference",))
    Answer.objects.create(enrollment=meg, question=question, value="Academic libraries")
    Answer.objects.create(enrollment=first, question=question, value="Public libraries")
    Answer.objects.create(enrollment=second, question=question, value="Academic libraries")
    return question, meg, first, second


def names_in_order(page: str, *names: str) -> list[str]:
    return sorted(names, key=page.index)


def test_a_match_on_question_ranks_the_mentor_with_the_same_answer_first_and_says_why(client_for, committee, matched):
    question, meg, abe, zoe = matched
    client = client_for(committee)
    url = reverse("matching:suggestions", args=[meg.cycle_id, meg.pk])

    page = client.get(url).text.replace("&#x27;", "'")

    assert names_in_order(page, "Zoe Zebra", "Abe Aardvark") == ["Zoe Zebra", "Abe Aardvark"]
    assert f"Both answered “Academic libraries” to “{SETTING}”" in page
    assert f"Different answers to “{SETTING}”" in page
    # Their answers, next to the suggestions.
    assert "Zoe Zebra's answers" in page and "Public libraries" in page

    # Not matched on: the tie is back, and the pool's order (Abe first) decides.
    services.question_edit(question=question, match_on=False)
    page = client.get(url).text
    assert names_in_order(page, "Zoe Zebra", "Abe Aardvark") == ["Abe Aardvark", "Zoe Zebra"]
    assert "Both answered" not in page


def test_the_committee_sets_a_match_on_questions_weight_on_the_dashboard(client_for, committee, matched):
    question, meg, abe, zoe = matched
    client = client_for(committee)
    dashboard = client.get(reverse("matching:dashboard", args=[meg.cycle_id])).text
    assert f"Same answer: {SETTING}" in dashboard

    response = client.post(
        reverse("matching:weights", args=[meg.cycle_id]),
        {
            "weight_title": 40,
            "weight_responsibilities": 30,
            "weight_library_type": 10,
            "weight_region": 10,
            "weight_experience": 10,
            f"question_{question.pk}": 0,
            "exclude_same_institution": "on",
        },
        follow=True,
    )

    assert "The weights are saved" in response.text
    question.refresh_from_db()
    assert question.match_weight == 0
    page = client.get(reverse("matching:suggestions", args=[meg.cycle_id, meg.pk])).text
    assert "Both answered" not in page


def test_the_comparison_the_opt_ins_list_and_the_export_show_the_answers(client_for, committee, matched):
    from .test_exports import csv_rows, download

    question, meg, abe, zoe = matched
    client = client_for(committee)

    compare = client.get(reverse("matching:pair", args=[meg.cycle_id, meg.pk, zoe.pk])).text
    assert compare.count(SETTING) >= 3  # both cards and the reason
    assert f"Both answered “Academic libraries” to “{SETTING}”" in compare
    listed = client.get(reverse("members:enrollment-list") + f"?cycle={meg.cycle_id}").text
    assert '<th scope="col">Answers</th>' in listed and listed.count("Academic libraries") == 2

    rows = csv_rows(download(client, meg.cycle, "enrollments", "csv"))
    assert rows[0][-1] == SETTING
    assert {row[0]: row[-1] for row in rows[1:]} == {
        "Meg Mentee": "Academic libraries",
        "Abe Aardvark": "Public libraries",
        "Zoe Zebra": "Academic libraries",
    }


def test_the_suggestions_and_opt_ins_pages_read_answers_in_a_fixed_number_of_queries(
    client_for, committee, matched, page_queries
):
    from .test_matching import mentor

    question, meg, abe, zoe = matched
    client = client_for(committee)
    urls = [
        reverse("matching:suggestions", args=[meg.cycle_id, meg.pk]),
        reverse("members:enrollment-list") + f"?cycle={meg.cycle_id}",
        reverse("matching:pair", args=[meg.cycle_id, meg.pk, zoe.pk]),
    ]
    few = [page_queries(client, url) for url in urls]
    other = add(meg.cycle, text="Anything else?", kind=QuestionKind.LONG, choices=[])
    for i in range(12):
        m = mentor(meg.cycle, "More", f"Mentor{i}")
        Answer.objects.create(enrollment=m, question=question, value=SETTINGS[i % 3])
        Answer.objects.create(enrollment=m, question=other, value="More to say.")
    for url, n in zip(urls, few, strict=True):
        page_queries(client, url, exactly=n)


# --- The presets' questions -----------------------------------------------------------------


@pytest.fixture
def load(django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    def _load(name: str) -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("program_preset", name, stdout=out)
        return out.getvalue()

    return _load


@pytest.mark.parametrize("name", ["arla", "llama"])
def test_a_presets_questions_are_the_defaults_and_the_open_cycles_once(load, cycle, name):
    from members.presets.files import read

    listed = read(name)["questions"]
    out = load(name)

    defaults = list(CycleQuestion.objects.defaults().order_by("order"))
    assert [q.text for q in defaults] == [q["text"] for q in listed]
    asked = list(CycleQuestion.objects.for_cycle(cycle).asked())
    assert [q.text for q in asked] == [q["text"] for q in listed]
    assert f"The {cycle.name} cycle, taking opt-ins, now asks them ({len(listed)} questions)." in out
    matched = [q for q in asked if q.match_on]
    assert matched and all(q.kind == QuestionKind.ONE and len(q.choices) > 2 for q in matched)

    again = load(name)
    assert f"the program's {len(listed)} default questions are unchanged" in again
    assert CycleQuestion.objects.count() == 2 * len(listed)


def test_another_presets_questions_replace_the_defaults_but_not_a_cycles_own(load, cycle):
    load("arla")
    arla_asked = list(CycleQuestion.objects.for_cycle(cycle).values_list("text", flat=True))

    load("llama")

    assert list(CycleQuestion.objects.for_cycle(cycle).values_list("text", flat=True)) == arla_asked
    assert CycleQuestion.objects.defaults().first().text == "Are you a member of LLAMA?"


def test_a_preset_question_the_rules_refuse_changes_nothing(load, cycle, monkeypatch):
    from django.core.management import CommandError

    from members.presets import files

    real = files.read

    def broken(name):
        data = real(name)
        data["questions"][0]["choices"] = []
        return data

    monkeypatch.setattr("members.presets.loading.read", broken)
    with pytest.raises(CommandError, match="question #1 is refused, nothing is changed — A choice question needs"):
        load("arla")
    assert not CycleQuestion.objects.exists()


# --- The admin -----------------------------------------------------------------------------


def test_in_the_admin_the_committee_reads_answers_but_changes_none(client_for, committee, cycle):
    from .test_admin_security import change_url

    question = add(cycle)
    answer = Answer.objects.create(
        enrollment=EnrollmentFactory(cycle=cycle), question=question, value="Public libraries"
    )
    client = client_for(committee)

    assert "Public libraries" in client.get(reverse("admin:members_answer_changelist")).text
    page = client.get(change_url(answer))
    assert page.status_code == 200 and 'name="value"' not in page.text  # read-only
    assert client.post(change_url(answer), {"value": '"School libraries"'}).status_code == 403
    assert client.get(reverse("admin:members_answer_add")).status_code == 403
    assert client.post(reverse("admin:members_answer_delete", args=[answer.pk])).status_code == 403
    assert Answer.objects.get().value == "Public libraries"


def test_in_the_admin_an_answered_question_keeps_its_kind_and_choices_and_is_not_deleted(client_for, site_admin, cycle):
    from .test_admin_security import change_url, offered_form

    question = add(cycle)
    Answer.objects.create(enrollment=EnrollmentFactory(cycle=cycle), question=question, value="Public libraries")
    client = client_for(site_admin)
    url = change_url(question)

    data = {**offered_form(client, url), "text": "Where would you work?", "kind": "long", "choices": "[]"}
    assert client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert (question.text, question.kind, question.choices) == ("Where would you work?", "one", SETTINGS)
    assert (
        client.post(reverse("admin:members_cyclequestion_delete", args=[question.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert CycleQuestion.objects.filter(pk=question.pk).exists()


def test_the_question_pages_query_counts_do_not_grow_with_questions_or_answers(
    client_for, committee, cycle, page_queries
):
    client = client_for(committee)
    first = add(cycle)
    urls = [
        reverse("members:question-list", args=[cycle.pk]),
        reverse("members:question-create", args=[cycle.pk]),
        reverse("members:question-edit", args=[first.pk]),
        reverse("members:question-delete", args=[first.pk]),
    ]
    few = [page_queries(client, url) for url in urls]
    for n in range(15):
        q = add(cycle, text=f"Question {n}?", kind=QuestionKind.SHORT, choices=[])
        for _ in range(3):
            Answer.objects.create(enrollment=EnrollmentFactory(cycle=cycle), question=q, value="An answer.")
        Answer.objects.create(enrollment=EnrollmentFactory(cycle=cycle), question=first, value="Public libraries")
    many = [page_queries(client, url, exactly=n) for url, n in zip(urls, few, strict=True)]

    # Session, user, committee group, the cycle, the questions with their answers counted.
    assert many[0] <= 5
    # The form pages: session, user, committee group, the cycle or the question (and whether answered).
    assert max(many[1:]) <= 6


def test_scoring_a_match_on_question_is_pure_and_names_the_question():
    """Scoring takes the answers as plain values (no database), as it takes library types."""
    from matching.scoring import Person, Weights, explain, score

    def person(pk: int, answer: str) -> Person:
        return Person(pk, pk, "Reference Librarian", frozenset({"reference"}), answers=(answer,))

    mentee = person(1, "Academic libraries")
    mentors = [person(2, "Public libraries"), person(3, "Academic libraries"), person(4, "")]
    scores = score([mentee], mentors, Weights(questions=(25,)), questions=(SETTING,))

    totals = scores.total[0].tolist()
    assert totals[1] > totals[0] == totals[2]
    why = {r.part: r for r in explain(scores, 0, 1)}["question_0"]
    assert why.text == f"Both answered “Academic libraries” to “{SETTING}”" and why.points == why.out_of > 0
    assert explain(scores, 0, 0)[-1].text == f"Different answers to “{SETTING}”"
    assert explain(scores, 0, 2)[-1].text == f"The mentor did not answer “{SETTING}”"
    assert sum(scores.out_of.values()) == 100
