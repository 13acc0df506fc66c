"""The outbox: one row per email the program sends. The row is the truth; the Celery
task that sends it is only a doorbell."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..answers import in_plain_words


class EmailState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Not sent on purpose: the member turned this kind of email off, or the committee did
    # for the program. The row stays, with why, so that nobody wonders where it went.
    SKIPPED = "skipped", "Skipped"


class EmailKind(models.TextChoices):
    """The kinds of email, the values of `Email.kind`. What each kind says, to whom and
    with which placeholders is declared by the app that sends it (`outbox.kinds`)."""

    INTRO_MENTOR = "intro_mentor", "Introduction to the mentor"
    INTRO_MENTEE = "intro_mentee", "Introduction to the mentee"
    LIAISON_DIGEST = "liaison_digest", "Monthly check-in email to a liaison"
    CHECKIN_REMINDER = "checkin_reminder", "Check-in reminder"
    UNRESPONSIVE = "unresponsive", "Unresponsive partner report"
    EVALUATION = "evaluation", "Closing evaluation invitation"
    SURVEY_MIDPOINT = "survey_midpoint", "Midpoint survey invitation"
    SURVEY_EXIT = "survey_exit", "Exit survey invitation (pair ended early)"
    SURVEY_REMINDER = "survey_reminder", "Survey reminder"
    THANKS = "thanks", "Thanks and invitation to mentor"
    TOPIC = "topic", "The month's discussion topic"
    PAIR_ENDED = "pair_ended", "Pair ended"
    PARTNER_LEFT = "partner_left", "Pair ended: the other side deleted their account"
    OFFER = "offer", "Offer to a mentor (accept first)"
    OFFER_REMINDER = "offer_reminder", "Reminder of an offer to a mentor"
    OFFER_DECLINED = "offer_declined", "Offer declined by a mentor"
    OFFER_EXPIRED = "offer_expired", "Offer not answered in time"
    NO_CONTACT_NUDGE = "no_contact_nudge", "Nudge: no first contact yet"
    NO_CONTACT_LIAISON = "no_contact_liaison", "No first contact: to the liaison"
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

    def search(self, words: str) -> EmailQuerySet:
        """Rows whose recipient's address or subject holds every word (the Outbox page's search)."""
        rows = self
        for word in words.split()[:10]:
            rows = rows.filter(Q(to__icontains=word) | Q(subject__icontains=word))
        return rows


class Email(models.Model):
    """One email of the program: the row is the truth, the Celery task only a doorbell.

    It is written in the same transaction as what caused it, rendered once (from the
    version of the committee's wording it points at), and sent at most once by
    `outbox.services.email_send`. The pair and the cycle it is about are named by string,
    so that this app imports nothing of the others.
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
    # The version of the committee's wording it was rendered from; empty: the shipped
    # wording, never edited (or an account email, from allauth's own templates). A
    # version never changes, so this says exactly which words were used.
    template = models.ForeignKey(
        "outbox.EmailTemplate", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "Send me a test" from the wording editor: to the committee member who asked.
    is_test = models.BooleanField(default=False)
    # The From line as it was when the email was written ("ArLA Mentoring <…>"); empty on
    # rows written before it was kept: DEFAULT_FROM_EMAIL.
    sender = models.CharField(max_length=300, blank=True)
    # An optional kind's one-click unsubscribe address (RFC 8058), the same in the body's
    # footer and in the List-Unsubscribe header.
    unsubscribe_url = models.URLField(max_length=600, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    state = models.CharField(max_length=8, choices=EmailState.choices, default=EmailState.PENDING)
    skip_reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The mail server's last answer as Python gave it: for site admins. The committee reads
    # it in plain words (`outbox.answers.in_plain_words`).
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "queued_at"]),
            # Newest first, 50 a page (the Outbox page, the admin's list): read off this index
            # instead of sorting the whole table, ten thousand rows a year.
            models.Index(fields=["created_at", "id"], name="email_by_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to} ({self.state})"

    @property
    def body_is_secret(self) -> bool:
        """An account email's body holds a confirmation key or a password-reset link, which
        let whoever reads it verify an address or take over an account: only site admins
        (who may do both anyway) read it, and it is erased once sent."""
        return self.kind == EmailKind.ACCOUNT

    @property
    def wording(self) -> str:
        """Which words it was written from, for the committee."""
        if self.kind == EmailKind.ACCOUNT:
            return "The account system's own (django-allauth's), not the committee's."
        if self.is_test:
            return "The words in the editor when the test was asked for."
        if self.template is None:
            return "The shipped wording (not edited by the committee then)."
        return self.template.description()

    @property
    def answer_in_words(self) -> str:
        """The mail server's last answer, for the committee (empty when there was none)."""
        return in_plain_words(self.last_error) if self.last_error else ""
