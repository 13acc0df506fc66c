"""The pair's milestones as an iCalendar file, for any calendar program."""

from __future__ import annotations

from django.conf import settings
from icalendar import Calendar, Event

from .models import Milestone, Pair


def pair_calendar(pair: Pair, milestones: list[Milestone]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Arkansas Library Association//ArLA Mentoring//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Mentoring: {pair}")
    for m in milestones:
        event = Event()
        # Stable UIDs, so that importing the file again updates rather than duplicates.
        event.add("uid", f"pair-{pair.pk}-{m.name.lower().replace(' ', '-')}@arla-mentoring")
        event.add("summary", f"{m.name} ({pair})")
        event.add("dtstamp", pair.created_at)
        event.add("dtstart", m.due_on)  # a date: an all-day event
        event.add(
            "description", f"ArLA Mentoring Program. Your pair page: {settings.SITE_URL}{pair.get_absolute_url()}"
        )
        if m.name.startswith("Orientation") and pair.cycle.orientation:
            event.add("location", pair.cycle.orientation)
        cal.add_component(event)
    return cal.to_ical()
