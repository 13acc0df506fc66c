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
column) imported about 600 rows/s; the checks here need none of it.
"""

from .cells import ALIASES, COLUMNS, REQUIRED, template_csv
from .importing import Outcome, PreviewRow, roster_import, roster_preview
from .reading import MAX_BYTES, MAX_ROWS, ImportRefused, Problem, decode, read, too_large

__all__ = [
    "ALIASES",
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "ImportRefused",
    "Outcome",
    "PreviewRow",
    "Problem",
    "decode",
    "read",
    "roster_import",
    "roster_preview",
    "template_csv",
    "too_large",
]
