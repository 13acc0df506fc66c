"""Reading the uploaded file: its size, encoding, header and rows, before any member is looked at."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .cells import ALIASES, CLEANERS, COLUMNS, REQUIRED

# The largest file the page takes, in members and in bytes. Set from `make bench`
# (README, "Figures"): a file this large is previewed, and imported, in a fraction of
# gunicorn's 30 s worker timeout. A larger file is refused before any check: split it.
MAX_ROWS = 10_000
MAX_BYTES = 2 * 1024 * 1024


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
