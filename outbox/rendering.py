"""An email's subject, text and HTML from a kind's wording and the values of one occasion.

The wording is the committee's version in use (the cycle's own, else the program's, else
the shipped one: `EmailTemplate.objects.in_use`). The text part is the wording with the
values filled in; the HTML part is made from the same wording, with the values escaped
for Markdown, by `outbox.markup.to_html` — one text, never a second copy to keep in step.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from . import kinds
from .kinds import Kind, Value
from .markup import to_html
from .models import EmailTemplate, KindSetting
from .placeholders import fill, fill_subject

SUBJECT_MAX = 300


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: SafeString  # made by outbox.markup (and format_html): safe by construction
    template: EmailTemplate | None = None


def absolute(path: str) -> str:
    """A link for an email: workers have no request to take the host from."""
    return settings.SITE_URL + path


def words_of(kind: Kind, template: EmailTemplate | None) -> tuple[str, str]:
    """The subject and body a version stands for (the shipped ones for none, or a restore)."""
    if template is None or template.follows_default:
        return kind.subject, kind.body
    return template.subject, template.body


def forms_of(kind: Kind) -> dict[str, str]:
    return {p.name: p.form for p in kind.all_placeholders}


def render_words(
    kind: Kind,
    *,
    subject: str,
    body: str,
    values: Mapping[str, Value],
    hidden: Collection[str] = (),
    template: EmailTemplate | None = None,
) -> Rendered:
    """`subject` and `body` (already checked) with the program's and the occasion's values."""
    forms = forms_of(kind)
    everything = {**kinds.program_values(), **values}
    markdown = fill(body, forms=forms, values=everything, hidden=hidden, markdown=True)
    return Rendered(
        subject=fill_subject(subject, forms=forms, values=everything)[:SUBJECT_MAX],
        text=fill(body, forms=forms, values=everything, hidden=hidden),
        html=to_html(markdown, keep_line_breaks=True),
        template=template,
    )


# Within `wording_read_once()`: each (kind, cycle)'s wording and switches, read at its first email.
_read_once: ContextVar[dict | None] = ContextVar("wording_read_once", default=None)


@contextmanager
def wording_read_once() -> Iterator[None]:
    """Many emails of a few kinds written in one go (a proposal's introductions): each kind's
    wording in use and its switches are read once, at the first email, not once an email."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def _wording(name: str, cycle_id: int | None) -> tuple[EmailTemplate | None, Collection[str]]:
    read = _read_once.get()
    if read is not None and (name, cycle_id) in read:
        return read[name, cycle_id]
    found = EmailTemplate.objects.in_use(name, cycle_id), KindSetting.of(name).hidden_placeholders
    if read is not None:
        read[name, cycle_id] = found
    return found


def render(name: str, values: Mapping[str, Value], *, cycle_id: int | None = None) -> Rendered:
    """An email of kind `name` about cycle `cycle_id`, in the wording in use now."""
    kind = kinds.get(name)
    if kind is None:
        raise LookupError(f"No app declared the email kind {name!r} (outbox.kinds.register).")
    template, hidden = _wording(name, cycle_id)
    subject, body = words_of(kind, template)
    return render_words(kind, subject=subject, body=body, values=values, hidden=hidden, template=template)


def with_unsubscribe_footer(rendered: Rendered, kind: Kind, *, unsubscribe_url: str) -> Rendered:
    """An optional kind's footer, which the committee's wording cannot leave out: why the
    member receives it, the link that stops it, and where to choose."""
    program = kinds.program_values().get("program_name", "the mentoring program")
    choose = absolute(reverse("outbox:preferences"))
    why = f"You receive {kind.plural} as a member of the {program}."
    text = (
        f"{rendered.text}\n--\n{why}\nTo stop them, open: {unsubscribe_url}\n"
        f"To choose which emails you receive: {choose}\n"
    )
    html = format_html(
        '{}<hr>\n<p><small>{} <a href="{}">Stop {}</a> · <a href="{}">Choose which emails you receive</a>'
        "</small></p>\n",
        rendered.html,
        why,
        unsubscribe_url,
        kind.plural,
        choose,
    )
    return Rendered(subject=rendered.subject, text=text, html=html, template=rendered.template)
