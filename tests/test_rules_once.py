"""Each rule of the program has one home, and the code asks it there.

A rule written twice drifts (the second copy is the one that goes wrong): these read the
source for the shapes the old copies had, so that a new copy fails here instead.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("arla_mentoring", "outbox", "members", "pairs", "matching")

# rule: (what a copy of it looks like, the one file allowed to hold it)
RULES = {
    "who may take part (eligibility)": (
        # "x in …mentee_categories" is the check; "for x in …" lists them (the program pages do).
        r"(?<!for )\b\w+\s+(?:not\s+)?in\s+[\w.]*(?:mentee|mentor)_categories"
        r"|[<>]=?\s*\w*\.?mentor_min_years|MENTOR_CATEGORIES",
        "members/models/enrollments.py",
    ),
    "still taking part (waiting or paired)": (
        r"^TAKING_PART\s*=|WITHDRAWN,\s*EnrollmentStatus\.COMPLETED|COMPLETED,\s*EnrollmentStatus\.WITHDRAWN"
        r"|[\"']withdrawn[\"'],\s*[\"']completed[\"']",
        "members/models/enrollments.py",
    ),
    "is on the committee": (
        r"def runs_program|is_superuser\s+or\b|\bor\s+\w+\.is_superuser|is_committee",
        "members/models/people.py",
    ),
    "who may liaise": (r"groups__name\s*=", "members/models/people.py"),
    "which cycle a page shows": (
        r"def chosen\(|for c in cycles if c\.is_open|is_open=True\)\.first\(\)",
        "members/models/cycles.py",
    ),
    "the closing evaluation is open": (
        r"[<>]=?\s*\w*\.?evaluation_opens_on|evaluation_opens_on\s*[<>]",
        "pairs/models.py",
    ),
    "the profile's fields": (r"^PROFILE_FIELDS\s*=", "members/models/people.py"),
    "ending a pair": (r"\w\.status\s*=\s*PairStatus\.ENDED|PairStatus\.ENDED,\s*now", "pairs/services/_shared.py"),
    # `def send_mail(` is allauth's hook, which members/accounts.py overrides to write to the
    # outbox: defining it sends nothing; calling one (`super().send_mail(`) would.
    # A text a page posts as it is, not through a form (a decline's reason): no NUL, which
    # PostgreSQL refuses in any string (forms refuse it themselves).
    "a posted text holds no NUL": (r"ProhibitNullCharactersValidator\(", "members/models/values.py"),
    "sending an email": (r"EmailMultiAlternatives\(|(?<!def )send_mail\(|\.send\(\)", "outbox/services/sending.py"),
}


def sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            # Not migrations (history), nor a package's __init__ (it re-exports names, writes no rule).
            if "migrations" not in path.parts and not (path.name == "__init__.py" and path.parent.name == "models"):
                yield path.relative_to(ROOT).as_posix(), path.read_text()
    for path in (ROOT / "templates").rglob("*.html"):
        yield path.relative_to(ROOT).as_posix(), path.read_text()


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_is_written_in_one_place(rule):
    pattern, home = RULES[rule]
    found = {path for path, text in sources() if re.search(pattern, text, re.MULTILINE)}

    assert home in found, f"{rule}: its home {home} no longer holds it — update this table"
    assert found == {home}, f"{rule} is written again in {sorted(found - {home})}: ask {home} instead"
