"""LeanFields (arla_mentoring/form_layout.py) writes a form's fields without crispy-forms'
template per field, to make the opt-in form with a committee's 20 questions fast (issue 13):
what a member reads must not change. Each test renders a form with LeanFields and with
every field through crispy-forms' bootstrap5/field.html, and compares the two: labels,
required markers, help texts, errors, aria-describedby and aria-invalid, escaping and all.
A change to bootstrap5/field.html fails here until LeanFields writes the same. So with
LeanFieldset and LeanDiv, against crispy's Fieldset and Div and their templates."""

import dataclasses
import datetime as dt

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from crispy_forms.utils import TEMPLATE_PACK, render_crispy_form, render_field
from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString

from arla_mentoring.form_layout import LeanDiv, LeanFields, LeanFieldset, as_lean_field
from members.forms import EnrollmentForm, MemberCorrectionForm, OptInForm, ProfileForm, ProgramSettingsForm
from members.models import Cycle, CycleQuestion, Enrollment, QuestionKind, Role
from members.program import preset_defaults, program
from outbox import kinds
from outbox.forms import SwitchForm, WordingForm
from outbox.kinds import Example
from pairs.forms import CheckInForm, EvaluationForm, GoalForm, PairEndForm, PairForm, ReportForm, TopicForm
from pairs.models import CheckIn, Goal, Topic
from pairs.survey_forms import AnswersForm, SurveyForm, SurveyQuestionForm
from pairs.survey_models import Survey, SurveyQuestion

from .factories import CycleFactory, accepting

HOSTILE = '<script>alert("x")</script> & co'


def field_by_field(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
    """LeanFields.render as crispy-forms renders a list of field names."""
    return SafeString("".join(render_field(name, form, context, template_pack=template_pack) for name in self.fields))


def checked(form: forms.Form) -> forms.Form:
    """The form as its page shows it: validated, its errors shown, when something was sent."""
    if form.is_bound:
        form.is_valid()
    return form


def both_ways(make_form, monkeypatch) -> tuple[str, str]:
    """The form (a fresh one each time) rendered by {% crispy %} with LeanFields, LeanFieldset
    and LeanDiv, then field by field, and its fieldsets and divs through crispy's templates."""
    lean = render_crispy_form(make_form())
    with monkeypatch.context() as m:
        m.setattr(LeanFields, "render", field_by_field)
        m.setattr(LeanFieldset, "render", Fieldset.render)
        m.setattr(LeanDiv, "render", Div.render)
        crispy = render_crispy_form(make_form())
    return lean, crispy


# --- The opt-in form -------------------------------------------------------------------------


def questions() -> list[CycleQuestion]:
    """One question of every kind for every audience, some required, with words to escape."""
    made = []
    for n, kind in enumerate(QuestionKind.values * 2):
        made.append(
            CycleQuestion(
                pk=n + 1,
                text=f"Question {n + 1} ({kind}): {HOSTILE}?",
                help_text=f"Help with {HOSTILE}" if n % 3 else "",
                kind=kind,
                choices=[f"Choice <{c}> & “{c}”" for c in "ABC"] if kind in QuestionKind.with_choices() else [],
                audience=["both", "mentee", "mentor"][n % 3],
                required=n % 2 == 0,
            )
        )
    return made


def answers() -> dict:
    given = {}
    for q in questions():
        name = f"question_{q.pk}"
        if q.kind == QuestionKind.SHORT:
            given[name] = HOSTILE if q.pk % 4 else "two\nlines"  # the second refused: one line only
        elif q.kind == QuestionKind.LONG:
            given[name] = f"A first line\n{HOSTILE}"
        elif q.kind == QuestionKind.ONE:
            given[name] = q.choices[1]
        elif q.kind == QuestionKind.SEVERAL:
            given[name] = [q.choices[0], q.choices[2]]
        elif q.kind == QuestionKind.YES_NO:
            given[name] = "no"
        elif q.kind == QuestionKind.SCALE:
            given[name] = "6"  # not offered: refused
    return given


COMMITMENTS = accepting(preset_defaults())
OPT_INS = {
    "blank, offering mentoring first": ({}, None),
    "blank, offering a mentor first": ({"offer": Role.MENTEE}, None),
    "one role taken already": ({"unavailable": {Role.MENTEE: "You are signed up as a mentee already."}}, None),
    "last year's mentor answers": (
        {"offer": Role.MENTOR, "initial": {"mentor_goals": HOSTILE, "capacity": 3, "meeting_modes": ["phone"]}},
        None,
    ),
    "both roles ticked, nothing else": ({}, {"wants_mentor": "on", "wants_to_mentor": "on"}),
    "answers, some refused": (
        {},
        {
            "wants_mentor": "on",
            "mentee_goals": HOSTILE,
            "capacity": "9",
            "meeting_modes": ["video", "carrier pigeon"],
            "commitments_key": "changed meanwhile",
            **answers(),
        },
    ),
    "everything right": ({}, {"wants_to_mentor": "on", "mentor_goals": "Share", **COMMITMENTS, **answers()}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", OPT_INS.values(), ids=OPT_INS.keys())
def test_the_opt_in_form_with_every_kind_of_question_reads_as_crispy_forms_writes_it(state, monkeypatch):
    kwargs, data = state

    def opt_in_form():
        return checked(OptInForm(data, questions=questions(), **{"offer": Role.MENTOR, **kwargs}))

    lean, crispy = both_ways(opt_in_form, monkeypatch)

    assert lean == crispy
    assert "Question 12 (scale)" in lean and HOSTILE not in lean


@pytest.mark.django_db
def test_the_agreement_a_non_member_accepts_reads_as_crispy_forms_writes_it(monkeypatch):
    applying = dataclasses.replace(preset_defaults(), nonmember_may_apply=True, nonmember_agreement=f"I join {HOSTILE}")
    monkeypatch.setattr("members.forms.program", lambda: applying)

    def opt_in_form():
        form = OptInForm({"wants_mentor": "on"}, needs_agreement=True, questions=questions())
        form.is_valid()
        return form

    lean, crispy = both_ways(opt_in_form, monkeypatch)

    assert lean == crispy
    assert "You are not a current member: applying means accepting this." in lean


# --- Every kind of field LeanFields writes, and those it leaves to crispy-forms --------------


class EveryKind(forms.Form):
    error_css_class = "has-error"
    required_css_class = "is-required"

    name = forms.CharField(
        label=HOSTILE, help_text=format_html("Help with <em>{}</em>", HOSTILE), max_length=20, min_length=3
    )
    plain = forms.CharField(required=False, label="", widget=forms.TextInput(attrs={"data_with_underscore": "1"}))
    styled = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"class": "wide", "data-on": True, "data-off": False, "data-none": None}),
    )
    count = forms.IntegerField(min_value=1, help_text="How many")
    email = forms.EmailField(required=False, disabled=True, initial="a@example.org")
    day = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=dt.date(2026, 1, 2)
    )
    site = forms.URLField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "class": "notes"}), required=False)
    story = forms.CharField(widget=forms.Textarea, help_text=HOSTILE)
    agree = forms.BooleanField(label=format_html("I agree to <a href='/rules/'>{}</a>", "the rules"))
    maybe = forms.BooleanField(required=False, initial=True)
    one = forms.ChoiceField(
        choices=[("Near", [("a", "A <1>"), ("b", "B")]), ("Far", [(3, "Three")])], widget=forms.RadioSelect
    )
    several = forms.MultipleChoiceField(
        choices=[("x", "X & Y"), ("z", "Z")],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "cols"}),
        help_text="Tick",
    )
    drop_down = forms.ChoiceField(choices=[("", "—"), ("1", "One")], required=False)
    # Drop-downs: required (an empty first choice) or not, grouped, several, with a class of
    # their own (one that holds crispy's name of the widget), numbers, words to escape.
    pick = forms.TypedChoiceField(
        choices=[("", "---------"), (1, HOSTILE), (2, "Two")], coerce=int, help_text=HOSTILE, label=HOSTILE
    )
    grouped = forms.ChoiceField(
        choices=[("", "—"), (HOSTILE, [("a", "A <1>"), ("b", "B")]), ("Far", [(3, "Three")])],
        widget=forms.Select(attrs={"class": "wide", "data-on": True, "data-off": False, "data_none": None}),
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[("x", "X & Y"), ("z", "Z"), ("w", "W")], help_text="Several")
    picky = forms.ChoiceField(choices=[("1", "One"), ("2", "Two")], widget=forms.Select(attrs={"class": "selector"}))
    yes_no = forms.NullBooleanField(required=False, initial=True)
    amount = forms.DecimalField(localize=True, required=False)
    upload = forms.FileField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, initial=HOSTILE)

    def __init__(self, *args, show_labels=True, show_errors=True, inline=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_show_labels = show_labels
        self.helper.form_show_errors = show_errors
        self.helper.error_text_inline = inline
        self.helper.layout = Layout(Fieldset("Everything", LeanFields(*self.fields)))

    def clean(self):
        self.add_error("count", "A second error, for the list.")
        return super().clean()


SENT = {
    "name": "ab",
    "styled": HOSTILE,
    "count": "0",
    "day": "not a day",
    "notes": HOSTILE,
    "maybe": "on",
    "one": "3",
    "several": ["z", "w"],
    "secret": HOSTILE,
    "pick": "9",
    "grouped": "3",
    "many": ["z", "w", "v"],
    "picky": "2",
    "yes_no": "false",
}


@pytest.mark.parametrize("data", [None, SENT], ids=["blank", "sent with errors"])
@pytest.mark.parametrize(
    "helper",
    [{}, {"show_labels": False}, {"show_errors": False}, {"inline": False}],
    ids=["default", "without labels", "without errors", "errors as paragraphs"],
)
def test_every_kind_of_field_reads_as_crispy_forms_writes_it(data, helper, monkeypatch):
    def every_kind():
        return checked(EveryKind(data, **helper))

    lean, crispy = both_ways(every_kind, monkeypatch)

    assert lean == crispy
    shows_errors = data is not None and helper.get("show_errors", True)
    assert ("Ensure this value has at least 3 characters" in lean) == shows_errors


# --- The profile: the membership, renewal and correction pages ---------------------------------

PROFILE_STATES = {
    "blank": None,
    "errors": {"first_name": "", "years_experience": "-3", "responsibilities": ["nonsense"], "job_title": HOSTILE},
    "filled": {
        "first_name": HOSTILE,
        "last_name": "O'Hara",
        "phone": "501 555 0100",
        "institution": "Central Library",
        "job_title": "Cataloging Librarian",
        "years_experience": "12",
        "responsibilities": ["cataloging"],
        "responsibilities_other": "Rare books & maps",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", [ProfileForm, MemberCorrectionForm])
@pytest.mark.parametrize("data", PROFILE_STATES.values(), ids=PROFILE_STATES.keys())
def test_the_profile_reads_as_crispy_forms_writes_it(form_class, data, monkeypatch):
    def profile_form():
        return checked(form_class(data))

    lean, crispy = both_ways(profile_form, monkeypatch)

    assert lean == crispy
    assert 'name="job_title"' in lean and HOSTILE not in lean


# --- Fieldsets and divs ------------------------------------------------------------------------


class Framed(forms.Form):
    """Fieldsets and divs with and without an id, classes, attributes (words to escape in each)
    and a legend, nested. A legend is the developer's markup (crispy renders it as a template):
    one with template syntax, too."""

    name = forms.CharField()
    notes = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            LeanFieldset(
                "About <em>you</em>",
                LeanDiv(
                    LeanDiv(LeanFields("name"), css_class="col-md-6"),
                    LeanDiv(css_id=HOSTILE, css_class=HOSTILE, data_shown_by="id_name", hidden=True, title=HOSTILE),
                    css_class="row",
                ),
                HTML("<p>Between</p>"),
                css_id="about",
                css_class="card mb-3",
                data_role=HOSTILE,
            ),
            LeanFieldset("", LeanDiv(LeanFields("notes"))),
            LeanFieldset("For {{ form.name.label }}", css_id=HOSTILE),
        )


@pytest.mark.parametrize("data", [None, {"name": HOSTILE}], ids=["blank", "sent"])
def test_fieldsets_and_divs_read_as_crispy_forms_writes_them(data, monkeypatch):
    def framed():
        return checked(Framed(data))

    lean, crispy = both_ways(framed, monkeypatch)

    assert lean == crispy
    assert "<legend>About <em>you</em></legend>" in lean and "<legend>For Name</legend>" in lean
    assert HOSTILE not in lean


# --- A form without a Layout of its own: the evaluation and the survey answers -----------------


def survey_questions() -> list[SurveyQuestion]:
    return [
        SurveyQuestion(pk=q.pk, text=q.text, help_text=q.help_text, kind=q.kind, choices=q.choices, required=q.required)
        for q in questions()
    ]


def survey_answers() -> dict:
    return {name.replace("question_", "q"): value for name, value in answers().items()}


def without_layout(make_form) -> tuple[str, str]:
    """The form rendered by {% crispy %} with its lean helper, then with no Layout at all:
    crispy's bootstrap5/uni_form.html and its template per field."""
    lean = render_crispy_form(make_form())
    plain = make_form()
    plain.helper.layout = None
    return lean, render_crispy_form(plain)


EVALUATIONS = {
    "blank": None,
    "refused": {"overall": "9", "best": HOSTILE},
    "everything right": {"overall": "4", "relationship": "5", "goals_met": "3", "best": HOSTILE, "improve": "More"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("data", EVALUATIONS.values(), ids=EVALUATIONS.keys())
def test_the_closing_evaluation_reads_as_crispy_forms_writes_it(data):
    def evaluation_form():
        return checked(EvaluationForm(data))

    lean, crispy = without_layout(evaluation_form)

    assert lean == crispy
    assert 'name="overall"' in lean and HOSTILE not in lean


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {}, survey_answers()], ids=["blank", "nothing answered", "answers"])
def test_a_surveys_answers_read_as_crispy_forms_writes_them(data):
    def answers_form():
        return checked(AnswersForm(data, questions=survey_questions()))

    lean, crispy = without_layout(answers_form)

    assert lean == crispy
    assert 'name="q1"' in lean and HOSTILE not in lean


def wording_forms() -> list[forms.Form]:
    """The email editor's forms (templates/outbox/template_edit.html), blank and sent back with
    errors, their example's label and the words typed hostile."""
    kind = kinds.get("intro_mentor")
    examples = [Example("pair:1:mentor", HOSTILE)]
    sent = WordingForm({"subject": HOSTILE, "body": "{nope", "example": "zz"}, kind=kind, examples=examples)
    sent.is_valid()
    switches = SwitchForm({"sending": "on"}, kind=kinds.get("checkin_reminder"))
    switches.is_valid()
    blank = WordingForm(initial={"subject": HOSTILE, "body": HOSTILE}, kind=kind, examples=examples)
    return [blank, sent, SwitchForm(kind=kind, initial={"sending": True}), switches]


@pytest.mark.parametrize("n", range(4))
def test_the_email_editors_fields_read_as_as_crispy_field_writes_them(n):
    form = wording_forms()[n]

    for field in form:
        assert as_lean_field(field) == as_crispy_field(field), field.name
    assert "<script>" not in "".join(as_lean_field(field) for field in form)


@pytest.mark.django_db
@pytest.mark.parametrize("sent", [False, True], ids=["shown", "sent"])
def test_a_members_email_switches_read_as_as_crispy_field_writes_them(sent):
    """My membership and the page of its own write the switches with |as_lean_field."""
    from outbox.forms import PreferencesForm
    from outbox.services.preferences import member_choices

    from .factories import UserFactory

    choices = member_choices(UserFactory())
    assert choices
    data = {choices[0].kind.name: "on"} if sent else None
    form = PreferencesForm(data, choices=choices)
    if sent:
        form.is_valid()

    for field in form:
        assert as_lean_field(field) == as_crispy_field(field), field.name


# --- The program's settings ------------------------------------------------------------------


def program_settings_form(data: dict | None) -> ProgramSettingsForm:
    return checked(ProgramSettingsForm(data, settings=program()))


def program_settings_sent() -> dict:
    """The settings as the page shows them, sent back with words to escape and values refused."""
    data = {}
    for field in ProgramSettingsForm(settings=program()):
        value = field.value()
        if value is not None and value is not False and value != "":
            data[field.html_name] = "on" if value is True else value
    data.update(
        program_name=HOSTILE,
        orientation_text=HOSTILE,
        min_length_months="99",
        mentee_categories=["regular", "nonsense"],
        mentor_min_years="-1",
        regions=f"xx: {HOSTILE}",
    )
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("sent", [False, True], ids=["shown", "sent with errors"])
def test_the_program_settings_form_reads_as_crispy_forms_writes_it(sent, monkeypatch):
    data = program_settings_sent() if sent else None

    lean, crispy = both_ways(lambda: program_settings_form(data), monkeypatch)

    assert lean == crispy
    assert 'id="settings-pages"' in lean and HOSTILE not in lean
    assert not sent or "is-invalid" in lean


# --- An opt-in changed, a check-in corrected ---------------------------------------------------


def enrollment_form(role: str, data: dict | None) -> EnrollmentForm:
    given = {q.pk: q.choices[0] if q.choices else HOSTILE for q in questions()}
    return checked(
        EnrollmentForm(data, instance=Enrollment(role=role, goals=HOSTILE), questions=questions(), answers=given)
    )


ENROLLMENTS = {
    "a mentee's, shown": (Role.MENTEE, None),
    "a mentor's, shown": (Role.MENTOR, None),
    "a mentor's, sent with errors": (Role.MENTOR, {"goals": HOSTILE, "capacity": "99", **answers()}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", ENROLLMENTS.values(), ids=ENROLLMENTS.keys())
def test_the_opt_in_edit_form_reads_as_crispy_forms_writes_it(state):
    lean, crispy = without_layout(lambda: enrollment_form(*state))

    assert lean == crispy
    assert 'name="meeting_modes"' in lean and HOSTILE not in lean
    assert state[1] is None or "is-invalid" in lean


def checkin_form(data: dict | None, topics: bool) -> CheckInForm:
    made = [Topic(pk=n, month=n, title=f"Topic {n}: {HOSTILE}") for n in (1, 2)] if topics else []
    return checked(CheckInForm(data, instance=CheckIn(notes=HOSTILE, topics=HOSTILE), topics=made))


CHECKINS = {
    "shown, with topics": (None, True),
    "shown, no topics": (None, False),
    "sent with errors": ({"met_on": "2020-13-01", "mode": "x", "minutes": "0", "topic": "9", "notes": HOSTILE}, True),
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", CHECKINS.values(), ids=CHECKINS.keys())
def test_the_checkin_form_reads_as_crispy_forms_writes_it(state):
    lean, crispy = without_layout(lambda: checkin_form(*state))

    assert lean == crispy
    assert 'name="notes"' in lean and HOSTILE not in lean
    assert state[0] is None or "is-invalid" in lean


# --- The pairs app's other forms (one helper: pairs.forms._helper) ----------------------------------------


def a_cycle():
    """The test's cycle, made the first time (a form is made twice: with LeanFields and without)."""
    return Cycle.objects.first() or CycleFactory()


SMALL_FORMS = {
    "goal, shown": lambda: GoalForm(instance=Goal(title=HOSTILE, description=HOSTILE)),
    "goal, sent with errors": lambda: GoalForm(
        {"title": "", "description": HOSTILE, "status": "x", "target_on": "2020-13-01"}
    ),
    "report, shown": lambda: ReportForm(),
    "report, sent with errors": lambda: ReportForm({"note": HOSTILE * 200}),
    "survey, shown": lambda: SurveyForm(kind="midpoint", instance=Survey(title=HOSTILE, intro=HOSTILE)),
    "survey, sent with errors": lambda: SurveyForm({"title": "", "opens_after_months": "99"}, kind="midpoint"),
    "closing survey, shown": lambda: SurveyForm(kind="closing"),
    "survey question, shown": lambda: SurveyQuestionForm(instance=SurveyQuestion(text=HOSTILE, choices=[HOSTILE])),
    "survey question, sent with errors": lambda: SurveyQuestionForm({"text": "", "kind": "x", "choices": HOSTILE}),
    "pairing, shown": lambda: PairForm(cycle=a_cycle(), mentee_q=HOSTILE),
    "pairing, sent with errors": lambda: PairForm({"mentee": "0", "length_months": HOSTILE}, cycle=a_cycle()),
    "ending a pair, shown": lambda: PairEndForm(),
    "ending a pair, sent with errors": lambda: PairEndForm({"category": "other", "reason": ""}),
    "topic, shown": lambda: TopicForm(instance=Topic(month=2, title=HOSTILE, text=HOSTILE)),
    "topic, sent with errors": lambda: TopicForm({"month": "99", "title": "", "resource_url": HOSTILE}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("make_form", SMALL_FORMS.values(), ids=SMALL_FORMS.keys())
def test_every_other_form_of_the_pairs_reads_as_crispy_forms_writes_it(make_form):
    lean, crispy = without_layout(lambda: checked(make_form()))

    assert lean == crispy
    assert HOSTILE not in lean and ' name="' in lean


# --- Media ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_form",
    [
        ProfileForm,
        MemberCorrectionForm,
        lambda: OptInForm(questions=questions(), needs_agreement=True),
        lambda: EvaluationForm(),
        lambda: AnswersForm(questions=survey_questions()),
        lambda: program_settings_form(None),
        lambda: enrollment_form(Role.MENTOR, None),
        lambda: checkin_form(None, True),
        *SMALL_FORMS.values(),
    ],
    ids=[
        "profile",
        "correction",
        "opt-in",
        "evaluation",
        "survey answers",
        "program settings",
        "opt-in edit",
        "check-in",
        *SMALL_FORMS,
    ],
)
def test_the_lean_forms_have_no_media_for_crispy_to_leave_out(make_form):
    """Their FormHelpers leave {{ form.media }} out, which crispy-forms would gather from every
    widget: a widget that brings a script or a style sheet needs include_media back."""
    form = make_form()

    assert not form.helper.include_media
    assert str(form.media) == ""
