"""The presets' files, `members/presets/<name>.toml`, read as plain values (no database).

A preset is one program's whole configuration in the words of its seed document:
`[program]` (names, conference and orientation, lengths, who may take part, commitments,
regions, the emails' sender name) and `[pages]` (the program pages' Markdown), then the
sections that other parts of the site load (`[[questions]]`, `[[surveys]]`, `[[topics]]`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> what it is, for the command's help and its messages.
PRESETS = {
    "arla": "the Arkansas Library Association's Mentoring Program (seeds/000_431582bd728ffa67.txt)",
    "llama": "the ALA/LLAMA Mentoring Program (seeds/003_b48eb22318d5bfb3.txt)",
}

# [program]'s keys are the settings' field names; [pages]' keys name the pages.
PROGRAM_KEYS = (
    "association_name",
    "association_short_name",
    "program_name",
    "committee_name",
    "committee_chair",
    "conference_name",
    "orientation_name",
    "orientation_month",
    "orientation_text",
    "default_length_months",
    "min_length_months",
    "max_length_months",
    "mentee_categories",
    "mentor_categories",
    "mentor_min_years",
    "nonmember_may_apply",
    "nonmember_agreement",
    "email_sender_name",
    "commitments",
    "regions",
)
PAGE_KEYS = {"home": "page_home", "mentor": "page_mentor", "mentee": "page_mentee"}


class PresetError(Exception):
    """A preset that cannot be loaded; the message says which and why."""


def read(name: str) -> dict:
    """The preset `name` as TOML's plain values."""
    if name not in PRESETS:
        raise PresetError(f"There is no preset “{name}”: choose {' or '.join(PRESETS)}.")
    with (HERE / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


def settings_values(data: dict) -> dict:
    """[program] and [pages] as the program settings' field values, every one of them: a
    preset configures the whole program, so a key left out (or misspelt) is an error, not
    an old value kept."""
    program, pages = data.get("program", {}), data.get("pages", {})
    problems = []
    if missing := [k for k in PROGRAM_KEYS if k not in program]:
        problems.append(f"[program] lacks {', '.join(missing)}")
    if unknown := sorted(set(program) - set(PROGRAM_KEYS)):
        problems.append(f"[program] has unknown keys {', '.join(unknown)}")
    if missing := [k for k in PAGE_KEYS if k not in pages]:
        problems.append(f"[pages] lacks {', '.join(missing)}")
    if unknown := sorted(set(pages) - set(PAGE_KEYS)):
        problems.append(f"[pages] has unknown keys {', '.join(unknown)}")
    if problems:
        raise PresetError("; ".join(problems) + ".")
    values = {k: program[k] for k in PROGRAM_KEYS}
    try:
        values["regions"] = [[str(r["code"]), str(r["name"])] for r in program["regions"]]
    except (TypeError, KeyError):
        raise PresetError('[program] regions: write each as { code = "…", name = "…" }.') from None
    for key, field in PAGE_KEYS.items():
        values[field] = pages[key].strip()
    values["orientation_text"] = str(values["orientation_text"]).strip()
    return values
