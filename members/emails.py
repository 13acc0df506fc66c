"""Email from templates: `templates/emails/<name>_subject.txt`, `_body.txt`, `_body.html`.

`render` is shared with the pairs outbox, which stores what it renders; members'
own emails are sent straight away by `send`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import User


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def absolute(path: str) -> str:
    """A link for an email: workers have no request to take the host from."""
    return settings.SITE_URL + path


def render(name: str, context: dict) -> Rendered:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    return Rendered(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        text=render_to_string(f"emails/{name}_body.txt", context),
        html=render_to_string(f"emails/{name}_body.html", context),
    )


def send(name: str, to: str, context: dict) -> None:
    rendered = render(name, context)
    message = EmailMultiAlternatives(rendered.subject, rendered.text, to=[to])
    message.attach_alternative(rendered.html, "text/html")
    message.send()


def renewal_reminder(member: User) -> None:
    send(
        "renewal_reminder",
        member.email,
        {"member": member, "renew_url": absolute(reverse("members:membership-renew"))},
    )
