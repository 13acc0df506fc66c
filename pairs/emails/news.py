"""What the committee is told, right after pairing, about the introductions just written."""

from __future__ import annotations

from collections.abc import Sequence

from outbox.models import Email, EmailKind, EmailState

from ..models import Pair

INTRODUCTIONS = (EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE)


def introductions_news(pairs: Sequence[Pair]) -> tuple[bool, str]:
    """After pairing: whether all is well, and a sentence on the pairs' introductions as the
    outbox has them now — sent (tasks running in process), on their way (queued for a
    worker), waiting for another try, or failed, with the mail server's answer in plain
    words. Never "on their way" for an email the server refused."""
    rows = list(
        Email.objects.filter(pair__in=[p.pk for p in pairs], kind__in=INTRODUCTIONS)
        .order_by("pk")
        .only("to", "state", "last_error")
    )
    both = "Both introductions" if len(rows) == 2 else f"Their {len(rows)} introductions"
    failed = [e for e in rows if e.state == EmailState.FAILED]
    retrying = [e for e in rows if e.state == EmailState.PENDING and e.last_error]
    if failed:
        first = failed[0]
        who = (
            f"the introduction to {first.to}"
            if len(failed) == 1
            else f"{len(failed)} introductions (the first to {first.to})"
        )
        return False, (
            f"But {who} could not be sent: {first.answer_in_words} "
            "Check the address, then send it again from the Outbox."
        )
    if retrying:
        first = retrying[0]
        return False, (
            f"The introduction to {first.to} is not sent yet: {first.answer_in_words} It will be tried again "
            "within minutes; the Outbox shows when it goes."
        )
    if rows and all(e.state == EmailState.SENT for e in rows):
        return True, f"{both} are sent."
    return True, f"{both} are on their way."
