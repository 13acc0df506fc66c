"""The committee's wording: plain text (Markdown's conventions, `outbox.markup`) with
placeholders in braces, `{mentee_first_name}`, each a value our code computes. There is no
template language: nothing else in the text is read, so a wording cannot reach any other
data. Two rules say which lines are sent:

- a line in which a placeholder has nothing to say (a mentor who gave no phone number,
  a pair with no liaison) is left out;
- a condition (`{if_mentee}`) prints nothing, and the line it is on is sent only when it
  holds (the mentee's paragraph of a letter to both sides).

A brace itself is written twice, `{{` or `}}`. An unknown placeholder, a brace left open
or a lone closing brace is refused with where it is (`PlaceholderError`), before anything
is saved.

Values are written into the text part as they are, and into the Markdown the HTML part
is made from according to their form (`outbox.kinds`): words with every Markdown sign
escaped (a member's name never becomes a link, a heading or emphasis), links of this
site and email addresses as autolinks, lists as bullets.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .kinds import ADDRESS, CONDITION, LINK, LIST, TEXT, Value


class PlaceholderError(ValueError):
    """A wording the syntax refuses; the message says where, for the committee."""


@dataclass(frozen=True)
class Segment:
    text: str = ""  # literal text (braces already unescaped)
    name: str = ""  # a placeholder


_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _where(field: str, line: int, column: int, several_lines: bool) -> str:
    return f"{field}, line {line}, column {column}" if several_lines else f"{field}, column {column}"


def parse(text: str, *, known: Collection[str], field: str = "Body") -> tuple[tuple[Segment, ...], ...]:
    """The text's lines as literal text and placeholders; refuses (PlaceholderError) an
    unknown placeholder or a brace out of place, saying on which line and column.
    Remembered: a proposal's hundreds of introductions parse their wording once."""
    return _parse(text, frozenset(known), field)


@functools.lru_cache(maxsize=256)
def _parse(text: str, known: frozenset[str], field: str) -> tuple[tuple[Segment, ...], ...]:
    lines = text.split("\n")
    parsed = []
    for number, line in enumerate(lines, start=1):
        segments: list[Segment] = []
        literal: list[str] = []
        i = 0
        while i < len(line):
            char = line[i]
            if char in "{}" and line[i : i + 2] == char * 2:
                literal.append(char)
                i += 2
                continue
            where = _where(field, number, i + 1, len(lines) > 1) if char in "{}" else ""
            if char == "}":
                raise PlaceholderError(f"{where}: a “}}” closes nothing. To write a brace itself, type it twice: }}}}.")
            if char == "{":
                end = line.find("}", i + 1)
                opened = line.find("{", i + 1)
                if end == -1 or (opened != -1 and opened < end):
                    raise PlaceholderError(
                        f"{where}: this “{{” is not closed on its line. A placeholder is written "
                        f"{{name}}; to write a brace itself, type it twice: {{{{."
                    )
                name = line[i + 1 : end]
                if not _NAME.fullmatch(name) or name not in known:
                    hint = difflib.get_close_matches(name.strip(), list(known), n=1)
                    also = (
                        f" Did you mean {{{hint[0]}}}?"
                        if hint
                        else " The placeholders it can use are listed beside it."
                    )
                    raise PlaceholderError(f"{where}: “{{{name}}}” is not a placeholder of this email.{also}")
                if literal:
                    segments.append(Segment(text="".join(literal)))
                    literal = []
                segments.append(Segment(name=name))
                i = end + 1
                continue
            literal.append(char)
            i += 1
        if literal:
            segments.append(Segment(text="".join(literal)))
        parsed.append(tuple(segments))
    return tuple(parsed)


def check(subject: str, body: str, *, forms: Mapping[str, str]) -> None:
    """Refuse (PlaceholderError) a subject or body this kind cannot render."""
    for segment in parse(subject, known=forms, field="Subject")[0] if subject else []:
        if segment.name and forms[segment.name] == CONDITION:
            raise PlaceholderError(
                f"Subject: {{{segment.name}}} decides whether a line of the body is sent: "
                "it has no place in the subject."
            )
    if "\n" in subject:
        raise PlaceholderError("Subject: write it on one line.")
    parse(body, known=forms)


# --- Filling in the values ---------------------------------------------------------------------

# Every ASCII punctuation sign may be backslash-escaped in Markdown (CommonMark 2.4): escaped,
# none of them starts a link, emphasis, a heading, a list, a quote or an HTML tag.
_MARKDOWN_SIGN = re.compile(r"([!-/:-@\[-`{-~])")
# What CommonMark takes for an email autolink (6.5); another address is written as words.
_AUTOLINK_ADDRESS = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_AUTOLINK_URL = re.compile(r"https?://[^\s<>]+")


def markdown_words(text: str) -> str:
    """Words as Markdown that shows them as they are: each sign escaped, each line trimmed
    (an indented line would start a code block), blank lines dropped (they would end the
    committee's list or paragraph around the value)."""
    lines = [line.strip() for line in str(text).splitlines()]
    return "\n".join(_MARKDOWN_SIGN.sub(r"\\\1", line) for line in lines if line)


def _is_empty(value: Value | None) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return not value


def _item(item: str | tuple[str, str], *, markdown: bool) -> str:
    """One item of a list: words, or (words, a link of this site) — a pair and its page."""
    words, link = (item, "") if isinstance(item, str) else item
    if not markdown:
        return f"{words}: {link}" if link else words
    written = markdown_words(words)
    return f"{written}: <{link}>" if link and _AUTOLINK_URL.fullmatch(link) else written


def _joined(items: Sequence[str]) -> str:
    return " ".join(item if item.endswith((".", "!", "?")) else f"{item}." for item in items)


def _written(value: Value, form: str, *, markdown: bool, in_link_target: bool) -> str:
    if form == CONDITION:
        return ""
    if form == LIST:
        return _joined([_item(item, markdown=markdown) for item in value])
    text = str(value).strip()
    if not markdown:
        return text
    if form == LINK and _AUTOLINK_URL.fullmatch(text):
        return f"<{text}>"
    if form == ADDRESS and _AUTOLINK_ADDRESS.fullmatch(text):
        # In a link's target, `[write to her](<mailto:…>)`; elsewhere an autolink.
        return f"<mailto:{text}>" if in_link_target else f"<{text}>"
    return markdown_words(text)


def fill(
    text: str,
    *,
    forms: Mapping[str, str],
    values: Mapping[str, Value],
    hidden: Collection[str] = (),
    markdown: bool = False,
) -> str:
    """The text with each placeholder replaced by its value, lines left out by the two rules
    above. `markdown`: for the HTML part (values escaped or linked by their form); else
    the text part. `hidden` placeholders say nothing, as if they had no value."""

    def value_of(name: str) -> Value:
        return "" if name in hidden else values.get(name, "")

    out: list[str] = []
    for segments in parse(text, known=forms):
        names = [s.name for s in segments if s.name]
        if any(not value_of(n) if forms[n] == CONDITION else _is_empty(value_of(n)) for n in names):
            continue
        shown = [s for s in segments if not (s.name and forms[s.name] == CONDITION)]
        if len(shown) == 1 and shown[0].name and forms[shown[0].name] == LIST:
            # A list on a line of its own: one bullet per item.
            out.extend(f"- {_item(item, markdown=markdown)}" for item in value_of(shown[0].name))
            continue
        line = ""
        for s in segments:
            if s.name:
                line += _written(value_of(s.name), forms[s.name], markdown=markdown, in_link_target=line.endswith("]("))
            else:
                line += s.text
        out.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def fill_subject(subject: str, *, forms: Mapping[str, str], values: Mapping[str, Value]) -> str:
    """The subject with its values, on one line."""
    line = "".join(
        s.text if not s.name else _written(values.get(s.name, ""), forms[s.name], markdown=False, in_link_target=False)
        for s in (parse(subject, known=forms, field="Subject")[0] if subject else [])
    )
    return " ".join(line.split())


__all__ = ["ADDRESS", "CONDITION", "LINK", "LIST", "TEXT", "PlaceholderError", "check", "fill", "fill_subject"]
