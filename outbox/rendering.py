"""Email text from templates: `templates/emails/<kind>_subject.txt`, `_body.txt`, `_body.html`."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def absolute(path: str) -> str:
    """A link for an email: workers have no request to take the host from."""
    return settings.SITE_URL + path


def render(kind: str, context: dict) -> Rendered:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{kind}_subject.txt", context)
    return Rendered(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        text=render_to_string(f"emails/{kind}_body.txt", context),
        html=render_to_string(f"emails/{kind}_body.html", context),
    )
