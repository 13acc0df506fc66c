"""At start-up: every kind of email the rows can hold is declared by some app (but allauth's
account emails, worded by allauth), and every shipped wording passes its own placeholders'
check — a typo in a default stops `manage.py check` rather than a pairing."""

from django.core.checks import Error, register

from . import kinds
from .models import EmailKind
from .placeholders import PlaceholderError, check
from .rendering import forms_of


@register()
def email_kinds_declared(app_configs, **kwargs) -> list[Error]:
    errors = []
    for name in EmailKind.values:
        kind = kinds.get(name)
        if kind is None:
            if name != EmailKind.ACCOUNT:
                errors.append(Error(f"No app declares the email kind {name!r}.", id="outbox.E001"))
            continue
        try:
            check(kind.subject, kind.body, forms=forms_of(kind))
        except PlaceholderError as e:
            errors.append(Error(f"The shipped wording of {name!r}: {e}", id="outbox.E002"))
        if not kind.optional and not kind.always_because:
            errors.append(Error(f"{name!r} cannot be switched off: say why (always_because).", id="outbox.E003"))
    return errors
