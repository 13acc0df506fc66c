"""Saving the program's settings: the one way they change (the Program page, the presets).

What the settings say alone, the model checks (ProgramSettings.clean and its validators);
what needs the members, this does: a region members are in cannot disappear, and settings
under which no current member could be a mentee (or a mentor) are refused. After the
transaction commits, every process is told (members.program.publish).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .. import program as program_module
from ..models import (
    SETTINGS_FIELDS,
    EligibilityRules,
    MembershipCategory,
    ProgramSettings,
    Role,
    User,
    eligibility_of,
)
from ..program import Program, preset_defaults

log = logging.getLogger(__name__)


class ProgramSettingsError(Exception):
    """Settings the rules refuse; `errors` maps each field to its sentences (None: the whole form)."""

    def __init__(self, errors: dict[str | None, list[str]]):
        self.errors = errors
        super().__init__(" ".join(m for messages in errors.values() for m in messages))


@dataclass(frozen=True)
class SettingsSaved:
    settings: Program
    changed: list[str]  # the fields whose value changed
    notes: list[str] = field(default_factory=list)  # what the change means for members, in words


@transaction.atomic
def program_settings_save(
    *, by: User | None, changes: dict, expected_version: int | None = None, preset: str = ""
) -> SettingsSaved:
    """Change the settings named in `changes` (the others stay) and raise their version.

    `expected_version` is the version the editor's page showed: if someone saved since,
    nothing is saved (their changes would be overwritten unseen). `preset` records which
    preset the values come from.
    """
    if unknown := set(changes) - set(SETTINGS_FIELDS):
        raise TypeError(f"not settings: {sorted(unknown)}")
    ProgramSettings.objects.get_or_create(pk=ProgramSettings.ONE, defaults=preset_defaults().stored())
    row = ProgramSettings.objects.select_for_update().get(pk=ProgramSettings.ONE)
    changes = _in_order(changes)
    before = row.values()
    if all(before[name] == value for name, value in changes.items()) and preset in ("", row.preset):
        # Nothing to do (a second press of the same button, a page saved unchanged): no new version.
        return SettingsSaved(settings=Program.from_values(before, version=row.version, preset=row.preset), changed=[])
    if expected_version is not None and expected_version != row.version:
        raise ProgramSettingsError(
            {
                None: [
                    "Someone saved the program settings while you were editing them: nothing of yours is "
                    "saved. The page now shows theirs; make your changes again."
                ]
            }
        )
    for name, value in changes.items():
        setattr(row, name, value)
    try:
        row.full_clean(exclude=["updated_by"])
    except ValidationError as e:
        raise ProgramSettingsError(e.message_dict) from None
    errors, notes = _members_check(before, row.values())
    if errors:
        raise ProgramSettingsError(errors)
    changed = [name for name in SETTINGS_FIELDS if before[name] != getattr(row, name)]
    row.version += 1
    if preset:
        row.preset = preset
    row.updated_by = by
    row.save()
    version = row.version
    # Once committed, every process (this one at once) reads the new row; a rollback leaves
    # them all with the settings as they were.
    transaction.on_commit(lambda: program_module.publish(version))
    log.info("program settings version %s saved by %s: %s", version, by and by.pk, ", ".join(changed) or "no change")
    return SettingsSaved(
        settings=Program.from_values(row.values(), version=version, preset=row.preset), changed=changed, notes=notes
    )


def _in_order(changes: dict) -> dict:
    """Categories in the list's own order, so that ticking the same ones is no change."""
    order = {c: i for i, c in enumerate(MembershipCategory.values)}
    for name in ("mentee_categories", "mentor_categories"):
        if isinstance(changes.get(name), list | tuple):
            changes = {**changes, name: sorted(changes[name], key=lambda c: order.get(c, len(order)))}
    return changes


def _members_check(before: dict, after: dict) -> tuple[dict[str, list[str]], list[str]]:
    """What the members make of a change: refusals, and notes for the committee."""
    errors: dict[str, list[str]] = {}
    notes: list[str] = []
    kept = {code for code, _ in after["regions"]}
    gone = {code: name for code, name in before["regions"] if code not in kept}
    if gone:
        in_use = User.objects.filter(region__in=gone).values_list("region").annotate(n=Count("pk")).order_by("region")
        for code, n in in_use:
            errors.setdefault("regions", []).append(
                f"{n} member{'s are' if n != 1 else ' is'} in “{gone[code]}” (code {code}): keep that code "
                "(you may rename the region), or move them to another region first."
            )
    today = timezone.localdate()
    could, can = who_could_take_part(before, today), who_could_take_part(after, today)
    for role, words, fields in (
        (Role.MENTEE, "a mentee", "mentee_categories"),
        (Role.MENTOR, "a mentor", "mentor_categories"),
    ):
        if could[role] and not can[role]:
            errors.setdefault(fields, []).append(
                f"With these settings no current member could be {words} ({could[role]} can today): "
                f"check who may be {words}" + (" and the mentors' minimum years." if role == Role.MENTOR else ".")
            )
        elif can[role] < could[role]:
            lost = could[role] - can[role]
            notes.append(
                f"{lost} current member{'s' if lost != 1 else ''} who could opt in as {words} before cannot now; "
                "opt-ins already made stay as they are."
            )
    return errors, notes


def who_could_take_part(values: dict, today: dt.date | None = None) -> dict[str, int]:
    """How many current members (with a job title) the settings `values` let opt in, per role.

    The members are read grouped by category and years, a few rows whatever their number,
    and each group is put to the one eligibility rule (members.models.eligibility_of)
    with a new cycle's threshold: the settings' own.
    """
    today = today or timezone.localdate()
    rules = EligibilityRules(
        cycle_name="new",
        mentee_categories=frozenset(values["mentee_categories"]),
        mentor_categories=frozenset(values["mentor_categories"]),
        mentor_min_years=values["mentor_min_years"],
        nonmember_may_apply=values["nonmember_may_apply"],
        program_name=values["program_name"],
    )
    groups = (
        User.objects.filter(is_active=True, expires_on__gte=today)
        .exclude(Q(job_title="") | Q(membership_category=""))
        .values_list("membership_category", "years_experience")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {Role.MENTEE: 0, Role.MENTOR: 0}
    for category, years, n in groups:
        for role in counts:
            verdict = eligibility_of(
                role=role,
                rules=rules,
                expires_on=today,
                category=category,
                years=years,
                job_title="(has one)",
                today=today,
            )
            counts[role] += n if verdict.ok else 0
    return counts
