"""Importing an existing roster of members from a spreadsheet (CSV).

For an association moving from spreadsheets: one row per member, the email as the key,
so that importing the same file again creates nobody twice. The import is all or
nothing (DESIGN.md, rule 7): one bad row refuses the whole file, with the row number
and the reason, and nothing is written. `roster_preview` runs the import and rolls it
back, to show what would happen; `roster_import` does it for real, in one transaction.

Imported accounts get no usable password and an unverified email address: members
log in the first time through "Forgot your password?", which proves the address.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.html import format_html
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result, RowResult

from members.models import Area, LibraryType, MembershipCategory, Region, User

log = logging.getLogger(__name__)

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
    rows: list[PreviewRow]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("new", "updated", "unchanged")}


# --- Reading one cell ----------------------------------------------------------------------
# Each widget turns a cell into a value or raises ValueError with a sentence for the
# committee. A blank cell is None: it leaves what an existing member's profile says.


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class TextWidget(widgets.Widget):
    def __init__(self, required: str = ""):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text and self.required:
            raise ValueError(f"the {self.required} is missing")
        return text or None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class EmailWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        email = _text(value).lower()
        if not email:
            raise ValueError("the email address is missing")
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(f"“{_text(value)}” is not a valid email address") from None
        return email

    def render(self, value, obj=None, **kwargs):
        return value or ""


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold())


class ChoiceWidget(widgets.Widget):
    """One of a TextChoices, written as its value or its label, in any case."""

    def __init__(self, choices, what: str):
        super().__init__()
        self.choices = choices
        self.what = what
        self.lookup = {}
        for value, label in choices.choices:
            self.lookup[_key(value)] = value
            self.lookup[_key(label)] = value

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        if (found := self.lookup.get(_key(text))) is None:
            raise ValueError(f"unknown {self.what} “{text}”: use one of {', '.join(self.choices.values)}")
        return found

    def render(self, value, obj=None, **kwargs):
        return value or ""


class AreasWidget(ChoiceWidget):
    """Responsibility areas separated by ";" or ",", each a value or a label of the controlled list."""

    def __init__(self):
        super().__init__(Area, "responsibility area")

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        found = set()
        for item in re.split(r"[;,|\n]", text):
            if item.strip():
                found.add(super().clean(item))
        return [a for a in Area.values if a in found]  # the list's order: equal sets compare equal

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value or [])


class DateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%m/%d/%Y")

    def __init__(self, what: str):
        super().__init__()
        self.what = what

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        if not text:
            return None
        for fmt in self.FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}” is not a date ({self.what}): write it as YYYY-MM-DD, e.g. 2026-09-01")

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class YearsWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        if not re.fullmatch(r"\d{1,3}(\.0+)?", text):
            raise ValueError(f"years of experience must be a whole number, not “{text}”")
        return int(float(text))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


# --- The resource ----------------------------------------------------------------------------


class EmailLoader(BaseInstanceLoader):
    """Finds the file's existing members in one query, whatever the case of their email."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        emails = {_text(e).lower() for e in dataset["email"]} if dataset is not None else set()
        self.known = {
            u.email.lower(): u for u in User.objects.annotate(lower_email=Lower("email")).filter(lower_email__in=emails)
        }

    def get_instance(self, row):
        return self.known.get(self.resource.fields["email"].clean(row))


def _field(name: str, widget: widgets.Widget) -> Field:
    # saves_null_values=False: a blank cell (None) keeps what the profile already says.
    return Field(attribute=name, column_name=name, widget=widget, saves_null_values=False)


class MemberResource(resources.ModelResource):
    email = _field("email", EmailWidget())
    first_name = _field("first_name", TextWidget(required="first name"))
    last_name = _field("last_name", TextWidget(required="last name"))
    phone = _field("phone", TextWidget())
    institution = _field("institution", TextWidget())
    library_type = _field("library_type", ChoiceWidget(LibraryType, "library type"))
    region = _field("region", ChoiceWidget(Region, "region"))
    membership_category = _field("membership_category", ChoiceWidget(MembershipCategory, "membership category"))
    job_title = _field("job_title", TextWidget())
    responsibilities = _field("responsibilities", AreasWidget())
    years_experience = _field("years_experience", YearsWidget())
    member_since = _field("member_since", DateWidget("member since"))
    expires_on = _field("expires_on", DateWidget("expires on"))

    class Meta:
        model = User
        fields = COLUMNS
        import_id_fields = ["email"]
        instance_loader_class = EmailLoader
        clean_model_instances = True  # the model's own validation too: lengths, ranges
        skip_unchanged = True
        report_skipped = True  # an unchanged row is shown as such in the preview
        store_instance = True
        skip_html_diff = True
        use_transactions = True
        # Rows are checked one by one, then written in batches: a roster of thousands
        # previews in seconds rather than minutes (every row is validated before any write).
        use_bulk = True
        batch_size = 1000

    def __init__(self, columns: list[str]):
        super().__init__()
        self.columns = columns

    def get_import_fields(self):
        # Only the file's columns: a column left out changes nothing.
        return [f for f in super().get_import_fields() if f.column_name in self.columns]

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            instance.set_unusable_password()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.member_since and instance.expires_on and instance.expires_on < instance.member_since:
            errors.setdefault("expires_on", []).append(
                ValidationError("the membership expires before the member joined")
            )
        # The email is the only unique column: EmailLoader found every existing one and
        # `read` refused repeats in the file, so the per-row uniqueness query is not needed.
        super().validate_instance(instance, errors, validate_unique=False)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or original.pk is None:
            return False
        return not _changed(self, original, instance)


def _comparable(value):
    # Responsibility areas are a set, whatever order the profile form saved them in.
    return sorted(value) if isinstance(value, list) else value


def _changed(resource: MemberResource, original: User, instance: User) -> list[str]:
    """The file's columns whose value differs between the member as they were and as imported."""
    return [
        f.column_name
        for f in resource.get_import_fields()
        if _comparable(f.get_value(original)) != _comparable(f.get_value(instance))
    ]


# --- Reading the file --------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The uploaded bytes as text: UTF-8 (with or without Excel's byte-order mark)."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([Problem(None, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    # NUL is valid UTF-8 but never text: a UTF-16 file without a byte-order mark, or not
    # a CSV at all. The database refuses it in any column, so it is refused here.
    if text is None or "\x00" in text:
        raise ImportRefused([Problem(None, "The file is not a CSV file in UTF-8: in Excel, save it as “CSV UTF-8”.")])
    return text


def _header(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def read(text: str) -> tuple[tablib.Dataset, list[int]]:
    """The file as a dataset with our column names, and each data row's number in the file.

    Refuses what no row-by-row check can fix: no header, an unknown, repeated or
    missing required column, a row with more cells than the header, an email twice.
    Blank rows (a spreadsheet's trailing ",,,,") are left out but keep the numbering.
    """
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise ImportRefused([Problem(None, f"The file cannot be read as CSV: {e}.")]) from None
    if not records or not any(c.strip() for c in records[0]):
        raise ImportRefused([Problem(1, "the first row must name the columns, e.g. email, first_name, last_name")])
    headers = [_header(h) for h in records[0]]
    problems = []
    unknown = [raw for raw, h in zip(records[0], headers, strict=True) if h not in COLUMNS]
    if unknown:
        names = ", ".join(f"“{u}”" for u in unknown)
        problems.append(Problem(1, f"unknown column {names}: the columns are {', '.join(COLUMNS)}"))
    repeated = sorted({h for h in headers if headers.count(h) > 1 and h in COLUMNS})
    if repeated:
        problems.append(Problem(1, f"the column {', '.join(repeated)} appears twice"))
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        problems.append(Problem(1, f"the required column {', '.join(missing)} is missing"))
    if problems:
        raise ImportRefused(problems)

    data = tablib.Dataset(headers=headers)
    numbers: list[int] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        if len(record) > len(headers) and any(c.strip() for c in record[len(headers) :]):
            problems.append(Problem(number, f"{len(record)} cells, but the header names {len(headers)} columns"))
            continue
        cells = (record + [""] * len(headers))[: len(headers)]
        email = cells[headers.index("email")].strip().lower()
        if email and email in seen:
            problems.append(Problem(number, f"{email} is already on row {seen[email]}"))
            continue
        seen[email] = number
        data.append(cells)
        numbers.append(number)
    if problems:
        raise ImportRefused(problems)
    if not numbers:
        raise ImportRefused([Problem(None, "The file has no members in it, only the header.")])
    return data, numbers


# --- Importing -------------------------------------------------------------------------------

LABELS = {
    "library_type": dict(LibraryType.choices),
    "region": dict(Region.choices),
    "membership_category": dict(MembershipCategory.choices),
}


def _display(resource: MemberResource, user: User) -> dict[str, str]:
    values = {}
    for f in (resource.fields[c] for c in COLUMNS):
        value = f.get_value(user)
        if f.column_name in LABELS:
            value = LABELS[f.column_name].get(value, value or "")
        elif f.column_name == "responsibilities":
            value = "; ".join(Area(a).label for a in value or [] if a in Area.values)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        values[f.column_name] = "" if value is None else str(value)
    return values


def _reason(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items())
    return " ".join(error.messages)


def _outcome(resource: MemberResource, result: Result, numbers: list[int]) -> Outcome:
    problems = [Problem(None, str(e.error)) for e in result.base_errors]
    rows = []
    for number, row in zip(numbers, result.rows, strict=True):
        if row.import_type == RowResult.IMPORT_TYPE_INVALID:
            problems.append(Problem(number, _reason(row.validation_error)))
        elif row.import_type == RowResult.IMPORT_TYPE_ERROR:
            problems.extend(Problem(number, str(e.error)) for e in row.errors)
        else:
            action = {"new": "new", "update": "updated", "skip": "unchanged"}[row.import_type]
            changed = _changed(resource, row.original, row.instance) if action == "updated" else []
            rows.append(PreviewRow(number, action, _display(resource, row.instance), changed))
    if problems:
        raise ImportRefused(problems)
    return Outcome(rows)


def _run(text: str, *, dry_run: bool) -> Outcome:
    data, numbers = read(text)
    resource = MemberResource(columns=data.headers)
    result = resource.import_data(data, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True)
    return _outcome(resource, result, numbers)


def roster_preview(*, text: str) -> Outcome:
    """What importing `text` would do, row by row, without writing anything.

    Raises ImportRefused with every problem found when any row is bad.
    """
    return _run(text, dry_run=True)


@transaction.atomic
def roster_import(*, text: str, by: User) -> Outcome:
    """Import the roster in one transaction: every row, or (ImportRefused) none."""
    outcome = _run(text, dry_run=False)
    log.info("roster imported by %s: %s", by.pk, outcome.counts)
    return outcome


def template_csv() -> str:
    """The header and one example row, for the committee to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return out.getvalue()
