"""The committee's wording of each kind of email: saving a version, restoring the shipped
wording, switching a kind or a placeholder off, previewing, and sending oneself a test.

Every version is a new row (`EmailTemplate`), so an email already written keeps the words
it was written with. Versions of one kind are numbered under a lock on the kind's
switches row, so two committee members saving at once get two numbers, and the second is
told the first saved meanwhile rather than silently replacing it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .. import kinds
from ..kinds import Kind
from ..models import Email, EmailTemplate, KindSetting
from ..placeholders import PlaceholderError, check
from ..rendering import Rendered, absolute, forms_of, render_words, with_unsubscribe_footer, words_of
from .sending import _email_row_write

log = logging.getLogger(__name__)

SAMPLE = ""  # the example key of the made-up sample values
TEST_PREFIX = "[Test] "


class WordingError(Exception):
    """A wording or switch the rules refuse; the message is for the committee."""


class StaleWording(WordingError):
    """Someone saved a newer version while this one was being edited."""


def declared_kind(name: str) -> Kind:
    kind = kinds.get(name)
    if kind is None:
        raise WordingError("There is no such kind of email.")
    return kind


def _cycle_allowed(kind: Kind, cycle_id: int | None) -> None:
    if cycle_id is not None and not kind.per_cycle:
        raise WordingError(f"{kind.label} is not about one cycle: it has the program's wording only.")


def _checked(kind: Kind, subject: str, body: str) -> tuple[str, str]:
    """The subject and body as they are kept (line ends as typed on any system), or WordingError."""
    subject, body = subject.strip(), body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not subject or not body.strip():
        raise WordingError("Write both a subject and a body (or restore the default).")
    try:
        check(subject, body, forms=forms_of(kind))
    except PlaceholderError as e:
        raise WordingError(str(e)) from None
    return subject, body


def words_in_use(
    kind: Kind, cycle_id: int | None, *, versions: list[EmailTemplate] | None = None
) -> tuple[EmailTemplate | None, str, str]:
    """The version an email of the kind about this cycle would be written from, and its words
    (`versions`: the wording's own, newest first, when already read: see EmailTemplate.objects.in_use)."""
    template = EmailTemplate.objects.in_use(kind.name, cycle_id, versions=versions)
    return (template, *words_of(kind, template))


def _lock(kind: str) -> KindSetting:
    """The kind's switches row, locked: the one thing all writes about the kind wait for.
    Taken only once there is something to write (a press that changes nothing writes nothing)."""
    try:
        with transaction.atomic():
            KindSetting.objects.get_or_create(kind=kind)
    except IntegrityError:
        pass  # made at the same moment by another request
    return KindSetting.objects.select_for_update().get(kind=kind)


def _next_version(kind: str, cycle_id: int | None) -> int:
    latest = EmailTemplate.objects.latest_of(kind, cycle_id)
    return latest.version + 1 if latest else 1


@transaction.atomic
def wording_save(
    *, kind: str, cycle_id: int | None, subject: str, body: str, based_on: int | None, by: Any
) -> tuple[EmailTemplate | None, bool]:
    """Save the committee's wording of `kind` (for one cycle, or the program's) as a new
    version. Returns (the version in use, True) — or (the version in use, False) when the
    words are already those in use (a second press, or nothing changed).

    Refuses (WordingError, nothing saved) an unknown placeholder or a brace out of place,
    saying where, and a save based on a version that someone else replaced meanwhile
    (`based_on`: the newest version when the editor was opened, None when there was none).
    """
    declared = declared_kind(kind)
    _cycle_allowed(declared, cycle_id)
    subject, body = _checked(declared, subject, body)

    def unchanged() -> tuple[EmailTemplate | None, bool]:
        in_use, current_subject, current_body = words_in_use(declared, cycle_id)
        return in_use, (subject, body) == (current_subject, current_body.strip("\n"))

    in_use, same = unchanged()
    if same:
        return in_use, False
    _lock(kind)
    in_use, same = unchanged()  # again, under the lock: a press at the same moment may have saved them
    if same:
        return in_use, False
    latest = EmailTemplate.objects.latest_of(kind, cycle_id)
    if latest is not None and latest.pk != based_on:
        who = latest.saved_by.get_full_name() if latest.saved_by else "Someone"
        raise StaleWording(
            f"{who} saved version {latest.version} of this wording at "
            f"{timezone.localtime(latest.saved_at):%H:%M} while you were editing. Your text is still in the form: "
            "compare it with theirs (in the history below), then save again to replace it with yours."
        )
    template = EmailTemplate.objects.create(
        kind=kind, cycle_id=cycle_id, version=_next_version(kind, cycle_id), subject=subject, body=body, saved_by=by
    )
    log.info("wording of %s (cycle %s) saved by %s: version %s", kind, cycle_id, by.pk, template.version)
    return template, True


@transaction.atomic
def wording_restore(*, kind: str, cycle_id: int | None, by: Any) -> tuple[EmailTemplate | None, bool]:
    """ "Restore the default": the program's wording follows the shipped one again, a cycle's
    the program's. The committee's versions stay in the history; emails already written
    keep their words. Returns (the newest version, whether anything changed)."""
    declared = declared_kind(kind)
    _cycle_allowed(declared, cycle_id)
    for locked in (False, True):  # checked first without the lock, then again under it
        if locked:
            _lock(kind)
        latest = EmailTemplate.objects.latest_of(kind, cycle_id)
        if latest is None or latest.follows_default:
            return latest, False
    template = EmailTemplate.objects.create(
        kind=kind, cycle_id=cycle_id, version=latest.version + 1, follows_default=True, saved_by=by
    )
    log.info("wording of %s (cycle %s) restored to the default by %s", kind, cycle_id, by.pk)
    return template, True


@transaction.atomic
def kind_switch(*, kind: str, sending: bool, shown: Collection[str], by: Any) -> bool:
    """Switch an optional kind on or off for the program, and choose which of its
    placeholders that may be turned off say something (`shown`). Returns whether anything
    changed. Refuses to switch off a kind that must always go, saying why."""
    declared = declared_kind(kind)
    if not sending and not declared.optional:
        raise WordingError(f"{declared.label} cannot be switched off: {declared.always_because}")
    # A placeholder turned off takes its condition with it: `{if_match_reasons}` goes with `{match_reasons}`.
    off = [p.name for p in declared.placeholders if p.can_hide and p.name not in shown]
    hidden = sorted(off + [f"if_{name}" for name in off if declared.placeholder(f"if_{name}")])
    current = KindSetting.of(kind)  # no row yet: everything on, as `sending=True, hidden=[]` says
    if (current.sending, sorted(current.hidden_placeholders)) == (sending, hidden):
        return False
    setting = _lock(kind)
    if (setting.sending, sorted(setting.hidden_placeholders)) == (sending, hidden):
        return False
    setting.sending, setting.hidden_placeholders, setting.changed_by = sending, hidden, by
    setting.save()
    log.info("switches of %s changed by %s: sending %s, hidden %s", kind, by.pk, sending, hidden)
    return True


# --- Previews and tests -------------------------------------------------------------------------


def _example(kind: Kind, example: str) -> tuple[str, dict]:
    """The address and values of a real example (a pair, a member…), or the sample's."""
    if example == SAMPLE or kind.example_values is None:
        return "", kind.samples()
    found = kind.example_values(example)
    if found is None:
        raise WordingError(f"That example is no longer there: choose {kind.example_label} again.")
    return found


def wording_preview(*, kind: str, subject: str, body: str, example: str = SAMPLE) -> tuple[str, Rendered]:
    """The email these words would make for `example` (a real pair, member… or the sample
    values), without saving anything: its recipient's address (empty for the sample) and
    its subject, text and HTML. An optional kind shows its footer with a link that does
    nothing (the real one would stop the emails of the example's member)."""
    declared = declared_kind(kind)
    subject, body = _checked(declared, subject, body)
    to, values = _example(declared, example)
    rendered = render_words(
        declared, subject=subject, body=body, values=values, hidden=KindSetting.of(kind).hidden_placeholders
    )
    if declared.optional:
        example_link = absolute(reverse("outbox:unsubscribe", args=["example"]))
        rendered = with_unsubscribe_footer(rendered, declared, unsubscribe_url=example_link)
    return to, rendered


@transaction.atomic
def wording_test_send(*, kind: str, subject: str, body: str, example: str = SAMPLE, by: Any) -> tuple[Email, bool]:
    """ "Send me a test": these words, filled in for `example`, to the committee member's own
    address, through the outbox like every email (marked as a test, never skipped).
    Returns (the email, True), or (the test sent before, False) when the same words for
    the same example were already sent to them: a second press sends nothing twice."""
    declared = declared_kind(kind)
    subject, body = _checked(declared, subject, body)
    _, values = _example(declared, example)
    words = hashlib.sha256("\x00".join([subject, body, example]).encode()).hexdigest()[:24]
    key = f"test:{by.pk}:{kind}:{words}"
    hidden = KindSetting.of(kind).hidden_placeholders

    def rendering() -> Rendered:
        rendered = render_words(declared, subject=subject, body=body, values=values, hidden=hidden)
        return Rendered(
            subject=(TEST_PREFIX + rendered.subject)[:300], text=rendered.text, html=rendered.html, template=None
        )

    email = _email_row_write(kind=kind, key=key, to=by.email, recipient=by, rendering=rendering, is_test=True)
    if email is None:
        return Email.objects.get(key=key), False
    return email, True
