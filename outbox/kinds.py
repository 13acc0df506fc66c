"""The kinds of email, as the app that sends each declares it: to whom and when, whether it
may be switched off (and if not, why), its placeholders — each with what it becomes and a
sample —, the shipped wording, and how to find a real example to preview it with.

The outbox sits at the bottom and imports nothing of the apps above: each of them
declares its own kinds in its own module (`pairs/emails.py`, `members/emails.py`) and
registers them when Django starts (`AppConfig.ready`). The program's own names (the
association, the committee…) are placeholders of every kind; `members` registers them,
with the sender's name, through `register_program`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .models import EmailKind

# What a placeholder's value is, which decides how it is written into the email:
TEXT = "text"  # words (a name, a date, a member's own words): never markup, never a link
LINK = "link"  # an address of this site, made by our code: a link
ADDRESS = "address"  # an email address: a mailto link
# several sentences, each words or (words, link): a bulleted list on a line of its own, else one after the other
LIST = "list"
CONDITION = "condition"  # prints nothing; the line it is on is sent only when it holds

Value = str | Sequence[str | tuple[str, str]] | bool


@dataclass(frozen=True)
class Placeholder:
    name: str
    means: str  # what it becomes, for the committee
    sample: Value  # what it becomes in the preview with no real example
    form: str = TEXT
    # The committee may turn it off for the program (why a pair was matched): it then says nothing.
    can_hide: bool = False

    @property
    def example(self) -> str:
        """The sample as the committee reads it beside the editor ("" for a condition)."""
        if self.form == CONDITION:
            return ""
        if self.form == LIST:
            return "; ".join(item if isinstance(item, str) else item[0] for item in self.sample)
        return str(self.sample)


@dataclass(frozen=True)
class Example:
    """A real pair, member or liaison the committee may preview a wording with."""

    key: str
    label: str


@dataclass(frozen=True)
class Kind:
    name: str  # an EmailKind value
    plural: str  # what a member calls them: "check-in reminders"
    sent_to: str  # for the committee: "The mentor, when the committee makes a pair."
    subject: str  # the shipped wording
    body: str
    placeholders: tuple[Placeholder, ...]
    # Optional kinds may be switched off by the committee for the program and by each
    # member; the others say why not.
    optional: bool = False
    always_because: str = ""
    # Whether one cycle may have its own wording (the email is about a cycle's pair).
    per_cycle: bool = False
    # Real examples for the preview: those matching some words (the newest without words)…
    examples: Callable[[str], list[Example]] | None = None
    # …and one example's recipient address and values (None: it no longer exists).
    example_values: Callable[[str], tuple[str, dict[str, Value]] | None] | None = None
    example_label: str = "a pair"
    # Whether the kind can reach this member at all (the switches on their page), and when
    # it comes, as the member reads it there ("When your pair has logged no check-in…").
    reaches: Callable[[Any], bool] = field(default=lambda member: True)
    member_reads: str = ""

    @property
    def label(self) -> str:
        return EmailKind(self.name).label

    @property
    def all_placeholders(self) -> tuple[Placeholder, ...]:
        """The kind's own placeholders, then the program's (names of the association…)."""
        return self.placeholders + _program.placeholders

    def placeholders_now(self) -> tuple[Placeholder, ...]:
        """The same, the program's with the program's words as they are now for samples (the
        committee's page beside the editor; reads the settings, so never at start-up)."""
        now = _program.values() if _program.placeholders else {}
        return self.placeholders + tuple(replace(p, sample=now.get(p.name, p.sample)) for p in _program.placeholders)

    def placeholder(self, name: str) -> Placeholder | None:
        return next((p for p in self.all_placeholders if p.name == name), None)

    def samples(self) -> dict[str, Value]:
        return {p.name: p.sample for p in self.placeholders}


@dataclass
class _Program:
    placeholders: tuple[Placeholder, ...] = ()
    values: Callable[[], dict[str, str]] = dict
    sender_name: Callable[[], str] = str


_kinds: dict[str, Kind] = {}
_program = _Program()


def register(*kinds: Kind) -> None:
    """Declare kinds of email (at start-up, from the app that sends them)."""
    for kind in kinds:
        EmailKind(kind.name)  # a kind the Email rows can hold
        _kinds[kind.name] = kind


def register_program(
    *, placeholders: Sequence[Placeholder], values: Callable[[], dict[str, str]], sender_name: Callable[[], str]
) -> None:
    """The program's own words: placeholders every kind has (their values read when an email
    is written, so a renamed committee signs the next email with its new name), and the
    name emails are sent under."""
    _program.placeholders = tuple(placeholders)
    _program.values = values
    _program.sender_name = sender_name


def shipped(path: Path) -> tuple[str, str]:
    """A shipped wording from its file (a declaring app's `wording/<kind>.txt`): a first line
    "Subject: …", a blank line, then the body — prose, kept out of the Python code."""
    first, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"{path}: the first line must be “Subject: …”, then a blank line, then the body.")
    return first.removeprefix("Subject: ").strip(), body


def get(name: str) -> Kind | None:
    """The declared kind (None for a kind nobody declared, e.g. allauth's account emails)."""
    return _kinds.get(name)


def declared() -> list[Kind]:
    """Every declared kind, in EmailKind's order."""
    return [_kinds[k] for k in EmailKind.values if k in _kinds]


def is_optional(name: str) -> bool:
    kind = _kinds.get(name)
    return bool(kind and kind.optional)


def program_values() -> dict[str, str]:
    return _program.values()


def sender_name() -> str:
    return _program.sender_name()
