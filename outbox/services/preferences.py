"""What a member chooses to receive: the switches on their page, and the one-click
unsubscribe link in every optional email (no login: the signed link is the proof)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone

from .. import kinds
from ..kinds import Kind
from ..models import EmailPreference, KindSetting
from ..rendering import absolute
from ..tokens import BadToken, read_unsubscribe_token, unsubscribe_token

log = logging.getLogger(__name__)


class PreferenceError(Exception):
    """A choice that cannot be made; the message is for the member."""


def unsubscribe_url(*, member_id: int, kind: str) -> str:
    """The one-click link that turns `kind` off for the member, valid until their choice changes."""
    changes = EmailPreference.objects.filter(member_id=member_id, kind=kind).values_list("changes", flat=True).first()
    token = unsubscribe_token(member_id=member_id, kind=kind, changes=changes or 0)
    return absolute(reverse("outbox:unsubscribe", args=[token]))


@dataclass(frozen=True)
class Choice:
    kind: Kind
    receives: bool
    switched_off_for_everyone: bool


def member_choices(member: Any) -> list[Choice]:
    """The optional kinds that can reach the member, each with their choice (one query for the
    member's choices and the program's switches, whatever the number of kinds)."""
    theirs = EmailPreference.objects.filter(member=member, receives=False).annotate(whose=Value("member"))
    everyones = KindSetting.objects.filter(sending=False).annotate(whose=Value("program"))
    switched_off = set(theirs.values_list("kind", "whose").union(everyones.values_list("kind", "whose")))
    off = {kind for kind, whose in switched_off if whose == "member"}
    program_off = {kind for kind, whose in switched_off if whose == "program"}
    return [
        Choice(kind=k, receives=k.name not in off, switched_off_for_everyone=k.name in program_off)
        for k in kinds.declared()
        if k.optional and k.reaches(member)
    ]


def _set(member_id: int, kind: str, receives: bool, how: str) -> bool:
    """Set the member's choice for `kind` (their row locked, made only for a change: no row
    means they receive it). True if it changed."""
    preference = EmailPreference.objects.select_for_update().filter(member_id=member_id, kind=kind).first()
    if (preference.receives if preference else True) == receives:
        return False
    if preference is None:
        try:
            with transaction.atomic():
                EmailPreference.objects.create(
                    member_id=member_id, kind=kind, receives=receives, changed_how=how, changes=1
                )
            return True
        except IntegrityError:  # made by a request at the same moment: decide on it
            return _set(member_id, kind, receives, how)
    preference.receives, preference.changed_how, preference.changed_at = receives, how, timezone.now()
    preference.changes += 1
    preference.save(update_fields=["receives", "changed_how", "changed_at", "changes"])
    return True


@transaction.atomic
def preferences_save(*, member: Any, receives: Mapping[str, bool]) -> list[tuple[Kind, bool]]:
    """Set the member's choices (kind → receives) for the optional kinds that reach them;
    other kinds are ignored. Returns the choices that changed."""
    changed = []
    for choice in member_choices(member):
        wanted = receives.get(choice.kind.name)
        if wanted is None:
            continue
        if _set(member.pk, choice.kind.name, bool(wanted), EmailPreference.How.PAGE):
            changed.append((choice.kind, bool(wanted)))
    if changed:
        log.info("member %s changed their emails: %s", member.pk, {k.name: on for k, on in changed})
    return changed


@dataclass(frozen=True)
class Unsubscribed:
    kind: Kind
    address: str  # the member's address, partly hidden: the page may be read by whoever holds the link
    done: bool  # False: it was off already
    since: Any = None  # when it was turned off, if it was off already


def _hidden(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:1]}…@{domain}" if domain else "your address"


def unsubscribe_read(*, token: str) -> tuple[Kind, str]:
    """What the link would stop, for the page that asks before doing it (PreferenceError if it cannot)."""
    link = _read(token)
    member = get_user_model().objects.filter(pk=link.member_id, is_active=True).first()
    if member is None:
        raise PreferenceError("This link's account no longer exists: nothing is sent to it any more.")
    return kinds.get(link.kind), _hidden(member.email)


def _read(token: str):
    try:
        link = read_unsubscribe_token(token)
    except BadToken as e:
        raise PreferenceError(str(e)) from None
    kind = kinds.get(link.kind)
    if kind is None or not kind.optional:
        raise PreferenceError("These emails cannot be stopped from a link.")
    return link


@transaction.atomic
def unsubscribe(*, token: str) -> Unsubscribed:
    """Turn off the link's kind of email for the link's member: the one-click unsubscribe
    (RFC 8058), no login. A second press finds it off already and says since when; a link
    older than the member's last change of mind (they turned it back on) changes nothing."""
    link = _read(token)
    member = get_user_model().objects.filter(pk=link.member_id, is_active=True).first()
    if member is None:
        raise PreferenceError("This link's account no longer exists: nothing is sent to it any more.")
    kind = kinds.get(link.kind)
    current = EmailPreference.objects.select_for_update().filter(member_id=member.pk, kind=kind.name).first()
    if current is not None and not current.receives:
        return Unsubscribed(kind=kind, address=_hidden(member.email), done=False, since=current.changed_at)
    if (current.changes if current else 0) != link.changes:
        raise PreferenceError(
            f"This link was made before you last changed your choice for {kind.plural}: it no longer "
            "changes anything. Sign in to choose which emails you receive on My membership."
        )
    _set(member.pk, kind.name, False, EmailPreference.How.LINK)
    log.info("member %s turned %s off from an email's link", member.pk, kind.name)
    return Unsubscribed(kind=kind, address=_hidden(member.email), done=True)
