"""Program health (numbers and charts, every cycle side by side) and the exports."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from members.decorators import committee_required
from members.models import (
    Cycle,
    EnrollmentStatus,
    Role,
)

from .. import charts, exports, reports, survey_reports
from ._common import _cycle, _to_default_cycle

log = logging.getLogger(__name__)


@committee_required
def health_home(request: HttpRequest) -> HttpResponse:
    """The committee: the health page of the cycle taking opt-ins (else the latest)."""
    return _to_default_cycle(request, "matching:health")


@committee_required
def health(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: a cycle's health in numbers and charts, the exports, and every cycle side by side."""
    cycles = Cycle.objects.chosen()[0]  # the menu's, and the year-over-year table's
    # The cycle asked for is one of them unless it is archived (then read alone, or 404).
    cycle = next((c for c in cycles if c.pk == cycle_id), None) or _cycle(cycle_id)
    tallies = reports.Tallies.read()  # counted once for the cycle and for every cycle
    numbers = reports.cycle_health(cycle, tallies=tallies)
    years = reports.year_over_year(tallies, cycles=cycles)
    by_role = numbers["enrollments"]["by_role"]
    roles = [(Role.MENTEE, "Mentees"), (Role.MENTOR, "Mentors")]
    status_rows = [
        (s.label, charts.STATUS_COLOURS[s][0], [by_role[role][s] for role, _label in roles]) for s in EnrollmentStatus
    ]
    status_summary = " ".join(
        f"{label}: " + ", ".join(f"{s.label.lower()} {by_role[role][s]}" for s in EnrollmentStatus) + "."
        for role, label in roles
    )
    return render(
        request,
        "matching/health.html",
        {
            "cycle": cycle,
            "cycles": [row["cycle"] for row in years],
            "n": numbers,
            "role_labels": [label for _role, label in roles],
            "enrolled": [by_role[role]["enrolled"] for role, _label in roles],
            "status_rows": status_rows,
            "status_summary": status_summary,
            "evaluations": [
                ("Mentors", numbers["evaluations"][Role.MENTOR]),
                ("Mentees", numbers["evaluations"][Role.MENTEE]),
            ],
            "quiet_days": settings.CHECKIN_QUIET_DAYS,
            "checkin_chart": charts.checkin_chart(numbers["checkins"]),
            "checkin_totals": reports.monthly_totals(numbers["checkins"]),
            "status_chart": charts.status_chart(by_role),
            "years": years,
            "exports": exports.EXPORTS.items(),
            "surveys": survey_reports.survey_reports(cycle, cycles=[row["cycle"] for row in years]),
        },
    )


@committee_required
def export(request: HttpRequest, cycle_id: int, what: str, fmt: str) -> HttpResponse:
    """The committee: one of a cycle's exports as a CSV or Excel file. Never a check-in's notes or topics."""
    if what not in exports.EXPORTS or fmt not in exports.FORMATS:
        raise Http404("No such export.")
    cycle = _cycle(cycle_id)
    response = HttpResponse(exports.export_file(cycle, what, fmt), content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exports.export_filename(cycle, what, fmt)
    )
    # Personal data leaving the site: say who took it.
    log.info("export %s.%s of cycle %s by user %s", what, fmt, cycle.pk, request.user.pk)
    return response
