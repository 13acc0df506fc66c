"""The presets (issue 13): `program_preset arla|llama` configures the whole program from its
seed's words, `seed_demo --preset` builds a demo of that program, and each preset's year runs
from the opt-in to completion under its own rules."""

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from members.models import Answer, Cycle, CycleQuestion, Enrollment, ProgramSettings, Role, User
from members.presets import files as preset_files
from members.presets.loading import SECTIONS, register
from members.program import program
from members.services.questions import questions_start
from outbox.models import Email
from pairs.models import CheckIn, Evaluation, Pair, PairStatus, Survey, SurveyKind, SurveyResponse, add_months
from pairs.services import pairing

from . import test_authorization as authorization
from .factories import CycleFactory, UserFactory, accepting

pytestmark = pytest.mark.django_db


def survey_answers(survey: Survey, role: str) -> dict:
    """An answer to each question `survey` asks of `role`, as its form posts it."""
    by_kind = {"short": "Fine", "long": "It went well.", "yes_no": "yes", "scale": "4"}
    data = {}
    for q in survey.questions.live().for_role(role):
        data[f"q{q.pk}"] = q.choices[0] if q.choices else by_kind[q.kind]
    return data


@pytest.fixture
def load(django_capture_on_commit_callbacks):
    """load("llama") runs `manage.py program_preset llama` and commits; returns what it printed."""

    def _load(name: str) -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("program_preset", name, stdout=out)
        return out.getvalue()

    return _load


def test_the_llama_preset_makes_the_program_llamas(load):
    out = load("llama")

    settings = program()
    assert settings.association_short_name == "LLAMA"
    assert settings.program_name == "ALA/LLAMA Mentoring Program"
    assert settings.conference_name == "ALA Annual Conference"
    assert (settings.min_length_months, settings.default_length_months, settings.max_length_months) == (10, 10, 10)
    assert settings.orientation_month == 6
    assert settings.nonmember_may_apply
    assert settings.nonmember_agreement == "I am a member of LLAMA, or I agree to become one if I am selected."
    assert "2-hour Mentoring Orientation on Saturday" in settings.orientation_text
    assert settings.commitments[0].startswith("I commit to the full 10-month formal mentorship")
    assert [code for code, _ in settings.regions] == ["us_northeast", "us_midwest", "us_south", "us_west", "outside_us"]
    assert "Be a member of LLAMA or agree to become one." in settings.page_mentee
    assert ProgramSettings.objects.get().preset == "llama"
    assert "The llama preset: the ALA/LLAMA Mentoring Program" in out
    # What this part of the site does not load yet is said, not dropped.
    assert "Opt-in questions: the program's default questions are now the preset's 5." in out
    assert "The program's default midpoint survey “Midpoint check-in”: 5 questions" in out


def test_the_arla_preset_is_what_the_site_says_before_anyone_saves_settings(load):
    before = program()

    load("arla")

    assert program().stored() == before.stored()


def test_loading_a_preset_twice_changes_nothing_the_second_time(load):
    load("llama")
    version = ProgramSettings.objects.get().version

    out = load("llama")

    assert "Settings: 0 changed." in out
    assert ProgramSettings.objects.get().version == version


def test_a_preset_keeps_the_regions_members_are_in(load):
    UserFactory.create_batch(2, region="central")

    out = load("llama")

    assert program().regions[-1] == ("central", "Central Arkansas")
    assert "Regions kept because members are in them: “Central Arkansas” (central, 2 members)." in out
    assert User.objects.filter(region="central").count() == 2


def test_the_arla_preset_leaves_todays_members_able_to_take_part(load):
    UserFactory(membership_category="student")
    UserFactory(membership_category="retired", years_experience=30)

    out = load("arla")

    assert "cannot now" not in out  # no current member loses the right to opt in


def test_a_preset_file_with_a_mistake_is_refused_and_changes_nothing(load, monkeypatch):
    broken = preset_files.read("llama")
    del broken["program"]["commitments"]
    broken["program"]["comitments"] = []
    monkeypatch.setattr("members.presets.loading.read", lambda name: broken)

    with pytest.raises(CommandError, match=r"\[program\] lacks commitments; \[program\] has unknown keys comitments"):
        load("llama")
    assert not ProgramSettings.objects.exists()


def test_a_preset_under_which_nobody_could_take_part_is_refused_and_changes_nothing(load, monkeypatch):
    UserFactory.create_batch(3)  # library staff
    nobody = preset_files.read("llama")
    nobody["program"]["mentee_categories"] = ["supporter"]
    monkeypatch.setattr("members.presets.loading.read", lambda name: nobody)

    with pytest.raises(CommandError, match="no current member could be a mentee"):
        load("llama")
    assert not ProgramSettings.objects.exists()


def test_another_part_of_the_site_loads_its_own_section_of_the_preset(load, monkeypatch):
    """The extension point: a loader registered for [[topics]] gets the preset's topics."""
    seen = []
    monkeypatch.setattr("members.presets.loading.SECTIONS", dict(SECTIONS))
    register("topics", ("topics",), lambda data, *, name, by: seen.append(len(data["topics"])) or ["Topics: 10."])

    out = load("llama")

    assert seen == [10]
    assert "Topics: 10." in out and "[[topics]]" not in out


def test_seed_demo_with_the_llama_preset_builds_a_llama_demo(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--members", "60", "--preset", "llama", stdout=io.StringIO())

    cycle = Cycle.objects.get(is_open=True)
    assert cycle.starts_on.month == 6 and cycle.starts_on.weekday() == 5  # a Saturday in June
    assert cycle.default_length_months == 10
    assert cycle.orientation.startswith("Mentoring Orientation, ALA Annual Conference, ")
    regions = set(User.objects.values_list("region", flat=True))
    assert regions <= {"us_northeast", "us_midwest", "us_south", "us_west", "outside_us"}
    assert not User.objects.filter(institution__contains="Arkansas").exists()
    assert not Enrollment.objects.filter(goals__contains="ArLA").exists()
    home = client.get(reverse("members:program")).text
    assert "ALA/LLAMA Mentoring Program" in home and "ArLA" not in home and "Arkansas" not in home
    # The demo cycle asks the preset's questions, and its opt-ins answered the choices.
    asked = CycleQuestion.objects.for_cycle(cycle).asked()
    assert asked.count() == len(preset_files.read("llama")["questions"])
    assert Answer.objects.filter(question=asked.matched_on().get()).count() == Enrollment.objects.count()


def test_seed_demo_without_a_preset_leaves_the_settings_as_they_are(load):
    load("llama")

    call_command("seed_demo", "--members", "10", stdout=io.StringIO())

    assert program().association_short_name == "LLAMA"


# --- Nothing says ArLA unless the settings do -------------------------------------------------------

# Case matters for "ArLA": the stylesheet's classes (btn-arla…) are no wording.
FOREIGN = re.compile(r"ArLA|Arkansas|(?i:fall conference)")


# A sweep of every page each role may read (~130 requests), like tests/test_hostile_queries.py's:
# in the slow lane with it. The fast lane keeps a whole year under each preset (below).
@pytest.mark.slow
def test_under_the_llama_preset_no_page_says_arla_arkansas_or_the_fall_conference(load, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = authorization._build_world()
    # The factories' data is ArLA's (their libraries, goals, the cycle's orientation): a LLAMA site's is not.
    User.objects.update(institution="Lakeside Library", region="us_midwest")
    Cycle.objects.update(orientation="Mentoring Orientation, ALA Annual Conference, Chicago")
    Enrollment.objects.filter(goals__contains="ArLA").update(goals="Grow as a leader.")
    load("llama")

    seen = 0
    for name, row in authorization.TABLE.items():
        url = reverse(name, kwargs=authorization.ARGS[name](world) if name in authorization.ARGS else None)
        for role in ("visitor", "member", "mentee", "committee"):
            if dict(zip(authorization.ROLES, row, strict=True))[role] != authorization.OK:
                continue
            response = client_for(world.personas[role]).get(url)
            body = authorization.body(response)
            assert not FOREIGN.findall(body), f"GET {url} as {role} says {FOREIGN.findall(body)}"
            seen += 1
    assert seen > 100


# --- A whole year on each preset ------------------------------------------------------------------


def answering(cycle, role: str) -> dict:
    """What the opt-in form sends for the required questions the cycle asks of `role`."""
    sent = {"one": lambda q: q.choices[0], "several": lambda q: [q.choices[0]], "yes_no": lambda q: "yes"}
    sent |= {"scale": lambda q: "4", "short": lambda q: "A few words.", "long": lambda q: "A few sentences."}
    return {
        f"question_{q.pk}": sent[q.kind](q)
        for q in CycleQuestion.objects.for_cycle(cycle).asked().for_role(role)
        if q.required
    }


@pytest.mark.parametrize("preset", ["arla", "llama"])
def test_a_whole_year_runs_under_each_presets_rules(
    preset, load, client_for, committee, sending, mailoutbox, django_capture_on_commit_callbacks
):
    load(preset)
    settings = program()
    today = timezone.localdate()
    region = settings.regions[0][0]
    cycle = CycleFactory(
        default_length_months=settings.default_length_months, orientation="Saturday, 9:00 am, the main hall"
    )
    questions_start(cycle=cycle)  # as a cycle made on the Cycles page starts: with the preset's questions
    # LLAMA lets a non-member apply by agreeing to join; ArLA asks for a current membership.
    mentee = UserFactory(first_name="Meg", region=region, institution="Lakeside Library", expired=preset == "llama")
    mentor = UserFactory(first_name="Max", seasoned=True, region=region, institution="Hilltop Library")

    # Opting in: the program's commitments, worded as its settings say.
    client = client_for(mentee)
    form = client.get(reverse("members:enrollment-create")).text
    for commitment in settings.commitments:
        assert commitment.replace("'", "&#x27;") in form
    for question in CycleQuestion.objects.for_cycle(cycle).asked().for_role(Role.MENTEE):
        assert question.text.replace("'", "&#x27;") in form
    optin = {"wants_mentor": "on", "mentee_goals": "Grow as a leader.", "meeting_modes": ["video"]}
    optin |= answering(cycle, Role.MENTEE)
    if preset == "llama":
        refused = client.post(reverse("members:enrollment-create"), {**optin, **accepting(settings)})
        assert "applying means accepting this" in refused.text and not Enrollment.objects.exists()
        optin["agree_to_join"] = "on"
    assert client.post(reverse("members:enrollment-create"), {**optin, **accepting(settings)}).status_code == 302
    offer = {"wants_to_mentor": "on", "mentor_goals": "Twenty years of leading teams.", "meeting_modes": ["video"]}
    offer["capacity"] = "1"
    offer |= answering(cycle, Role.MENTOR)
    client_for(mentor).post(reverse("members:enrollment-create") + "?role=mentor", {**offer, **accepting(settings)})
    mentee_optin, mentor_optin = Enrollment.objects.get(role=Role.MENTEE), Enrollment.objects.get(role=Role.MENTOR)
    assert mentee_optin.commitments == list(settings.commitments)
    assert bool(mentee_optin.nonmember_agreement) is (preset == "llama")

    # Pairing: the suggestions rank the mentor; the pairing page offers the program's lengths only.
    committee_client = client_for(committee)
    suggestions = committee_client.get(reverse("matching:suggestions", args=[cycle.pk, mentee_optin.pk])).text
    assert "Max" in suggestions
    # The preset's "match on this" question: both gave its first choice.
    matched = CycleQuestion.objects.for_cycle(cycle).matched_on().get()
    assert f"Both answered “{matched.choices[0]}” to “{matched.text}”" in unescape(suggestions)
    page = committee_client.get(reverse("matching:pair-create") + f"?cycle={cycle.pk}").text
    offered = re.findall(r'<option value="(\d+)"[^>]*>\d+ months</option>', page)
    assert offered == [str(n) for n in settings.lengths]
    pair_data = {"mentee": mentee_optin.pk, "mentor": mentor_optin.pk, "liaison": "", "length_months": "10"}
    with sending():
        committee_client.post(reverse("matching:pair-create") + f"?cycle={cycle.pk}", pair_data)
    pair = Pair.objects.get()
    assert pair.length_months == 10 and pair.ends_on == add_months(pair.starts_on, 10)
    assert {m.to[0] for m in mailoutbox} == {mentee.email, mentor.email}

    # The year: the timeline names the program's orientation; both sides log check-ins.
    pair_page = client.get(reverse("pairs:pair-detail", args=[pair.pk])).text
    assert f"{settings.orientation_name} at the {settings.conference_name}" in pair_page
    started = today - dt.timedelta(days=290)
    Pair.objects.filter(pk=pair.pk).update(starts_on=started, ends_on=add_months(started, 10))
    for who, met_on in ((mentee, started + dt.timedelta(days=20)), (mentor, today - dt.timedelta(days=10))):
        checkin = {"met_on": met_on.isoformat(), "mode": "video", "minutes": "45", "topics": "Goals", "notes": "Ok"}
        assert client_for(who).post(reverse("pairs:checkin-create", args=[pair.pk]), checkin).status_code == 302
    assert CheckIn.objects.filter(pair=pair).count() == 2

    # The preset's midpoint survey, on the pair page once the pair is past its midpoint.
    for who in (mentee, mentor):
        assert "Midpoint check-in" in client_for(who).get(reverse("pairs:pair-detail", args=[pair.pk])).text
        answers = survey_answers(Survey.objects.in_use(cycle, SurveyKind.MIDPOINT), pair.role_of(who))
        assert client_for(who).post(reverse("pairs:survey", args=[pair.pk, "midpoint"]), answers).status_code == 302
    assert SurveyResponse.objects.filter(pair=pair, kind=SurveyKind.MIDPOINT).count() == 2

    # The closing evaluation, from a month before the end, with the preset's own questions; then the
    # pair completes at its end date.
    evaluation = {"overall": "5", "relationship": "5", "goals_met": "4", "would_recommend": "on", "best": "Calls"}
    for who in (mentee, mentor):
        answers = survey_answers(Survey.objects.in_use(cycle, SurveyKind.CLOSING), pair.role_of(who))
        client_for(who).post(reverse("pairs:evaluation", args=[pair.pk]), {**evaluation, "improve": "More", **answers})
    assert Evaluation.objects.filter(pair=pair).count() == 2
    assert SurveyResponse.objects.filter(pair=pair, kind=SurveyKind.CLOSING).count() == 2
    pair.refresh_from_db()
    with sending():
        assert pairing.pair_complete_due(today=pair.ends_on) == 1
    pair.refresh_from_db()
    assert pair.status == PairStatus.COMPLETED
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"completed"}
    assert Email.objects.filter(pair=pair, kind="thanks").count() == 2
