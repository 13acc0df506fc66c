"""The orientation at the conference where the year starts: the attendance sheet the committee marks,
and the pairs with someone absent."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from arla_mentoring.lookups import Among
from arla_mentoring.paging import page_of, page_of_keys
from members.models import Cycle, User, every_word_in, search_words

from ..models import OrientationAttendance, Pair, PairStatus

log = logging.getLogger(__name__)


class OrientationError(Exception):
    """An attendance sheet the rules refuse; the message is for the committee."""


def orientation_pairs(cycle: Cycle):
    """The pairs whose members are expected at the cycle's orientation: active and completed ones."""
    return Pair.objects.for_cycle(cycle).filter(status__in=[PairStatus.ACTIVE, PairStatus.COMPLETED])


def orientation_member_ids(cycle: Cycle) -> set[int]:
    return {
        member_id
        for pair in orientation_pairs(cycle).values_list("mentor__member_id", "mentee__member_id")
        for member_id in pair
    }


@dataclass(frozen=True)
class Roster:
    """What the sheet and the absent list both read, read once: each orientation pair as
    (pair, mentor's member id, mentee's member id), by the mentee's name, and every mark."""

    pairs: list[tuple[int, int, int]]
    marks: dict[int, bool]  # member id: attended


def orientation_roster(cycle: Cycle) -> Roster:
    """The cycle's orientation pairs and marks, in two queries (two columns of ids per pair,
    a few thousand rows): the sheet's totals, roles and partners, and who was absent, are
    counted from them here rather than by PostgreSQL joining the pairs again for each."""
    pairs = list(
        orientation_pairs(cycle)
        # A pair's two opt-ins are of the pair's cycle (pair_create pairs no others). Said here,
        # it lets PostgreSQL read this cycle's opt-ins by its index, where it read every opt-in of
        # every cycle, twice, to find the pairs' members (9 ms instead of 4 at 10,000 members;
        # the more years the site holds, the more it saves).
        .filter(mentor__cycle=F("cycle"), mentee__cycle=F("cycle"))
        .order_by("mentee__member__last_name", "mentee__member__first_name", "pk")
        .values_list("pk", "mentor__member_id", "mentee__member_id")
    )
    # Unordered: the marks' default order joins every marked member only to sort them.
    marks = dict(OrientationAttendance.objects.for_cycle(cycle).order_by().values_list("member_id", "attended"))
    return Roster(pairs, marks)


def orientation_sheet(
    cycle: Cycle, *, q: str = "", page=None, per_page: int = 50, roster: Roster | None = None
) -> dict:
    """One page of the cycle's attendance sheet: its members (searched by name or email)
    with their roles, partners and mark, and the whole sheet's totals. Five queries
    however large the cycle (six with a search, which is counted), three given the roster."""
    roster = roster or orientation_roster(cycle)
    member_ids = {member for _pk, mentor, mentee in roster.pairs for member in (mentor, mentee)}
    marked = {m: came for m, came in roster.marks.items() if m in member_ids}
    # The roster has every member's id already: PostgreSQL need not find them again from the pairs.
    members = every_word_in(User.objects.filter(Among(F("pk"), member_ids)), q, ("first_name", "last_name", "email"))
    # The count is known already without a search: not counted again. The page's members
    # are loaded by their keys alone, not filtered on every member of the sheet again.
    count = None if search_words(q) else len(member_ids)
    sheet = page_of(members.order_by("last_name", "first_name", "pk"), per_page, page, count=count, load=User.objects)
    rows = {m.pk: {"member": m, "roles": [], "partners": [], "mark": marked.get(m.pk)} for m in sheet}
    partner_ids = []
    for _pk, mentor, mentee in roster.pairs:  # by the mentee's name, as the partners are listed
        for role, member, partner in (("Mentor", mentor, mentee), ("Mentee", mentee, mentor)):
            if (row := rows.get(member)) is not None:
                if role not in row["roles"]:
                    row["roles"].append(role)
                row["partners"].append(partner)
                partner_ids.append(partner)
    partners = User.objects.in_bulk(partner_ids)
    for row in rows.values():
        row["partners"] = [partners[pk] for pk in row["partners"] if pk in partners]
    return {
        "page": sheet,
        "rows": list(rows.values()),
        "everyone": len(member_ids),
        "present": sum(marked.values()),
        "unmarked": len(member_ids) - len(marked),
    }


def orientation_absent(cycle: Cycle, *, page=1, per_page: int = 50, roster: Roster | None = None):
    """A page of the cycle's pairs with someone not marked present; each pair carries
    `absent`, the members of it who did not come. Three queries, one given the roster.

    Who came is a set of ids and each pair two member ids: which pairs had someone absent
    is decided here, over a few thousand pairs, rather than by PostgreSQL joining every
    opt-in of every cycle to test each pair's two members, once to count, once for a page.
    """
    roster = roster or orientation_roster(cycle)
    came = {member for member, attended in roster.marks.items() if attended}
    absent_ids = [pk for pk, mentor, mentee in roster.pairs if not (mentor in came and mentee in came)]
    absent_page = page_of_keys(absent_ids, per_page, page, Pair.objects.with_people())
    for pair in absent_page:
        pair.absent = [member for member in (pair.mentor.member, pair.mentee.member) if member.pk not in came]
    return absent_page


@transaction.atomic
def orientation_mark(
    *,
    cycle: Cycle,
    attended_ids: Iterable[int],
    by: User,
    on_sheet: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> int:
    """Record the attendance sheet of the cycle's orientation: the members in
    `attended_ids` came, every other member on the sheet did not. The sheet is every
    member of the cycle's pairs, or only the members in `on_sheet` when the page sent
    showed some of them (one page of the sheet, a search's answer): the marks of the
    members it did not show stay as they are.

    Idempotent: saving the same sheet again changes nothing (who marked and when
    included). Refuses, changing nothing, before the orientation's day, and when the
    sheet ticks someone who is not in a pair of the cycle (a stale page). Returns
    how many marks were written or changed.
    """
    today = today or timezone.localdate()
    # Two committee members saving the sheet at the same moment queue up on the cycle.
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if today < cycle.starts_on:
        raise OrientationError(
            f"The orientation is on {cycle.starts_on:%B %-d, %Y}: attendance can be marked from that day."
        )
    expected = orientation_member_ids(cycle)
    attended = set(attended_ids)
    if attended - expected:
        raise OrientationError(
            f"Someone ticked on this sheet is no longer in a pair of the {cycle.name} cycle: "
            "reload the page and mark again. Nothing was saved."
        )
    sheet = expected if on_sheet is None else (expected & set(on_sheet)) | attended
    existing = {
        row.member_id: row for row in OrientationAttendance.objects.for_cycle(cycle).filter(member_id__in=sheet)
    }
    now = timezone.now()
    new, changed = [], []
    for member_id in sorted(sheet):
        present = member_id in attended
        row = existing.get(member_id)
        if row is None:
            new.append(
                OrientationAttendance(cycle=cycle, member_id=member_id, attended=present, marked_by=by, marked_at=now)
            )
        elif row.attended != present:
            row.attended, row.marked_by, row.marked_at = present, by, now
            changed.append(row)
    OrientationAttendance.objects.bulk_create(new)
    OrientationAttendance.objects.bulk_update(changed, ["attended", "marked_by", "marked_at"])
    log.info(
        "orientation of %s marked by %s: %s present, %s marks changed",
        cycle,
        by.pk,
        len(attended),
        len(new) + len(changed),
    )
    return len(new) + len(changed)
