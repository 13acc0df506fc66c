"""Hostile input (issue 6): every form and the roster import, fuzzed with hypothesis.

Each form is sent hypothesis-generated data by a role allowed to use it: unicode, NUL
bytes and control characters, 10,000-character values, SQL, HTML and script fragments,
numbers out of range, malformed and far-away dates, wrong choices, a field sent twice,
fields left out, unknown fields, and the ids of objects that do not exist or belong to
somebody else. Whatever arrives, the site answers without a server error; a refused
submission changes nothing in the database; an accepted one writes rows that pass the
models' own validation, and the page it leads to opens.

Every example runs in a savepoint that is rolled back afterwards: pytest-django's
database is set up once per test, not once per hypothesis example.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode

import openpyxl
import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from matching.models import MatchSettings
from matching.services import proposal as proposals
from members import roster as imports
from members.models import (
    Answer,
    Area,
    CycleQuestion,
    Enrollment,
    LibraryType,
    MeetingMode,
    MembershipCategory,
    QuestionKind,
    Resource,
    Role,
    User,
)
from members.program import preset_defaults
from members.views.roster import ROSTER_SESSION_KEY
from outbox.models import Email
from outbox.tokens import unsubscribe_token
from pairs.models import CheckIn, Evaluation, Goal, Offer, Pair, Survey, SurveyKind, SurveyQuestion, Topic, add_months
from pairs.services import certificates
from pairs.tokens import in_touch_token, offer_token

from . import strategies as hs
from .factories import (
    TEST_PASSWORD,
    CycleFactory,
    EnrollmentFactory,
    EvaluationFactory,
    PairFactory,
    UserFactory,
    accepting,
)
from .test_authorization import WATCHED, assert_nothing_changed, database_state

pytestmark = pytest.mark.django_db

# No example database in the repository; the function-scoped `world` is built once per
# test and every example rolls its own writes back, so hypothesis may share it.
FUZZ = settings(
    max_examples=14,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

HUGE_PK = 10**20  # beyond any integer column: the lookup must answer 404, not crash
# The program's regions and commitments as they are before anyone changes the settings.
PROGRAM = preset_defaults()
REGION_CODES = [code for code, _ in PROGRAM.regions]
REGION_NAMES = [name for _, name in PROGRAM.regions]


# --- The world ---------------------------------------------------------------------------------


@pytest.fixture
def world(member, seasoned_member, new_account, stranger, committee, site_admin, settings, tmp_path):
    """Two cycles: one taking opt-ins (waiting mentees and mentors, a draft proposal) and
    one under way (the pairs P, Q and R). Each persona has something of their own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    open_cycle = CycleFactory()
    running = CycleFactory(
        is_open=False,
        optin_opens=today - dt.timedelta(days=400),
        optin_closes=today - dt.timedelta(days=300),
        matchmaking_starts=today - dt.timedelta(days=299),
        matchmaking_ends=today - dt.timedelta(days=280),
        starts_on=today - dt.timedelta(days=270),
    )
    # Every factory member works at the same library: let the solver pair them anyway.
    MatchSettings.objects.create(cycle=open_cycle, exclude_same_institution=False)
    MatchSettings.objects.create(cycle=running, exclude_same_institution=False)

    def pair(cycle, starts_on, **names):
        return PairFactory(
            cycle=cycle,
            mentee=EnrollmentFactory(cycle=cycle, status="paired", member=UserFactory(**names)),
            mentor=EnrollmentFactory(cycle=cycle, role=Role.MENTOR, status="paired", member=UserFactory(seasoned=True)),
            liaison=committee,
            starts_on=starts_on,
        )

    p = pair(running, running.starts_on, first_name="Meg", last_name="Mentee")
    q = pair(running, running.starts_on, first_name="Otto", last_name="Otherpair")
    # R is in its last month: its closing evaluation is open.
    r = pair(running, add_months(today, -9) - dt.timedelta(days=3), first_name="Rita", last_name="Lastmonth")
    p_checkin = CheckIn.objects.create(pair=p, logged_by=p.mentee.member, met_on=today, mode="video", notes="P's notes")
    q_checkin = CheckIn.objects.create(pair=q, logged_by=q.mentee.member, met_on=today, mode="video", notes="Q's")
    topic = Topic.objects.create(month=1, title="Getting to know each other", text="Share your backgrounds.")
    cycle_topic = Topic.objects.create(cycle=running, month=2, title="Setting goals", text="Choose two or three.")
    certificate = certificates.certificate_of(
        pair=Pair.objects.with_people().get(pk=PairFactory(cycle=running, status="completed").pk), role="mentee"
    )

    # The opt-in cycle: the member's and the seasoned member's own waiting opt-ins, and others.
    own_mentee_optin = EnrollmentFactory(cycle=open_cycle, member=member)
    own_mentor_optin = EnrollmentFactory(cycle=open_cycle, member=seasoned_member, role=Role.MENTOR, capacity=2)
    mentees = [own_mentee_optin] + [EnrollmentFactory(cycle=open_cycle) for _ in range(3)]
    mentors = [own_mentor_optin] + [
        EnrollmentFactory(cycle=open_cycle, role=Role.MENTOR, member=UserFactory(seasoned=True)) for _ in range(2)
    ]
    # The open cycle's own questions: a choice matched on (answered), a long text, a scale.
    q_choice = CycleQuestion.objects.create(
        pk=Q_CHOICE, cycle=open_cycle, text="Setting?", kind="one", choices=["Academic", "Public"], match_on=True
    )
    q_long = CycleQuestion.objects.create(pk=Q_LONG, cycle=open_cycle, text="Anything else?", kind="long", order=1)
    CycleQuestion.objects.create(pk=Q_SCALE, cycle=open_cycle, text="How sure?", kind="scale", order=2)
    Answer.objects.create(enrollment=own_mentee_optin, question=q_choice, value="Public")
    draft = proposals.proposal_solve(cycle=open_cycle, by=committee)
    first_item = draft.pairs.order_by("pk").first()
    proposals.proposal_ban(proposal=draft, item_id=first_item.pk)

    # The running cycle's midpoint survey (P and Q are past their midpoint): one question of each kind.
    survey = Survey.objects.create(cycle=running, kind=SurveyKind.MIDPOINT, title="Halfway")
    questions = [
        SurveyQuestion.objects.create(
            survey=survey,
            text=f"Question {kind}",
            kind=kind,
            order=i,
            choices=["A", "B"] if kind in QuestionKind.with_choices() else [],
        )
        for i, kind in enumerate(QuestionKind.values, start=1)
    ]
    suggestion = Resource.objects.create(
        title="Their suggestion", description="Waiting for review.", url="https://example.org/x", suggested_by=stranger
    )
    email = Email.objects.create(
        kind="intro_mentor", key="fuzz", to="x@example.org", subject="s", body_text="b", state="failed"
    )
    # An offer to a mentor waiting for the answer (two opt-ins of their own, out of the draft).
    offer = Offer.objects.create(
        cycle=open_cycle,
        mentee=EnrollmentFactory(cycle=open_cycle, status="offered"),
        mentor=EnrollmentFactory(cycle=open_cycle, role=Role.MENTOR, member=UserFactory(seasoned=True)),
        answer_by=today + dt.timedelta(days=7),
        created_by=committee,
    )
    return SimpleNamespace(
        offer=offer,
        open_cycle=open_cycle,
        running=running,
        q_choice=q_choice,
        q_long=q_long,
        p=p,
        q=q,
        r=r,
        p_goal=Goal.objects.create(pair=p, title="Present at the spring conference", created_by=p.mentee.member),
        survey=survey,
        survey_questions=questions,
        q_goal=Goal.objects.create(pair=q, title="Their goal", created_by=q.mentee.member),
        p_checkin=p_checkin,
        q_checkin=q_checkin,
        topic=topic,
        cycle_topic=cycle_topic,
        certificate=certificate,
        own_mentee_optin=own_mentee_optin,
        own_mentor_optin=own_mentor_optin,
        somebodys_optin=mentees[1],
        mentees=mentees,
        mentors=mentors,
        draft=draft,
        suggestion=suggestion,
        email=email,
        personas={
            "visitor": None,
            "member": member,
            "seasoned_member": seasoned_member,
            "new_account": new_account,
            "stranger": stranger,
            "p_mentee": p.mentee.member,
            "r_mentee": r.mentee.member,
            "committee": committee,
            "site_admin": site_admin,
        },
    )


# --- What a form is sent, and by whom ------------------------------------------------------------


def choice(*values) -> st.SearchStrategy[str]:
    return st.sampled_from([str(v) for v in values])


def ids(*values) -> st.SearchStrategy[str]:
    """An object's id: one of the given ones, or one that exists nowhere."""
    return st.sampled_from([str(v) for v in values] + ["0", "-1", str(2**31), str(HUGE_PK)])


def near(days: int = 400) -> st.SearchStrategy[str]:
    today = timezone.localdate()
    return st.dates(today - dt.timedelta(days=days), today + dt.timedelta(days=days)).map(dt.date.isoformat)


TEXT = hs.plain_text()
LONG_TEXT = hs.plain_text(max_size=300)
TICK = st.just("on")

PROFILE = {
    "first_name": lambda w: TEXT,
    "last_name": lambda w: TEXT,
    "phone": lambda w: choice("501-555-0100", "+1 (501) 555-0100", ""),
    "institution": lambda w: TEXT,
    "library_type": lambda w: choice(*LibraryType.values),
    "region": lambda w: choice(*REGION_CODES),
    "membership_category": lambda w: choice(*MembershipCategory.values),
    "job_title": lambda w: TEXT,
    "responsibilities": lambda w: hs.some_of(Area.values),
    "responsibilities_other": lambda w: st.just("") | TEXT,
    "years_experience": lambda w: st.integers(0, 70).map(str),
}
# The open cycle's own questions (made with these ids in `world`), and what is sent as their answers.
Q_CHOICE, Q_LONG, Q_SCALE = 900_001, 900_002, 900_003
ANSWERS = {
    f"question_{Q_CHOICE}": st.sampled_from(["Academic", "Public", "Not offered", ""]),
    f"question_{Q_LONG}": st.just("") | hs.long_text(1990, 2010) | hs.plain_text(),
    f"question_{Q_SCALE}": st.sampled_from(["1", "5", "0", "6", "x", ""]),
}
QUESTION = {
    "text": lambda w: hs.plain_text(max_size=310),
    "help_text": lambda w: st.just("") | hs.plain_text(),
    "audience": lambda w: choice("mentee", "mentor", "both", "everybody"),
    "kind": lambda w: choice("short", "long", "one", "several", "yes_no", "scale", "essay"),
    "choices": lambda w: choice("Academic\nPublic", "Academic\nAcademic", "", "Only one") | hs.plain_text(),
    "required": lambda w: st.just("") | TICK,
    "match_on": lambda w: st.just("") | TICK,
}
OPT_IN = {
    "wants_mentor": lambda w: st.just("") | TICK,
    "mentee_goals": lambda w: LONG_TEXT,
    "mentee_interests": lambda w: st.just("") | TEXT,
    "wants_to_mentor": lambda w: st.just("") | TICK,
    "mentor_goals": lambda w: LONG_TEXT,
    "mentor_interests": lambda w: st.just("") | TEXT,
    "capacity": lambda w: st.integers(1, 5).map(str),
    "meeting_modes": lambda w: hs.some_of(MeetingMode.values),
    **{name: (lambda w: TICK) for name in accepting(PROGRAM) if name.startswith("commitment_")},
    "commitments_key": lambda w: choice(PROGRAM.commitments_key, "stale", ""),
    **{name: (lambda w, answers=answers: answers) for name, answers in ANSWERS.items()},
}
CYCLE = {
    "name": lambda w: hs.plain_text(max_size=40),
    "optin_opens": lambda w: near(),
    "optin_closes": lambda w: near(),
    "matchmaking_starts": lambda w: near(),
    "matchmaking_ends": lambda w: near(),
    "starts_on": lambda w: near(),
    "orientation": lambda w: TEXT,
    "default_length_months": lambda w: st.integers(9, 12).map(str),
    "mentor_min_years": lambda w: st.integers(0, 50).map(str),
    "mentor_accepts_first": lambda w: st.just("") | TICK,
    "offer_answer_days": lambda w: st.integers(-1, 40).map(str) | TEXT,
    "first_contact_days": lambda w: st.integers(-1, 70).map(str) | TEXT,
}
SETTINGS = {
    **{
        name: (lambda w: TEXT)
        for name in (
            "association_name",
            "association_short_name",
            "program_name",
            "committee_name",
            "committee_chair",
            "email_sender_name",
            "conference_name",
            "orientation_name",
            "nonmember_agreement",
        )
    },
    "orientation_month": lambda w: st.integers(0, 13).map(str),
    **{
        name: (lambda w: st.integers(8, 13).map(str))
        for name in ("min_length_months", "default_length_months", "max_length_months")
    },
    "mentee_categories": lambda w: hs.some_of(MembershipCategory.values),
    "mentor_categories": lambda w: hs.some_of(MembershipCategory.values),
    "mentor_min_years": lambda w: st.integers(-1, 60).map(str),
    "nonmember_may_apply": lambda w: st.just("") | TICK,
    "commitments": lambda w: LONG_TEXT,
    "regions": lambda w: choice("central: Central Arkansas\ndelta: The Delta", "Delta", "x:", "") | TEXT,
    **{name: (lambda w: LONG_TEXT) for name in ("orientation_text", "page_home", "page_mentor", "page_mentee")},
    "version": lambda w: choice("0", "1", "-1", "x"),
}
WEIGHTS = {
    **{
        f"weight_{name}": (lambda w: st.integers(0, 100).map(str))
        for name in ("title", "responsibilities", "library_type", "region", "experience")
    },
    "exclude_same_institution": lambda w: st.just("") | TICK,
    f"question_{Q_CHOICE}": lambda w: choice("0", "10", "100", "101", "-1", "x"),
}


# A survey's answers, by kind of question (right, wrong and hostile alike).
ANSWERS = {
    "short": st.just("") | TEXT,
    "long": st.just("") | LONG_TEXT,
    "one": choice("A", "B", "C", ""),
    "several": hs.some_of(["A", "B", "C"]),
    "yes_no": choice("yes", "no", "maybe", ""),
    "scale": choice("1", "3", "5", "0", "6", "x", ""),
}
SURVEY_QUESTION = {
    "text": lambda w: st.just("") | TEXT,
    "help_text": lambda w: st.just("") | TEXT,
    "kind": lambda w: choice(*QuestionKind.values, "nonsense"),
    "choices": lambda w: choice("", "A\nB", "A\nA", "Only one") | TEXT,
    "required": lambda w: st.just("") | TICK,
    "audience": lambda w: choice("both", "mentor", "mentee", "nobody"),
}


def success_message(response) -> bool:
    """A page (or a redirect) that tells the user it worked."""
    levels = {m.level for m in get_messages(response.wsgi_request)}
    return (
        response.status_code in (200, 302) and message_levels.SUCCESS in levels and message_levels.ERROR not in levels
    )


# Wordings with placeholders, well-formed or not.
WORDING = st.sampled_from(
    [
        "Dear {mentor_first_name},\n\n{match_reasons}\n\n{if_orientation_ahead}Orientation: {orientation}",
        "Dear {first_name},\n{if_mentee}Hi\n- {partner_name}\n[page]({pair_url})",
        "{mentee_nam}",
        "{unclosed",
        "closes}",
        "{{braces}}",
        "<script>alert(1)</script> [x](javascript:alert(1)) {mentee_email}",
    ]
)


def success_redirect(response) -> bool:
    """Our views: a redirect that tells the user it worked."""
    levels = {m.level for m in get_messages(response.wsgi_request)}
    return response.status_code == 302 and message_levels.SUCCESS in levels and message_levels.ERROR not in levels


def allauth_redirect(response) -> bool:
    """allauth's views: a redirect without an error (its confirmations are not all "success" messages)."""
    levels = {m.level for m in get_messages(response.wsgi_request)}
    return response.status_code == 302 and message_levels.ERROR not in levels


@dataclass(frozen=True)
class Form:
    who: str
    urls: Callable[[SimpleNamespace], list[str]]  # the legitimate target first, then others' and missing ones
    fields: dict[str, Callable[[SimpleNamespace], st.SearchStrategy]] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # sent as multipart, with these file fields
    accepted: Callable = success_redirect
    sane: Callable[[list, str], None] = lambda rows, what: assert_sane(rows, what)
    # Fields whose names come from the world (a survey's questions: "q<id>"), each with its strategy.
    more: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def pair_urls(name: str) -> Callable[[SimpleNamespace], list[str]]:
    return lambda w: [url(name, w.p.pk), url(name, w.q.pk), url(name, HUGE_PK)]


# What editing an opt-in sends, for a mentee's and a mentor's alike.
OPTIN_EDIT_FIELDS = {
    "goals": lambda w: LONG_TEXT,
    "interests": lambda w: st.just("") | TEXT,
    "meeting_modes": lambda w: hs.some_of(MeetingMode.values),
    "capacity": lambda w: st.integers(1, 5).map(str),
    **{name: (lambda w, answers=answers: answers) for name, answers in ANSWERS.items()},
}


def question_urls(name: str) -> Callable[[SimpleNamespace], list[str]]:
    # The answered question, the unanswered one, and one that does not exist.
    return lambda w: [url(name, w.q_choice.pk), url(name, w.q_long.pk), url(name, HUGE_PK)]


FORMS = {
    # members
    "members:profile-edit": Form("member", lambda w: [url("members:profile-edit")], PROFILE),
    "members:membership-join": Form("new_account", lambda w: [url("members:membership-join")], PROFILE | OPT_IN),
    "members:membership-renew": Form("stranger", lambda w: [url("members:membership-renew")], PROFILE | OPT_IN),
    "members:enrollment-create": Form("stranger", lambda w: [url("members:enrollment-create")], OPT_IN),
    "members:enrollment-edit": Form(
        "member",
        lambda w: [
            url("members:enrollment-edit", w.own_mentee_optin.pk),
            url("members:enrollment-edit", w.somebodys_optin.pk),
            url("members:enrollment-edit", HUGE_PK),
        ],
        OPTIN_EDIT_FIELDS,
    ),
    "members:enrollment-edit (mentor)": Form(
        "seasoned_member",
        lambda w: [url("members:enrollment-edit", w.own_mentor_optin.pk)],
        OPTIN_EDIT_FIELDS,
    ),
    "members:enrollment-withdraw": Form(
        "member",
        lambda w: [
            url("members:enrollment-withdraw", w.own_mentee_optin.pk),
            url("members:enrollment-withdraw", w.somebodys_optin.pk),
        ],
    ),
    "members:member-correct": Form(
        "committee",
        lambda w: [
            url("members:member-correct", w.somebodys_optin.member_id),
            url("members:member-correct", w.personas["committee"].pk),
            url("members:member-correct", HUGE_PK),
        ],
        PROFILE
        | {"email": lambda w: choice("fixed.address@example.org", "not an address", "", "x" * 300 + "@example.org")},
    ),
    "members:cycle-create": Form("committee", lambda w: [url("members:cycle-create")], CYCLE),
    "members:cycle-edit": Form(
        "committee",
        lambda w: [
            url("members:cycle-edit", w.open_cycle.pk),
            url("members:cycle-edit", w.running.pk),
            url("members:cycle-edit", HUGE_PK),
        ],
        CYCLE,
    ),
    "members:cycle-toggle": Form(
        "committee",
        lambda w: [url("members:cycle-toggle", w.running.pk), url("members:cycle-toggle", w.open_cycle.pk)],
        {"action": lambda w: choice("open", "close")},
    ),
    "members:program-settings": Form("committee", lambda w: [url("members:program-settings")], SETTINGS),
    "members:question-create": Form(
        "committee",
        lambda w: [url("members:question-create", w.open_cycle.pk), url("members:question-create", HUGE_PK)],
        QUESTION,
    ),
    "members:question-edit": Form("committee", question_urls("members:question-edit"), QUESTION),
    "members:question-move": Form(
        "committee", question_urls("members:question-move"), {"direction": lambda w: choice("up", "down", "sideways")}
    ),
    "members:question-archive": Form(
        "committee", question_urls("members:question-archive"), {"action": lambda w: choice("archive", "restore", "x")}
    ),
    "members:question-delete": Form("committee", question_urls("members:question-delete")),
    "members:cycle-archive": Form(
        "committee",
        lambda w: [
            url("members:cycle-archive", w.running.pk),
            url("members:cycle-archive", w.open_cycle.pk),
            url("members:cycle-archive", HUGE_PK),
        ],
        {"action": lambda w: choice("archive", "restore", "delete")},
    ),
    "members:resource-suggest": Form(
        "member",
        lambda w: [url("members:resource-suggest")],
        {
            "title": lambda w: TEXT,
            "description": lambda w: TEXT,
            "url": lambda w: choice("https://example.org/reading-list", "http://example.org/a?b=c", ""),
            "tags": lambda w: choice("goals, careers", "Leadership", ""),
        },
        files=("file",),
    ),
    "members:resource-decide-many": Form(
        "committee",
        lambda w: [url("members:resource-decide-many")],
        {
            "resource": lambda w: st.lists(ids(w.suggestion.pk), max_size=3),
            "action": lambda w: choice("approve", "decline", "delete"),
            "reason": lambda w: st.just("") | TEXT,
        },
    ),
    "members:resource-decide": Form(
        "committee",
        lambda w: [url("members:resource-decide", w.suggestion.pk), url("members:resource-decide", HUGE_PK)],
        {"action": lambda w: choice("approve", "decline"), "reason": lambda w: st.just("") | TEXT},
    ),
    # pairs
    "matching:pair-create": Form(
        "committee",
        lambda w: [url("matching:pair-create")],
        {
            "mentee": lambda w: ids(*(e.pk for e in w.mentees), w.p.mentee_id, w.mentors[1].pk),
            "mentor": lambda w: ids(*(e.pk for e in w.mentors), w.p.mentor_id, w.mentees[1].pk),
            "liaison": lambda w: st.just("") | ids(w.personas["committee"].pk, w.personas["member"].pk),
            "length_months": lambda w: st.integers(9, 12).map(str),
        },
    ),
    "pairs:liaison-assign": Form(
        "committee",
        lambda w: [url("pairs:liaison-assign")],
        {
            "pair": lambda w: st.lists(ids(w.p.pk, w.q.pk, w.r.pk), max_size=3),
            "liaison": lambda w: ids(w.personas["committee"].pk, w.personas["member"].pk),
            "confirm": lambda w: st.just("") | st.just("yes"),
            "back": lambda w: choice(reverse("pairs:pair-list"), "https://evil.example/", "//evil.example"),
        },
    ),
    "pairs:pair-end": Form(
        "committee",
        pair_urls("pairs:pair-end"),
        {
            "category": lambda w: choice("moved", "workload", "not_a_match", "no_contact", "other", "account_deleted"),
            "reason": lambda w: st.just("") | TEXT,
            "back_to_pool": lambda w: st.just("") | TICK,
        },
    ),
    "outbox:email-resend": Form(
        "committee",
        lambda w: [url("outbox:email-resend", w.email.pk), url("outbox:email-resend", HUGE_PK)],
        {"next": lambda w: choice(reverse("outbox:email-list"), reverse("outbox:email-list") + "?state=failed")},
    ),
    # The wording editor's buttons: find, preview and test answer the page itself (a test is a
    # success message there), save redirects.
    "outbox:template-edit": Form(
        "committee",
        lambda w: [
            url("outbox:template-edit", "intro_mentor"),
            f"{url('outbox:template-edit', 'checkin_reminder')}?cycle={w.running.pk}",
            url("outbox:template-edit", "renewal_reminder"),
            url("outbox:template-edit", "no_such_kind"),
        ],
        {
            "subject": lambda w: choice("Meet {mentee_name}", "{if_mentee}x", "Hello") | TEXT,
            "body": lambda w: WORDING | LONG_TEXT,
            "action": lambda w: choice("find", "preview", "test", "save", ""),
            "example": lambda w: choice("", f"pair:{w.p.pk}:mentor", f"pair:{w.p.pk}:mentee", "pair:0:mentor", "x:y"),
            "find": lambda w: st.just("") | TEXT,
            "based_on": lambda w: st.just("") | ids(1),
        },
        accepted=lambda r: success_message(r),
    ),
    "outbox:template-restore": Form(
        "committee",
        lambda w: [
            url("outbox:template-restore", "intro_mentor"),
            f"{url('outbox:template-restore', 'thanks')}?cycle={w.running.pk}",
            url("outbox:template-restore", "no_such_kind"),
        ],
    ),
    "outbox:template-switch": Form(
        "committee",
        lambda w: [
            url("outbox:template-switch", "checkin_reminder"),
            url("outbox:template-switch", "intro_mentee"),
            url("outbox:template-switch", "no_such_kind"),
        ],
        {"sending": lambda w: st.just("") | TICK, "show_match_reasons": lambda w: st.just("") | TICK},
    ),
    "outbox:preferences": Form(
        "member",
        lambda w: [url("outbox:preferences")],
        {
            "checkin_reminder": lambda w: st.just("") | TICK,
            "renewal_reminder": lambda w: st.just("") | TICK,
            "intro_mentor": lambda w: st.just("") | TICK,
            "next": lambda w: choice(reverse("members:profile"), "https://evil.example/", "//evil.example/", ""),
        },
    ),
    # The one-click unsubscribe (no login, no CSRF token): a good link turns one kind off for its member.
    "outbox:unsubscribe": Form(
        "visitor",
        lambda w: [
            url(
                "outbox:unsubscribe",
                unsubscribe_token(member_id=w.p.mentee.member_id, kind="checkin_reminder", changes=0),
            ),
            url(
                "outbox:unsubscribe", unsubscribe_token(member_id=w.p.mentee.member_id, kind="intro_mentee", changes=0)
            ),
            url("outbox:unsubscribe", "not-a-token"),
        ],
        accepted=lambda r: r.status_code == 200 and "Done:" in body(r),
    ),
    "pairs:checkin-create": Form(
        "p_mentee",
        pair_urls("pairs:checkin-create"),
        {
            "met_on": lambda w: near(200),
            "mode": lambda w: choice(*MeetingMode.values),
            "minutes": lambda w: st.just("") | st.integers(1, 600).map(str),
            "topics": lambda w: st.just("") | TEXT,
            "notes": lambda w: st.just("") | LONG_TEXT,
            "topic": lambda w: st.just("") | ids(w.topic.pk, w.cycle_topic.pk),
        },
    ),
    "pairs:checkin-edit": Form(
        "p_mentee",
        lambda w: [
            url("pairs:checkin-edit", w.p.pk, w.p_checkin.pk),
            url("pairs:checkin-edit", w.p.pk, w.q_checkin.pk),
            url("pairs:checkin-edit", w.q.pk, w.q_checkin.pk),
            url("pairs:checkin-edit", w.p.pk, HUGE_PK),
        ],
        {
            "met_on": lambda w: near(200),
            "mode": lambda w: choice(*MeetingMode.values),
            "minutes": lambda w: st.just("") | st.integers(1, 600).map(str),
            "topics": lambda w: st.just("") | TEXT,
            "notes": lambda w: st.just("") | LONG_TEXT,
            "topic": lambda w: st.just("") | ids(w.topic.pk, w.cycle_topic.pk),
        },
    ),
    "pairs:checkin-delete": Form(
        "p_mentee",
        lambda w: [
            url("pairs:checkin-delete", w.p.pk, w.p_checkin.pk),
            url("pairs:checkin-delete", w.p.pk, w.q_checkin.pk),
            url("pairs:checkin-delete", w.p.pk, HUGE_PK),
        ],
    ),
    "pairs:topic-create": Form(
        "committee",
        lambda w: [
            url("pairs:topic-create"),
            f"{url('pairs:topic-create')}?cycle={w.running.pk}",
            f"{url('pairs:topic-create')}?cycle={HUGE_PK}&month=x",
        ],
        {
            "month": lambda w: st.integers(-1, 14).map(str),
            "title": lambda w: TEXT,
            "text": lambda w: LONG_TEXT,
            "resource_url": lambda w: choice("", "https://example.org/reading", "javascript:alert(1)", "ftp://x.org"),
        },
    ),
    "pairs:topic-edit": Form(
        "committee",
        lambda w: [url("pairs:topic-edit", w.topic.pk), url("pairs:topic-edit", HUGE_PK)],
        {
            "month": lambda w: st.integers(-1, 14).map(str),
            "title": lambda w: TEXT,
            "text": lambda w: LONG_TEXT,
            "resource_url": lambda w: choice("", "https://example.org/reading", "javascript:alert(1)"),
        },
    ),
    "pairs:topic-delete": Form(
        "committee",
        lambda w: [url("pairs:topic-delete", w.topic.pk), url("pairs:topic-delete", HUGE_PK)],
        {"cycle": lambda w: st.just("") | ids(w.running.pk)},
    ),
    "pairs:certificate-reissue": Form(
        "committee",
        lambda w: [
            url("pairs:certificate-reissue", w.certificate.pair_id, "mentee"),
            url("pairs:certificate-reissue", w.certificate.pair_id, "mentor"),
            url("pairs:certificate-reissue", w.certificate.pair_id, "nobody"),
            url("pairs:certificate-reissue", HUGE_PK, "mentee"),
        ],
        {"certificate": lambda w: ids(w.certificate.pk)},
    ),
    "pairs:goal-create": Form(
        "p_mentee",
        pair_urls("pairs:goal-create"),
        {
            "title": lambda w: TEXT,
            "description": lambda w: st.just("") | LONG_TEXT,
            "status": lambda w: choice("open", "in_progress", "done"),
            "target_on": lambda w: st.just("") | near(),
        },
    ),
    "pairs:goal-edit": Form(
        "p_mentee",
        lambda w: [
            url("pairs:goal-edit", w.p.pk, w.p_goal.pk),
            url("pairs:goal-edit", w.p.pk, w.q_goal.pk),
            url("pairs:goal-edit", w.q.pk, w.q_goal.pk),
            url("pairs:goal-edit", w.p.pk, HUGE_PK),
        ],
        {
            "title": lambda w: TEXT,
            "description": lambda w: st.just("") | LONG_TEXT,
            "status": lambda w: choice("open", "in_progress", "done"),
            "target_on": lambda w: st.just("") | near(),
        },
    ),
    "pairs:pair-report": Form("p_mentee", pair_urls("pairs:pair-report"), {"note": lambda w: st.just("") | TEXT}),
    "pairs:evaluation": Form(
        "r_mentee",
        lambda w: [url("pairs:evaluation", w.r.pk), url("pairs:evaluation", w.p.pk), url("pairs:evaluation", HUGE_PK)],
        {
            "overall": lambda w: st.integers(1, 5).map(str),
            "relationship": lambda w: st.integers(1, 5).map(str),
            "goals_met": lambda w: st.integers(1, 5).map(str),
            "would_recommend": lambda w: st.just("") | TICK,
            "best": lambda w: st.just("") | LONG_TEXT,
            "improve": lambda w: st.just("") | LONG_TEXT,
        },
    ),
    "pairs:survey": Form(
        "p_mentee",
        lambda w: [
            url("pairs:survey", w.p.pk, "midpoint"),
            url("pairs:survey", w.q.pk, "midpoint"),
            url("pairs:survey", w.p.pk, "exit"),
            url("pairs:survey", w.p.pk, "nonsense"),
            url("pairs:survey", HUGE_PK, "midpoint"),
        ],
        more=lambda w: {f"q{q.pk}": (lambda w, q=q: ANSWERS[q.kind]) for q in w.survey_questions},
    ),
    "pairs:survey-edit": Form(
        "committee",
        lambda w: [
            url("pairs:survey-edit", w.running.pk, "midpoint"),
            url("pairs:survey-edit", "program", "exit"),
            url("pairs:survey-edit", w.open_cycle.pk, "closing"),
            url("pairs:survey-edit", HUGE_PK, "midpoint"),
            url("pairs:survey-edit", "nonsense", "nonsense"),
        ],
        {
            "title": lambda w: st.just("") | TEXT,
            "intro": lambda w: st.just("") | LONG_TEXT,
            "is_on": lambda w: st.just("") | TICK,
            "opens_after_months": lambda w: st.just("") | st.integers(-2, 14).map(str),
        },
    ),
    "pairs:survey-question-create": Form(
        "committee",
        lambda w: [
            url("pairs:survey-question-create", w.running.pk, "midpoint"),
            url("pairs:survey-question-create", "program", "closing"),
            url("pairs:survey-question-create", HUGE_PK, "exit"),
        ],
        SURVEY_QUESTION,
    ),
    "pairs:survey-question-edit": Form(
        "committee",
        lambda w: [
            url("pairs:survey-question-edit", w.running.pk, "midpoint", w.survey_questions[0].pk),
            url("pairs:survey-question-edit", w.open_cycle.pk, "midpoint", w.survey_questions[0].pk),
            url("pairs:survey-question-edit", w.running.pk, "midpoint", HUGE_PK),
        ],
        SURVEY_QUESTION,
    ),
    "pairs:survey-question-action": Form(
        "committee",
        lambda w: (
            [
                url("pairs:survey-question-action", w.running.pk, "midpoint", q.pk, action)
                for q in w.survey_questions[:2]
                for action in ("archive", "restore", "up", "down", "delete", "nonsense")
            ]
            + [url("pairs:survey-question-action", w.open_cycle.pk, "midpoint", w.survey_questions[0].pk, "delete")]
        ),
    ),
    "pairs:orientation": Form(
        "committee",
        lambda w: [url("pairs:orientation"), f"{url('pairs:orientation')}?cycle={w.open_cycle.pk}"],
        {
            "attended": lambda w: st.lists(
                ids(*(m for p in (w.p, w.q, w.r) for m in (p.mentee.member_id, p.mentor.member_id))),
                max_size=6,
            ),
            "on_sheet": lambda w: st.lists(ids(w.p.mentee.member_id, w.q.mentor.member_id), max_size=3),
            "everyone": lambda w: st.just("") | st.just("present"),
        },
    ),
    "pairs:account-delete": Form(
        "member",
        lambda w: [url("pairs:account-delete")],
        {"password": lambda w: choice(TEST_PASSWORD, "wrong")},
        sane=lambda rows, what: assert_erased(rows, what),
    ),
    # matching
    "matching:weights": Form(
        "committee",
        lambda w: [url("matching:weights", w.open_cycle.pk), url("matching:weights", HUGE_PK)],
        WEIGHTS,
    ),
    "matching:pair": Form(
        "committee",
        lambda w: [
            url("matching:pair", w.open_cycle.pk, w.mentees[1].pk, w.mentors[1].pk),
            url("matching:pair", w.open_cycle.pk, w.p.mentee_id, w.mentors[1].pk),
            url("matching:pair", w.open_cycle.pk, w.mentors[1].pk, w.mentees[1].pk),
            url("matching:pair", w.open_cycle.pk, w.mentees[1].pk, HUGE_PK),
        ],
    ),
    "matching:proposal-solve": Form(
        "committee",
        lambda w: [url("matching:proposal-solve", w.open_cycle.pk), url("matching:proposal-solve", w.running.pk)],
    ),
    "matching:proposal-edit": Form(
        "committee",
        lambda w: [url("matching:proposal-edit", w.open_cycle.pk), url("matching:proposal-edit", w.running.pk)],
        {
            "action": lambda w: choice("lock", "unlock", "ban", "drop", "restore", "unban"),
            "id": lambda w: ids(
                *w.draft.pairs.values_list("pk", flat=True),
                *w.draft.bans.values_list("pk", flat=True),
                *(e.pk for e in w.mentees),
                w.p.mentee_id,
            ),
        },
    ),
    "matching:proposal-confirm": Form(
        "committee",
        lambda w: [url("matching:proposal-confirm", w.open_cycle.pk), url("matching:proposal-confirm", w.running.pk)],
    ),
    "matching:proposal-discard": Form("committee", lambda w: [url("matching:proposal-discard", w.open_cycle.pk)]),
    "matching:offer-withdraw": Form(
        "committee",
        lambda w: [
            url("matching:offer-withdraw", w.open_cycle.pk, w.offer.pk),
            url("matching:offer-withdraw", w.running.pk, w.offer.pk),
            url("matching:offer-withdraw", w.open_cycle.pk, HUGE_PK),
        ],
    ),
    # The mentor's signed Accept and Decline (no login), and a pair's "We have been in touch".
    "pairs:offer-answer": Form(
        "visitor",
        lambda w: (
            [
                url(
                    "pairs:offer-answer", offer_token(offer_id=w.offer.pk, member_id=w.offer.mentor.member_id, action=a)
                )
                for a in ("decline", "accept")
            ]
            + [
                url(
                    "pairs:offer-answer",
                    offer_token(offer_id=w.offer.pk, member_id=w.offer.mentee.member_id, action="accept"),
                ),
                url("pairs:offer-answer", "not-a-token"),
            ]
        ),
        {"reason": lambda w: st.just("") | LONG_TEXT | hs.long_text(990, 1100)},
        accepted=lambda r: r.status_code == 200 and "Thank you" in body(r),
    ),
    "pairs:in-touch": Form(
        "visitor",
        lambda w: [
            url("pairs:in-touch", in_touch_token(pair_id=w.q.pk, member_id=w.q.mentor.member_id)),
            url("pairs:in-touch", in_touch_token(pair_id=w.q.pk, member_id=w.p.mentor.member_id)),
            url("pairs:in-touch", "not-a-token"),
        ],
        accepted=lambda r: r.status_code == 200 and "Thank you" in body(r),
    ),
    # The upload form itself, without a file (the files are fuzzed below).
    "members:import": Form("committee", lambda w: [url("members:import")], {"file": lambda w: TEXT}),
    "members:import-confirm": Form(
        "committee", lambda w: [url("members:import-confirm")], {"sha256": lambda w: choice("0" * 64, "")}
    ),
    # allauth
    "account_login": Form(
        "visitor",
        lambda w: [url("account_login")],
        {
            "login": lambda w: choice(w.personas["member"].email, w.personas["member"].email.upper(), "no@example.org"),
            "password": lambda w: choice(TEST_PASSWORD, "wrong"),
            "remember": lambda w: st.just("") | TICK,
        },
        accepted=allauth_redirect,
    ),
    "account_signup": Form(
        "visitor",
        lambda w: [url("account_signup")],
        {
            "email": lambda w: choice("new.person@example.org", w.personas["member"].email) | st.emails(),
            "password1": lambda w: st.just("a-long-enough-passphrase-1"),
            "password2": lambda w: st.just("a-long-enough-passphrase-1"),
            "first_name": lambda w: TEXT,
            "last_name": lambda w: TEXT,
        },
        accepted=allauth_redirect,
    ),
    "account_reset_password": Form(
        "visitor",
        lambda w: [url("account_reset_password")],
        {"email": lambda w: choice(w.personas["member"].email, "nobody@example.org")},
        accepted=allauth_redirect,
    ),
    "account_reset_password_from_key": Form(
        "visitor",
        lambda w: [reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "not-a-real-key"})],
        {"password1": lambda w: st.just("a-long-enough-passphrase-1"), "password2": lambda w: TEXT},
        accepted=allauth_redirect,
    ),
    "account_confirm_email": Form(
        "visitor",
        lambda w: [reverse("account_confirm_email", kwargs={"key": "not-a-real-key"})],
        accepted=allauth_redirect,
    ),
    "account_change_password": Form(
        "member",
        lambda w: [url("account_change_password")],
        {
            "oldpassword": lambda w: choice(TEST_PASSWORD, "wrong"),
            "password1": lambda w: st.just("a-long-enough-passphrase-1"),
            "password2": lambda w: st.just("a-long-enough-passphrase-1"),
        },
        accepted=allauth_redirect,
    ),
    "account_set_password": Form(
        "member",
        lambda w: [url("account_set_password")],
        {"password1": lambda w: TEXT, "password2": lambda w: TEXT},
        accepted=allauth_redirect,
    ),
    "account_email": Form(
        "member",
        lambda w: [url("account_email")],
        {
            "action_add": lambda w: st.just(""),
            "action_remove": lambda w: st.just(""),
            "action_primary": lambda w: st.just(""),
            "action_send": lambda w: st.just(""),
            "email": lambda w: choice("second@example.org", w.personas["member"].email, w.personas["stranger"].email),
        },
        accepted=allauth_redirect,
    ),
    "account_reauthenticate": Form(
        "member",
        lambda w: [url("account_reauthenticate")],
        {"password": lambda w: choice(TEST_PASSWORD, "wrong")},
        accepted=allauth_redirect,
    ),
    "account_logout": Form("member", lambda w: [url("account_logout")], accepted=allauth_redirect),
}


# --- Sending, and what must hold -------------------------------------------------------------------


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _pairs(data: dict) -> list[tuple[str, str]]:
    return [(k, str(v)) for k, values in data.items() for v in (values if isinstance(values, list) else [values])]


def post(client: Client, target: str, data: dict, files: dict | None = None):
    if files is not None:
        # A file upload: multipart, as the browser sends it.
        return client.post(target, {**data, **files})
    # Everything else: urlencoded, as a browser sends a plain form; any field name goes.
    return client.post(target, urlencode(_pairs(data)), content_type="application/x-www-form-urlencoded")


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def assert_no_script_injected(response, what: str) -> None:
    text = body(response)
    assert hs.XSS not in text and "<img src=x onerror" not in text, f"{what} echoes the script unescaped"


def changed_rows(before: dict[str, list[dict]]) -> list:
    """Every row written (added or changed) since `before`, as model instances."""
    after = database_state()
    rows = []
    for model in WATCHED:
        label = model._meta.label
        pk = model._meta.pk.column
        old = {row[pk]: row for row in before[label]}
        written = [row[pk] for row in after[label] if old.get(row[pk]) != row]
        # Loaded from the database (not adding: validating its constraints must not find itself).
        rows += model.objects.filter(pk__in=written) if written else []
    return rows


def assert_sane(rows: list, what: str) -> None:
    """What an accepted form wrote passes the models' own validation: lengths, choices, ranges, constraints."""
    for row in rows:
        try:
            row.full_clean(validate_unique=False)
        except ValidationError as e:
            pytest.fail(f"{what} wrote a {type(row).__name__} its model refuses: {e}")


def assert_erased(rows: list, what: str) -> None:
    """Deleting an account blanks what its opt-ins said on purpose (the models would call
    that incomplete): what must hold is that the account is closed and nameless."""
    closed = [u for u in rows if isinstance(u, User) and not u.is_active]
    assert len(closed) == 1, f"{what} was accepted but closed {len(closed)} accounts"
    assert not closed[0].has_usable_password() and not closed[0].last_name, what


def check_submission(client: Client, form: Form, target: str, data: dict, files: dict | None) -> None:
    cache.clear()  # allauth's rate limits count in the cache: each example starts afresh
    before = database_state()
    response = post(client, target, data, files)
    what = f"POST {target} {sorted(data)}"

    assert response.status_code < 500, what
    if response.status_code == 200:
        assert_no_script_injected(response, what)
    if form.accepted(response):
        event("accepted")  # --hypothesis-show-statistics tells how often each form's happy path is reached
        form.sane(changed_rows(before), what)
    else:
        assert_nothing_changed(before, what)
    if response.status_code == 302 and response["Location"].startswith("/"):
        # The page it leads to shows the message (often with the input in it): it opens too.
        landing = client.get(response["Location"])
        assert landing.status_code < 500, f"{what}, then GET {response['Location']}"
        assert_no_script_injected(landing, f"{what}, then GET {response['Location']}")


FILE_NAMES = st.one_of(
    st.builds(
        lambda stem, ext: f"{stem}.{ext}" if ext else stem,
        st.one_of(hs.plain_text(20), st.sampled_from(hs.FRAGMENTS).filter(bool), hs.long_text(200, 300)),
        st.sampled_from(["pdf", "docx", "txt", "exe", "pdf.exe", "PDF", "", "svg", "html"]),
    ),
)
FILE_CONTENT = st.one_of(st.binary(max_size=200), st.just(b"%PDF-1.4 a reading list"), st.just(b""))


_strategies: dict[tuple[int, str], st.SearchStrategy] = {}
NO_MORE = Form.__dataclass_fields__["more"].default


def _form_data(world: SimpleNamespace, name: str) -> st.SearchStrategy:
    # Built once per test, not once per example: hypothesis prepares a strategy the first time it draws from it.
    key = (id(world), name)
    if key not in _strategies:
        _strategies.clear()
        form = FORMS[name]
        _strategies[key] = hs.form_data({k: v(world) for k, v in {**form.fields, **form.more(world)}.items()})
    return _strategies[key]


def fuzz_form(world: SimpleNamespace, name: str, data) -> None:
    form = FORMS[name]
    target = data.draw(st.sampled_from(form.urls(world)), label="url")
    fields = data.draw(_form_data(world, name), label="data")
    files = None
    if form.files:
        files = {}
        for file_field in form.files:
            upload = data.draw(st.none() | st.builds(SimpleUploadedFile, FILE_NAMES, FILE_CONTENT), label=file_field)
            if upload is not None:
                files[file_field] = upload
    with transaction.atomic():
        client = client_as(world.personas[form.who])
        check_submission(client, form, target, fields, files)
        transaction.set_rollback(True)


@pytest.mark.parametrize("name", [name for name, form in FORMS.items() if form.fields or form.more is not NO_MORE])
@FUZZ
@given(data=st.data())
def test_every_form_answers_hostile_input_without_a_server_error_or_a_partial_write(world, name, data):
    fuzz_form(world, name, data)


# Buttons (withdraw, solve, confirm, log out...) have no field of their own: only
# unknown fields and other people's URLs to vary, so fewer examples say as much.
@pytest.mark.parametrize("name", [name for name, form in FORMS.items() if not form.fields and form.more is NO_MORE])
@settings(FUZZ, max_examples=5)
@given(data=st.data())
def test_every_button_answers_hostile_input_without_a_server_error_or_a_partial_write(world, name, data):
    fuzz_form(world, name, data)


def test_every_url_that_takes_a_post_is_fuzzed():
    """A new form gets a row in FORMS: otherwise nobody has sent it hostile input."""
    from .test_authorization import TABLE

    posted = {name.split(" ")[0] for name in FORMS}
    # Pages with no form: lists, reports, files and allauth's information pages.
    get_only = {
        "members:program",
        "members:program-mentor",
        "members:program-mentee",
        "members:profile",
        "members:enrollment-list",
        "members:cycle-list",
        "members:question-list",
        "members:resource-list",
        "members:resource-file",
        "members:resource-review",
        "matching:home",
        "matching:dashboard",
        "matching:suggestions",
        "matching:proposal",
        "matching:health-home",
        "matching:health",
        "matching:export",
        "members:import-template",
        "pairs:pair-list",
        "pairs:pair-mine",
        "outbox:email-list",
        "outbox:email-detail",
        "outbox:template-list",
        "pairs:evaluation-summary",
        "pairs:my-data",
        "pairs:my-data-download",
        "pairs:pair-detail",
        "pairs:pair-calendar",
        "pairs:topic-list",
        "pairs:survey-list",
        "pairs:certificate",
        "pairs:certificate-verify",  # its form is a GET: ?code=, fuzzed in test_certificates
        "health",
        "account_inactive",
        "account_email_verification_sent",
        "account_confirm_login_code",
        "account_reset_password_from_key_done",
        "account_reset_password_done",
    }
    assert set(TABLE) - get_only - posted == set()


# --- The roster import --------------------------------------------------------------------------

ALIASES = list(imports.ALIASES)
HEADER = st.one_of(
    st.sampled_from(imports.COLUMNS),
    st.sampled_from(ALIASES),
    st.sampled_from(["Email Address", " First Name ", "LAST-NAME", "Years of experience"]),
    st.sampled_from(["notes", "password", "is_superuser", "id", ""]),
    hs.plain_text(12),
)
EXISTING_EMAILS = ["mina.member@example.org", "MINA.MEMBER@EXAMPLE.ORG", "carol.committee@example.org"]
CELLS = {  # what a roster's cell plausibly holds; hostile rows hold anything
    "email": st.one_of(
        st.integers(0, 10**6).map(lambda n: f"fuzz{n}@example.org"),
        st.sampled_from(EXISTING_EMAILS),
        st.emails(),
    ),
    "first_name": hs.plain_text(30),
    "last_name": hs.plain_text(30),
    "phone": choice("501-555-0100", "+1 (501) 555-0100", ""),
    "institution": hs.plain_text(60),
    "library_type": choice(*LibraryType.values, *LibraryType.labels, "PUBLIC", ""),
    "region": choice(*REGION_CODES, *REGION_NAMES, ""),
    "membership_category": choice(*MembershipCategory.values, *MembershipCategory.labels, ""),
    "job_title": hs.plain_text(60),
    "responsibilities": st.builds("; ".join, hs.some_of(Area.values)) | st.just(""),
    "years_experience": st.integers(0, 70).map(str) | choice("3.0", ""),
    "member_since": st.dates(dt.date(1990, 1, 1), dt.date(2026, 1, 1)).map(lambda d: d.strftime("%m/%d/%Y")),
    "expires_on": st.dates(dt.date(2026, 1, 2), dt.date(2030, 1, 1)).map(dt.date.isoformat),
}
ENCODINGS = ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be"]


@st.composite
def roster_files(draw) -> bytes:
    """A roster as a committee member's spreadsheet might save it, or something that is not one."""
    if draw(st.integers(0, 9), label="not a csv at all") == 0:
        return draw(st.binary(max_size=2000))
    # Half the files have the columns a roster has (in any order, some left out), half anything.
    if draw(st.booleans(), label="a roster's columns"):
        optional = draw(st.lists(st.sampled_from(imports.COLUMNS[3:]), unique=True), label="optional columns")
        headers = draw(st.permutations(["email", "first_name", "last_name", *optional]))
    else:
        headers = draw(st.lists(HEADER, min_size=1, max_size=len(imports.COLUMNS) + 2), label="headers")
    rows = []
    for _ in range(draw(st.integers(1, 6), label="rows")):
        hostile = draw(st.sampled_from([False, False, True]), label="hostile cells in this row")
        row = [
            draw(
                CELLS.get(imports.ALIASES.get(header, header), hs.plain_text(20))
                | (hs.HOSTILE_TEXT if hostile else st.nothing())
            )
            for header in headers
        ]
        extra = draw(st.integers(-2, 2), label="cells missing (-) or extra (+)") if hostile else 0
        row = row[:extra] if extra < 0 else row + [draw(hs.HOSTILE_TEXT) for _ in range(extra)]
        rows.append(row)
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(out, quoting=quoting, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(headers)
    writer.writerows(rows)
    # Mostly UTF-8 (with or without Excel's byte-order mark), so that many files reach the import.
    utf8 = draw(st.sampled_from([True, True, True, False]), label="saved as UTF-8")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"] if utf8 else ENCODINGS), label="encoding")
    data = out.getvalue().encode(encoding, errors="replace")
    if draw(st.sampled_from([False, False, False, True]), label="damaged"):
        junk = draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x1a", b"\x89PNG\r\n\x1a\n"]))
        data = junk + data if draw(st.booleans()) else data + junk
    return data


@pytest.fixture
def roster_client(client_for, committee, member):
    member.email = "mina.member@example.org"
    member.save()
    committee.email = "carol.committee@example.org"
    committee.save()
    return client_for(committee)


def upload(client: Client, data: bytes, name: str = "roster.csv"):
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def confirm(client: Client):
    pending = client.session.get(ROSTER_SESSION_KEY)
    return client.post(reverse("members:import-confirm"), {"sha256": pending["sha256"] if pending else ""})


def previewed(client: Client) -> bool:
    return ROSTER_SESSION_KEY in client.session


def assert_imported_whole_and_twice_is_once(client: Client, data: bytes) -> None:
    """The previewed file imports in full, writes only sane members, and importing it
    again changes nothing. Call after an upload that was previewed."""
    before = database_state()
    response = confirm(client)
    assert success_redirect(response), "a previewed file was refused at the confirmation"
    written = changed_rows(before)
    assert_sane(written, "the import")
    assert {type(row) for row in written} <= {User}, "the import writes members only"
    assert client.get(response["Location"]).status_code == 200

    after_first = database_state()
    upload(client, data)
    assert previewed(client), "a file imported once is refused the second time"
    assert success_redirect(confirm(client))
    assert_nothing_changed(after_first, "importing the same file twice")


def upload_writing_nothing(client, data: bytes):
    """Upload a roster: the answer is a page (never a server error), echoes no script,
    and the preview writes nothing."""
    before = database_state()
    response = upload(client, data)
    assert response.status_code == 200
    assert_no_script_injected(response, "the preview")
    assert_nothing_changed(before, "uploading (the preview writes nothing)")
    return response


@settings(FUZZ, max_examples=50)
@given(data=roster_files())
def test_any_file_uploaded_as_a_roster_is_refused_whole_or_imported_whole_never_a_server_error(roster_client, data):
    client = roster_client
    with transaction.atomic():
        upload_writing_nothing(client, data)

        event("previewed" if previewed(client) else "refused")
        if previewed(client):
            assert_imported_whole_and_twice_is_once(client, data)
        transaction.set_rollback(True)


# Text a member's row may hold and the import must take as it is: quotes, commas, formulas,
# any script; never a line break or a control character (names, job titles and institutions
# are one line: refused, tested below), nor NUL.
ROSTER_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40),
    st.sampled_from([f for f in hs.FRAGMENTS if f.strip() and "\x00" not in f and len(f) < 100]),
).filter(str.strip)


@st.composite
def rosters(draw) -> bytes:
    """A roster that passes the checks: the required columns and any others, in any order,
    under their names or aliases, with distinct emails and values in range."""
    optional = draw(st.lists(st.sampled_from(imports.COLUMNS[3:]), unique=True), label="optional columns")
    columns = draw(st.permutations(["email", "first_name", "last_name", *optional]), label="columns")
    spelled = {
        "email": "E-mail",
        "last_name": "Surname",
        "member_since": "Joined",
        "years_experience": "Years of experience",
    }
    headers = [spelled[c] if c in spelled and draw(st.booleans()) else c for c in columns]
    n = draw(st.integers(1, 5), label="members")
    emails = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n, unique=True))
    cells = {
        **CELLS,
        "first_name": ROSTER_TEXT.map(lambda t: t[:150]),
        "last_name": ROSTER_TEXT.map(lambda t: t[:150]),
        "institution": ROSTER_TEXT,
        "job_title": ROSTER_TEXT,
    }
    rows = []
    for number in emails:
        row = {c: draw(cells[c], label=c) for c in columns}
        row["email"] = draw(st.sampled_from([f"fuzz{number}@example.org", f"Fuzz{number}@Example.ORG"]))
        rows.append([row[c] for c in columns])
    if draw(st.booleans(), label="one row for an existing member"):
        rows[0][columns.index("email")] = EXISTING_EMAILS[0]
    out = io.StringIO()
    csv.writer(out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))).writerows([headers, *rows])
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"]), label="encoding"))


@settings(FUZZ, max_examples=20)
@given(data=rosters())
def test_a_good_roster_with_hostile_text_imports_whole_and_importing_it_twice_changes_nothing(roster_client, data):
    client = roster_client
    with transaction.atomic():
        response = upload_writing_nothing(client, data)

        assert previewed(client), body(response)
        assert_imported_whole_and_twice_is_once(client, data)
        transaction.set_rollback(True)


GOOD_ROW = st.builds(
    lambda n, first, last, category: [f"good{n}@example.org", first, last, category],
    st.integers(0, 10**6),
    hs.plain_text(20),
    hs.plain_text(20),
    choice(*MembershipCategory.values),
)
BAD_ROWS = [
    ["not-an-email", "Ann", "Able", "staff"],
    ["", "Ann", "Able", "staff"],
    ["bad1@example.org", "", "Able", "staff"],
    ["bad2@example.org", "Ann", "Able", "astronaut"],
    ["bad3@example.org", "Ann", "A" * 151, "staff"],
    ["bad4@example.org", "Ann", "Able", "staff", "an extra cell"],
    ["=cmd|' /C calc'!A0", "Ann", "Able", "staff"],
    ["bad5@example.org", "Ann\x00", "Able", "staff"],
    ["bad6@example.org", "Ann\nEvil", "Able", "staff"],
]


@FUZZ
@given(
    good=st.lists(GOOD_ROW, min_size=1, max_size=8, unique_by=lambda r: r[0]),
    bad=st.sampled_from(BAD_ROWS),
    position=st.integers(0, 8),
)
def test_one_bad_row_among_good_ones_refuses_the_whole_file_and_names_its_row(roster_client, good, bad, position):
    client = roster_client
    position = min(position, len(good))
    rows = [*good[:position], bad, *good[position:]]
    out = io.StringIO()
    csv.writer(out).writerows([["email", "first_name", "last_name", "membership_category"], *rows])
    with transaction.atomic():
        before = database_state()

        response = upload(client, out.getvalue().encode())

        assert response.status_code == 200
        assert not previewed(client)
        page = body(response)
        # The row as the spreadsheet numbers it (the header is row 1), or the file as a whole.
        assert f"Row {position + 2}" in page or "not a CSV file in UTF-8" in page, page
        assert_nothing_changed(before, "a refused file")
        transaction.set_rollback(True)


# --- Exports: what members typed never runs as a formula in the committee's spreadsheet ------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def assert_inert(cell, where: str) -> None:
    """A cell starting like a formula is text that says so (a leading '), or a plain number
    or phone number: digits, spaces and ( ) . - / only, nothing a spreadsheet could call."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        assert re.fullmatch(r"[+-]?[\d\s().\-/]+", cell), f"{where}: {cell!r} would run as a formula"


@pytest.fixture
def export_world(cycle, committee):
    pair = PairFactory(cycle=cycle, liaison=committee)
    pair.mentee.member.save()
    evaluation = EvaluationFactory(pair=pair)
    CheckIn.objects.create(pair=pair, logged_by=pair.mentor.member, met_on=dt.date(2025, 10, 1), mode="video")
    return SimpleNamespace(cycle=cycle, pair=pair, evaluation=evaluation, committee=committee)


MEMBER_TEXT = st.one_of(
    st.sampled_from([f for f in hs.FRAGMENTS if f.startswith(FORMULA_START) or "cmd" in f]),
    st.builds(lambda control, f: control + f, st.text(hs.CONTROL_CHAR, min_size=1, max_size=2), choice("=cmd", "@x")),
    hs.HOSTILE_TEXT,
)


def storable(text: str) -> str:
    # What the forms let through is what the database holds: NUL is the one character it refuses.
    return text.replace("\x00", "")


@settings(FUZZ, max_examples=15)
@given(
    first=MEMBER_TEXT,
    last=MEMBER_TEXT,
    job=MEMBER_TEXT,
    goals=MEMBER_TEXT,
    best=MEMBER_TEXT,
    improve=MEMBER_TEXT,
)
def test_exports_open_and_never_carry_a_formula_whatever_members_typed(
    export_world, client_for, first, last, job, goals, best, improve
):
    w = export_world
    client = client_for(w.committee)
    with transaction.atomic():
        mentee = w.pair.mentee
        User.objects.filter(pk=mentee.member_id).update(
            first_name=storable(first)[:150], last_name=storable(last)[:150]
        )
        Enrollment.objects.filter(pk=mentee.pk).update(
            job_title=storable(job)[:200], responsibilities_other=storable(job)[:500], goals=storable(goals)
        )
        Evaluation.objects.filter(pk=w.evaluation.pk).update(best=storable(best), improve=storable(improve))
        for what in ("pairs", "enrollments", "checkins", "evaluations"):
            response = client.get(reverse("matching:export", args=[w.cycle.pk, what, "csv"]))
            assert response.status_code == 200
            for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))):
                for cell in row:
                    assert_inert(cell, f"{what}.csv")
            response = client.get(reverse("matching:export", args=[w.cycle.pk, what, "xlsx"]))
            assert response.status_code == 200, f"{what}.xlsx"
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{what}.xlsx: {cell.value!r} is a formula"
                    assert_inert(cell.value, f"{what}.xlsx")
        transaction.set_rollback(True)


# --- The bugs the fuzzing found, each as a plain regression test --------------------------------------


@pytest.mark.parametrize("next_url", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)", " ", "x"])
def test_resending_an_email_never_sends_the_committee_member_to_another_site_or_an_error_page(
    client_for, committee, next_url
):
    email = Email.objects.create(kind="intro_mentor", key="k", to="x@example.org", subject="s", body_text="b")
    email.state = "failed"
    email.save()

    response = client_for(committee).post(reverse("outbox:email-resend", args=[email.pk]), {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == reverse("outbox:email-list")
    assert Email.objects.get(pk=email.pk).state == "sent"  # tried at once, and the mail server took it


def test_resending_an_email_from_the_pair_page_goes_back_to_the_pair_page(client_for, committee):
    email = Email.objects.create(kind="intro_mentor", key="k", to="x@example.org", subject="s", body_text="b")
    back = reverse("outbox:email-list") + "?state=failed"

    response = client_for(committee).post(reverse("outbox:email-resend", args=[email.pk]), {"next": back})

    assert response.status_code == 302 and response["Location"] == back


@pytest.mark.parametrize(
    "data",
    [
        "email,first_name,last_name\nada@example.org,Ada,Archer\n".encode("utf-16-le"),  # UTF-16 without a BOM
        b"email,first_name,last_name\nada@example.org,Ada,Archer\n\x00",
        b"email,first_name,last_name\nada@example.org,A\x00da,Archer\n",
    ],
    ids=["utf-16 without a byte-order mark", "a trailing NUL", "a NUL in a name"],
)
def test_a_roster_with_nul_bytes_is_refused_with_a_hint_and_imports_nobody(roster_client, data):
    before = User.objects.count()

    response = upload(roster_client, data)

    assert response.status_code == 200
    assert "save it as “CSV UTF-8”" in body(response)
    assert not previewed(roster_client)
    assert User.objects.count() == before


def test_the_excel_export_opens_when_a_member_pasted_control_characters(client_for, committee, cycle):
    # A vertical tab or a form feed comes with text pasted from a word processor.
    member = UserFactory(first_name="Ver\x0btical", last_name="Tab")
    EnrollmentFactory(cycle=cycle, member=member, goals="Line one\x0cline two", job_title="\x01=cmd|' /C calc'!A0")

    response = client_for(committee).get(reverse("matching:export", args=[cycle.pk, "enrollments", "xlsx"]))

    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "Vertical Tab"
    assert rows[1][4] == "'=cmd|' /C calc'!A0"  # the control character gone, the formula still neutralised
    assert rows[1][7] == "Line oneline two"
