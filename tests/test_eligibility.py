"""Who may opt in as what (DESIGN.md): no database needed."""

import datetime as dt

import pytest

from members.models import Cycle, Role, User, eligibility

TODAY = dt.date(2027, 3, 1)


def person(**fields):
    defaults = {
        "job_title": "Reference Librarian",
        "membership_category": "librarian",
        "years_experience": 10,
        "expires_on": TODAY + dt.timedelta(days=100),
    }
    return User(**{**defaults, **fields})


CYCLE = Cycle(name="2027–28", mentor_min_years=5)


@pytest.mark.parametrize(
    ("fields", "role", "ok", "reason"),
    [
        ({}, Role.MENTOR, True, ""),
        ({"years_experience": 5}, Role.MENTOR, True, ""),
        ({"years_experience": 4}, Role.MENTOR, False, "at least 5 years"),
        ({"years_experience": None}, Role.MENTOR, False, "your profile says 0"),
        ({"membership_category": "retired", "years_experience": 30}, Role.MENTOR, True, ""),
        (
            {"membership_category": "student", "years_experience": 12},
            Role.MENTOR,
            False,
            "seasoned library professionals",
        ),
        ({"membership_category": "supporter"}, Role.MENTOR, False, "seasoned library professionals"),
        ({"membership_category": "student", "years_experience": 0}, Role.MENTEE, True, ""),
        ({"membership_category": "staff", "years_experience": 1}, Role.MENTEE, True, ""),
        ({"membership_category": "retired"}, Role.MENTEE, False, "library staff or students"),
        ({"membership_category": "supporter"}, Role.MENTEE, False, "library staff or students"),
        ({"expires_on": TODAY - dt.timedelta(days=1)}, Role.MENTEE, False, "current members"),
        ({"expires_on": None}, Role.MENTOR, False, "current members"),
        ({"expires_on": TODAY}, Role.MENTEE, True, ""),  # the last day still counts
        ({"job_title": ""}, Role.MENTEE, False, "job title"),
    ],
)
def test_eligibility(fields, role, ok, reason):
    verdict = eligibility(person(**fields), CYCLE, role, TODAY)

    assert verdict.ok is ok
    assert reason in verdict.reason


def test_the_experience_threshold_is_the_cycles():
    strict = Cycle(name="strict", mentor_min_years=12)

    assert not eligibility(person(years_experience=10), strict, Role.MENTOR, TODAY).ok
    assert eligibility(person(years_experience=12), strict, Role.MENTOR, TODAY).ok


def test_renewing_early_adds_a_year_to_the_expiry_and_late_counts_from_today():
    early = person(expires_on=dt.date(2027, 4, 1))
    early.renew_term(TODAY)
    late = person(expires_on=dt.date(2027, 1, 1))
    late.renew_term(TODAY)
    leap = person(expires_on=None, member_since=None)
    leap.start_term(dt.date(2028, 2, 29))

    assert early.expires_on == dt.date(2028, 4, 1)
    assert late.expires_on == dt.date(2028, 3, 1)
    assert leap.expires_on == dt.date(2029, 2, 28)
