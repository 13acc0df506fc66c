"""Every page of the site, as each role that can see it, checked in Chromium with axe-core.

axe-core comes from the axe-playwright-python package (it bundles axe.min.js, so nothing
is fetched at run time). Its source is added as an init script of the browser context,
which Playwright runs in every page it loads: like `page.evaluate` (what the package's own
`Axe.run` uses), that is not subject to the site's strict Content-Security-Policy
(script-src 'self'), so no CSP bypass is needed.

A page passes when axe finds no violation of impact "serious" or "critical", and the
browser reports no Content-Security-Policy violation: an inline script or style the
policy blocks would silently break the page.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from matching.services import proposal as proposals
from members.models import Answer, CycleQuestion, QuestionKind, Resource, Role
from members.presets import files as preset_files
from outbox.tokens import unsubscribe_token
from pairs.models import CheckIn, Goal, Pair, Topic, add_months
from pairs.services import certificates, pairing, topics
from tests.factories import CycleFactory, EnrollmentFactory, EvaluationFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"


def person(first: str, last: str, **profile):
    """A member from their own library: matching never pairs two of the same institution."""
    return UserFactory(first_name=first, last_name=last, institution=f"{last} Library", **profile)


def build_site(committee) -> SimpleNamespace:
    """A cycle with an active pair (evaluation open, a check-in, a goal, one side's evaluation),
    waiting mentees and mentors with a solved proposal, and resources to read and to review."""
    today = timezone.localdate()
    cycle = CycleFactory()
    mina = EnrollmentFactory(
        cycle=cycle,
        member=person("Mina", "Member"),
    )
    sam = EnrollmentFactory(
        cycle=cycle,
        role=Role.MENTOR,
        member=person("Sam", "Senior", seasoned=True, phone="501-555-0142"),
    )
    pair = pairing.pair_create(mentee_id=mina.pk, mentor_id=sam.pk, by=committee, liaison=committee)
    # Ten months that end next week: the closing evaluation is open.
    starts_on = add_months(today + dt.timedelta(days=7), -10)
    Pair.objects.filter(pk=pair.pk).update(starts_on=starts_on, ends_on=add_months(starts_on, 10))
    pair.refresh_from_db()
    checkin = CheckIn.objects.create(
        pair=pair,
        logged_by=sam.member,
        met_on=today - dt.timedelta(days=3),
        mode="video",
        minutes=45,
        topics="Cataloging workflow",
        notes="Talked about the backlog.",
    )
    goal = Goal.objects.create(pair=pair, title="Clear the backlog", status="in_progress", created_by=sam.member)
    EvaluationFactory(pair=pair, overall=5)

    wes = EnrollmentFactory(
        cycle=cycle,
        member=person("Wes", "Waiting", job_title="Cataloger", responsibilities=["cataloging"]),
        goals="Learn to catalog",
    )
    EnrollmentFactory(
        cycle=cycle,
        member=person("Yara", "Young", job_title="Youth Services Assistant", responsibilities=["youth_services"]),
    )
    cora = EnrollmentFactory(
        cycle=cycle,
        role=Role.MENTOR,
        member=person("Cora", "Catalog", seasoned=True),
    )
    EnrollmentFactory(
        cycle=cycle,
        role=Role.MENTOR,
        member=person(
            "Kit",
            "Kidd",
            seasoned=True,
            job_title="Children's Librarian",
            responsibilities=["youth_services", "outreach"],
        ),
    )
    # The cycle's own questions, one of each kind (one matched on), answered by Wes and Cora.
    questions = [
        CycleQuestion.objects.create(
            cycle=cycle,
            text=f"A {kind.label.lower()} question?",
            help_text="Help under it.",
            kind=kind,
            choices=["Academic", "Public", "School"] if kind in QuestionKind.with_choices() else [],
            required=kind != QuestionKind.LONG,
            match_on=kind == QuestionKind.ONE,
            audience=("both", "mentee", "mentor")[n % 3],
            order=n,
        )
        for n, kind in enumerate(QuestionKind)
    ]
    for enrollment in (wes, cora):
        Answer.objects.create(enrollment=enrollment, question=questions[2], value="Academic")
    proposals.proposal_solve(cycle=cycle, by=committee)

    Resource.objects.create(
        title="Mentoring handbook",
        description="How the year goes.",
        url="https://example.org/handbook",
        tags="orientation, goals",
        status="approved",
        suggested_by=sam.member,
    )
    Resource.objects.create(
        title="Cataloging webinar",
        description="An hour on RDA.",
        url="https://example.org/rda",
        tags="cataloging",
        status="suggested",
        suggested_by=wes.member,
    )
    # The program's monthly topics (the pair page shows this month's), and a pair of an earlier
    # year that completed, with its certificates.
    topics.topics_from_preset(preset_files.read("arla"), name="arla", by=committee)
    earlier = CycleFactory(is_open=False, name="2020–21")
    done = PairFactory(
        cycle=earlier,
        mentee=EnrollmentFactory(cycle=earlier, member=person("Dana", "Done"), status="completed"),
        status="completed",
        starts_on=today - dt.timedelta(days=400),
        ends_on=add_months(today - dt.timedelta(days=400), 10),
    )
    certificate = certificates.certificate_of(pair=Pair.objects.with_people().get(pk=done.pk), role="mentee")
    return SimpleNamespace(
        cycle=cycle,
        question=questions[0],
        answered=questions[2],
        pair=pair,
        checkin=checkin,
        done=done,
        done_mentee=done.mentee.member,
        certificate=certificate,
        topic=Topic.objects.order_by("month").first(),
        goal=goal,
        committee=committee,
        member=wes.member,
        waiting=wes,
        cora=cora,
        mentor=sam.member,
        mentee=mina.member,
        new_account=UserFactory(new_account=True, first_name="Nia", last_name="Newcomer"),
    )


# (test id, who, the page's path given the site built above)
PAGES = [
    # Visitors
    ("program", None, lambda d: reverse("members:program")),
    ("program-mentor", None, lambda d: reverse("members:program-mentor")),
    ("program-mentee", None, lambda d: reverse("members:program-mentee")),
    ("login", None, lambda d: reverse("account_login")),
    ("signup", None, lambda d: reverse("account_signup")),
    ("password-reset", None, lambda d: reverse("account_reset_password")),
    # A signed-up account that has not joined yet
    ("membership-join", "new_account", lambda d: reverse("members:membership-join")),
    # A member with a waiting opt-in
    ("program-as-member", "member", lambda d: reverse("members:program")),
    ("profile", "member", lambda d: reverse("members:profile")),
    ("profile-edit", "member", lambda d: reverse("members:profile-edit")),
    ("membership-renew", "member", lambda d: reverse("members:membership-renew")),
    ("opt-in", "member", lambda d: reverse("members:enrollment-create")),
    ("opt-in-edit", "member", lambda d: reverse("members:enrollment-edit", args=[d.waiting.pk])),
    ("opt-in-withdraw", "member", lambda d: reverse("members:enrollment-withdraw", args=[d.waiting.pk])),
    ("resources", "member", lambda d: reverse("members:resource-list")),
    ("resource-suggest", "member", lambda d: reverse("members:resource-suggest")),
    ("my-pairs-none", "member", lambda d: reverse("pairs:pair-mine")),
    ("my-data", "member", lambda d: reverse("pairs:my-data")),
    ("account-delete", "member", lambda d: reverse("pairs:account-delete")),
    # The pair's mentor and mentee
    ("my-pairs-mentor", "mentor", lambda d: reverse("pairs:pair-mine")),
    ("pair-as-mentor", "mentor", lambda d: reverse("pairs:pair-detail", args=[d.pair.pk])),
    ("checkin-form", "mentor", lambda d: reverse("pairs:checkin-create", args=[d.pair.pk])),
    ("goal-form", "mentor", lambda d: reverse("pairs:goal-create", args=[d.pair.pk])),
    ("goal-edit", "mentor", lambda d: reverse("pairs:goal-edit", args=[d.pair.pk, d.goal.pk])),
    ("pair-report", "mentor", lambda d: reverse("pairs:pair-report", args=[d.pair.pk])),
    ("evaluation", "mentor", lambda d: reverse("pairs:evaluation", args=[d.pair.pk])),
    ("profile-mentor", "mentor", lambda d: reverse("members:profile")),
    ("pair-as-mentee", "mentee", lambda d: reverse("pairs:pair-detail", args=[d.pair.pk])),
    ("checkin-edit", "mentor", lambda d: reverse("pairs:checkin-edit", args=[d.pair.pk, d.checkin.pk])),
    ("checkin-delete", "mentor", lambda d: reverse("pairs:checkin-delete", args=[d.pair.pk, d.checkin.pk])),
    ("certificate", "done_mentee", lambda d: reverse("pairs:certificate", args=[d.done.pk, "mentee"])),
    ("pair-completed", "done_mentee", lambda d: reverse("pairs:pair-detail", args=[d.done.pk])),
    ("certificate-verify", None, lambda d: reverse("pairs:certificate-verify")),
    (
        "certificate-verified",
        None,
        lambda d: reverse("pairs:certificate-verify") + f"?code={d.certificate.printed_code}",
    ),
    ("certificate-not-found", None, lambda d: reverse("pairs:certificate-verify") + "?code=AAAA"),
    # The Mentoring Committee
    ("program-settings", "committee", lambda d: reverse("members:program-settings")),
    ("cycles", "committee", lambda d: reverse("members:cycle-list")),
    ("cycle-create", "committee", lambda d: reverse("members:cycle-create")),
    ("cycle-edit", "committee", lambda d: reverse("members:cycle-edit", args=[d.cycle.pk])),
    ("cycle-toggle", "committee", lambda d: reverse("members:cycle-toggle", args=[d.cycle.pk])),
    ("cycle-archive", "committee", lambda d: reverse("members:cycle-archive", args=[d.cycle.pk])),
    ("opt-ins", "committee", lambda d: reverse("members:enrollment-list")),
    ("questions", "committee", lambda d: reverse("members:question-list", args=[d.cycle.pk])),
    ("question-create", "committee", lambda d: reverse("members:question-create", args=[d.cycle.pk])),
    ("question-edit", "committee", lambda d: reverse("members:question-edit", args=[d.answered.pk])),
    ("question-delete", "committee", lambda d: reverse("members:question-delete", args=[d.question.pk])),
    ("question-not-deleted", "committee", lambda d: reverse("members:question-delete", args=[d.answered.pk])),
    ("matching-dashboard", "committee", lambda d: reverse("matching:dashboard", args=[d.cycle.pk])),
    (
        "suggestions",
        "committee",
        lambda d: reverse("matching:suggestions", args=[d.cycle.pk, d.waiting.pk]),
    ),
    (
        "pair-confirm",
        "committee",
        lambda d: reverse("matching:pair", args=[d.cycle.pk, d.waiting.pk, d.cora.pk]),
    ),
    ("proposal", "committee", lambda d: reverse("matching:proposal", args=[d.cycle.pk])),
    ("proposal-confirm", "committee", lambda d: reverse("matching:proposal-confirm", args=[d.cycle.pk])),
    ("pairs", "committee", lambda d: reverse("pairs:pair-list") + f"?cycle={d.cycle.pk}"),
    ("pair-create", "committee", lambda d: reverse("matching:pair-create") + f"?cycle={d.cycle.pk}"),
    ("pair-as-liaison", "committee", lambda d: reverse("pairs:pair-detail", args=[d.pair.pk])),
    ("my-pairs-liaison", "committee", lambda d: reverse("pairs:pair-mine")),
    ("pair-end", "committee", lambda d: reverse("pairs:pair-end", args=[d.pair.pk])),
    ("outbox", "committee", lambda d: reverse("outbox:email-list")),
    ("outbox-email", "committee", lambda d: reverse("outbox:email-detail", args=[d.pair.emails.order_by("pk")[0].pk])),
    ("emails", "committee", lambda d: reverse("outbox:template-list")),
    ("email-wording", "committee", lambda d: reverse("outbox:template-edit", args=["intro_mentor"])),
    (
        "email-wording-cycle",
        "committee",
        lambda d: reverse("outbox:template-edit", args=["checkin_reminder"]) + f"?cycle={d.cycle.pk}",
    ),
    ("email-restore", "committee", lambda d: reverse("outbox:template-restore", args=["intro_mentor"])),
    ("my-emails", "member", lambda d: reverse("outbox:preferences")),
    (
        "unsubscribe",
        None,
        lambda d: reverse(
            "outbox:unsubscribe", args=[unsubscribe_token(member_id=d.member.pk, kind="thanks", changes=0)]
        ),
    ),
    ("evaluations", "committee", lambda d: reverse("pairs:evaluation-summary") + f"?cycle={d.cycle.pk}"),
    ("health", "committee", lambda d: reverse("matching:health", args=[d.cycle.pk])),
    ("import", "committee", lambda d: reverse("members:import")),
    ("orientation", "committee", lambda d: reverse("pairs:orientation") + f"?cycle={d.cycle.pk}"),
    ("resources-review", "committee", lambda d: reverse("members:resource-review")),
    ("topics", "committee", lambda d: reverse("pairs:topic-list")),
    ("topics-cycle", "committee", lambda d: reverse("pairs:topic-list") + f"?cycle={d.cycle.pk}"),
    ("topic-create", "committee", lambda d: reverse("pairs:topic-create")),
    ("topic-edit", "committee", lambda d: reverse("pairs:topic-edit", args=[d.topic.pk])),
    ("topic-delete", "committee", lambda d: reverse("pairs:topic-delete", args=[d.topic.pk])),
    (
        "certificate-reissue",
        "committee",
        lambda d: reverse("pairs:certificate-reissue", args=[d.done.pk, "mentee"]),
    ),
]


# Records what the policy blocks, from before the page's own first element.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (line ${e.lineNumber})`));
"""


@pytest.fixture(scope="session")
def axe_page(browser: Browser):
    """One page for the whole file, with axe-core loaded in every document it opens."""
    context = browser.new_context()
    context.add_init_script(script=AXE_SCRIPT)
    context.add_init_script(script=CSP_LISTENER)
    yield context.new_page()
    context.close()


def sign_in(page: Page, live_server, user) -> None:
    """Give the page's context a session for the user (no trip through the login form)."""
    page.context.clear_cookies()
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"]
        page.context.add_cookies([{"name": "sessionid", "value": session.value, "url": live_server.url}])


@pytest.mark.parametrize(("who", "path"), [(who, path) for _, who, path in PAGES], ids=[p[0] for p in PAGES])
def test_page_has_no_serious_or_critical_axe_violation(axe_page: Page, live_server, committee, eager_tasks, who, path):
    data = build_site(committee)
    sign_in(axe_page, live_server, getattr(data, who) if who else None)
    url = live_server.url + path(data)
    response = axe_page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    assert axe_page.url == url, f"{url} redirected to {axe_page.url}"
    assert_accessible(axe_page)
    assert axe_page.evaluate("window.__cspViolations") == [], f"{url} breaks the Content-Security-Policy"


# The site's error pages (issue 15, item 14): (test id, who, path, status). The 500 and 400
# pages come from views of tests/urls_failing.py that fail on purpose.
ERROR_PAGES = [
    ("404", "member", lambda d: reverse("pairs:pair-detail", args=[d.pair.pk]), 404),
    ("404-visitor", None, lambda d: "/no-such-page/", 404),
    ("403", "member", lambda d: reverse("members:cycle-list"), 403),
    ("500", None, lambda d: "/test-broken/", 500),
    ("400", None, lambda d: "/test-unreadable/", 400),
]


@pytest.mark.parametrize(
    ("who", "path", "status"), [(w, p, s) for _, w, p, s in ERROR_PAGES], ids=[e[0] for e in ERROR_PAGES]
)
def test_error_page_has_no_serious_or_critical_axe_violation(
    axe_page: Page, live_server, committee, eager_tasks, settings, who, path, status
):
    settings.ROOT_URLCONF = "tests.urls_failing"
    data = build_site(committee)
    sign_in(axe_page, live_server, getattr(data, who) if who else None)
    url = live_server.url + path(data)
    response = axe_page.goto(url)
    assert response is not None and response.status == status, f"{url}: HTTP {response and response.status}"
    assert_accessible(axe_page)
    assert axe_page.evaluate("window.__cspViolations") == [], f"{url} breaks the Content-Security-Policy"
