"""The unsubscribe link's token: one member, one kind of email, one use, and an expiry.

Signed with Django's signing (SECRET_KEY and a salt of its own, so that no other signed
value of the site can pass for it). It carries how many times the member's choice for
that kind had changed when the email was written: once the link has turned the kind off,
or the member has since changed their mind, it changes nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing

SALT = "outbox.unsubscribe"
# A reminder is often read weeks later; after three months the member chooses on their page.
MAX_AGE = dt.timedelta(days=90)


class BadToken(Exception):
    """The link is not one of ours, was altered, or has expired; the message says which."""


@dataclass(frozen=True)
class Unsubscribe:
    member_id: int
    kind: str
    changes: int


def unsubscribe_token(*, member_id: int, kind: str, changes: int) -> str:
    return signing.dumps({"m": member_id, "k": kind, "n": changes}, salt=SALT)


def read_unsubscribe_token(token: str) -> Unsubscribe:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise BadToken(
            f"This link has expired: links to stop emails work for {MAX_AGE.days} days. "
            "Sign in and choose which emails you receive on My membership."
        ) from None
    except signing.BadSignature:
        raise BadToken(
            "This link is not complete or not valid (was it cut in two by your email program?). "
            "Sign in and choose which emails you receive on My membership."
        ) from None
    try:
        return Unsubscribe(member_id=int(data["m"]), kind=str(data["k"]), changes=int(data["n"]))
    except (KeyError, TypeError, ValueError):
        raise BadToken(
            "This link is not valid. Sign in and choose which emails you receive on My membership."
        ) from None
