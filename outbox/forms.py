"""The outbox's forms: the committee's wording editor and switches, a member's choices."""

from __future__ import annotations

from typing import Any

from django import forms

from .kinds import Example, Kind
from .placeholders import PlaceholderError, check
from .rendering import forms_of
from .services.preferences import Choice
from .services.wording import SAMPLE


class WordingForm(forms.Form):
    """Subject and body in the placeholders' syntax, and the example to preview them with.
    Its buttons (`action`): find an example, preview, send me a test, save."""

    ACTIONS = ("find", "preview", "test", "save")

    subject = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}), max_length=20_000)
    find = forms.CharField(label="Find", required=False, max_length=100)
    example = forms.ChoiceField(label="Preview with", required=False)
    # The newest version when the editor was opened: saving over someone else's newer one is refused.
    based_on = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], required=False)

    def __init__(self, *args: Any, kind: Kind, examples: list[Example], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["example"].choices = [(SAMPLE, "A made-up example (the samples beside)")] + [
            (e.key, e.label) for e in examples
        ]
        self.fields["find"].label = f"Find {kind.example_label}"
        self.fields[
            "example"
        ].help_text = "A real one shows what its people would receive; a test still goes to you alone."

    def clean(self) -> dict:
        data = super().clean()
        subject, body = data.get("subject"), data.get("body")
        if subject is not None and body is not None:
            try:
                check(subject.strip(), body.replace("\r\n", "\n"), forms=forms_of(self.kind))
            except PlaceholderError as e:
                self.add_error("subject" if str(e).startswith("Subject") else "body", str(e))
        return data


class SwitchForm(forms.Form):
    """An optional kind on or off for the program, and its placeholders that may be turned off."""

    sending = forms.BooleanField(required=False)

    def __init__(self, *args: Any, kind: Kind, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["sending"].label = f"Send {kind.plural}"
        self.fields["sending"].disabled = not kind.optional
        for p in kind.placeholders:
            if p.can_hide:
                self.fields[f"show_{p.name}"] = forms.BooleanField(
                    required=False,
                    label=f"Include {{{p.name}}}",
                    help_text="Turned off, it says nothing, and the lines that need it are left out.",
                )

    def shown(self) -> set[str]:
        return {name.removeprefix("show_") for name, on in self.cleaned_data.items() if name.startswith("show_") and on}


class PreferencesForm(forms.Form):
    """A member's switches: one per optional kind of email that can reach them."""

    def __init__(self, *args: Any, choices: list[Choice], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.choices = choices
        for c in choices:
            off = " The committee has switched these off for everyone for now." if c.switched_off_for_everyone else ""
            self.fields[c.kind.name] = forms.BooleanField(
                required=False,
                initial=c.receives,
                label=c.kind.plural[:1].upper() + c.kind.plural[1:],
                help_text=(c.kind.member_reads or c.kind.sent_to) + off,
            )

    def receives(self) -> dict[str, bool]:
        return {c.kind.name: bool(self.cleaned_data.get(c.kind.name)) for c in self.choices}
