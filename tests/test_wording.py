"""One wording across the site (issue 15, item 17): "Log in" and "Log out" everywhere, allauth's
pages included (never "Sign In", "sign in" or "Sign Out"), headings, buttons and labels in
sentence case ("Verify your email address", "Remember me"), and badges with a colour."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

# Proper names that keep their capitals.
NAMES = {"Mentoring Committee", "Arkansas Library", "Library Association", "Mentoring Program", "Log In"}
SIGN = re.compile(r"\bsign(?:ed)?[ -]?(?:in|out|up)\b", re.I)
# Where allauth's Title Case shows: the title, headings, buttons, labels, links styled as buttons.
SHOWN = re.compile(r"<(title|h[1-6]|button|label|legend|summary)\b[^>]*>(.*?)</\1>", re.S)

VISITOR_PAGES = [
    ("account_login", {}),
    ("account_signup", {}),
    ("account_reset_password", {}),
    ("account_reset_password_done", {}),
    ("account_reset_password_from_key", {"uidb36": "zz", "key": "not-a-real-key"}),
    ("account_reset_password_from_key_done", {}),
    ("account_confirm_email", {"key": "not-a-real-key"}),
    ("account_inactive", {}),
    ("account_email_verification_sent", {}),
]
MEMBER_PAGES = [
    ("account_logout", {}),
    ("account_email", {}),
    ("account_change_password", {}),
    ("account_reauthenticate", {}),
]


def shown_texts(html: str) -> list[str]:
    main = html.split('<main id="main"', 1)[-1] if '<main id="main"' in html else html
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    main = re.sub(r'<span class="badge[^"]*"[^>]*>.*?</span>', " · ", main, flags=re.S)  # one word each
    texts = [unescape(re.sub(r"<[^>]+>", " ", inner)) for _, inner in SHOWN.findall(main)]
    return [" ".join(t.split()) for t in texts + ([title.group(1)] if title else []) if t.strip()]


def title_case(text: str, names: set[str] = frozenset()) -> list[str]:
    """Two capitalised words in a row that are not a name: "Verify Your", "Remember Me"."""
    pairs = re.findall(r"(?=\b([A-Z][a-z]+ [A-Z][a-z]+)\b)", text)
    return [p for p in pairs if p not in NAMES | names]


def check(response, where: str, names: set[str] = frozenset()) -> None:
    assert response.status_code == 200, where
    html = response.content.decode()
    page = unescape(re.sub(r"<[^>]+>", " ", html.split("<body", 1)[-1]))
    assert not SIGN.findall(page), f"{where} says {SIGN.findall(page)}"
    for text in shown_texts(html):
        assert not title_case(text, names), f"{where}: “{text}” is in Title Case"


@pytest.mark.parametrize(("name", "kwargs"), VISITOR_PAGES, ids=[n for n, _ in VISITOR_PAGES])
def test_allauths_pages_for_visitors_say_log_in_in_sentence_case(client, name, kwargs):
    check(client.get(reverse(name, kwargs=kwargs)), name)


@pytest.mark.parametrize(("name", "kwargs"), MEMBER_PAGES, ids=[n for n, _ in MEMBER_PAGES])
def test_allauths_pages_for_members_say_log_in_in_sentence_case(client_for, member, name, kwargs):
    check(client_for(member).get(reverse(name, kwargs=kwargs)), name)


def test_logging_in_and_out_says_logged_in_and_logged_out(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}, follow=True)
    assert f"You are logged in as {member.get_full_name()}." in unescape(response.text)
    check(response, "after logging in", {member.get_full_name()})

    response = client.post(reverse("account_logout"), follow=True)
    assert "You have logged out." in response.text
    check(response, "after logging out")


def test_a_wrong_password_says_log_in_not_sign_in(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})

    check(response, "login, wrong password")


def test_one_year_of_experience_is_said_in_the_singular(db):
    """Issue 15, item 17: proper plurals in the messages ("1 years of experience")."""
    from members.models import EligibilityRules, Role, eligibility_of

    from .factories import CycleFactory

    today = timezone.localdate()
    member = {"expires_on": today + dt.timedelta(days=100), "category": "librarian", "job_title": "Librarian"}
    one = eligibility_of(
        role=Role.MENTOR, rules=EligibilityRules.of(CycleFactory(mentor_min_years=1)), years=0, today=today, **member
    )
    two = eligibility_of(
        role=Role.MENTOR,
        rules=EligibilityRules.of(CycleFactory(mentor_min_years=2, is_open=False)),
        years=1,
        today=today,
        **member,
    )

    assert "have at least 1 year of library experience" in one.reason
    assert two.short == "1 year of experience (the cycle asks 2)"


def test_the_health_page_says_of_1_mentee_paired(client_for, committee):
    from .factories import CycleFactory, EnrollmentFactory

    cycle = CycleFactory()
    EnrollmentFactory(cycle=cycle, status="paired")

    page = client_for(committee).get(reverse("matching:health", args=[cycle.pk])).text

    # One mentee enrolled: not "1 mentees". Paired as the table of statuses counts (issue 15, item 9).
    assert "1 of 1 mentee paired" in page
