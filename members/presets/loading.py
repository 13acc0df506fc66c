"""Applying a preset to the site: every section it has, in one transaction.

A preset's file has sections (`[program]`, `[pages]`, `[[questions]]`, `[[surveys]]`,
`[[topics]]`…). Each part of the site that keeps one of them registers a loader for it:
`register("questions", ("questions",), load_questions)`. The loader takes the preset's data
and who loads it, writes through that part's own services, and returns sentences for the
person who ran the command. Members registers the settings' loader here; the apps above it
(pairs, matching) register theirs in their AppConfig.ready(), since members may not import
them. Sections no loader reads are named in the report, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from ..models import ProgramSettings, User
from ..program import program
from ..services.program import ProgramSettingsError, program_settings_save
from .files import PRESETS, PresetError, read, settings_values
from .questions import load_questions

Loader = Callable[..., list[str]]  # loader(data, *, name, by) -> sentences


@dataclass(frozen=True)
class Section:
    keys: tuple[str, ...]  # the preset's top-level keys it reads
    load: Loader


SECTIONS: dict[str, Section] = {}


def register(name: str, keys: tuple[str, ...], load: Loader) -> None:
    """Add (or replace) the loader of a part of the preset; loaders run in the order registered."""
    SECTIONS[name] = Section(keys, load)


@transaction.atomic
def preset_apply(*, name: str, by: User | None = None) -> list[str]:
    """Configure the whole program from the preset `name`, or raise PresetError and change nothing."""
    data = read(name)
    report = [f"The {name} preset: {PRESETS[name]}."]
    for section in SECTIONS.values():
        report += section.load(data, name=name, by=by)
    read_by_someone = {key for section in SECTIONS.values() for key in section.keys}
    for key in sorted(set(data) - read_by_someone):
        what = f"[[{key}]] ({len(data[key])} entries)" if isinstance(data[key], list) else f"[{key}]"
        report.append(f"Not loaded: {what}: no part of this site reads it yet; the preset keeps it for when one does.")
    return report


def load_settings(data: dict, *, name: str, by: User | None) -> list[str]:
    """[program] and [pages]: the program's settings, through the one service that saves them.

    Regions that members are in but the preset does not list are kept (with their names),
    so that applying a preset never leaves a member in a region that no longer exists.
    """
    values = settings_values(data)
    listed = {code for code, _ in values["regions"]}
    names = dict(program().regions)
    kept = []
    in_use = User.objects.exclude(region="").values_list("region").annotate(n=Count("pk")).order_by("region")
    for code, n in in_use:
        if code not in listed:
            values["regions"].append([code, names.get(code, code)])
            kept.append(f"“{names.get(code, code)}” ({code}, {n} member{'s' if n != 1 else ''})")
    try:
        saved = program_settings_save(by=by, changes=values, preset=name)
    except ProgramSettingsError as e:
        problems = "; ".join(f"{field or 'settings'}: {' '.join(m)}" for field, m in e.errors.items())
        raise PresetError(f"The {name} preset's settings are refused, nothing is changed — {problems}") from None
    changed = [str(ProgramSettings._meta.get_field(f).verbose_name) for f in saved.changed]
    report = [f"Settings: {len(changed)} changed" + (f" ({', '.join(changed)})." if changed else ".")]
    if kept:
        report.append("Regions kept because members are in them: " + ", ".join(kept) + ".")
    return report + saved.notes


register("settings", ("program", "pages"), load_settings)
register("questions", ("questions",), load_questions)
