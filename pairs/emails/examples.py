"""Real pairs and liaisons the committee may preview a wording with (Committee → Emails):
found by name, each an example key ("pair:12:mentor") and the values it stands for."""

from __future__ import annotations

from django.utils import timezone

from members.models import User, every_word_in
from outbox.kinds import Example

from ..models import Pair
from .values import digest_values, intro_values, unresponsive_values

EXAMPLES = 20


def _pairs(words: str):
    return Pair.objects.with_people().search(words).order_by("-created_at")[:EXAMPLES]


def pair_examples(*sides: str):
    """Examples of an email to one side of a pair: each pair found, once per side."""
    labels = {"mentor": "to the mentor", "mentee": "to the mentee"}

    def find(words: str) -> list[Example]:
        return [
            Example(f"pair:{p.pk}:{side}", f"{p} ({p.cycle.name}){' — ' + labels[side] if len(sides) > 1 else ''}")
            for p in _pairs(words)
            for side in sides
        ]

    return find


def _pair_and_side(key: str) -> tuple[Pair, str] | None:
    try:
        what, pk, side = key.split(":")
        pair = Pair.objects.with_people().get(pk=int(pk)) if what == "pair" and side in ("mentor", "mentee") else None
    except (ValueError, Pair.DoesNotExist):
        return None
    return (pair, side) if pair else None


def side_example(build):
    def values(key: str):
        found = _pair_and_side(key)
        if found is None:
            return None
        pair, side = found
        to = pair.mentor.member if side == "mentor" else pair.mentee.member
        return to.email, build(pair, to)

    return values


def intro_example(side: str):
    def values(key: str):
        found = _pair_and_side(key)
        if found is None:
            return None
        pair, _ = found
        return getattr(pair, side).member.email, intro_values(pair, side)

    return values


def unresponsive_example(key: str):
    found = _pair_and_side(key)
    if found is None:
        return None
    pair, side = found
    reporter = getattr(pair, side).member
    to = pair.liaison or reporter  # a pair with no liaison: the committee; shown as the reporter's own address
    note = "(Their note, if they wrote one.)"
    return to.email, unresponsive_values(pair, reporter=reporter, to=to, note=note)


def liaison_examples(words: str) -> list[Example]:
    found = every_word_in(User.objects.liaisons(), words, ["first_name", "last_name", "email"])
    return [Example(f"liaison:{u.pk}", str(u)) for u in found.order_by("last_name", "pk")[:EXAMPLES]]


def liaison_example(key: str):
    what, _, pk = key.partition(":")
    liaison = User.objects.liaisons().filter(pk=int(pk)).first() if what == "liaison" and pk.isdigit() else None
    if liaison is None:
        return None
    pairs = list(Pair.objects.active().liaised_by(liaison).with_people().with_last_checkin().order_by("pk"))
    return liaison.email, digest_values(liaison, pairs, today=timezone.localdate())
