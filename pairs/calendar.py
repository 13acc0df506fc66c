"""The pair's milestones as an iCalendar file, for any calendar program."""

from __future__ import annotations

from django.conf import settings as django_settings
from icalendar import Calendar, Event

from members.models import one_line
from members.program import program

from .models import Milestone, Pair
from .timeline import ORIENTATION


def pair_calendar(pair: Pair, milestones: list[Milestone]) -> bytes:
    # Names are one line (members.models.validate_one_line), but not every stored row was
    # checked: a line break would end the calendar's name (icalendar leaves X- properties
    # unescaped) and break the file.
    name = one_line(str(pair))
    settings = program()
    site_url = django_settings.SITE_URL
    cal = Calendar()
    cal.add("prodid", f"-//{one_line(settings.association_name)}//{one_line(settings.program_name)}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Mentoring: {name}")
    for m in milestones:
        if m.state == "not_reached":
            continue  # the pair ended early: nothing more to put in a calendar
        event = Event()
        # Stable UIDs, so that importing the file again updates rather than duplicates.
        event.add("uid", f"pair-{pair.pk}-{m.key or m.name.lower().replace(' ', '-')}@arla-mentoring")
        event.add("summary", f"{m.name} ({name})")
        event.add("dtstamp", pair.created_at)
        event.add("dtstart", m.due_on)  # a date: an all-day event
        event.add("description", f"{settings.program_name}. Your pair page: {site_url}{pair.get_absolute_url()}")
        if m.key == ORIENTATION and pair.cycle.orientation:
            event.add("location", one_line(pair.cycle.orientation))
        cal.add_component(event)
    return cal.to_ical()
