"""The kinds of question (issue 13, item 2): what a question must have, the field each kind
of answer is asked with, the value it is kept as, and how it reads on a page."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from members.models import Audience, CycleQuestion, QuestionKind
from members.questions import answer_field, answer_in_words, answer_initial, answer_value

AREAS = ["Academic libraries", "Public libraries", "School libraries"]


def question(kind=QuestionKind.SHORT, **kwargs) -> CycleQuestion:
    kwargs.setdefault("text", "Which setting do you work in?")
    if kind in (QuestionKind.ONE, QuestionKind.SEVERAL):
        kwargs.setdefault("choices", AREAS)
    return CycleQuestion(kind=kind, **kwargs)


def errors_of(q) -> dict[str, list[str]]:
    try:
        q.clean()
    except ValidationError as e:
        return e.message_dict
    return {}


def ask(q, data) -> tuple[bool, object]:
    """Put `data` to the question's field as a submitted form does; (valid, kept value)."""
    form = forms.Form(data=MultiValueDict({"a": data if isinstance(data, list) else ([data] if data else [])}))
    form.fields["a"] = answer_field(q)
    if not form.is_valid():
        return False, form.errors["a"]
    return True, answer_value(q, form.cleaned_data["a"])


def test_a_question_without_text_is_refused():
    assert errors_of(question(text="   "))["text"] == ["Write the question: it has no text."]


def test_a_choice_question_needs_two_different_choices():
    for kind in (QuestionKind.ONE, QuestionKind.SEVERAL):
        assert "at least two different choices" in errors_of(question(kind, choices=[]))["choices"][0]
        assert "at least two different choices" in errors_of(question(kind, choices=["Yes", " ", "Yes"]))["choices"][0]
        assert errors_of(question(kind, choices=["A", "B\nC"]))["choices"] == [
            "Write this on one line: line breaks and control characters are not allowed."
        ]


def test_choices_are_kept_stripped_without_blank_lines():
    q = question(QuestionKind.ONE, choices=[" Academic ", "", "Public"])
    q.clean()
    assert q.choices == ["Academic", "Public"]


def test_only_a_choice_question_has_choices():
    assert (
        "Only a choice question has choices" in errors_of(question(QuestionKind.LONG, choices=["A", "B"]))["choices"][0]
    )


def test_only_a_one_choice_question_is_matched_on():
    assert (
        "Only a one-choice question can be matched on"
        in errors_of(question(QuestionKind.SEVERAL, match_on=True))["match_on"][0]
    )
    assert errors_of(question(QuestionKind.ONE, match_on=True)) == {}


@pytest.mark.parametrize(
    ("kind", "sent", "kept", "words"),
    [
        (QuestionKind.SHORT, "  Cataloging  ", "Cataloging", "Cataloging"),
        (QuestionKind.LONG, "Line one\r\nLine two", "Line one\r\nLine two", "Line one\r\nLine two"),
        (QuestionKind.ONE, "Public libraries", "Public libraries", "Public libraries"),
        (
            QuestionKind.SEVERAL,
            ["School libraries", "Academic libraries"],
            ["Academic libraries", "School libraries"],
            "Academic libraries; School libraries",
        ),
        (QuestionKind.YES_NO, "yes", True, "Yes"),
        (QuestionKind.YES_NO, "no", False, "No"),
        (QuestionKind.SCALE, "4", 4, "4 of 5"),
    ],
)
def test_each_kind_is_kept_in_its_own_shape_and_read_in_words(kind, sent, kept, words):
    q = question(kind)
    valid, value = ask(q, sent)
    assert valid
    assert value == kept
    assert answer_in_words(q, value) == words


@pytest.mark.parametrize(
    ("kind", "sent"),
    [
        (QuestionKind.SHORT, "two\nlines"),
        (QuestionKind.SHORT, "x" * 301),
        (QuestionKind.LONG, "x" * 2001),
        (QuestionKind.ONE, "Special libraries"),
        (QuestionKind.SEVERAL, ["Academic libraries", "Nowhere"]),
        (QuestionKind.YES_NO, "maybe"),
        (QuestionKind.SCALE, "6"),
        (QuestionKind.SCALE, "0"),
    ],
)
def test_an_answer_the_question_does_not_offer_is_refused(kind, sent):
    valid, _ = ask(question(kind), sent)
    assert not valid


def test_a_required_question_needs_an_answer_and_an_optional_one_keeps_none():
    for kind in QuestionKind:
        assert not ask(question(kind, required=True), "")[0], kind
        assert ask(question(kind, required=False), "") == (True, None), kind


def test_the_field_shows_the_question_and_its_help_text_escaped():
    q = question(QuestionKind.ONE, text="Which <b>setting</b>?", help_text="Pick <script>one</script>")
    field = answer_field(q)
    assert field.label == "Which <b>setting</b>?"
    assert "&lt;script&gt;" in str(field.help_text)
    assert isinstance(field.widget, forms.RadioSelect)
    assert isinstance(answer_field(question(QuestionKind.SEVERAL)).widget, forms.CheckboxSelectMultiple)
    assert isinstance(answer_field(question(QuestionKind.LONG)).widget, forms.Textarea)


def test_a_kept_answer_is_shown_again_in_the_field():
    q = question(QuestionKind.YES_NO)
    assert answer_initial(q, False) == "no"
    assert answer_initial(question(QuestionKind.SCALE), 3) == 3


def test_an_answer_given_to_a_choice_since_removed_reads_as_given():
    q = question(QuestionKind.SEVERAL, choices=["Public libraries", "School libraries"])
    assert answer_in_words(q, ["Academic libraries"]) == "Academic libraries"


def test_audiences_are_the_roles_and_both():
    assert Audience.of("mentee") == ("mentee", "both")
    assert {a.value for a in Audience} == {"mentee", "mentor", "both"}
