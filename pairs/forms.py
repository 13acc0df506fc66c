from __future__ import annotations

import contextlib
import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import pluralize
from django.utils import timezone

from arla_mentoring.form_layout import LeanFields
from arla_mentoring.paging import first_of
from members.models import Cycle, Enrollment, MaxTypedLength, User
from members.program import program

from .models import (
    CHECKIN_MAX_MINUTES,
    CHECKIN_MINUTES_MESSAGE,
    END_NOTE_MAX_CHARS,
    MAX_MONTHS,
    MIN_MONTHS,
    REPORT_NOTE_MAX_CHARS,
    TOPIC_MONTHS,
    CheckIn,
    Evaluation,
    Goal,
    Pair,
    PairEndReason,
    Topic,
    mentors_with_places_left,
    validate_report_note,
)


def _count_as_typed(form: forms.BaseForm) -> None:
    """Each free text with a limit (a CharField's max_length, a TextField's MaxTypedLength): the
    browser stops at it (maxlength) and says how many characters are used as the member types
    (data-count, static/js/char-count.js)."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            continue
        limit = field.widget.attrs.get("maxlength")
        if limit is None:
            validators = list(field.validators)
            if model is not None:
                with contextlib.suppress(FieldDoesNotExist):  # a form field of its own
                    validators += model._meta.get_field(name).validators
            limit = next((v.limit for v in validators if isinstance(v, MaxTypedLength)), None)
        if limit is not None:
            field.widget.attrs.update({"maxlength": limit, "data-count": True})


def _helper(form: forms.Form) -> FormHelper:
    """The helper of this app's forms: inside the page's own <form> (which carries the CSRF
    token), every field, in order, written by LeanFields (arla_mentoring/form_layout.py) — the
    same markup as crispy's template per field (tests/test_lean_fields.py renders each form
    both ways). Crispy's template per field, radio buttons a dozen lookups each, made the
    evaluation, survey and check-in pages 3.1-3.7x the layout floor (make bench; target 3x),
    and a goal's four fields took 0.95 ms against 0.40 ms. No widget of these forms has media
    (that test says so too), which {% crispy %} would otherwise gather every time."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.include_media = False
    helper.layout = Layout(LeanFields(*form.fields, between=" "))
    return helper


class EnrollmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, e: Enrollment) -> str:
        label = f"{e.member} — {e.job_title}, {e.member.institution}"
        if (left := getattr(e, "places_left", None)) is not None:
            label += f" · {left} of {e.capacity} place{pluralize(e.capacity)} left"
        return label


# The pairing page offers at most this many mentees and mentors, found by a search: a
# cycle has thousands of opt-ins, far too many for a drop-down (or for one page to send).
CHOICES_SHOWN = 50


class PairForm(forms.Form):
    """The committee's plain "pair a mentee with a mentor" form.

    Any waiting mentee and any mentor of the cycle is accepted; the drop-downs offer the
    first CHOICES_SHOWN who match `mentee_q` and `mentor_q` (and the one already chosen).
    """

    mentee = EnrollmentChoiceField(queryset=Enrollment.objects.none(), empty_label="Choose a waiting mentee")
    mentor = EnrollmentChoiceField(queryset=Enrollment.objects.none(), empty_label="Choose a mentor with a place left")
    liaison = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Automatic: the committee member with the fewest pairs",
    )
    length_months = forms.TypedChoiceField(
        label="Length", choices=[(n, f"{n} months") for n in range(MIN_MONTHS, MAX_MONTHS + 1)], coerce=int
    )

    def __init__(self, *args, cycle: Cycle, mentee_q: str = "", mentor_q: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Offer who is free now; the service re-checks under a lock when the form is sent.
        base = Enrollment.objects.for_cycle(cycle).with_member().order_by("member__last_name", "member__first_name")
        self.fields["mentee"].queryset = base.mentees().waiting()
        self.fields["mentor"].queryset = mentors_with_places_left(base.mentors().taking_part())
        self.fields["liaison"].queryset = User.objects.liaisons()
        # The program's lengths (Committee → Program), and the cycle's own default if it was set before they changed.
        lengths = sorted({*program().lengths, cycle.default_length_months})
        self.fields["length_months"].choices = [(n, f"{n} months") for n in lengths]
        self.fields["length_months"].initial = cycle.default_length_months
        self._offer("mentee", mentee_q)
        self._offer("mentor", mentor_q)
        self.helper = _helper(self)

    def _offer(self, name: str, q: str) -> None:
        """Put the first matches of `q` (and the one chosen) in the drop-down; the field's
        help text says when there are more, or none."""
        field = self.fields[name]
        found = first_of(field.queryset.search(q), CHOICES_SHOWN + 1)
        more = len(found) > CHOICES_SHOWN
        found = found[:CHOICES_SHOWN]
        chosen = str((self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)) or "")
        if chosen.isascii() and chosen.isdecimal() and int(chosen) not in {e.pk for e in found}:  # not "²"
            found[:0] = field.queryset.filter(pk=int(chosen))  # a stale choice is simply not offered
        elif not chosen and q and len(found) == 1 and not self.is_bound:
            self.initial[name] = found[0].pk  # the search found the one: choose them
        field.widget.choices = [("", field.empty_label)] + [(e.pk, field.label_from_instance(e)) for e in found]
        if more:
            field.help_text = f"The first {CHOICES_SHOWN}{' matches' if q else ''}: search above to find others."
        elif q and not found:
            field.help_text = f"No {name} matches “{q}”."


def _date_limits(widget: forms.Widget, first: dt.date, last: dt.date) -> None:
    """The browser's date picker offers only these days; the model's clean() says why on the others."""
    widget.attrs.update(min=first.isoformat(), max=last.isoformat())


class CheckInForm(forms.ModelForm):
    """A check-in of `instance.pair` (the view gives it one): dated from the day the pair began
    to today, or to the day it ended (CheckIn.clean, Pair.checkin_date_refusal)."""

    # The constraint's range and sentence, said before it is reached (0 and -5 alike).
    minutes = forms.IntegerField(
        label="Length (minutes)",
        required=False,
        min_value=1,
        max_value=CHECKIN_MAX_MINUTES,
        error_messages={"min_value": CHECKIN_MINUTES_MESSAGE, "max_value": CHECKIN_MINUTES_MESSAGE},
    )

    # The pair's topics so far (the view reads them once): a choice of ids, no query of its own.
    topic = forms.TypedChoiceField(
        label="The month's topic you discussed",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Optional: tag the check-in with one of the committee's topics.",
    )

    class Meta:
        model = CheckIn
        fields = ["met_on", "mode", "minutes", "topics", "notes"]
        widgets = {
            "met_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["met_on", "mode", "minutes", "topic", "topics", "notes"]

    def __init__(self, *args, topics: list[Topic] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self._topics = {t.pk: t for t in topics}
        current = self.instance.topic_id
        self.fields["topic"].choices = [("", "—")] + [(t.pk, f"Month {t.month}: {t.title}") for t in topics]
        if current and current not in self._topics:
            self.fields["topic"].choices.append((current, self.instance.topic_title))
        self.initial.setdefault("topic", current)
        if not topics and not current:
            del self.fields["topic"]
        today = timezone.localdate()
        if self.initial.get("met_on") is None:  # the instance (a new check-in of the pair) has no date yet
            self.initial["met_on"] = today
        if self.instance.pair_id:
            pair = self.instance.pair
            _date_limits(self.fields["met_on"].widget, pair.began_on, min(today, pair.over_on or today))
        _count_as_typed(self)
        self.helper = _helper(self)

    def clean_topic(self) -> Topic | None:
        pk = self.cleaned_data.get("topic")
        if pk is None:
            return None
        if pk == self.instance.topic_id and pk not in self._topics:
            return self.instance.topic
        return self._topics[pk]  # the choices are these: anything else is refused before


class GoalForm(forms.ModelForm):
    """A goal of `instance.pair`, its target date within Pair.goal_targets (Goal.clean)."""

    class Meta:
        model = Goal
        fields = ["title", "description", "status", "target_on"]
        widgets = {
            "target_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pair_id:
            _date_limits(self.fields["target_on"].widget, *self.instance.pair.goal_targets)
        _count_as_typed(self)
        self.helper = _helper(self)


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["overall", "relationship", "goals_met", "would_recommend", "best", "improve"]
        widgets = {
            "overall": forms.RadioSelect,
            "relationship": forms.RadioSelect,
            "goals_met": forms.RadioSelect,
            "best": forms.Textarea(attrs={"rows": 3}),
            "improve": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"overall": "1 = not at all, 5 = very much"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["would_recommend"].required = False
        self.helper = _helper(self)


class LiaisonAssignForm(forms.Form):
    """The committee's pair list: the pairs ticked, and the committee member to liaise them."""

    pair = forms.ModelMultipleChoiceField(
        queryset=Pair.objects.none(), error_messages={"required": "Tick the pairs whose liaison changes."}
    )
    liaison = forms.ModelChoiceField(
        queryset=User.objects.none(),
        empty_label="Choose a committee member",
        error_messages={"required": "Choose the committee member who will liaise these pairs."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].queryset = Pair.objects.with_people()
        self.fields["liaison"].queryset = User.objects.liaisons().order_by("last_name", "first_name")


class PairEndForm(forms.Form):
    """Why the pair ends: a category the reports count, and a note (needed for "Other")."""

    category = forms.ChoiceField(
        # "Account deleted" is the site's own, when a member deletes their account.
        choices=[(v, label) for v, label in PairEndReason.choices if v != PairEndReason.ACCOUNT_DELETED],
        widget=forms.RadioSelect,
        label="Why does the pair end?",
        error_messages={"required": "Choose why the pair ends: the committee's reports count the reasons."},
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[MaxTypedLength(END_NOTE_MAX_CHARS)],
        label="In a few words",
        help_text="For the committee only. Needed when the reason is “Other”.",
    )
    back_to_pool = forms.BooleanField(required=False, label="Put the mentee back in the pool for a new mentor")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _count_as_typed(self)
        self.helper = _helper(self)

    def clean(self):
        data = super().clean()
        if data.get("category") == PairEndReason.OTHER and not data.get("reason", "").strip():
            self.add_error("reason", "Say in a few words why the pair ends.")
        return data


class ReportForm(forms.Form):
    note = forms.CharField(
        required=False,
        # maxlength: the browser stops the member at the limit, rather than the server after.
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REPORT_NOTE_MAX_CHARS}),
        validators=[validate_report_note],
        label="Anything the liaison should know (optional)",
        help_text=f"At most {REPORT_NOTE_MAX_CHARS:,} characters.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _count_as_typed(self)
        self.helper = _helper(self)


class TopicForm(forms.ModelForm):
    """A topic of a schedule (the view sets `instance.cycle`): its month, title, text and link."""

    month = forms.TypedChoiceField(
        label="Month of the pair's year",
        coerce=int,
        choices=[(m, f"Month {m}") for m in range(1, TOPIC_MONTHS + 1)],
        help_text="Month 1 is the month a pair starts: for most pairs, the month of the orientation.",
    )

    class Meta:
        model = Topic
        fields = ["month", "title", "text", "resource_url"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_url"].widget.attrs["placeholder"] = "https://"
        _count_as_typed(self)
        self.helper = _helper(self)

    def clean_resource_url(self) -> str:
        url = self.cleaned_data["resource_url"].strip()
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Give the resource's web address, starting with https://.")
        return url
