"""The program's settings as every page, email and rule reads them: `program()`.

The committee keeps them on *Committee → Program* (one `ProgramSettings` row, saved only by
`members.services.program.program_settings_save`); before anyone has saved them, the
`arla` preset's values stand in, so that a site upgraded from the days of hard-coded words
reads as it did. Ask `program()`, never write a name into a template or a message.

Reading them costs a page no database query: each process holds the last row it read,
with the row's version number. The saving service publishes the new version in Django's
cache when its transaction commits (Redis in production, shared by every web and worker
process); a process compares its copy's version with the published one at most once a
second and re-reads the row when they differ — or when the cache has lost the number
(Redis restarted), since then it cannot know; a process that finds a newer row than the
cache says (saved while Redis was away) publishes its version again. Without Redis
(`make run`) the cache is the process's own: a `program_preset` run from another shell
shows after a restart.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from dataclasses import dataclass, fields

from django.core.cache import cache

from .presets import files as preset_files

VERSION_KEY = "program-settings-version"
# How long a process trusts its copy without asking the cache: other processes see a
# change within this, and a page that asks program() many times asks the cache once.
RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Program:
    """The settings, frozen as they were read (one row, or the arla preset's values)."""

    association_name: str
    association_short_name: str
    program_name: str
    committee_name: str
    committee_chair: str  # may be empty: the certificates then name the committee alone
    conference_name: str
    email_sender_name: str
    orientation_name: str
    orientation_month: int
    orientation_text: str  # Markdown (outbox.markup)
    default_length_months: int
    min_length_months: int
    max_length_months: int
    mentee_categories: tuple[str, ...]
    mentor_categories: tuple[str, ...]
    mentor_min_years: int  # the default of a new cycle; each cycle keeps its own
    nonmember_may_apply: bool
    nonmember_agreement: str
    commitments: tuple[str, ...]
    regions: tuple[tuple[str, str], ...]  # (code stored on the profile, name shown)
    page_home: str  # Markdown
    page_mentor: str
    page_mentee: str
    version: int = 0  # 0: nothing saved yet, the arla preset's values
    preset: str = ""  # the preset last loaded, if any

    @classmethod
    def from_values(cls, values: dict, *, version: int = 0, preset: str = "") -> Program:
        own = {f.name for f in fields(cls)} - {"version", "preset"}
        v = {name: values[name] for name in own}
        for name in ("mentee_categories", "mentor_categories", "commitments"):
            v[name] = tuple(v[name])
        v["regions"] = tuple((str(code), str(label)) for code, label in v["regions"])
        return cls(**v, version=version, preset=preset)

    def stored(self) -> dict:
        """The settings as the row stores them (lists where this holds tuples)."""

        def plain(value):
            return [plain(v) for v in value] if isinstance(value, tuple) else value

        return {f.name: plain(getattr(self, f.name)) for f in fields(self) if f.name not in ("version", "preset")}

    @property
    def lengths(self) -> range:
        """The pair lengths the program allows, in months."""
        return range(self.min_length_months, self.max_length_months + 1)

    @property
    def length_in_words(self) -> str:
        """ "10 months", or "9–12 months"."""
        if self.min_length_months == self.max_length_months:
            return f"{self.min_length_months} months"
        return f"{self.min_length_months}–{self.max_length_months} months"

    @property
    def file_prefix(self) -> str:
        """How a downloaded file's name starts: "arla-mentoring"."""
        return re.sub(r"[^0-9a-z]+", "-", f"{self.association_short_name} mentoring".lower()).strip("-") or "mentoring"

    @property
    def region_choices(self) -> list[tuple[str, str]]:
        return list(self.regions)

    def region_name(self, code: str) -> str:
        """A stored region code in words (the code itself if the settings no longer name it)."""
        return dict(self.regions).get(code, code)

    @property
    def commitments_key(self) -> str:
        """A short fingerprint of the commitments' wording: a form shows them with it, so that
        a member never accepts a wording they were not shown."""
        return hashlib.sha256("\n".join(self.commitments).encode()).hexdigest()[:16]


@functools.cache
def preset_defaults() -> Program:
    """The arla preset's values: the program before anyone saved settings."""
    return Program.from_values(preset_files.settings_values(preset_files.read("arla")))


_lock = threading.Lock()
_held: Program | None = None
_checked_at = 0.0


def _read() -> Program:
    from .models import ProgramSettings  # the models read this module; it reads them only when asked

    row = ProgramSettings.objects.filter(pk=ProgramSettings.ONE).first()
    if row is None:
        return preset_defaults()
    return Program.from_values(row.values(), version=row.version, preset=row.preset)


def program() -> Program:
    """The program's settings as they are now (see the module's docstring for what it costs)."""
    global _held, _checked_at
    now = time.monotonic()
    held = _held
    if held is not None and now - _checked_at < RECHECK_SECONDS:
        return held
    published = cache.get(VERSION_KEY)
    if held is None or published != held.version:
        held = _read()
        if published is None:
            # add, not set: a process that read an older row must not hide a newer version.
            cache.add(VERSION_KEY, held.version, timeout=None)
        elif held.version > published:
            # The cache lost a newer version (a save while Redis was away): say it again.
            cache.set(VERSION_KEY, held.version, timeout=None)
    with _lock:
        _held, _checked_at = held, now
    return held


def hold(settings: Program) -> None:
    """Hold `settings` as if just read from the row (the tests: a test's database starts
    without a row, so each starts holding the preset's defaults without reading) — and, as
    program() does after a read, say their version unless a process said one already: else
    the first check, a second later, finds no version said and reads the row again."""
    global _held, _checked_at
    with _lock:
        _held, _checked_at = settings, time.monotonic()
    cache.add(VERSION_KEY, settings.version, timeout=None)


def forget() -> None:
    """Drop this process's copy: the next program() reads the row."""
    global _held
    with _lock:
        _held = None


def publish(version: int) -> None:
    """Tell every process that the settings are now at `version` (called once they are committed)."""
    cache.set(VERSION_KEY, version, timeout=None)
    forget()


def program_context(request) -> dict:
    """Template context processor: `program` on every page."""
    return {"program": program()}
