"""The surveys' forms: the committee's (a survey's settings, a question) and a side's answers."""

from __future__ import annotations

from django import forms

from members.questions import answer_field

from .forms import _count_as_typed, _helper
from .models import Survey, SurveyKind, SurveyQuestion


class SurveyForm(forms.ModelForm):
    """A survey's title, introduction, whether it is sent, and (midpoint) when it opens."""

    class Meta:
        model = Survey
        fields = ["title", "intro", "is_on", "opens_after_months"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != SurveyKind.MIDPOINT:
            del self.fields["opens_after_months"]
        else:
            self.fields["opens_after_months"].widget.attrs.update({"min": 1, "max": 12})
        if kind == SurveyKind.CLOSING:
            # The closing evaluation is always asked (its ratings are the program's health).
            del self.fields["is_on"]
        self.fields["title"].error_messages["required"] = "Give the survey a title: the pairs read it."
        _count_as_typed(self)
        self.helper = _helper(self)


class ChoicesField(forms.CharField):
    """A question's choices, one a line, as a list (blank lines and repeats dropped)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        seen: list[str] = []
        for line in (value or "").splitlines():
            line = line.strip()
            if line and line not in seen:
                seen.append(line)
        return seen


class SurveyQuestionForm(forms.ModelForm):
    """One question: its words, kind, choices (one a line), whether it must be answered, and whom it asks."""

    choices = ChoicesField(
        required=False,
        help_text="For “one choice” and “several choices”: one choice a line.",
    )

    class Meta:
        model = SurveyQuestion
        fields = ["text", "help_text", "kind", "choices", "required", "audience"]
        widgets = {"text": forms.TextInput, "help_text": forms.TextInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = "Write the question."
        _count_as_typed(self)
        self.helper = _helper(self)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AnswersForm(forms.Form):
    """A side's answers to a survey's questions (`questions`, as asked of them): a field each."""

    def __init__(self, *args, questions: list[SurveyQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[f"q{q.pk}"] = answer_field(q)
        self.helper = _helper(self)

    def answers(self) -> dict[int, object]:
        """{question id: the cleaned answer}."""
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
