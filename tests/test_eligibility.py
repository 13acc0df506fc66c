"""Who may opt in as what (DESIGN.md), under the program's settings: no database needed."""

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pytest

from members.models import Cycle, EligibilityRules, Role, User, eligibility

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
# ArLA's settings: mentees students, staff or librarians; mentors staff, librarians or retired.
RULES = EligibilityRules(
    cycle_name="2027–28",
    mentee_categories=frozenset({"student", "staff", "librarian"}),
    mentor_categories=frozenset({"staff", "librarian", "retired"}),
    mentor_min_years=5,
    program_name="ArLA Mentoring Program",
)


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
            "Mentors in the ArLA Mentoring Program come from these membership categories: Library staff / "
            "paraprofessional; Librarian / professional; Retired. Yours (Student) is not one of them",
        ),
        ({"membership_category": "supporter"}, Role.MENTOR, False, "Yours (Trustee, friend or supporter) is not one"),
        ({"membership_category": "student", "years_experience": 0}, Role.MENTEE, True, ""),
        ({"membership_category": "staff", "years_experience": 1}, Role.MENTEE, True, ""),
        (
            {"membership_category": "retired"},
            Role.MENTEE,
            False,
            "Mentees in the ArLA Mentoring Program come from these membership categories: Student;",
        ),
        ({"membership_category": "supporter"}, Role.MENTEE, False, "Yours (Trustee, friend or supporter) is not one"),
        ({"expires_on": TODAY - dt.timedelta(days=1)}, Role.MENTEE, False, "current members"),
        ({"expires_on": None}, Role.MENTOR, False, "current members"),
        ({"expires_on": TODAY}, Role.MENTEE, True, ""),  # the last day still counts
        ({"job_title": ""}, Role.MENTEE, False, "job title"),
    ],
)
def test_eligibility(fields, role, ok, reason):
    verdict = eligibility(person(**fields), CYCLE, role, TODAY, rules=RULES)

    assert verdict.ok is ok
    assert reason in verdict.reason


def test_the_experience_threshold_is_the_cycles():
    strict = Cycle(name="strict", mentor_min_years=12)
    settings = SimpleNamespace(
        mentee_categories=("student",),
        mentor_categories=("librarian",),
        nonmember_may_apply=False,
        program_name="P",
    )
    rules = EligibilityRules.of(strict, settings)

    assert not eligibility(person(years_experience=10), strict, Role.MENTOR, TODAY, rules=rules).ok
    assert eligibility(person(years_experience=12), strict, Role.MENTOR, TODAY, rules=rules).ok


def test_the_categories_are_the_programs():
    llama = replace(RULES, mentee_categories=frozenset({"librarian"}), mentor_categories=frozenset({"retired"}))

    assert not eligibility(person(membership_category="student"), CYCLE, Role.MENTEE, TODAY, rules=llama).ok
    assert eligibility(person(membership_category="librarian"), CYCLE, Role.MENTEE, TODAY, rules=llama).ok
    assert not eligibility(person(), CYCLE, Role.MENTOR, TODAY, rules=llama).ok
    assert eligibility(person(membership_category="retired"), CYCLE, Role.MENTOR, TODAY, rules=llama).ok
    verdict = eligibility(person(), CYCLE, Role.MENTOR, TODAY, rules=llama)
    assert verdict.reason.startswith(
        "Mentors in the ArLA Mentoring Program come from these membership categories: Retired."
    )


@pytest.mark.parametrize("expires_on", [None, TODAY - dt.timedelta(days=1)])
def test_a_non_member_may_apply_by_agreeing_to_join_only_where_the_program_says_so(expires_on):
    outsider = person(expires_on=expires_on)
    open_to_all = replace(RULES, nonmember_may_apply=True)

    assert (
        "current members" in eligibility(outsider, CYCLE, Role.MENTEE, TODAY, rules=RULES, agrees_to_join=True).reason
    )
    refused = eligibility(outsider, CYCLE, Role.MENTEE, TODAY, rules=open_to_all)
    assert not refused.ok and "accept the agreement to join" in refused.reason
    assert eligibility(outsider, CYCLE, Role.MENTEE, TODAY, rules=open_to_all, agrees_to_join=True).ok
    # Agreeing stands for membership, not for the rest of the rule.
    assert not eligibility(
        person(expires_on=expires_on, years_experience=2),
        CYCLE,
        Role.MENTOR,
        TODAY,
        rules=open_to_all,
        agrees_to_join=True,
    ).ok


def test_an_opt_in_already_made_is_held_to_what_can_change_about_its_member_not_to_new_categories():
    made = replace(RULES, mentor_categories=frozenset({"librarian"})).for_optins_made()

    assert eligibility(person(membership_category="retired"), CYCLE, Role.MENTOR, TODAY, rules=made).ok
    assert not eligibility(person(years_experience=3), CYCLE, Role.MENTOR, TODAY, rules=made).ok
    assert not eligibility(person(expires_on=TODAY - dt.timedelta(days=1)), CYCLE, Role.MENTOR, TODAY, rules=made).ok
    agreed = eligibility(person(expires_on=None), CYCLE, Role.MENTOR, TODAY, rules=made, agrees_to_join=True)
    assert agreed.ok


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
