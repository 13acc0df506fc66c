"""The controlled vocabularies (library types, categories, areas, ways to meet, roles, statuses)
and the checks of single values that every model and form of members shares. Regions are the
program's own: its settings list them (validate_region)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible

from ..program import program

# At most this many words of a search box count: each word is one more filter, and a
# pasted page of text would otherwise keep the database busy for seconds.
SEARCH_WORDS = 10


def search_words(text: str) -> list[str]:
    """The words of a search box, without NUL (PostgreSQL refuses it in any string)."""
    return text.replace("\x00", " ").split()[:SEARCH_WORDS]


def nul_refused(text: str) -> str | None:
    """Why `text` cannot be stored, when it holds a NUL (PostgreSQL refuses it in any string):
    a form's own message, for the pages that post a text as it is, not through a form."""
    try:
        ProhibitNullCharactersValidator()(text)
    except ValidationError as e:
        return e.messages[0]
    return None


def every_word_in(rows: models.QuerySet, text: str, fields: Sequence[str]) -> models.QuerySet:
    """The rows where each word of the search box `text` is in one of `fields` (any case):
    the one search of every list of the site."""
    for word in search_words(text):
        anywhere = Q()
        for field in fields:
            anywhere |= Q(**{f"{field}__icontains": word})
        rows = rows.filter(anywhere)
    return rows


# Line breaks and control characters: C0 (tab, LF, CR...), DEL, C1 (NEL...), and Unicode's
# line and paragraph separators.
_BREAKS_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


ONE_LINE = "Write this on one line: line breaks and control characters are not allowed."


def validate_one_line(value: str) -> None:
    """Names, job titles, institutions and phone numbers are one line: they go into calendar
    files, email subjects and spreadsheets, where a line break starts something else."""
    if _BREAKS_A_LINE.search(value):
        raise ValidationError(ONE_LINE, code="one_line")


def one_line(text: str) -> str:
    """`text` with each run of line breaks and control characters made a space: for what was
    stored before validate_one_line (or by a path that skips it)."""
    return _BREAKS_A_LINE.sub(" ", text).strip()


@deconstructible
class MaxTypedLength:
    """At most `limit` characters, counted as the browser's maxlength counts them as they are
    typed: a line break is one character (the browser sends two, CR LF). A free text's limit
    on its model field; forms put it on the field (maxlength) and count it as it is typed."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value: str) -> None:
        length = typed_length(value)
        if length > self.limit:
            raise ValidationError(
                f"Keep this to {self.limit:,} characters (it has {length:,}).", code="max_typed_length"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxTypedLength) and other.limit == self.limit


def typed_length(value: str) -> int:
    return len(str(value).replace("\r\n", "\n"))


class LibraryType(models.TextChoices):
    PUBLIC = "public", "Public"
    ACADEMIC = "academic", "Academic"
    SCHOOL = "school", "School"
    SPECIAL = "special", "Special"
    OTHER = "other", "Other"


def validate_region(value: str) -> None:
    """A region is one of the program's (its settings list them: Committee → Program)."""
    if value and value not in dict(program().regions):
        raise ValidationError("Choose a region from the list.")


class MembershipCategory(models.TextChoices):
    STUDENT = "student", "Student"
    STAFF = "staff", "Library staff / paraprofessional"
    LIBRARIAN = "librarian", "Librarian / professional"
    RETIRED = "retired", "Retired"
    SUPPORTER = "supporter", "Trustee, friend or supporter"


class Area(models.TextChoices):
    """The controlled list of responsibility areas matching compares."""

    ADMINISTRATION = "administration", "Administration & management"
    ACQUISITIONS = "acquisitions", "Acquisitions & collection development"
    ARCHIVES = "archives", "Archives & special collections"
    CATALOGING = "cataloging", "Cataloging & metadata"
    CIRCULATION = "circulation", "Circulation & access services"
    GOVERNMENT_DOCS = "government_docs", "Government documents"
    INSTRUCTION = "instruction", "Instruction & information literacy"
    INTERLIBRARY_LOAN = "interlibrary_loan", "Interlibrary loan"
    OUTREACH = "outreach", "Outreach & programming"
    REFERENCE = "reference", "Reference"
    SCHOOL_LIBRARY = "school_library", "School library media"
    TECHNOLOGY = "technology", "Technology & systems"
    YOUTH_SERVICES = "youth_services", "Youth & children's services"
    ADVOCACY = "advocacy", "Advocacy & marketing"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    EMAIL = "email", "Email"


def validate_areas(value: list) -> None:
    if not isinstance(value, list) or any(a not in Area.values for a in value):
        raise ValidationError("Choose responsibility areas from the list.")


def validate_meeting_modes(value: list) -> None:
    if not isinstance(value, list) or any(m not in MeetingMode.values for m in value):
        raise ValidationError("Choose ways to meet from the list.")


class Role(models.TextChoices):
    MENTEE = "mentee", "Mentee"
    MENTOR = "mentor", "Mentor"


class EnrollmentStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a match"
    # A mentee offered to a mentor who has yet to accept (cycles where the mentor accepts first).
    OFFERED = "offered", "Offered to a mentor"
    PAIRED = "paired", "Paired"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
