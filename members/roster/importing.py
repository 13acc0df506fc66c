"""Checking each row against the members as they are, what the preview shows, and the writing."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Lower
from django.utils.html import format_html

from ..models import COMMITTEE_GROUP, Area, LibraryType, MembershipCategory, User
from ..program import program
from .cells import CLEANERS, COLUMNS, MISSING, VALIDATORS
from .reading import ImportRefused, Problem, Roster, read

log = logging.getLogger(__name__)

# The preview lists at most this many rows: a table of 10,000 rows would take seconds to
# render and megabytes to send, and nobody reads it. The counts cover every row.
PREVIEW_ROWS = 1_000


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
    "membership_category": dict(MembershipCategory.choices),
}


def _display(user: User) -> dict[str, str]:
    values = {}
    regions = dict(program().regions)  # the program's, as its settings name them now
    for column in COLUMNS:
        value = getattr(user, column)
        if column in LABELS:
            value = LABELS[column].get(value, value or "")
        elif column == "region":
            value = regions.get(value, value or "")
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
    the roster import spent 60% of its time there. Why not one UPDATE a member: each is
    a round trip to the server (3 s for 10,000 members on this busy 2-core machine).
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
        types = [User._meta.pk.rel_db_type(connection)]
        types += ["text" if isinstance(f, CharField) else f.db_type(connection) for f in fields]
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
