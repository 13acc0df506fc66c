"""Opening and closing a cycle's opt-ins: exactly one cycle takes opt-ins at a time."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from ..models import (
    Cycle,
    Enrollment,
    EnrollmentStatus,
)

log = logging.getLogger(__name__)


class CycleError(Exception):
    """A change of a cycle the rules refuse; the message is for the committee."""


class CycleAlreadyDone(CycleError):
    """What was asked is done already (a button pressed twice): nothing more was done."""


def _locked_cycles(cycle: Cycle) -> Cycle:
    # Lock every cycle, in key order, before switching: two committee members
    # opening different cycles at the same moment queue up instead of both
    # passing the "one open at a time" check. There is one cycle a year, so
    # locking them all is cheap. Returns a fresh copy of `cycle`.
    locked = {c.pk: c for c in Cycle.objects.select_for_update().order_by("pk")}
    if cycle.pk not in locked:
        raise CycleError("This cycle no longer exists.")
    return locked[cycle.pk]


@transaction.atomic
def cycle_open_optins(*, cycle: Cycle) -> list[Cycle]:
    """Open `cycle` for opt-ins and close whichever cycle was open, in one transaction:
    exactly one cycle takes opt-ins at a time. Returns the cycles it closed."""
    cycle = _locked_cycles(cycle)
    if cycle.is_open:
        raise CycleAlreadyDone(f"The {cycle.name} cycle is already open for opt-ins.")
    if cycle.archived_at:
        raise CycleError(f"The {cycle.name} cycle is archived: restore it from the cycles list first.")
    closed = list(Cycle.objects.open_for_optins())
    Cycle.objects.filter(pk__in=[c.pk for c in closed]).update(is_open=False)
    cycle.is_open = True
    cycle.save(update_fields=["is_open"])
    log.info("cycle %s opened for opt-ins; closed %s", cycle, ", ".join(map(str, closed)) or "none")
    return closed


@transaction.atomic
def cycle_archive(*, cycle: Cycle) -> Cycle:
    """Archive `cycle` (a test cycle, one made by mistake, one long over): it leaves every menu
    and is never a page's default cycle (Cycle.objects.chosen); restored from the cycles list.
    Refuses the cycle taking opt-ins and one with active pairs, saying why."""
    cycle = _locked_cycles(cycle)
    if cycle.archived_at:
        raise CycleAlreadyDone(f"The {cycle.name} cycle is archived already.")
    if cycle.is_open:
        raise CycleError(f"The {cycle.name} cycle is taking opt-ins: close its opt-ins before archiving it.")
    # A paired opt-in is one in an active pair (members do not read the pairs themselves).
    active = Enrollment.objects.for_cycle(cycle).mentees().filter(status=EnrollmentStatus.PAIRED).count()
    if active:
        raise CycleError(
            f"The {cycle.name} cycle has {active} active pair{'s' if active != 1 else ''}: "
            "archive it once they have completed or ended."
        )
    cycle.archived_at = timezone.now()
    cycle.save(update_fields=["archived_at"])
    log.info("cycle %s archived", cycle)
    return cycle


@transaction.atomic
def cycle_restore(*, cycle: Cycle) -> Cycle:
    """Bring an archived cycle back into the menus."""
    cycle = _locked_cycles(cycle)
    if not cycle.archived_at:
        raise CycleAlreadyDone(f"The {cycle.name} cycle is in the menus already.")
    cycle.archived_at = None
    cycle.save(update_fields=["archived_at"])
    log.info("cycle %s restored", cycle)
    return cycle


@transaction.atomic
def cycle_close_optins(*, cycle: Cycle) -> Cycle:
    """Stop taking opt-ins for `cycle`. Opt-ins already made stay as they are."""
    cycle = _locked_cycles(cycle)
    if not cycle.is_open:
        raise CycleAlreadyDone(f"Opt-ins for the {cycle.name} cycle are already closed.")
    cycle.is_open = False
    cycle.save(update_fields=["is_open"])
    log.info("cycle %s closed for opt-ins", cycle)
    return cycle
