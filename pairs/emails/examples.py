"""Real pairs and liaisons the committee may preview a wording with (Committee → Emails):
found by name, each an example key ("pair:12:mentor") and the values it stands for."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from members.models import User, every_word_in, person_label
from outbox.kinds import Example

from ..models import Offer, Pair
from .values import (
    digest_values,
    intro_values,
    no_contact_liaison_values,
    offer_news_values,
    offer_values,
    unresponsive_values,
)

EXAMPLES = 20


def _pairs(words: str) -> list[tuple[int, str]]:
    """The newest pairs whose people `words` names, as (pk, label): str(pair) and its cycle's name."""
    # Their columns alone, not models: the editor lists these on every page it shows, and each
    # pair with its cycle, opt-ins and people as models (six a pair) was a third of its time.
    newest = Pair.objects.search(words).order_by("-created_at")
    rows = newest.values_list("pk", "cycle__name", *Pair.LABEL_COLUMNS)[:EXAMPLES]
    return [
        (pk, f"{Pair.label(person_label(*people[:3]), person_label(*people[3:]))} ({cycle})")
        for pk, cycle, *people in rows
    ]


def pair_examples(*sides: str):
    """Examples of an email to one side of a pair: each pair found, once per side."""
    labels = {"mentor": "to the mentor", "mentee": "to the mentee"}

    def find(words: str) -> list[Example]:
        return [
            Example(f"pair:{pk}:{side}", f"{label}{' — ' + labels[side] if len(sides) > 1 else ''}")
            for pk, label in _pairs(words)
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


def offer_examples(words: str) -> list[Example]:
    """Examples of an offer's emails: the offers whose mentee or mentor is named by `words`."""
    found = Offer.objects.with_people()
    for word in words.split()[:5]:
        found = found.filter(
            Q(mentee__member__first_name__icontains=word)
            | Q(mentee__member__last_name__icontains=word)
            | Q(mentor__member__first_name__icontains=word)
            | Q(mentor__member__last_name__icontains=word)
        )
    return [Example(f"offer:{o.pk}", f"{o} ({o.cycle.name})") for o in found.order_by("-created_at")[:EXAMPLES]]


def _offer(key: str) -> Offer | None:
    what, _, pk = key.partition(":")
    return Offer.objects.with_people().filter(pk=int(pk)).first() if what == "offer" and pk.isdigit() else None


def offer_example(key: str):
    offer = _offer(key)
    return None if offer is None else (offer.mentor.member.email, offer_values(offer))


def offer_news_example(key: str):
    offer = _offer(key)
    if offer is None:
        return None
    to = offer.created_by or offer.mentor.member
    return to.email, offer_news_values(offer, to)


def no_contact_liaison_example(key: str):
    found = _pair_and_side(key)
    if found is None:
        return None
    pair, _ = found
    to = pair.liaison or pair.mentor.member
    return to.email, no_contact_liaison_values(pair, to)
