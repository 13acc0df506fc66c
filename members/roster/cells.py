"""A roster's columns, and reading one cell of each: the values the import writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_email

from ..models import Area, LibraryType, MembershipCategory, User
from ..program import program

COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "phone",
    "institution",
    "library_type",
    "region",
    "membership_category",
    "job_title",
    "responsibilities",
    "years_experience",
    "member_since",
    "expires_on",
]
REQUIRED = ["email", "first_name", "last_name"]
# Other spellings a spreadsheet's header may use, after lower-casing and turning spaces into "_".
ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "first": "first_name",
    "last": "last_name",
    "surname": "last_name",
    "joined": "member_since",
    "expires": "expires_on",
    "years_of_experience": "years_experience",
    "category": "membership_category",
}

TEMPLATE_EXAMPLE = [
    "jane.doe@example.org",
    "Jane",
    "Doe",
    "501-555-0100",
    "Main Street Public Library",
    "public",
    "",  # the program's first region (template_csv)
    "staff",
    "Library Assistant",
    "circulation; reference",
    "3",
    "2024-01-15",
    "2027-01-15",
]


# --- Reading one cell ----------------------------------------------------------------------------
# Each cleaner turns a cell's text (stripped, never blank) into a value, or raises
# ValueError with a sentence for the committee. A blank cell leaves the profile as it is.


def _email(text: str) -> str:
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError(f"“{text}” is not a valid email address") from None
    return text.lower()


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold())


def _choice(choices, what: str) -> Callable[[str], str]:
    """One of a TextChoices, written as its value or its label, in any case."""
    lookup = {_key(v): v for v in choices.values} | {_key(label): v for v, label in choices.choices}

    def clean(text: str) -> str:
        if (found := lookup.get(_key(text))) is None:
            raise ValueError(f"unknown {what} “{text}”: use one of {', '.join(choices.values)}")
        return found

    return clean


def _region(text: str) -> str:
    """One of the program's regions (its settings list them), as its code or its name, in any case."""
    regions = program().regions
    lookup = {_key(code): code for code, _ in regions} | {_key(name): code for code, name in regions}
    if (found := lookup.get(_key(text))) is None:
        raise ValueError(f"unknown region “{text}”: use one of {', '.join(code for code, _ in regions)}")
    return found


_area = _choice(Area, "responsibility area")
AREAS = Area.values  # Area.values builds a new list at every call


def _areas(text: str) -> list[str]:
    """Responsibility areas separated by ";" or ",", each a value or a label of the controlled list."""
    found = {_area(item.strip()) for item in re.split(r"[;,|\n]", text) if item.strip()}
    return [a for a in AREAS if a in found]  # the list's order: equal sets compare equal


def _date(what: str) -> Callable[[str], dt.date]:
    def clean(text: str) -> dt.date:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):  # the usual spelling, ten times faster than strptime
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}” is not a date ({what}): write it as YYYY-MM-DD, e.g. 2026-09-01")

    return clean


def _years(text: str) -> int:
    if not re.fullmatch(r"\d{1,3}(\.0+)?", text):
        raise ValueError(f"years of experience must be a whole number, not “{text}”")
    return int(float(text))


CLEANERS: dict[str, Callable[[str], object]] = {
    "email": _email,
    "first_name": str,
    "last_name": str,
    "phone": str,
    "institution": str,
    "library_type": _choice(LibraryType, "library type"),
    "region": _region,
    "membership_category": _choice(MembershipCategory, "membership category"),
    "job_title": str,
    "responsibilities": _areas,
    "years_experience": _years,
    "member_since": _date("member since"),
    "expires_on": _date("expires on"),
}
# What a blank cell of a required column says.
MISSING = {
    "email": "the email address is missing",
    "first_name": "the first name is missing",
    "last_name": "the last name is missing",
}
# The model's own checks of each column (lengths, ranges) that the cleaners do not make:
# not the address's nor the areas' again (a third of the checks' time).
VALIDATORS = {
    c: [v for v in User._meta.get_field(c).validators if not isinstance(v, EmailValidator)]
    for c in COLUMNS
    if c != "responsibilities"
}


def template_csv() -> str:
    """The header and one example row, for the committee to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    region = COLUMNS.index("region")
    writer.writerow([program().regions[0][0] if i == region else cell for i, cell in enumerate(TEMPLATE_EXAMPLE)])
    return out.getvalue()
