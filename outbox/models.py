"""The outbox: one row per email the program sends. The row is the truth; the Celery
task that sends it is only a doorbell."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class EmailState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class EmailKind(models.TextChoices):
    INTRO_MENTOR = "intro_mentor", "Introduction to the mentor"
    INTRO_MENTEE = "intro_mentee", "Introduction to the mentee"
    LIAISON_DIGEST = "liaison_digest", "Monthly check-in email to a liaison"
    CHECKIN_REMINDER = "checkin_reminder", "Check-in reminder"
    UNRESPONSIVE = "unresponsive", "Unresponsive partner report"
    EVALUATION = "evaluation", "Closing evaluation invitation"
    THANKS = "thanks", "Thanks and invitation to mentor"
    PAIR_ENDED = "pair_ended", "Pair ended"
    PARTNER_LEFT = "partner_left", "Pair ended: the other side deleted their account"
    RENEWAL_REMINDER = "renewal_reminder", "Membership renewal reminder"
    ACCOUNT = "account", "Account email (confirmation, password reset)"


# What an account email's body becomes once sent.
SECRET_BODY_ERASED = "(Erased once sent: it held a confirmation key or a password-reset link.)"


class EmailQuerySet(models.QuerySet):
    def needing_attention(self) -> EmailQuerySet:
        return self.filter(state__in=[EmailState.PENDING, EmailState.FAILED])

    def stale_pending(self, older_than: dt.timedelta) -> EmailQuerySet:
        """Pending rows whose doorbell (the Celery task) was probably lost."""
        return self.filter(state=EmailState.PENDING, queued_at__lt=timezone.now() - older_than)


class Email(models.Model):
    """One email of the program: the row is the truth, the Celery task only a doorbell.

    It is written in the same transaction as what caused it, rendered once, and
    sent at most once by `outbox.services.email_send`. The pair and the cycle it is
    about are named by string, so that this app imports nothing of the others.
    """

    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    # Makes "write this email" idempotent: a periodic task that runs twice, or a
    # retried request, finds the row it already wrote.
    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pair = models.ForeignKey("pairs.Pair", on_delete=models.SET_NULL, null=True, blank=True, related_name="emails")
    cycle = models.ForeignKey("members.Cycle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    state = models.CharField(max_length=8, choices=EmailState.choices, default=EmailState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to} ({self.state})"

    @property
    def body_is_secret(self) -> bool:
        """An account email's body holds a confirmation key or a password-reset link, which
        let whoever reads it verify an address or take over an account: only site admins
        (who may do both anyway) read it, and it is erased once sent."""
        return self.kind == EmailKind.ACCOUNT
