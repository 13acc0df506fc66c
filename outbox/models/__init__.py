"""The outbox's models, one concept a module: the emails themselves, the committee's
wording of each kind, and the members' choices."""

from .emails import SECRET_BODY_ERASED, Email, EmailKind, EmailQuerySet, EmailState
from .preferences import EmailPreference, why_not_sent
from .wording import EmailTemplate, KindSetting

__all__ = [
    "SECRET_BODY_ERASED",
    "Email",
    "EmailKind",
    "EmailPreference",
    "EmailQuerySet",
    "EmailState",
    "EmailTemplate",
    "KindSetting",
    "why_not_sent",
]
