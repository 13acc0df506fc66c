"""The committee's exports of a cycle, as CSV or Excel: pairs, opt-ins, check-in dates
and modes (never their notes or topics), evaluations and survey answers without names
(matching/evaluations_export.py).

Each export reads columns, not models, in a fixed number of queries (one for most), and
every cell — the headings too, which hold the committee's questions — is made safe for a
spreadsheet (no formula, no character an .xlsx cannot hold).
"""

from __future__ import annotations

import json
import re

import tablib
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from members.models import Answer, Area, Cycle, CycleQuestion, Enrollment, EnrollmentStatus, MeetingMode, Role
from members.program import program
from members.questions import answer_in_words
from pairs.models import CheckIn, Pair, PairEndReason, PairStatus

from .csv_text import csv_text
from .evaluations_export import export_evaluations
from .reports import PEOPLE, ended_on, full_name, name_and_email

AREA_LABELS = dict(Area.choices)

EXPORTS = {
    "pairs": "Pairs, with names and emails",
    "enrollments": "Opt-ins (enrollments)",
    "checkins": "Check-in dates and modes",
    "evaluations": "Evaluations and survey answers, without names",
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# A cell a spreadsheet would run as a formula (CSV/formula injection): members type
# names, job titles and comments, and the committee opens the file in Excel.
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBERLIKE = re.compile(r"^[+-]?[\d\s().\-/]+$")  # phone numbers and signed numbers stay as they are


# Characters an .xlsx file cannot hold: control characters (openpyxl refuses the whole
# file) and the non-characters U+FFFE and U+FFFF (openpyxl writes them, and the file no
# longer opens). A vertical tab pasted from Word into a goal would break every export.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# The first characters of a formula a printable cell can start with (tab and CR are not printable).
_FORMULA_FIRST = frozenset("=+-@")


def _safe(value):
    if isinstance(value, str):
        # Most cells hold neither: isprintable() is false for every character _CONTROL removes,
        # and one C scan of the cell, where the two patterns are a few passes over each cell.
        if value.isprintable() and value[:1] not in _FORMULA_FIRST:
            return value
        value = _CONTROL.sub("", value)  # first: "\x01=cmd" must be seen as the formula it becomes
        if _FORMULA.match(value) and not _NUMBERLIKE.match(value):
            return "'" + value
    return value


# A cell starting as a formula can (_FORMULA's first characters) after the first, in a column's
# cells joined a line each: every cell starts a line.
_FORMULA_LINE = re.compile(r"\n[=+\-@\t\r]")


def _make_safe(rows: list[list]) -> None:
    """Every text cell of `rows` made safe (_safe), in place, a column at a time: a column whose
    cells hold no control character and start no formula (nearly every column) needs nothing
    more — a few C scans of its joined text, where a call a cell was most of the checks' time —
    and a column that does is made safe cell by cell."""
    for j, column in enumerate(zip(*rows, strict=True)):
        texts = column
        try:
            lines = "\n".join(column)
        except TypeError:  # numbers, dates, empty ratings: only text can be a formula
            texts = [v for v in column if isinstance(v, str)]
            lines = "\n".join(texts)
        # isprintable() is false for every character _CONTROL finds (and for a line break, a
        # no-break space…): _CONTROL's slower scan only for a column that fails the fast one.
        if (
            _FORMULA.match(lines)
            or _FORMULA_LINE.search(lines)
            or (not "".join(texts).isprintable() and _CONTROL.search(lines))
        ):
            for row in rows:
                if isinstance(row[j], str):
                    row[j] = _safe(row[j])


# The exports read columns (values_list), not models: a pair as models is seven objects
# (itself, its cycle, two opt-ins with their JSON fields, three members), most of the
# export's time at a few thousand rows.


def _export_pairs(cycle: Cycle) -> tuple[list[str], list[list]]:
    headers = [
        "pair",
        "mentor",
        "mentor email",
        "mentor job title",
        "mentor institution",
        "mentee",
        "mentee email",
        "mentee job title",
        "mentee institution",
        "liaison",
        "liaison email",
        "status",
        "starts on",
        "ends on",
        "ended early on",
        "why it ended",
        "end note",
        "score when paired",
        "paired by",
    ]
    statuses, reasons = dict(PairStatus.choices), dict(PairEndReason.choices)
    rows = [
        [
            p["pk"],
            *name_and_email(p, "mentor__member__"),
            p["mentor__job_title"],  # the opt-in's, as matching saw it
            p["mentor__member__institution"],
            *name_and_email(p, "mentee__member__"),
            p["mentee__job_title"],
            p["mentee__member__institution"],
            *name_and_email(p, "liaison__"),
            statuses.get(p["status"], p["status"]),
            p["starts_on"],
            p["ends_on"],
            ended_on(p["ended_at"]) if p["status"] == PairStatus.ENDED else None,
            reasons.get(p["end_category"], p["end_category"]),
            p["end_reason"],
            p["match_score"],
            full_name(p["created_by__first_name"], p["created_by__last_name"]) or p["created_by__email"] or "",
        ]
        for p in Pair.objects.for_cycle(cycle)
        .order_by("starts_on", "pk")
        .values(
            *PEOPLE,
            "status",
            "ends_on",
            "ended_at",
            "mentor__job_title",
            "mentor__member__institution",
            "mentee__job_title",
            "mentee__member__institution",
            "end_category",
            "end_reason",
            "match_score",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__email",
        )
    ]
    return headers, rows


def _export_enrollments(cycle: Cycle) -> tuple[list[str], list[list]]:
    headers = [
        "member",
        "email",
        "role",
        "status",
        "job title",
        "responsibilities",
        "other responsibilities",
        "goals",
        "capacity",
        "opted in on",
    ]
    roles, statuses = dict(Role.choices), dict(EnrollmentStatus.choices)
    here = timezone.get_current_timezone()  # once: timezone.localtime() looks it up for every row
    labels: dict[str, str] = {}  # many opt-ins name the same areas: their labels are joined once

    def areas(raw: str) -> str:
        if (text := labels.get(raw)) is None:
            text = labels[raw] = "; ".join(AREA_LABELS[a] for a in json.loads(raw) if a in AREA_LABELS)
        return text

    # The cycle's own questions, a column each (archived ones too: their answers were given),
    # read with every answer of the cycle in two queries.
    questions = list(CycleQuestion.objects.for_cycle(cycle).order_by("order", "pk"))
    headers += [q.text for q in questions]
    column = {q.pk: k for k, q in enumerate(questions)}
    answered: dict[int, list[str]] = {}
    if questions:
        for enrollment_id, question_id, value in Answer.objects.filter(question__cycle=cycle).values_list(
            "enrollment_id", "question_id", "value"
        ):
            cells = answered.setdefault(enrollment_id, [""] * len(questions))
            cells[column[question_id]] = answer_in_words(questions[column[question_id]], value)
    blank = [""] * len(questions)
    rows = [
        [
            full_name(first, last),
            email,
            roles.get(role, role),
            statuses.get(status, status),
            job_title,
            areas(responsibilities),
            other,
            goals,
            capacity,
            created_at.astimezone(here).date(),
            *answered.get(pk, blank),
        ]
        for pk, first, last, email, role, status, job_title, responsibilities, other, goals, capacity, created_at in (
            Enrollment.objects.for_cycle(cycle)
            .order_by("role", "member__last_name", "member__first_name", "pk")
            # The areas as their JSON text, decoded above once for each set of areas.
            .annotate(areas_json=Cast("responsibilities", output_field=TextField()))
            .values_list(
                "pk",
                "member__first_name",
                "member__last_name",
                "member__email",
                "role",
                "status",
                "job_title",
                "areas_json",
                "responsibilities_other",
                "goals",
                "capacity",
                "created_at",
            )
        )
    ]
    return headers, rows


def _export_checkins(cycle: Cycle) -> tuple[list[str], list[list]]:
    # Only these columns are read: the notes and topics never leave the database here.
    headers = ["pair", "mentor", "mentee", "date", "mode", "minutes"]
    modes = dict(MeetingMode.choices)
    names: dict[int, tuple[str, str]] = {}  # a pair's two names, joined once for all its check-ins

    def named(pair: int, mf: str, ml: str, ef: str, el: str) -> tuple[str, str]:
        if (both := names.get(pair)) is None:
            both = names[pair] = (full_name(mf, ml), full_name(ef, el))
        return both

    rows = [
        [pair, *named(pair, mf, ml, ef, el), met_on, modes.get(mode, mode), minutes]
        for pair, mf, ml, ef, el, met_on, mode, minutes in CheckIn.objects.filter(pair__cycle=cycle)
        .order_by("met_on", "pair_id", "pk")
        .values_list(
            "pair_id",
            "pair__mentor__member__first_name",
            "pair__mentor__member__last_name",
            "pair__mentee__member__first_name",
            "pair__mentee__member__last_name",
            "met_on",
            "mode",
            "minutes",
        )
    ]
    return headers, rows


_EXPORTERS = {
    "pairs": _export_pairs,
    "enrollments": _export_enrollments,
    "checkins": _export_checkins,
    "evaluations": export_evaluations,
}


def export_table(cycle: Cycle, what: str) -> tuple[list[str], list[list]]:
    """One of EXPORTS for a cycle: its headers and its rows, every cell made safe."""
    headers, rows = _EXPORTERS[what](cycle)
    _make_safe(rows)
    return [_safe(h) for h in headers], rows


def export_dataset(cycle: Cycle, what: str) -> tablib.Dataset:
    """One of EXPORTS for a cycle, as a table ready for Excel."""
    headers, rows = export_table(cycle, what)
    return tablib.Dataset(*rows, headers=headers, title=what.capitalize())


def export_file(cycle: Cycle, what: str, fmt: str) -> bytes:
    """The export as file contents: CSV in UTF-8 with a byte-order mark (so Excel reads accents), or .xlsx."""
    if fmt == "csv":
        # Written straight from the rows, in the dialect tablib writes: a Dataset on the way
        # checks every row and copies the whole table twice, most of a large export's time.
        headers, rows = export_table(cycle, what)
        return ("\ufeff" + csv_text([headers, *rows])).encode("utf-8")
    return export_dataset(cycle, what).export("xlsx")


def export_filename(cycle: Cycle, what: str, fmt: str) -> str:
    slug = re.sub(r"[^0-9A-Za-z]+", "-", cycle.name).strip("-") or str(cycle.pk)
    return f"{program().file_prefix}-{slug}-{what}.{fmt}"
