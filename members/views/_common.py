"""What the members' pages share: the cycle taking opt-ins."""

from __future__ import annotations

from ..models import Cycle


def _open_cycle() -> tuple[Cycle | None, str | None]:
    cycle = Cycle.objects.open_for_optins().first()
    if cycle is None:
        return None, "No program cycle is open for opt-ins right now."
    return cycle, cycle.optin_window_state()
