"""The committee's discussion topics: writing a schedule (the program's, or a cycle's own),
loading the presets' topics, and sending each active pair its month's topic."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Cycle, User
from outbox.models import EmailKind

from ..emails import topic_values
from ..models import TOPIC_MONTHS, Pair, Topic, pair_month
from ._shared import each_locked, email_both_sides


class TopicError(Exception):
    """A topic the rules refuse; the message is for the committee."""


class TopicAlreadyDone(TopicError):
    """What was asked is done already (a button pressed twice): nothing more was done."""


def _taken_message(topic: Topic) -> str:
    where = f"The {topic.cycle.name} cycle" if topic.cycle_id else "The program's schedule"
    return f"{where} has a topic for month {topic.month} already: change that one, or choose another month."


@transaction.atomic
def topic_save(*, topic: Topic, by: User | None) -> Topic:
    """Add or change a topic of a schedule (its month unique in the schedule)."""
    try:
        topic.full_clean(exclude=["updated_by"], validate_constraints=False)
    except ValidationError as e:
        raise TopicError(" ".join(e.messages)) from None
    same_month = Topic.objects.filter(cycle=topic.cycle, month=topic.month).exclude(pk=topic.pk).first()
    if same_month is not None:
        fields = ("title", "text", "resource_url")
        if topic.pk is None and all(getattr(same_month, f) == getattr(topic, f) for f in fields):
            # "Save" pressed twice, or the form sent again: the first press saved it.
            raise TopicAlreadyDone(
                f"Month {topic.month}'s topic “{topic.title}” is saved already: nothing more was done."
            )
        raise TopicError(_taken_message(topic))
    topic.updated_by = by
    try:
        with transaction.atomic():
            topic.save()
    except IntegrityError:  # the same month added at the same moment in another tab
        raise TopicError(_taken_message(topic)) from None
    return topic


@transaction.atomic
def topic_delete(*, topic_id: int) -> Topic:
    """Delete a topic. Emails sent with it and check-ins tagged with it keep its title."""
    topic = Topic.objects.select_for_update(of=("self",)).filter(pk=topic_id).select_related("cycle").first()
    if topic is None:
        raise TopicAlreadyDone("This topic was deleted already.")
    topic.delete()
    return topic


def topics_from_preset(data: dict, *, name: str, by: User | None) -> list[str]:
    """The preset's [[topics]] as the program's schedule (the loader `members.presets` runs).

    Idempotent: a month's topic is written only when it differs, so loading the preset again
    changes nothing; months the preset does not list are left as the committee wrote them.
    The cycles' own topics are theirs and never touched.
    """
    from members.presets.files import PresetError

    rows = data.get("topics", [])
    seen: set[int] = set()
    added = changed = 0
    for i, row in enumerate(rows, start=1):
        try:
            month = int(row["month"])
            values = {"title": str(row["title"]).strip(), "text": str(row["text"]).strip()}
            values["resource_url"] = str(row.get("resource_url", "")).strip()
        except (KeyError, TypeError, ValueError):
            raise PresetError(f"The {name} preset's topic #{i}: give it a month, a title and a text.") from None
        if month in seen:
            raise PresetError(f"The {name} preset lists two topics for month {month}.")
        seen.add(month)
        topic = Topic.objects.filter(cycle=None, month=month).first() or Topic(cycle=None, month=month)
        if topic.pk and all(getattr(topic, k) == v for k, v in values.items()):
            continue
        for k, v in values.items():
            setattr(topic, k, v)
        is_new = topic.pk is None
        try:
            topic_save(topic=topic, by=by)
        except TopicError as e:
            raise PresetError(f"The {name} preset's topic for month {month} is refused: {e}") from None
        added, changed = added + is_new, changed + (not is_new)
    return [f"Topics: {len(rows)} in the preset, {added} added, {changed} changed, the others as they were."]


def topics_send(*, today: dt.date | None = None) -> int:
    """Send both sides of each active pair the topic of the month of its year they are in, once
    (the outbox's key names the pair and the month). Safe to run daily, twice, or late: a topic
    the committee adds in the middle of a month goes out at the next run. Returns how many
    emails were written."""
    today = today or timezone.localdate()
    pairs = Pair.objects.active().filter(starts_on__lte=today, ends_on__gte=today)
    schedules: dict[int, dict[int, Topic]] = {}
    written = 0
    for pair in each_locked(list(pairs.values_list("pk", flat=True)), Pair.objects.active()):
        month = pair_month(pair, today)
        if month is None:
            continue
        if pair.cycle_id not in schedules:
            schedules[pair.cycle_id] = Topic.objects.schedule_of(pair.cycle_id)
        topic = schedules[pair.cycle_id].get(month)
        if topic is None:
            continue
        written += email_both_sides(
            pair,
            kind=EmailKind.TOPIC,
            key=f"topic:{month}",
            values=lambda to, p=pair, t=topic, m=month: topic_values(p, to, topic=t, month=m),
        )
    return written


def cycle_or_none(cycle_id: str | None) -> Cycle | None:
    """The cycle a topics page is about (None: the program's schedule)."""
    if not cycle_id or not str(cycle_id).isdecimal():
        return None
    return Cycle.objects.filter(pk=int(cycle_id)).first()


__all__ = ["TOPIC_MONTHS", "TopicAlreadyDone", "TopicError", "topic_delete", "topic_save", "topics_send"]
