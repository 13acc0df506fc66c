"""Importing an existing roster of members from a spreadsheet (CSV).

For an association moving from spreadsheets: one row per member, the email as the key,
so that importing the same file again creates nobody twice. The import is all or
nothing (DESIGN.md, rule 7): one bad row refuses the whole file, with the row number
and the reason, and nothing is written. `roster_preview` checks every row against the
members as they are and says what importing would do, writing nothing; `roster_import`
checks again and writes, in one transaction, one import at a time.

The import changes members' profiles only: a row that would change the account of a
committee member, a staff member or a site admin refuses the file (the committee may
view those accounts, not edit them).

Imported accounts get no usable password and an unverified email address: members
log in the first time through "Forgot your password?", which proves the address.

Why not django-import-export (used here until issue 10): its row machinery (a deep copy
of every member, a dry run that writes and rolls back, `bulk_update`'s CASE WHEN per
column) imported about 600 rows/s; the checks below need none of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Lower
from django.utils.html import format_html

from members.models import COMMITTEE_GROUP, Area, LibraryType, MembershipCategory, Region, User

log = logging.getLogger(__name__)

# The largest file the page takes, in members and in bytes. Set from `make bench`
# (README, "Figures"): a file this large is previewed, and imported, in a fraction of
# gunicorn's 30 s worker timeout. A larger file is refused before any check: split it.
MAX_ROWS = 10_000
MAX_BYTES = 2 * 1024 * 1024

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
    "Central Arkansas Library System",
    "public",
    "central",
    "staff",
    "Library Assistant",
    "circulation; reference",
    "3",
    "2024-01-15",
    "2027-01-15",
]

# The preview lists at most this many rows: a table of 20,000 rows would take seconds to
# render and megabytes to send, and nobody reads it. The counts cover every row.
PREVIEW_ROWS = 1_000


class ImportRefused(Exception):
    """The file cannot be imported; `problems` says where and why, for the committee."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    row: int | None  # as a spreadsheet numbers it: the header is row 1
    reason: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.reason}" if self.row else self.reason


@dataclass
class PreviewRow:
    row: int
    action: str  # new, updated, unchanged
    values: dict[str, str]
    changed: list[str] = field(default_factory=list)

    @property
    def shown(self) -> dict[str, str]:
        """Each value as the preview shows it: what the import changes is marked."""
        return {
            column: format_html('<mark>{}</mark><span class="visually-hidden"> (changed)</span>', value)
            if column in self.changed and value
            else value
            for column, value in self.values.items()
        }


@dataclass
class Outcome:
    counts: dict[str, int]  # new, updated, unchanged
    rows: list[PreviewRow]  # the rows the preview lists: every row, or the first PREVIEW_ROWS that change

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def not_listed(self) -> int:
        return self.total - len(self.rows)


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
    "region": _choice(Region, "region"),
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


# --- Reading the file ----------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The uploaded bytes as text: UTF-8 (with or without Excel's byte-order mark)."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([Problem(None, too_large(len(data)))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    # NUL is valid UTF-8 but never text: a UTF-16 file without a byte-order mark, or not
    # a CSV at all. The database refuses it in any column, so it is refused here.
    if text is None or "\x00" in text:
        raise ImportRefused([Problem(None, "The file is not a CSV file in UTF-8: in Excel, save it as “CSV UTF-8”.")])
    return text


def too_large(size: int) -> str:
    return (
        f"The file is {size / (1024 * 1024):.1f} MB: the limit is {MAX_BYTES // (1024 * 1024)} MB "
        f"(or {MAX_ROWS:,} members). Split it into smaller files, each with the header row."
    )


def _header(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def _names(names: Iterable[str], most: int = 5) -> str:
    """A few of a header's names, quoted and cut short: a header may hold thousands, or a long one."""
    names = list(names)
    shown = ", ".join(f"“{n[:40]}…”" if len(n) > 40 else f"“{n}”" for n in names[:most])
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")


def _check_header(raw: list[str]) -> list[str]:
    """Our column names for the file's first row, or ImportRefused. Linear in the header's size."""
    if not any(c.strip() for c in raw):
        raise ImportRefused([Problem(1, "the first row must name the columns, e.g. email, first_name, last_name")])
    headers = [_header(h) for h in raw]
    problems = []
    if len(headers) > len(COLUMNS):
        problems.append(
            Problem(1, f"the first row names {len(headers):,} columns: a roster has at most {len(COLUMNS)}")
        )
    unknown = [name for name, h in zip(raw, headers, strict=True) if h not in CLEANERS]
    if unknown:
        problems.append(Problem(1, f"unknown column {_names(unknown)}: the columns are {', '.join(COLUMNS)}"))
    repeated = sorted(h for h, n in Counter(headers).items() if n > 1 and h in CLEANERS)
    if repeated:
        problems.append(Problem(1, f"the column {', '.join(repeated)} appears more than once"))
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        problems.append(Problem(1, f"the required column {', '.join(missing)} is missing"))
    if problems:
        raise ImportRefused(problems)
    return headers


@dataclass
class Roster:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # each data row's number in the file and its cells, one per header


def read(text: str) -> Roster:
    """The file's header, as our column names, and its data rows with their numbers.

    Refuses what no row-by-row check can fix: no header, an unknown, repeated or
    missing required column, more rows than MAX_ROWS, a row with more cells than the
    header, an email twice. Blank rows (a spreadsheet's trailing ",,,,") are left out
    but keep the numbering.
    """
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise ImportRefused([Problem(None, f"The file cannot be read as CSV: {e}.")]) from None
    headers = _check_header(records[0] if records else [])
    rows = [(number, r) for number, r in enumerate(records[1:], start=2) if any(c.strip() for c in r)]
    if len(rows) > MAX_ROWS:
        raise ImportRefused(
            [
                Problem(
                    None,
                    f"The file has {len(rows):,} members: at most {MAX_ROWS:,} can be imported at once. "
                    f"Split it into files of at most {MAX_ROWS:,} rows, each with the header row.",
                )
            ]
        )
    if not rows:
        raise ImportRefused([Problem(None, "The file has no members in it, only the header.")])
    problems, rows_of_cells = [], []
    width, at = len(headers), headers.index("email")
    seen: dict[str, int] = {}
    for number, record in rows:
        if len(record) > width and any(c.strip() for c in record[width:]):
            problems.append(Problem(number, f"{len(record)} cells, but the header names {width} columns"))
            continue
        cells = (record + [""] * width)[:width]
        email = cells[at].strip().lower()
        if email and email in seen:
            problems.append(Problem(number, f"{email} is already on row {seen[email]}"))
            continue
        seen[email] = number
        rows_of_cells.append((number, cells))
    if problems:
        raise ImportRefused(problems)
    return Roster(headers, rows_of_cells)


# --- Checking the rows against the members -------------------------------------------------------


@dataclass
class Checked:
    """A row that passed every check: the member as the import leaves them."""

    number: int
    user: User
    action: str  # new, updated, unchanged
    changed: list[str]


def _comparable(value):
    # Responsibility areas are a set, whatever order the profile form saved them in.
    return sorted(value) if isinstance(value, list) else value


def _known(emails: list[str]) -> dict[str, User]:
    """The file's existing members, whatever the case of their email, in a few queries."""
    in_committee = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=COMMITTEE_GROUP)
    known = {}
    for start in range(0, len(emails), 5_000):  # within every database's limit of query parameters
        members = (
            User.objects.annotate(lower_email=Lower("email"), in_committee=Exists(in_committee))
            .filter(lower_email__in=emails[start : start + 5_000])
            .only("pk", "is_staff", "is_superuser", *COLUMNS)
        )
        known |= {u.lower_email: u for u in members}
    return known


def _privileged(user: User) -> str:
    """Whose account the import may not change: '' for a member's."""
    if user.is_superuser:
        return "a site admin"
    if user.in_committee:
        return "a member of the Mentoring Committee"
    return "a staff member" if user.is_staff else ""


def _check_row(number: int, headers: list[str], cells: list[str], known: dict[str, User]) -> Checked | Problem:
    """The member as the row leaves them, or why the row is refused."""
    values, errors = {}, {}
    for column, cell in zip(headers, cells, strict=True):
        text = cell.strip()
        try:
            if not text:
                if column in MISSING:
                    raise ValueError(MISSING[column])
                continue  # a blank cell keeps what the profile says
            values[column] = value = CLEANERS[column](text)
            for validate in VALIDATORS.get(column, ()):
                validate(value)
        except ValueError as e:
            errors[column] = str(e)
        except ValidationError as e:
            errors[column] = " ".join(e.messages)
    user = known.get(values.get("email"))
    before = {c: getattr(user, c) for c in headers} if user else {}
    if user is None:
        user = User(**values)
    else:
        for column, value in values.items():
            setattr(user, column, value)
    if user.member_since and user.expires_on and user.expires_on < user.member_since and "expires_on" not in errors:
        errors["expires_on"] = "the membership expires before the member joined"
    if errors:
        return Problem(number, "; ".join(f"{column}: {reason}" for column, reason in errors.items()))
    if not before:
        return Checked(number, user, "new", [])
    changed = [c for c in headers if _comparable(before[c]) != _comparable(getattr(user, c))]
    if changed and (who := _privileged(user)):
        return Problem(
            number,
            f"{user.email} is the account of {who}: the import may change members’ profiles only, never the "
            "account of a committee member, a staff member or a site admin. Take the row out of the file "
            "(or make it say what the profile says).",
        )
    return Checked(number, user, "updated" if changed else "unchanged", changed)


def _check(roster: Roster) -> list[Checked]:
    """Every row checked against the members as they are now, or ImportRefused with every problem."""
    at = roster.headers.index("email")
    known = _known([cells[at].strip().lower() for _, cells in roster.rows])
    results = [_check_row(number, roster.headers, cells, known) for number, cells in roster.rows]
    checked = [r for r in results if isinstance(r, Checked)]
    if problems := [r for r in results if isinstance(r, Problem)]:
        raise ImportRefused(problems)
    return checked


# --- What the committee sees, and the writing ----------------------------------------------------

LABELS = {
    "library_type": dict(LibraryType.choices),
    "region": dict(Region.choices),
    "membership_category": dict(MembershipCategory.choices),
}


def _display(user: User) -> dict[str, str]:
    values = {}
    for column in COLUMNS:
        value = getattr(user, column)
        if column in LABELS:
            value = LABELS[column].get(value, value or "")
        elif column == "responsibilities":
            value = "; ".join(Area(a).label for a in value or [] if a in Area.values)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        values[column] = "" if value is None else str(value)
    return values


def _outcome(checked: list[Checked]) -> Outcome:
    counts = Counter(c.action for c in checked)
    # A long file lists the rows that change; a short one every row, unchanged ones too.
    listed = checked if len(checked) <= PREVIEW_ROWS else [c for c in checked if c.action != "unchanged"]
    rows = [PreviewRow(c.number, c.action, _display(c.user), c.changed) for c in listed[:PREVIEW_ROWS]]
    return Outcome({a: counts[a] for a in ("new", "updated", "unchanged")}, rows)


def _update(users: list[User], columns: list[str]) -> None:
    """Write the members' `columns`: on PostgreSQL one UPDATE a thousand members.

    Why not QuerySet.bulk_update: it writes one CASE WHEN per member and column, which
    PostgreSQL evaluates for every row of a batch (quadratic) and Django builds slowly;
    the roster import spent 60% of its time there. Why not one UPDATE a member: on a
    busy machine each is a round trip to the server (3 s for 10,000 members, measured).
    """
    fields = [User._meta.get_field(c) for c in columns]
    quote = connection.ops.quote_name
    table, pk = quote(User._meta.db_table), quote(User._meta.pk.column)
    rows = [[u.pk] + [f.get_db_prep_save(getattr(u, f.attname), connection) for f in fields] for u in users]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            # SQLite (the laptop default) runs in the process: a statement a member costs no round trip.
            sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", [r[1:] + r[:1] for r in rows])
            return
        # Text is not cast to varchar(n), which would cut it: the column's own type checks its length.
        types = ["bigint"] + ["text" if isinstance(f, CharField) else f.db_type(connection) for f in fields]
        row = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
        names = ", ".join(quote(f.column) for f in fields)
        sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
        for start in range(0, len(rows), 1000):
            batch = rows[start : start + 1000]
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row] * len(batch))}) AS v(pk, {names}) "
                f"WHERE {table}.{pk} = v.pk",
                [value for r in batch for value in r],
            )


def _write(checked: list[Checked]) -> None:
    new = [c.user for c in checked if c.action == "new"]
    for user in new:
        # What set_unusable_password() writes, with one call for the randomness instead of
        # forty (a fifth of the import's time for a file of new members).
        user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
    User.objects.bulk_create(new, batch_size=1000)
    # Members whose same columns change are written together, and only those columns.
    by_columns: dict[tuple[str, ...], list[User]] = {}
    for c in checked:
        if c.action == "updated":
            by_columns.setdefault(tuple(c.changed), []).append(c.user)
    for columns, users in by_columns.items():
        _update(users, list(columns))


# An arbitrary number that names the roster import among PostgreSQL's advisory locks.
IMPORT_LOCK = 0x526F73746572  # "Roster"


def _one_import_at_a_time() -> None:
    """Wait for any other roster import to commit: the same file confirmed in two tabs at
    once is then imported once, and the second finds every member as the file says.

    Held until the transaction ends. SQLite (the laptop default) lets one transaction
    write at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def roster_preview(*, text: str) -> Outcome:
    """What importing `text` would do, row by row, without writing anything.

    Raises ImportRefused with every problem found when any row is bad.
    """
    return _outcome(_check(read(text)))


@transaction.atomic
def roster_import(*, text: str, by: User) -> Outcome:
    """Import the roster in one transaction: every row, or (ImportRefused) none."""
    roster = read(text)
    _one_import_at_a_time()
    checked = _check(roster)  # after the lock: against the members as another import left them
    try:
        with transaction.atomic():
            _write(checked)
    except IntegrityError:
        # Only a race can get here: an account with one of the file's emails created since the check.
        raise ImportRefused(
            [
                Problem(
                    None,
                    "An account with one of the file’s email addresses was created while importing. "
                    "Upload the file again to see what importing it does now.",
                )
            ]
        ) from None
    outcome = _outcome(checked)
    log.info("roster imported by %s: %s", by.pk, outcome.counts)
    return outcome


def template_csv() -> str:
    """The header and one example row, for the committee to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return out.getvalue()
