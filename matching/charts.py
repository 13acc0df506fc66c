"""The geometry of program health's charts, drawn on the server as SVG: the template
places what these functions measured. Plain values in, plain values out.

The marks a chart repeats (a bar, its labels and title, a grid line) are written here too,
each as the template's loop wrote it: through the template language, their few hundred
attributes cost more than the rest of the page's numbers (a third of its rendering).
Every text in them is escaped here, as the template escaped it."""

from __future__ import annotations

import math
import unicodedata

from django.template.defaultfilters import floatformat, pluralize
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from members.models import EnrollmentStatus, Role

from .reports import STATUSES

STATUS_COLOURS = {  # fill, text on it; the text colours keep 4.5:1 contrast on their fills
    EnrollmentStatus.WAITING: ("#f0b429", "#212529"),
    EnrollmentStatus.OFFERED: ("#9ec5fe", "#212529"),
    EnrollmentStatus.PAIRED: ("#1f4e79", "#ffffff"),
    EnrollmentStatus.COMPLETED: ("#146c43", "#ffffff"),
    EnrollmentStatus.WITHDRAWN: ("#ced4da", "#212529"),
}


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above `value`: a round top for an axis."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def checkin_chart(series: list[dict], width: int = 720, height: int = 320) -> dict:
    """Geometry of the bar chart of check-ins per pair per month (SVG user units)."""
    left, right, top, bottom = 44, 12, 22, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_ceiling(max((p["per_pair"] or 0 for p in series), default=0))
    step = plot_w / max(len(series), 1)
    bar_w = min(step * 0.62, 64)
    bars = []
    for i, point in enumerate(series):
        value = point["per_pair"] or 0
        h = round(plot_h * value / top_value, 1)
        centre = left + step * i + step / 2
        bars.append(
            {
                "x": round(centre - bar_w / 2, 1),
                "y": round(top + plot_h - h, 1),
                "width": round(bar_w, 1),
                "height": h,
                "centre": round(centre, 1),
                "value_y": round(top + plot_h - h - 6, 1),
                "point": point,
                "show_year": i == 0 or point["month"].month == 1,
                # The words the chart writes twice (its description and the bar's title), once:
                # as the template's |date:"F Y" and |floatformat:2 write them.
                "month": date_format(point["month"], "F Y"),
                "per_pair": None if point["per_pair"] is None else floatformat(point["per_pair"], 2),
            }
        )
    grid = [{"y": round(top + plot_h - plot_h * k / 4, 1), "label": f"{top_value * k / 4:g}"} for k in range(5)]
    chart = {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "baseline": top + plot_h,
        "month_y": top + plot_h + 18,
        "year_y": top + plot_h + 34,
        "bars": bars,
        "grid": grid,
    }
    return {**chart, **_checkin_marks(chart)}


def _checkin_marks(c: dict) -> dict[str, SafeString]:
    """The check-in chart's description and its marks, as templates/matching/health.html's
    loops wrote them (their indentation included): the grid's lines and labels, and each
    bar with its title, value, month and year."""
    described, grid, bars = [], [], []
    for b in c["bars"]:
        value = "no active pair" if b["per_pair"] is None else escape(b["per_pair"])
        described.append(f"{escape(b['month'])}: {value}. ")
    for i, g in enumerate(c["grid"]):
        grid.append(
            f'\n          <line x1="{c["left"]}" x2="{c["right"]}" y1="{g["y"]}" y2="{g["y"]}" '
            f'stroke="{"#6c757d" if i == 0 else "#e9ecef"}" stroke-width="1"/>'
            f'\n          <text x="{c["left"] - 8}" y="{g["y"]}" dy="4" text-anchor="end" font-size="12" '
            f'fill="#495057">{escape(g["label"])}</text>\n        '
        )
    for b in c["bars"]:
        point, month = b["point"], escape(b["month"])
        # Counts: int() here, so that no text can pass for one into the marks.
        checkins, active = int(point["checkins"]), int(point["active_pairs"])
        value = (
            ""
            if b["per_pair"] is None
            else f'<text x="{b["centre"]}" y="{b["value_y"]}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="#212529">{escape(b["per_pair"])}</text>'
        )
        year = (
            f'<text x="{b["centre"]}" y="{c["year_y"]}" text-anchor="middle" font-size="11" '
            f'fill="#6c757d">{escape(date_format(point["month"], "Y"))}</text>'
            if b["show_year"]
            else ""
        )
        bars.append(
            f'\n          <rect x="{b["x"]}" y="{b["y"]}" width="{b["width"]}" height="{b["height"]}" rx="3" '
            f'fill="#1f4e79"><title>{month}: {checkins} check-in{pluralize(checkins)}, {active} active '
            f"pair{pluralize(active)}</title></rect>\n          {value}"
            f'\n          <text x="{b["centre"]}" y="{c["month_y"]}" text-anchor="middle" font-size="12" '
            f'fill="#495057">{escape(date_format(point["month"], "M"))}</text>\n          {year}\n        '
        )
    return {
        # Safe: every text above is escape()d — escaped even if something upstream marked it
        # safe — the counts are int()s, and the rest are numbers this module computed.
        "description": mark_safe("".join(described)),  # noqa: S308
        "grid_marks": mark_safe("".join(grid)),  # noqa: S308
        "bar_marks": mark_safe("".join(bars)),  # noqa: S308
    }


def status_chart(by_role: dict, width: int = 600) -> dict:
    """Geometry of the stacked horizontal bars of enrollment statuses, one bar per role, on one scale."""
    left, right, bar_h, gap, top = 84, 44, 44, 24, 8
    plot_w = width - left - right
    largest = max((sum(c[s] for s in STATUSES) for c in by_role.values()), default=0) or 1
    rows = []
    for i, (role, label) in enumerate(((Role.MENTEE, "Mentees"), (Role.MENTOR, "Mentors"))):
        counts = by_role.get(role, {})
        y = top + i * (bar_h + gap)
        x = left
        segments = []
        for status in STATUSES:
            n = counts.get(status, 0)
            w = plot_w * n / largest
            fill, text = STATUS_COLOURS[status]
            if n:
                segments.append(
                    {
                        "x": round(x, 1),
                        "width": round(w, 1),
                        "fill": fill,
                        "text": text,
                        "n": n,
                        "label": EnrollmentStatus(status).label,
                        "centre": round(x + w / 2, 1),
                        "fits": w >= 22,
                    }
                )
            x += w
        rows.append(
            {
                "label": label,
                "y": y,
                "label_y": y + bar_h / 2 + 5,
                "segments": segments,
                "total": sum(s["n"] for s in segments),
                "total_x": round(x + 8, 1),
            }
        )
    return {"width": width, "height": top * 2 + 2 * bar_h + gap, "left": left, "bar_h": bar_h, "rows": rows}


ANSWER_FILL = "#1f4e79"  # the program's blue; the count is written beside the bar, in the text colour
LABEL_CHARS = 40  # a longer answer's label is cut (its bar's title has it whole)


def _truncated(text: str, length: int) -> str:
    """What the template filter truncatechars writes, without its cost for a label that fits
    (most do: "4", "Yes"): Truncator returns such a text as it is, once in NFC form."""
    if len(text) <= length and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(length)


def answer_chart(options: list[tuple[str, int]], width: int = 300) -> dict:
    """Geometry of a survey question's answers: one horizontal bar per answer (a scale's 1 to 5,
    yes and no, each choice), on one scale, with its count beside it. The labels sit above
    their bars, so that a long choice never squeezes the bar on a phone."""
    # Room on the right for the largest count and its share: "1,234 (100%)".
    label_h, bar_h, gap, top, right = 18, 16, 10, 4, 84
    plot_w = width - right
    largest = max((n for _label, n in options), default=0) or 1
    total = sum(n for _label, n in options)
    rows = []
    y = top
    for label, n in options:
        w = round(plot_w * n / largest, 1)
        share = round(100 * n / total) if total else 0
        rows.append(
            {
                "label": label,
                "short": _truncated(label, LABEL_CHARS),
                "n": n,
                "share": share,
                "count": f"{n} ({share}%)" if n else "0",  # beside the bar
                "label_y": y + 13,
                "bar_y": y + label_h,
                "width": max(w, 1.5) if n else 0,
                "count_x": round(w + 6, 1),
                "count_y": y + label_h + 13,
            }
        )
        y += label_h + bar_h + gap
    return {
        "width": width,
        "height": y,
        "bar_h": bar_h,
        "rows": rows,
        "fill": ANSWER_FILL,
        "marks": _answer_marks(rows, bar_h),
    }


def _answer_marks(rows: list[dict], bar_h: int) -> SafeString:
    """An answer chart's marks, as templates/matching/_survey_reports.html's loop wrote them:
    each answer's label, its bar with the answer whole in its title, and its count."""
    marks = []
    for row in rows:
        bar = (
            f'<rect x="0" y="{row["bar_y"]}" width="{row["width"]}" height="{bar_h}" rx="2" fill="{ANSWER_FILL}">'
            f"<title>{escape(row['label'])}: {int(row['n'])}</title></rect>"
            if row["width"]
            else ""
        )
        marks.append(
            f'\n                  <text x="0" y="{row["label_y"]}" font-size="13" fill="#212529">'
            f"{escape(row['short'])}</text>\n                  {bar}"
            f'\n                  <text x="{row["count_x"]}" y="{row["count_y"]}" font-size="13" fill="#212529">'
            f"{escape(row['count'])}</text>\n                "
        )
    # Safe: each label and count escape()d, even one marked safe upstream, n an int(); the rest computed numbers.
    return mark_safe("".join(marks))  # noqa: S308
