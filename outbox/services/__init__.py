"""The outbox's writes, one concept a module, each raising its own error:

- `sending`: writing an email (`email_write`, the one way an email comes to exist) and
  sending it (`email_send`, at most once, with retries), the committee's "Send again",
  the sweep — OutboxError;
- `wording`: the committee's wording of each kind (versions, restore, switches, previews,
  tests) — WordingError;
- `preferences`: what each member receives (their switches, the one-click unsubscribe) —
  PreferenceError.

The names most callers need are here too: `from outbox.services import email_write`
(`emails_write` for many at once).
"""

from .sending import (
    BROKER_BACKOFF_SECONDS,
    EmailToWrite,
    OutboxError,
    TransientEmailError,
    email_enqueue,
    email_requeue,
    email_resend,
    email_send,
    email_write,
    email_write_rendered,
    emails_enqueue,
    emails_write,
    outbox_sweep,
)

__all__ = [
    "BROKER_BACKOFF_SECONDS",
    "EmailToWrite",
    "OutboxError",
    "TransientEmailError",
    "email_enqueue",
    "email_requeue",
    "email_resend",
    "email_send",
    "email_write",
    "email_write_rendered",
    "emails_enqueue",
    "emails_write",
    "outbox_sweep",
]
