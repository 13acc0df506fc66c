"""Who may use which page: one row per URL name, one answer per role, for GET and for POST.

Every URL the site serves must have a row here (the last test fails otherwise), so each
new page states who may use it. The roles are the personas of DESIGN.md:

- visitor: not signed in;
- member: a current member in no pair;
- mentee, mentor: the two sides of the pair P;
- other_pair: the mentee of another pair Q, with no business in P;
- liaison: P's liaison, a member of the Mentoring Committee;
- committee: another member of the Mentoring Committee (liaison of nothing);
- site_admin: a Django superuser.

URL arguments of pair pages point at P (its goal, for a goal's page). Owner-only pages
(editing or withdrawing an opt-in, the file of a suggestion under review) point at an
object of *somebody*, a member who is none of the personas: everyone but the committee
gets 404 there; the owner's own access is tested with the feature.

Every refused role (LOGIN, 403, 404) is refused the same way on POST, and nothing in the
database changes. Allowed roles do not POST here: the feature tests do. Every page a role
may read is also searched for the check-in notes and topics that role may not read
(rule 5: only the pair's two members read them).
"""

import csv
import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from arla_mentoring.url_names import site_url_names
from matching.models import MatchSettings, Proposal, ProposalBan, ProposalDrop, ProposalPair
from members.models import (
    Answer,
    Cycle,
    CycleQuestion,
    Enrollment,
    ProgramSettings,
    QuestionKind,
    Resource,
    Role,
    User,
    committee_group,
)
from outbox.models import Email, EmailPreference, EmailTemplate, KindSetting
from outbox.tokens import unsubscribe_token
from pairs.forms import CheckInForm, EvaluationForm, GoalForm, ReportForm
from pairs.models import (
    Certificate,
    CheckIn,
    Evaluation,
    Goal,
    Offer,
    OrientationAttendance,
    Pair,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    Topic,
)
from pairs.tokens import in_touch_token, offer_token

from .factories import CycleFactory, EnrollmentFactory, EvaluationFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db

OK = 200
LOGIN = "login"  # 302 to the login page
AWAY = "away"  # 302 somewhere else (e.g. a signed-in member opening the signup page)
# 403: refused to someone who knows the object exists (the committee's pages, the pair's liaison).
# 404: refused without saying whether the object exists (somebody else's opt-in, a pair one is not in).
# 405: POST-only actions answer GET so; their POST by refused roles is proven below.
REFUSALS = (LOGIN, 403, 404)
ROLES = ("visitor", "member", "mentee", "mentor", "other_pair", "liaison", "committee", "site_admin")

TABLE = {
#                                            visitor member mentee mentor other_pair liaison committee site_admin
    "members:program":                      (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "members:program-mentor":               (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "members:program-mentee":               (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "members:profile":                      (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "members:profile-edit":                 (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "members:membership-join":              (LOGIN,  AWAY,  AWAY,  AWAY,  AWAY,      AWAY,   AWAY,     AWAY),
    "members:membership-renew":             (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "members:enrollment-create":            (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    # Somebody's waiting opt-in (somebody: a member who is none of the personas).
    "members:enrollment-edit":              (LOGIN,  404,   404,   404,   404,       404,    404,      404),
    "members:enrollment-withdraw":          (LOGIN,  404,   404,   404,   404,       404,    404,      404),
    "members:enrollment-list":              (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    # Somebody's account (a member who is none of the personas).
    "members:member-correct":               (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:cycle-list":                   (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:cycle-create":                 (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:cycle-edit":                   (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:cycle-toggle":                 (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:cycle-archive":                (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    # The cycle's opt-in questions (a question somebody answered, for edit, move, archive, delete).
    "members:question-list":                (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:question-create":              (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:question-edit":                (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:question-move":                (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "members:question-archive":             (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "members:question-delete":              (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:resource-list":                (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "members:resource-suggest":             (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    # The file of somebody's suggestion under review: for them and the committee only.
    "members:resource-file":                (LOGIN,  404,   404,   404,   404,       OK,     OK,       OK),
    "members:resource-review":              (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    # Somebody's suggestion under review.
    "members:resource-decide":              (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "members:resource-decide-many":         (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "matching:home":                        (LOGIN,  403,   403,   403,   403,       AWAY,   AWAY,     AWAY),
    "matching:dashboard":                   (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "matching:weights":                     (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "matching:suggestions":                 (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "matching:pair":                        (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "matching:proposal":                    (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "matching:proposal-solve":              (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "matching:proposal-edit":               (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "matching:proposal-confirm":            (LOGIN,  403,   403,   403,   403,       AWAY,   AWAY,     AWAY),
    "matching:proposal-discard":            (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "matching:health-home":                 (LOGIN,  403,   403,   403,   403,       AWAY,   AWAY,     AWAY),
    "matching:health":                      (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "matching:export":                      (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:program-settings":             (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:import":                       (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "members:import-confirm":               (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "members:import-template":              (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:pair-list":                      (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:liaison-assign":                 (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "matching:pair-create":                 (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:pair-mine":                      (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "outbox:email-list":                    (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "outbox:email-resend":                  (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "outbox:email-detail":                  (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "outbox:template-list":                 (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "outbox:template-edit":                 (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "outbox:template-restore":              (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "outbox:template-switch":               (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "outbox:preferences":                   (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    # Somebody's link to stop their check-in reminders: the link is the proof (no login), and
    # it names one kind of email for that one member; GET only asks.
    "outbox:unsubscribe":                   (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    # Somebody's offer to a mentor, and P's mentee's "We have been in touch": whoever holds the
    # signed link (no login); it names one action for one person, and GET only asks.
    "pairs:offer-answer":                   (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "pairs:in-touch":                       (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "matching:offer-withdraw":              (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "pairs:evaluation-summary":             (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:orientation":                    (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    # The committee writes the surveys (the cycle's midpoint survey, and its question).
    "pairs:survey-list":                    (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:survey-edit":                    (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:survey-question-create":         (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:survey-question-edit":           (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:survey-question-action":         (LOGIN,  403,   403,   403,   403,       405,    405,      405),
    "pairs:my-data":                        (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "pairs:my-data-download":               (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "pairs:account-delete":                 (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    # The pair P (its goal for goal-edit). Its evaluation is not open yet: its members are sent back.
    "pairs:pair-detail":                    (LOGIN,  404,   OK,    OK,    404,       OK,     OK,       OK),
    "pairs:pair-calendar":                  (LOGIN,  404,   OK,    OK,    404,       OK,     OK,       OK),
    "pairs:pair-end":                       (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:checkin-create":                 (LOGIN,  404,   OK,    OK,    404,       403,    403,      403),
    "pairs:goal-create":                    (LOGIN,  404,   OK,    OK,    404,       403,    403,      403),
    "pairs:goal-edit":                      (LOGIN,  404,   OK,    OK,    404,       403,    403,      403),
    "pairs:pair-report":                    (LOGIN,  404,   OK,    OK,    404,       403,    403,      403),
    "pairs:evaluation":                     (LOGIN,  404,   AWAY,  AWAY,  404,       403,    403,      403),
    # P's check-in, logged by its mentee: its author may change it (the mentor is sent back, told why).
    "pairs:checkin-edit":                   (LOGIN,  404,   OK,    AWAY,  404,       403,    403,      403),
    "pairs:checkin-delete":                 (LOGIN,  404,   OK,    AWAY,  404,       403,    403,      403),
    # The mentee's certificate of P: its holder and the committee (P is active: they are sent back
    # to the pair page, "issued when the pair completes"; the feature tests open a completed pair's).
    "pairs:certificate":                    (LOGIN,  404,   AWAY,  403,   404,       AWAY,   AWAY,     AWAY),
    "pairs:certificate-reissue":            (LOGIN,  403,   403,   403,   403,       AWAY,   AWAY,     AWAY),
    # Anyone with a certificate's code (here without one: the form to type it).
    "pairs:certificate-verify":             (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "pairs:topic-list":                     (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:topic-create":                   (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:topic-edit":                     (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    "pairs:topic-delete":                   (LOGIN,  403,   403,   403,   403,       OK,     OK,       OK),
    # P's midpoint survey: for its two sides (not open yet: they are sent back to the pair page).
    "pairs:survey":                         (LOGIN,  404,   AWAY,  AWAY,  404,       403,    403,      403),
    "health":                               (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_login":                        (OK,     AWAY,  AWAY,  AWAY,  AWAY,      AWAY,   AWAY,     AWAY),
    "account_logout":                       (AWAY,   OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_inactive":                     (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_signup":                       (OK,     AWAY,  AWAY,  AWAY,  AWAY,      AWAY,   AWAY,     AWAY),
    "account_reauthenticate":               (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_email":                        (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_email_verification_sent":      (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_change_password":              (LOGIN,  OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_set_password":                 (LOGIN,  AWAY,  AWAY,  AWAY,  AWAY,      AWAY,   AWAY,     AWAY),
    "account_reset_password":               (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_confirm_login_code":           (LOGIN,  AWAY,  AWAY,  AWAY,  AWAY,      AWAY,   AWAY,     AWAY),
    "account_confirm_email":                (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_reset_password_from_key_done": (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_reset_password_from_key":      (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
    "account_reset_password_done":          (OK,     OK,    OK,    OK,    OK,        OK,     OK,       OK),
}  # fmt: skip

# Arguments for URLs that need them: the pair P, somebody's objects, or keys that do not exist.
ARGS = {
    "members:enrollment-edit": lambda w: {"pk": w.somebodys_optin.pk},
    "members:enrollment-withdraw": lambda w: {"pk": w.somebodys_optin.pk},
    "members:member-correct": lambda w: {"pk": w.somebodys_optin.member_id},
    "members:cycle-edit": lambda w: {"pk": w.cycle.pk},
    "members:cycle-toggle": lambda w: {"pk": w.cycle.pk},
    "members:cycle-archive": lambda w: {"pk": w.cycle.pk},
    "members:question-list": lambda w: {"pk": w.cycle.pk},
    "members:question-create": lambda w: {"pk": w.cycle.pk},
    **{f"members:question-{name}": lambda w: {"pk": w.question.pk} for name in ("edit", "move", "archive", "delete")},
    "members:resource-file": lambda w: {"pk": w.somebodys_suggestion.pk},
    "members:resource-decide": lambda w: {"pk": w.somebodys_suggestion.pk},
    **{
        f"matching:{name}": lambda w: {"cycle_id": w.cycle.pk}
        for name in (
            "dashboard",
            "weights",
            "proposal",
            "proposal-solve",
            "proposal-edit",
            "proposal-confirm",
            "proposal-discard",
            "health",
        )
    },
    "matching:export": lambda w: {"cycle_id": w.cycle.pk, "what": "checkins", "fmt": "csv"},
    "matching:offer-withdraw": lambda w: {"cycle_id": w.cycle.pk, "pk": w.offer.pk},
    "pairs:offer-answer": lambda w: {
        "token": offer_token(offer_id=w.offer.pk, member_id=w.offer.mentor.member_id, action="accept")
    },
    "pairs:in-touch": lambda w: {"token": in_touch_token(pair_id=w.p.pk, member_id=w.p.mentee.member_id)},
    "matching:suggestions": lambda w: {"cycle_id": w.cycle.pk, "pk": w.somebodys_optin.pk},
    "matching:pair": lambda w: {"cycle_id": w.cycle.pk, "pk": w.somebodys_optin.pk, "mentor_pk": w.p.mentor_id},
    "account_confirm_email": lambda w: {"key": "not-a-real-key"},
    "account_reset_password_from_key": lambda w: {"uidb36": "zz", "key": "not-a-real-key"},
    "outbox:email-resend": lambda w: {"pk": w.email.pk},
    "outbox:email-detail": lambda w: {"pk": w.email.pk},
    "outbox:template-edit": lambda w: {"kind": "intro_mentor"},
    "outbox:template-restore": lambda w: {"kind": "intro_mentor"},
    "outbox:template-switch": lambda w: {"kind": "checkin_reminder"},
    "outbox:unsubscribe": lambda w: {
        "token": unsubscribe_token(member_id=w.somebodys_optin.member_id, kind="checkin_reminder", changes=0)
    },
    "pairs:goal-edit": lambda w: {"pk": w.p.pk, "goal_pk": w.p_goal.pk},
    "pairs:checkin-edit": lambda w: {"pk": w.p.pk, "checkin_pk": w.p_checkin.pk},
    "pairs:checkin-delete": lambda w: {"pk": w.p.pk, "checkin_pk": w.p_checkin.pk},
    "pairs:certificate": lambda w: {"pk": w.p.pk, "role": "mentee"},
    "pairs:certificate-reissue": lambda w: {"pk": w.p.pk, "role": "mentee"},
    "pairs:topic-edit": lambda w: {"topic_pk": w.topic.pk},
    "pairs:topic-delete": lambda w: {"topic_pk": w.topic.pk},
    "pairs:survey": lambda w: {"pk": w.p.pk, "kind": "midpoint"},
    **{
        f"pairs:{name}": lambda w: {"scope": w.cycle.pk, "kind": "midpoint"}
        for name in ("survey-edit", "survey-question-create")
    },
    "pairs:survey-question-edit": lambda w: {
        "scope": w.cycle.pk,
        "kind": "midpoint",
        "question_pk": w.survey_question.pk,
    },
    "pairs:survey-question-action": lambda w: {
        "scope": w.cycle.pk,
        "kind": "midpoint",
        "question_pk": w.survey_question.pk,
        "action": "archive",
    },
    **{
        f"pairs:{name}": lambda w: {"pk": w.p.pk}
        for name in (
            "pair-detail",
            "pair-calendar",
            "pair-end",
            "checkin-create",
            "goal-create",
            "pair-report",
            "evaluation",
        )
    },
}

# The Django admin guards itself: staff only, then model permissions. Checked below
# for every admin URL that takes no argument.
ADMIN_NAMESPACE = "admin:"
# What the Mentoring Committee group may see in the admin (members/migrations/0002).
COMMITTEE_ADMIN = {
    "members_cycle",
    "members_enrollment",
    "members_user",
    "pairs_pair",
    "outbox_email",
    "outbox_emailtemplate",
    "pairs_evaluation",
    "members_resource",
    "members_cyclequestion",  # each cycle's opt-in questions (members/migrations/0015)
    "members_answer",  # the members' answers to them, read-only
    "matching_titleterm",  # the committee's words for the model of library work (matching/migrations/0004)
    "pairs_survey",  # the surveys and their questions, read-only (pairs/migrations/0015)
    "pairs_surveyquestion",
}

# What each pair wrote in its check-in: words that appear nowhere else, to search every answer for.
P_SECRETS = ("P-notes-kept-between-mentor-and-mentee", "P-topics-salary-negotiation")
Q_SECRETS = ("Q-notes-kept-between-mentor-and-mentee", "Q-topics-difficult-supervisor")
P_PEOPLE = ("mentee", "mentor")
COMMITTEE = ("liaison", "committee", "site_admin")
# Private text, and the roles that may read it (rules 5 and 6). Every answer of the
# table is searched for the private text of the others.
PRIVATE = {
    **dict.fromkeys(P_SECRETS, P_PEOPLE),
    **dict.fromkeys(Q_SECRETS, ("other_pair",)),
    # P's people's contact details: for the pair and the committee.
    "meg.mentee@example.org": P_PEOPLE + COMMITTEE,
    "501-555-0177": P_PEOPLE + COMMITTEE,
    "max.mentor@example.org": P_PEOPLE + COMMITTEE,
    "501-555-0199": P_PEOPLE + COMMITTEE,
    # What P's mentee and somebody answered when opting in: for the committee (and P's mentor).
    "P-mentee-opt-in-goals-find-a-new-job": P_PEOPLE + COMMITTEE,
    "Somebodys-opt-in-goals-leave-the-profession": COMMITTEE,
    # What somebody answered to the cycle's own question: the committee's to read.
    "Somebodys-answer-moving-away-soon": COMMITTEE,
    # The mentee's closing evaluation: the committee reads it (without names); the mentor never.
    "P-mentee-evaluation-my-mentor-never-called": ("mentee", *COMMITTEE),
    # Her answer to the cycle's midpoint survey: the committee reads it on program
    # health (without names); the mentor never.
    "P-mentee-midpoint-my-mentor-cancels-often": ("mentee", *COMMITTEE),
}


def _committee_member(**kwargs) -> User:
    user = UserFactory(seasoned=True, is_staff=True, **kwargs)
    user.groups.add(committee_group())
    return user


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The personas, the pair P (mentee, mentor, liaison), the pair Q (other_pair is its
    mentee), and somebody's objects: somebody is a member who is none of the personas.

    Built once for the module, in a transaction rolled back at its end: each test runs in
    a savepoint inside it (pytest-django's `db`), so whatever a test changes is undone
    before the next — the same world for every case, without rebuilding it 600 times."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        world = _build_world()
        # The world's foreign keys checked now, once: left pending, they were checked again at
        # the end of each case (pytest-django's), whose savepoint's rollback brought them back.
        connection.check_constraints()
        # Each persona signs in once, with the world: its session is rolled back with the rest
        # after every case, whatever the case did to it.
        world.sessions = {user.pk: _session_signed_in(user) for user in world.personas.values() if user}
        # Every case starts from this state (each runs in a savepoint rolled back after it):
        # read once here, and compared after a refused request by PostgreSQL's digest of it.
        world.state = database_state()
        world.state_digest = database_state_digest()
        yield world
        transaction.set_rollback(True)


def _session_signed_in(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def client_for(request, client_for):
    """client_for(user), as everywhere, but in a test of the world a persona's client opens
    the session the persona got with the world instead of signing in again: a login for each
    of the ~950 cases was a sixth of this file's time. Anyone else signs in as usual."""
    sessions = request.getfixturevalue("world").sessions if "world" in request.fixturenames else {}

    def client(user) -> Client:
        if user is None or user.pk not in sessions:
            return client_for(user)
        signed_in = Client()
        signed_in.cookies[settings.SESSION_COOKIE_NAME] = sessions[user.pk]
        return signed_in

    return client


def _build_world() -> SimpleNamespace:
    cycle = CycleFactory()
    member = UserFactory(first_name="Mina", last_name="Member")
    committee = _committee_member(first_name="Carol", last_name="Committee")
    site_admin = UserFactory(first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)
    mentee = UserFactory(first_name="Meg", last_name="Mentee", email="meg.mentee@example.org", phone="501-555-0177")
    mentor = UserFactory(
        seasoned=True, first_name="Max", last_name="Mentor", email="max.mentor@example.org", phone="501-555-0199"
    )
    other_pair = UserFactory(first_name="Otto", last_name="Otherpair")
    liaison = _committee_member(first_name="Lia", last_name="Liaison")
    p = PairFactory(
        cycle=cycle,
        mentee=EnrollmentFactory(
            member=mentee, cycle=cycle, status="paired", goals="P-mentee-opt-in-goals-find-a-new-job"
        ),
        mentor=EnrollmentFactory(member=mentor, cycle=cycle, role=Role.MENTOR, status="paired"),
        liaison=liaison,
    )
    q = PairFactory(cycle=cycle, mentee=EnrollmentFactory(member=other_pair, cycle=cycle, status="paired"))
    met_on = timezone.localdate() - dt.timedelta(days=12)
    p_checkin = CheckIn.objects.create(
        pair=p, logged_by=mentee, met_on=met_on, mode="phone", minutes=45, topics=P_SECRETS[1], notes=P_SECRETS[0]
    )
    CheckIn.objects.create(
        pair=q, logged_by=other_pair, met_on=met_on, mode="video", minutes=30, topics=Q_SECRETS[1], notes=Q_SECRETS[0]
    )
    EvaluationFactory(
        pair=p,
        overall=2,
        relationship=1,
        goals_met=2,
        would_recommend=False,
        best="P-mentee-evaluation-my-mentor-never-called",
    )
    survey = Survey.objects.create(cycle=cycle, kind=SurveyKind.MIDPOINT, title="Halfway")
    survey_question = SurveyQuestion.objects.create(survey=survey, text="How is it going?", kind=QuestionKind.LONG)
    response = SurveyResponse.objects.create(pair=p, survey=survey, kind=survey.kind, role="mentee", author=mentee)
    SurveyAnswer.objects.create(
        response=response, question=survey_question, value="P-mentee-midpoint-my-mentor-cancels-often"
    )
    somebody = UserFactory(first_name="Sue", last_name="Somebody")
    suggestion = Resource(
        title="Their suggestion", description="Waiting for review.", suggested_by=somebody, tags="goals"
    )
    suggestion.file.save("their-reading-list.pdf", ContentFile(b"%PDF-1.4 their list"))
    somebodys_optin = EnrollmentFactory(
        member=somebody, cycle=cycle, goals="Somebodys-opt-in-goals-leave-the-profession"
    )
    question = CycleQuestion.objects.create(cycle=cycle, text="Anything else we should know?", kind="long")
    Answer.objects.create(enrollment=somebodys_optin, question=question, value="Somebodys-answer-moving-away-soon")
    return SimpleNamespace(
        survey_question=survey_question,
        cycle=cycle,
        p=p,
        q=q,
        p_checkin=p_checkin,
        question=question,
        p_goal=Goal.objects.create(pair=p, title="Present at the spring conference", created_by=mentee),
        somebodys_optin=somebodys_optin,
        somebodys_suggestion=suggestion,
        # Somebody else's offer: a mentee offered to a mentor, neither of them a persona.
        offer=Offer.objects.create(
            cycle=cycle,
            mentee=EnrollmentFactory(member=UserFactory(first_name="Olive", last_name="Offered"), cycle=cycle),
            mentor=EnrollmentFactory(member=UserFactory(seasoned=True), cycle=cycle, role=Role.MENTOR),
            answer_by=timezone.localdate() + dt.timedelta(days=7),
        ),
        topic=Topic.objects.create(month=1, title="Getting to know each other", text="Share your backgrounds."),
        email=Email.objects.create(
            kind="intro_mentor", key="k", to="x@example.org", subject="s", body_text="b", state="failed"
        ),
        personas={
            "visitor": None,
            "member": member,
            "mentee": mentee,
            "mentor": mentor,
            "other_pair": other_pair,
            "liaison": liaison,
            "committee": committee,
            "site_admin": site_admin,
        },
    )


def answer(response) -> int | str:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("account_login")) else AWAY
    return response.status_code


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def assert_no_private_text_of_others(role: str, response, what: str) -> None:
    text = body(response)
    leaked = [secret for secret, readers in PRIVATE.items() if secret in text and role not in readers]
    assert not leaked, f"{what} as {role} shows what is not theirs to read: {leaked}"


# Everything a refused request could have changed.
WATCHED = (
    User,
    Group,
    User.groups.through,
    EmailAddress,
    Cycle,
    Enrollment,
    CycleQuestion,
    Answer,
    Resource,
    Pair,
    CheckIn,
    Goal,
    Evaluation,
    Email,
    EmailTemplate,
    KindSetting,
    EmailPreference,
    OrientationAttendance,
    Topic,
    Certificate,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyAnswer,
    ProgramSettings,
    MatchSettings,
    Proposal,
    ProposalPair,
    ProposalBan,
    ProposalDrop,
    Offer,
)


def _watched_tables_as_json() -> str:
    """Every row of every watched table, each table as PostgreSQL writes it in JSON (all its
    columns, rows by primary key): one SQL expression a table."""
    qn = connection.ops.quote_name
    return ", ".join(
        f"(SELECT coalesce(json_agg(t ORDER BY t.{qn(m._meta.pk.column)}), '[]') FROM {qn(m._meta.db_table)} t)"
        for m in WATCHED
    )


def database_state() -> dict[str, list[dict]]:
    """The watched tables' rows, in one query (a query a table made these reads a third of
    this file's time)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_watched_tables_as_json()}")
        return {m._meta.label: rows for m, rows in zip(WATCHED, cursor.fetchone(), strict=True)}


def database_state_digest() -> str:
    """An MD5 of the same JSON, computed by PostgreSQL: equal digests, equal rows, without
    sending the rows and decoding them in Python after each refused request."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT md5(concat_ws('|', {_watched_tables_as_json()}))")
        return cursor.fetchone()[0]


def assert_nothing_changed(before: dict[str, list[dict]], what: str) -> None:
    after = database_state()
    changed = {
        label: {
            "before": [row for row in rows if row not in after[label]],
            "after": [row for row in after[label] if row not in rows],
        }
        for label, rows in before.items()
        if rows != after[label]
    }
    assert not changed, f"{what} changed {sorted(changed)}: {changed}"


def assert_world_unchanged(world, what: str) -> None:
    """The watched tables as the world left them (its digest compared; the rows that changed
    named when it differs)."""
    if database_state_digest() != world.state_digest:
        assert_nothing_changed(world.state, what)
        raise AssertionError(f"{what}: the digest differs, the rows read the same")


CASES = [(name, role, expected) for name, row in TABLE.items() for role, expected in zip(ROLES, row, strict=True)]

HIJACK = {
    "program_name": "hijacked",
    "goals": "hijacked",
    "title": "hijacked",
    "met_on": "2020-01-01",
    "mode": "email",
    "minutes": "30",
    "topics": "hijacked",
    "notes": "hijacked",
    "status": "done",
    "note": "hijacked",
    "reason": "hijacked",
    "overall": "1",
    "relationship": "1",
    "goals_met": "1",
    "name": "hijacked",
    "action": "close",
    "password": "hijacked",
}


@pytest.mark.parametrize(("name", "role", "expected"), CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_each_role_gets_the_expected_answer(client_for, world, name, role, expected):
    url = reverse(name, kwargs=ARGS[name](world) if name in ARGS else None)
    client = client_for(world.personas[role])

    response = client.get(url)

    assert answer(response) == expected, f"GET {url} as {role}"
    assert_no_private_text_of_others(role, response, f"GET {url}")
    if expected in REFUSALS:
        # A refused reader is refused as a writer too, and nothing changes.
        response = client.post(url, HIJACK)
        assert answer(response) == expected, f"POST {url} as {role}"
        assert_no_private_text_of_others(role, response, f"POST {url}")
        assert_world_unchanged(world, f"GET and POST {url} as {role}")


# Valid submissions of the pair's own forms: refused to its liaison and the committee all the same.
MEMBER_ACTIONS = {
    "pairs:checkin-create": (
        CheckInForm,
        {"met_on": "2020-01-01", "mode": "video", "minutes": "30", "topics": "Outsider", "notes": "Outsider"},
    ),
    "pairs:goal-create": (GoalForm, {"title": "An outsider's goal", "status": "open"}),
    "pairs:goal-edit": (GoalForm, {"title": "Renamed by an outsider", "status": "done"}),
    "pairs:pair-report": (ReportForm, {"note": "The other side went quiet."}),
    "pairs:evaluation": (
        EvaluationForm,
        {"overall": "5", "relationship": "5", "goals_met": "5", "would_recommend": "on", "best": "b", "improve": "i"},
    ),
}


@pytest.mark.parametrize("role", ["liaison", "committee", "site_admin"])
@pytest.mark.parametrize("name", MEMBER_ACTIONS)
def test_only_the_pair_logs_its_checkins_goals_reports_and_evaluations(client_for, world, name, role):
    form_class, data = MEMBER_ACTIONS[name]
    assert form_class(data).is_valid(), "the refusal below must not be the form's"
    url = reverse(name, kwargs=ARGS[name](world))
    client = client_for(world.personas[role])

    response = client.post(url, data)

    assert response.status_code == 403, f"POST {url} as {role}"
    assert_world_unchanged(world, f"POST {url} as {role}")
    p = Pair.objects.get(pk=world.p.pk)
    assert list(p.checkins.values_list("pk", flat=True)) == [world.p_checkin.pk]
    assert list(p.goals.values_list("title", flat=True)) == ["Present at the spring conference"]
    assert list(Evaluation.objects.filter(pair=p).values_list("author__first_name", flat=True)) == ["Meg"]
    assert p.mentor_reported_unresponsive_at is p.mentee_reported_unresponsive_at is None and p.status == "active"


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_liaison_sees_when_and_how_p_met_never_what_was_said(client_for, world):
    client = client_for(world.personas["liaison"])
    checkin = world.p_checkin

    page = client.get(reverse("pairs:pair-detail", args=[world.p.pk]))
    assert page.status_code == 200
    assert f'<td class="text-nowrap">{date_format(checkin.met_on, "M j, Y")}</td><td>Phone</td>' in body(page)

    calendar = client.get(reverse("pairs:pair-calendar", args=[world.p.pk]))
    assert calendar.status_code == 200 and b"BEGIN:VCALENDAR" in calendar.content

    export = client.get(
        reverse("matching:export", kwargs={"cycle_id": world.cycle.pk, "what": "checkins", "fmt": "csv"})
    )
    assert export.status_code == 200
    rows = _csv_rows(export)
    assert rows[0] == ["pair", "mentor", "mentee", "date", "mode", "minutes"]
    assert [str(world.p.pk), "Max Mentor", "Meg Mentee", checkin.met_on.isoformat(), "Phone", "45"] in rows

    mine = client.get(reverse("pairs:pair-mine"))
    in_the_admin = client.get(reverse("admin:pairs_pair_change", args=[world.p.pk]))
    assert in_the_admin.status_code == 200  # without the check-ins: the committee may not view them there
    download = client.get(reverse("pairs:my-data-download"))
    assert world.p.pk in [p["pair"] for p in json.loads(download.content)["liaison_of"]]
    for what, response in [
        ("pair page", page),
        ("calendar", calendar),
        ("export", export),
        ("my pairs", mine),
        ("admin", in_the_admin),
    ]:
        text = body(response)
        assert not [s for s in P_SECRETS + Q_SECRETS if s in text], f"the liaison reads notes on the {what}"
    assert not [s for s in P_SECRETS + Q_SECRETS if s in body(download)]

    # The same pages show the notes to the pair itself: the searches above would have found them.
    assert all(s in body(client_for(world.personas["mentee"]).get(page.request["PATH_INFO"])) for s in P_SECRETS)


def test_the_member_of_another_pair_reads_nothing_of_p(client_for, world):
    client = client_for(world.personas["other_pair"])

    for name in ("pair-detail", "pair-calendar", "checkin-create", "goal-create", "pair-report", "evaluation"):
        assert client.get(reverse(f"pairs:{name}", args=[world.p.pk])).status_code == 404, name
    assert client.get(reverse("pairs:goal-edit", args=[world.p.pk, world.p_goal.pk])).status_code == 404

    download = client.get(reverse("pairs:my-data-download"))
    data = json.loads(download.content)
    assert [p["mentor"] for p in data["pairs"]] == [world.q.mentor.member.get_full_name()]
    assert data["liaison_of"] == []
    text = body(download)
    assert all(s in text for s in Q_SECRETS), "their own pair's notes are in their download"
    assert not [s for s in P_SECRETS if s in text]
    assert "Max" not in text and "Meg" not in text and "Present at the spring conference" not in text

    mine = body(client.get(reverse("pairs:pair-mine")))
    assert reverse("pairs:pair-detail", args=[world.p.pk]) not in mine and "Meg Mentee" not in mine


def admin_urls():
    """The admin's URL names that take no argument, the models' pages included (they sit in nested resolvers)."""

    def walk(resolver):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                if not p.pattern.converters and "(?P" not in str(p.pattern):
                    yield from walk(p)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.converters and "(?P" not in str(p.pattern):
                yield f"admin:{p.name}"

    admin = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "admin")
    return sorted(set(walk(admin)))


@pytest.mark.parametrize("name", [n for n in admin_urls() if n.endswith("_changelist")] + ["admin:index"])
def test_admin_is_for_staff_and_the_committee_sees_its_models_only(client_for, world, name):
    url = reverse(name)
    login_url = reverse("admin:login")
    for role in ("visitor", "member", "mentee", "mentor", "other_pair"):
        response = client_for(world.personas[role]).get(url)
        assert response.status_code == 302 and response["Location"].startswith(login_url), role
    committee_expected = (
        200 if name == "admin:index" or name[6:].removesuffix("_changelist") in COMMITTEE_ADMIN else 403
    )
    for role in ("liaison", "committee"):
        response = client_for(world.personas[role]).get(url)
        assert response.status_code == committee_expected, role
        assert_no_private_text_of_others(role, response, f"GET {url}")
    assert client_for(world.personas["site_admin"]).get(url).status_code == 200


def test_every_url_of_the_site_has_a_row():
    missing = {n for n in site_url_names() if n not in TABLE and not n.startswith(ADMIN_NAMESPACE)}

    assert not missing, f"Add these URL names to TABLE, saying who may use them: {sorted(missing)}"
