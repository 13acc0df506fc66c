"""The members' emails, as the outbox needs them: the program's own names, which every email
may use (`{association_name}`, `{committee_name}`…, from `members.program.program()`, read
when an email is written), the name emails are sent under, and the renewal reminder.
Registered when Django starts (`MembersConfig.ready`)."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from django.utils.dateformat import format as date_format

from outbox import kinds
from outbox.kinds import LINK, Example, Kind, Placeholder
from outbox.models import EmailKind
from outbox.rendering import absolute

from .models import User, every_word_in
from .program import program

WORDING = Path(__file__).resolve().parent / "wording"

P = Placeholder
PROGRAM_PLACEHOLDERS = (
    P("association_name", "The association's name.", "Arkansas Library Association"),
    P("association_short_name", "The association's short name.", "ArLA"),
    P("program_name", "The mentoring program's name.", "ArLA Mentoring Program"),
    P("committee_name", "The committee's name.", "Mentoring Committee"),
    P("conference_name", "The conference where the orientation is held.", "ArLA Annual Conference"),
)


def program_values() -> dict[str, str]:
    """The program's names as they are now: every email's values start from these."""
    p = program()
    return {name: getattr(p, name) for name in (ph.name for ph in PROGRAM_PLACEHOLDERS)}


def renewal_values(member: User) -> dict[str, str]:
    return {
        "first_name": member.first_name or str(member),
        "expires_on": date_format(member.expires_on, "F j, Y") if member.expires_on else "",
        "renew_url": absolute(reverse("members:membership-renew")),
    }


def _member_examples(words: str) -> list[Example]:
    found = every_word_in(User.objects.filter(is_active=True), words, ["first_name", "last_name", "email"])
    return [Example(f"member:{u.pk}", f"{u} ({u.email})") for u in found.order_by("expires_on", "pk")[:20]]


def _member_example(key: str):
    what, _, pk = key.partition(":")
    member = User.objects.filter(pk=int(pk), is_active=True).first() if what == "member" and pk.isdigit() else None
    return (member.email, renewal_values(member)) if member else None


subject, body = kinds.shipped(WORDING / "renewal_reminder.txt")
RENEWAL_REMINDER = Kind(
    name=EmailKind.RENEWAL_REMINDER,
    plural="membership renewal reminders",
    sent_to="Each member, a few weeks before their membership ends (once per term).",
    member_reads="A few weeks before your membership ends (once per term).",
    subject=subject,
    body=body,
    placeholders=(
        P("first_name", "The member's first name.", "Mina"),
        P("expires_on", "The day their membership ends.", "March 31, 2027"),
        P("renew_url", "The address of the renewal form.", "https://mentoring.example/membership/renew/", LINK),
    ),
    optional=True,
    examples=_member_examples,
    example_values=_member_example,
    example_label="a member",
)


def register() -> None:
    kinds.register_program(
        placeholders=PROGRAM_PLACEHOLDERS, values=program_values, sender_name=lambda: program().email_sender_name
    )
    kinds.register(RENEWAL_REMINDER)
