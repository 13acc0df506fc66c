"""What each member chooses to receive, and why an email is not sent (the one place that decides)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .. import kinds
from .emails import EmailKind
from .wording import KindSetting


class EmailPreference(models.Model):
    """One member's choice for one optional kind of email. No row: they receive it."""

    class How(models.TextChoices):
        PAGE = "page", "on My membership"
        LINK = "link", "from the link in an email"

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    receives = models.BooleanField(default=True)
    # How many times this choice changed. An unsubscribe link carries the count it was made
    # at, so that it changes something once: after a member turns the emails back on, an
    # old link no longer turns them off.
    changes = models.PositiveIntegerField(default=0)
    changed_how = models.CharField(max_length=4, choices=How.choices, default=How.PAGE)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"],
                name="one_preference_per_member_and_kind",
                violation_error_message="This member has a switch for this kind of email already: change that one.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.kind} {'on' if self.receives else 'off'}"


def why_not_sent(*, kind: str, member_id: int | None) -> str:
    """Why an email of `kind` to the member is not to be sent — the committee switched the
    kind off for the program, or the member turned it off — or "" when it is to be sent.
    Required kinds (introductions, account emails…) always go. The sentence is for the
    Outbox page."""
    declared = kinds.get(kind)
    if declared is None or not declared.optional:
        return ""
    setting = KindSetting.of(kind)
    if not setting.sending:
        since = timezone.localtime(setting.changed_at)
        return f"The committee switched {declared.plural} off for the program on {since:%b %-d, %Y}."
    if member_id is None:
        return ""
    choice = EmailPreference.objects.filter(member_id=member_id, kind=kind, receives=False).first()
    if choice is not None:
        since = timezone.localtime(choice.changed_at)
        return f"The member turned {declared.plural} off {choice.get_changed_how_display()} on {since:%b %-d, %Y}."
    return ""
