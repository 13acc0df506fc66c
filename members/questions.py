"""A question the committee wrote, as a form field, and its answer, as a value and in words.

Every question (the opt-in form's, the surveys') is a QuestionBase; these three functions are
the one place that knows what each kind of answer looks like:

    kind      form field                           kept as (JSON)
    short     one-line text, 300 characters        str
    long      text area, 2,000 characters          str
    one       radio buttons of the choices         str (one of the choices)
    several   tickboxes of the choices             list[str] (in the choices' order)
    yes_no    "Yes" / "No" radio buttons           bool
    scale     1 to 5 radio buttons                 int

An answer left empty is None (nothing is kept). An answer given once stays as it was when
the question changes later: `answer_in_words` shows a choice no longer offered as it was
given.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import conditional_escape

from .models.questions import QuestionBase, QuestionKind
from .models.values import MaxTypedLength, validate_one_line

SHORT_ANSWER_CHARS = 300
LONG_ANSWER_CHARS = 2000
SCALE = range(1, 6)
YES, NO = "yes", "no"


def answer_field(question: QuestionBase, *, required: bool | None = None) -> forms.Field:
    """The form field that asks `question`: its text the label, its help text (escaped: it is
    the committee's plain text) under it. `required` overrides the question's own (the opt-in
    form requires an answer only of the roles the member opts in as)."""
    kind = question.kind
    common: dict[str, Any] = {
        "label": question.text,
        "help_text": conditional_escape(question.help_text),
        "required": question.required if required is None else required,
    }
    if kind == QuestionKind.SHORT:
        return forms.CharField(
            max_length=SHORT_ANSWER_CHARS,
            validators=[validate_one_line],
            widget=forms.TextInput(attrs={"data-count": ""}),
            **common,
        )
    if kind == QuestionKind.LONG:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": LONG_ANSWER_CHARS, "data-count": ""}),
            validators=[MaxTypedLength(LONG_ANSWER_CHARS)],
            **common,
        )
    if kind == QuestionKind.ONE:
        return forms.ChoiceField(choices=[(c, c) for c in question.choices], widget=forms.RadioSelect, **common)
    if kind == QuestionKind.SEVERAL:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(choices=[(YES, "Yes"), (NO, "No")], widget=forms.RadioSelect, **common)
    if kind == QuestionKind.SCALE:
        return forms.TypedChoiceField(
            choices=[(n, str(n)) for n in SCALE],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect(attrs={"data-scale": ""}),  # site.css sets the five on one line
            **common,
        )
    raise ValueError(f"no such kind of question: {kind!r}")


def answer_value(question: QuestionBase, cleaned: Any) -> Any:
    """The answer as it is kept, from what `answer_field` cleaned; None when there is none."""
    kind = question.kind
    if cleaned is None:
        return None
    if kind in (QuestionKind.SHORT, QuestionKind.LONG, QuestionKind.ONE):
        text = str(cleaned).strip()
        return text or None
    if kind == QuestionKind.SEVERAL:
        picked = {str(c) for c in cleaned}
        # In the question's order, so that the same ticks are the same answer.
        return [c for c in question.choices if c in picked] or None
    if kind == QuestionKind.YES_NO:
        if cleaned in (True, False):
            return cleaned
        return {YES: True, NO: False}.get(str(cleaned))
    if kind == QuestionKind.SCALE:
        if cleaned == "":
            return None
        n = int(cleaned)
        if n not in SCALE:
            raise ValueError(f"a scale answer is 1 to 5, not {n}")
        return n
    raise ValueError(f"no such kind of question: {kind!r}")


def answer_initial(question: QuestionBase, value: Any) -> Any:
    """What `answer_field` shows for a kept answer (the inverse of `answer_value`)."""
    if value is None:
        return None
    if question.kind == QuestionKind.YES_NO:
        return YES if value else NO
    return value


def answer_in_words(question: QuestionBase, value: Any) -> str:
    """The answer as a person reads it, on a page or in a spreadsheet's cell; "" for none."""
    if value is None or value == "" or value == []:
        return ""
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        return "Yes" if value else "No"
    if kind == QuestionKind.SCALE:
        return f"{value} of 5"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
