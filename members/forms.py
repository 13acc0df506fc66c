from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.text import slugify

from arla_mentoring.form_layout import LeanDiv, LeanFields, LeanFieldset

from .models import (
    PAIR_MONTHS,
    PROFILE_FIELDS,
    RESOURCE_EXTENSIONS,
    SETTINGS_FIELDS,
    Area,
    Cycle,
    Enrollment,
    MeetingMode,
    MembershipCategory,
    ProgramSettings,
    Resource,
    Role,
    User,
    normalize_tags,
    validate_one_line,
)
from .models.cycles import CYCLE_DATES, FIRST_CONTACT_DAYS, OFFER_ANSWER_DAYS, program_dates
from .models.program_settings import REGION_CODE
from .models.questions import Audience, CycleQuestion, QuestionKind
from .program import program
from .questions import answer_field, answer_initial, answer_value
from .services.membership import OptIn
from .services.program import who_could_take_part


class SignupExtraForm(forms.Form):
    """The name fields allauth's signup form adds to email and password."""

    first_name = forms.CharField(max_length=150, label="First name", validators=[validate_one_line])
    last_name = forms.CharField(max_length=150, label="Last name", validators=[validate_one_line])

    def signup(self, request, user: User) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


def lean_row(*cells: tuple[str, str]) -> LeanDiv:
    """A Bootstrap row of fields, each (field name, its column's class)."""
    return LeanDiv(*(LeanDiv(LeanFields(name), css_class=column) for name, column in cells), css_class="row")


def profile_layout(*, about: str, work: str, first: tuple[str, ...] = ()) -> Layout:
    """The profile's two fieldsets (`about` and `work` their legends, `first` fields before the
    name), its rows and fields. Built once for each form class and shared by its forms, which
    only read it: building it took a quarter of the time of making a ProfileForm."""
    return Layout(
        LeanFieldset(
            about,
            *([LeanFields(*first)] if first else []),
            lean_row(("first_name", "col-md-6"), ("last_name", "col-md-6")),
            LeanFields("phone"),
        ),
        LeanFieldset(
            work,
            LeanFields("institution"),
            lean_row(("library_type", "col-md-6"), ("region", "col-md-6")),
            lean_row(("membership_category", "col-md-6"), ("years_experience", "col-md-6")),
            LeanFields("job_title"),
            LeanDiv(LeanFields("responsibilities"), css_class="columns-2"),
            LeanFields("responsibilities_other"),
        ),
    )


class ProfileForm(forms.ModelForm):
    """The member's profile: what the membership form asks and what matching reads."""

    # Its fields in LeanFields, as the opt-in form's: crispy's template per field made the
    # membership and renewal pages 3.6–7.5× the layout floor (make bench; target 3×). Its
    # fieldsets and rows are Lean too.
    LAYOUT = profile_layout(about="About you", work="Your library and your work")

    responsibilities = forms.MultipleChoiceField(
        choices=Area.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Responsibility areas",
        help_text="Tick every area you work in. Mentors and mentees are matched on these and the job title.",
    )

    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        help_texts = {
            "job_title": 'As on your badge, for example "Cataloging Librarian" or "Library Media Specialist".',
            "phone": "Optional. Your mentor or mentee receives it with your contact details.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "first_name",
            "last_name",
            "institution",
            "library_type",
            "region",
            "membership_category",
            "job_title",
        ):
            self.fields[name].required = True
        self.fields["years_experience"].required = True
        self.fields["years_experience"].min_value = 0
        # The program's regions, as its settings list them now.
        self.fields["region"] = forms.ChoiceField(
            label="Region", choices=[("", "---------"), *program().region_choices]
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        # Its widgets have no media (tests/test_lean_fields.py says so): {% crispy %} would
        # otherwise ask each of them for theirs on every render, to write nothing.
        self.helper.include_media = False
        self.helper.layout = self.LAYOUT


ANSWER_REQUIRED = "Please answer this question."


def question_field_name(question: CycleQuestion) -> str:
    return f"question_{question.pk}"


class OptInForm(forms.Form):
    """The mentoring part of the membership and renewal forms.

    `offer` puts the seeds' tickbox of that form first: the membership form offers
    "I would like a mentor", the renewal form "I would like to be a mentor"; both
    forms offer the other too.
    """

    wants_mentor = forms.BooleanField(required=False, label="I would like a mentor")
    mentee_goals = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What would you like to gain from having a mentor?",
    )
    mentee_interests = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Topics you would like to talk about",
    )
    wants_to_mentor = forms.BooleanField(required=False, label="I would like to be a mentor")
    mentor_goals = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What would you like to share with a mentee?",
    )
    mentor_interests = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Topics you are glad to advise on",
    )
    capacity = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=1,
        initial=1,
        label="How many mentees can you take?",
    )
    meeting_modes = forms.MultipleChoiceField(
        required=False,
        choices=MeetingMode.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Preferred ways to meet",
    )
    # The fingerprint of the commitments' wording the form showed (Program.commitments_key).
    commitments_key = forms.CharField(required=False, widget=forms.HiddenInput)
    agree_to_join = forms.BooleanField(required=False)

    def __init__(
        self,
        *args,
        offer: str = Role.MENTEE,
        needs_agreement: bool = False,
        questions: list[CycleQuestion] = (),
        unavailable: dict[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Roles the member cannot opt in as (already signed up, or not eligible), with why in a
        # sentence: their tickbox is not offered (the page says why), and ticking it anyway (a
        # page from before) is refused with that sentence.
        self.unavailable = dict(unavailable or {})
        # The cycle's own questions: each in the section of the role it is asked of ("both" in
        # the common part). Required ones are checked in clean(), for the roles ticked.
        self.questions = list(questions)
        for q in self.questions:
            self.fields[question_field_name(q)] = answer_field(q, required=False)
        asked_of = {a: [question_field_name(q) for q in self.questions if q.audience == a] for a in Audience.values}
        # The program's commitments as they are worded now, one tickbox each.
        self.settings = program()
        self.commitment_fields = [f"commitment_{i}" for i in range(1, len(self.settings.commitments) + 1)]
        for name, text in zip(self.commitment_fields, self.settings.commitments, strict=True):
            self.fields[name] = forms.BooleanField(required=False, label=text)
        self.fields["commitments_key"].initial = self.settings.commitments_key
        # A non-member may apply where the program allows it, by accepting its agreement to join.
        self.needs_agreement = needs_agreement and self.settings.nonmember_may_apply
        if self.needs_agreement:
            self.fields["agree_to_join"].label = self.settings.nonmember_agreement
        else:
            del self.fields["agree_to_join"]
        # The fields go in LeanFields, written without crispy's template per field: with the
        # committee's 20 questions that made the page four times the site's smallest one. The
        # fieldsets and sections around them are Lean too, as the profile's.
        mentee = LeanFieldset(
            "Mentee",
            LeanFields("wants_mentor"),
            LeanDiv(
                LeanFields("mentee_goals", "mentee_interests", *asked_of[Audience.MENTEES]),
                css_class="form-section",
                data_shown_by="id_wants_mentor",
            ),
        )
        mentor = LeanFieldset(
            "Mentor",
            LeanFields("wants_to_mentor"),
            LeanDiv(
                LeanFields("mentor_goals", "mentor_interests", "capacity", *asked_of[Audience.MENTORS]),
                css_class="form-section",
                data_shown_by="id_wants_to_mentor",
            ),
        )
        order = [Role.MENTEE, Role.MENTOR] if offer == Role.MENTEE else [Role.MENTOR, Role.MENTEE]
        sections = [{Role.MENTEE: mentee, Role.MENTOR: mentor}[r] for r in order if r not in self.unavailable]
        commitments = []
        if self.commitment_fields:
            commitments = [
                HTML('<p class="mb-2">The program asks every mentor and mentee to commit to the following:</p>'),
                LeanFields(*self.commitment_fields),
            ]
        agreement = []
        if self.needs_agreement:
            agreement = [
                HTML('<p class="mb-2 mt-3">You are not a current member: to apply, accept this too.</p>'),
                LeanFields("agree_to_join"),
            ]
        if sections:  # nothing to opt in to: no commitments to read either
            sections.append(
                LeanFieldset(
                    "If you opt in",
                    LeanFields(*asked_of[Audience.BOTH], "meeting_modes"),
                    *commitments,
                    *agreement,
                    LeanFields("commitments_key"),
                )
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.include_media = False  # as the profile's: no widget of it has media
        self.helper.layout = Layout(*sections)

    def clean(self):
        data = super().clean()
        for role, ticked in ((Role.MENTEE, "wants_mentor"), (Role.MENTOR, "wants_to_mentor")):
            if data.get(ticked) and role in self.unavailable:
                self.add_error(None, self.unavailable[role])
        if not (data.get("wants_mentor") or data.get("wants_to_mentor")):
            return data
        if data.get("wants_mentor") and not data.get("mentee_goals", "").strip():
            self.add_error(
                "mentee_goals", "Tell the committee what you would like to gain, so it can find your mentor."
            )
        if data.get("wants_to_mentor") and not data.get("mentor_goals", "").strip():
            self.add_error("mentor_goals", "Tell the committee what you would like to share with a mentee.")
        if not data.get("meeting_modes"):
            self.add_error("meeting_modes", "Choose at least one way to meet.")
        roles = {Role.MENTEE} if data.get("wants_mentor") else set()
        roles |= {Role.MENTOR} if data.get("wants_to_mentor") else set()
        for q in self.questions:
            name = question_field_name(q)
            asked = q.audience == Audience.BOTH or q.audience in roles
            if q.required and asked and name not in self.errors and answer_value(q, data.get(name)) is None:
                self.add_error(name, ANSWER_REQUIRED)
        if data.get("commitments_key") != self.settings.commitments_key:
            # The page showed other words (the committee changed them meanwhile): show these, ask again.
            self.data = self.data.copy()
            self.data[self.add_prefix("commitments_key")] = self.settings.commitments_key
            for name in self.commitment_fields:
                self.data.pop(self.add_prefix(name), None)
            self.add_error(
                None,
                "The program's commitments changed while you were filling in this form: please read them again "
                "and tick each one.",
            )
        for name in self.commitment_fields:
            if not data.get(name):
                self.add_error(name, "Taking part means agreeing to this commitment.")
        if self.needs_agreement and not data.get("agree_to_join"):
            self.add_error("agree_to_join", "You are not a current member: applying means accepting this.")
        return data

    def optins(self) -> list[OptIn]:
        """The opt-ins the member ticked, as plain values for the service."""
        data = self.cleaned_data
        accepted = {
            "commitments": self.settings.commitments,
            "nonmember_agreement": self.settings.nonmember_agreement if data.get("agree_to_join") else "",
        }
        result = []

        def answers(role: str) -> dict:
            return {
                q.pk: answer_value(q, data.get(question_field_name(q)))
                for q in self.questions
                if q.audience in Audience.of(role)
            }

        if data.get("wants_mentor"):
            result.append(
                OptIn(
                    role=Role.MENTEE,
                    answers=answers(Role.MENTEE),
                    goals=data["mentee_goals"].strip(),
                    interests=data["mentee_interests"].strip(),
                    meeting_modes=list(data["meeting_modes"]),
                    capacity=1,
                    **accepted,
                )
            )
        if data.get("wants_to_mentor"):
            result.append(
                OptIn(
                    role=Role.MENTOR,
                    answers=answers(Role.MENTOR),
                    goals=data["mentor_goals"].strip(),
                    interests=data["mentor_interests"].strip(),
                    meeting_modes=list(data["meeting_modes"]),
                    capacity=data["capacity"],
                    **accepted,
                )
            )
        return result


class EnrollmentForm(forms.ModelForm):
    """Editing a waiting opt-in. Role, cycle and the snapshot do not change here."""

    meeting_modes = forms.MultipleChoiceField(
        choices=MeetingMode.choices, widget=forms.CheckboxSelectMultiple, label="Preferred ways to meet"
    )

    class Meta:
        model = Enrollment
        fields = ["goals", "interests", "meeting_modes", "capacity"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 3}), "interests": forms.Textarea(attrs={"rows": 2})}

    def answers(self) -> dict:
        """question id -> the answer as kept (None: none)."""
        return {q.pk: answer_value(q, self.cleaned_data.get(question_field_name(q))) for q in self.questions}

    def __init__(self, *args, questions: list[CycleQuestion] = (), answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.role != Role.MENTOR:
            del self.fields["capacity"]
        # The cycle's questions for this role, with the answers given (archived ones are not asked).
        self.questions = list(questions)
        for q in self.questions:
            field = self.fields[question_field_name(q)] = answer_field(q)
            field.initial = answer_initial(q, (answers or {}).get(q.pk))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.include_media = False  # as the opt-in form's: no widget of it has media
        # Every field, in order, as crispy's default layout has them, written by LeanFields: crispy's
        # template for each made the page 3.3× the layout floor (make bench; target 3×).
        self.helper.layout = Layout(LeanFields(*self.fields, between=" "))


def _date_input() -> forms.DateInput:
    # ISO format: what a browser's date picker reads and sends, whatever the locale.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(forms.ModelForm):
    """A program cycle's dates and defaults, as the committee sets them.

    Opening and closing opt-ins is not here: it closes another cycle too, so it is
    its own confirmed action.
    """

    default_length_months = forms.TypedChoiceField(coerce=int, label="Default pair length")

    class Meta:
        model = Cycle
        fields = [
            "name",
            "optin_opens",
            "optin_closes",
            "matchmaking_starts",
            "matchmaking_ends",
            "starts_on",
            "orientation",
            "default_length_months",
            "mentor_min_years",
            "mentor_accepts_first",
            "offer_answer_days",
            "first_contact_days",
        ]
        widgets = {
            "optin_opens": _date_input(),
            "optin_closes": _date_input(),
            "matchmaking_starts": _date_input(),
            "matchmaking_ends": _date_input(),
            "starts_on": _date_input(),
        }
        error_messages = {"name": {"unique": "There is a cycle with this name already."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The program's lengths (Committee → Program); a cycle made before they changed keeps its own.
        settings = program()
        lengths = sorted({*settings.lengths, *([self.instance.default_length_months] if self.instance.pk else [])})
        length = self.fields["default_length_months"]
        length.choices = [(n, f"{n} months") for n in lengths]
        length.help_text = (
            f"Pairs in this program run {settings.length_in_words}; new pairs get this length unless the "
            "committee says otherwise."
        )
        if not self.instance.pk:
            self.initial.setdefault("default_length_months", settings.default_length_months)
            self.initial.setdefault("mentor_min_years", settings.mentor_min_years)
        first, last = program_dates()
        for name in CYCLE_DATES:  # the date pickers offer the days Cycle.clean accepts
            self.fields[name].widget.attrs.update(min=first.isoformat(), max=last.isoformat())
        for name, (low, high) in (("offer_answer_days", OFFER_ANSWER_DAYS), ("first_contact_days", FIRST_CONTACT_DAYS)):
            self.fields[name].widget.attrs.update(min=low, max=high)
            # Left empty (or not sent, by a form from before these settings): as it was, or the default.
            self.fields[name].required = False
            self.fields[
                name
            ].help_text += (
                f" {low} to {high} days; empty: {self.instance.__dict__[name] or Cycle._meta.get_field(name).default}."
            )
        years = self.fields["mentor_min_years"]
        years.validators.append(MaxValueValidator(50))
        years.widget.attrs["max"] = 50
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.layout = Layout(
            "name",
            Fieldset(
                "Opt-ins",
                Div(
                    Div("optin_opens", css_class="col-md-6"), Div("optin_closes", css_class="col-md-6"), css_class="row"
                ),
            ),
            Fieldset(
                "Matchmaking",
                Div(
                    Div("matchmaking_starts", css_class="col-md-6"),
                    Div("matchmaking_ends", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                "The program year",
                "starts_on",
                "orientation",
                Div(
                    Div("default_length_months", css_class="col-md-6"),
                    Div("mentor_min_years", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                "The introduction and first contact",
                "mentor_accepts_first",
                Div(
                    Div("offer_answer_days", css_class="col-md-6"),
                    Div("first_contact_days", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
        )

    def clean(self):
        data = super().clean()
        optin_opens, optin_closes = data.get("optin_opens"), data.get("optin_closes")
        matchmaking_starts, starts_on = data.get("matchmaking_starts"), data.get("starts_on")
        # Matchmaking may overlap the end of the opt-in window (late opt-ins are
        # still matched), but it cannot begin before there is anybody to match.
        if optin_opens and matchmaking_starts and matchmaking_starts < optin_opens:
            self.add_error(
                "matchmaking_starts", f"Matchmaking cannot start before opt-ins open ({optin_opens:%B %-d, %Y})."
            )
        if optin_closes and starts_on and starts_on < optin_closes:
            self.add_error("starts_on", f"The program cannot start before opt-ins close ({optin_closes:%B %-d, %Y}).")
        self._someone_may_mentor(data.get("mentor_min_years"))
        return data

    def _someone_may_mentor(self, years: int | None) -> None:
        """A threshold under which no current member could mentor is refused (unless nobody could before)."""
        settings = program().stored()
        was = self.instance.mentor_min_years if self.instance.pk else settings["mentor_min_years"]
        if years is None or years <= was:
            return
        could = who_could_take_part({**settings, "mentor_min_years": was})[Role.MENTOR]
        if could and not who_could_take_part({**settings, "mentor_min_years": years})[Role.MENTOR]:
            self.add_error(
                "mentor_min_years",
                f"No current member who may mentor has {years} years of library experience "
                f"({could} could mentor with {was}): choose fewer years.",
            )

    def _days(self, name: str) -> int:
        value = self.cleaned_data.get(name)
        return value if value is not None else getattr(self.instance, name)

    def clean_offer_answer_days(self) -> int:
        return self._days("offer_answer_days")

    def clean_first_contact_days(self) -> int:
        return self._days("first_contact_days")


class LinesField(forms.CharField):
    """A list of one-line texts, written one a line (blank lines are left out)."""

    widget = forms.Textarea

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class RegionsField(LinesField):
    """The regions, one a line as "code: Name". A line without a code keeps the code of the
    region with that name, or gets one made from the name."""

    def __init__(self, *args, known: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {name.casefold(): code for code, name in known}

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(f"{code}: {name}" for code, name in value)
        return value

    def to_python(self, value) -> list[list[str]]:
        regions = []
        for line in super().to_python(value):
            code, colon, name = line.partition(":")
            if colon and REGION_CODE.fullmatch(code.strip()):
                regions.append([code.strip(), name.strip()])
            else:
                made = slugify(line).replace("-", "_")[:16].strip("_")
                regions.append([self.known.get(line.casefold(), made), line])
        return regions


MONTHS = [(n, dt.date(2000, n, 1).strftime("%B")) for n in range(1, 13)]


class ProgramSettingsForm(forms.ModelForm):
    """The program's settings as the committee edits them (Committee → Program). The form
    converts and checks what the settings say alone; the service checks the rest."""

    # Written by LeanFields, LeanFieldset and LeanDiv (arla_mentoring/form_layout.py): crispy's
    # template for each of its 30 fields, 7 fieldsets and 14 rows made the page 3.6× the layout
    # floor (make bench; target 3×). Built once for the class: its forms only read it.
    LAYOUT = Layout(
        LeanFields("version"),
        LeanFieldset(
            "Names",
            LeanFields("association_name"),
            lean_row(("association_short_name", "col-md-4"), ("program_name", "col-md-8")),
            lean_row(("committee_name", "col-md-6"), ("committee_chair", "col-md-6")),
            LeanFields("email_sender_name"),
            css_id="settings-names",
        ),
        LeanFieldset(
            "The conference and the orientation",
            LeanFields("conference_name"),
            lean_row(("orientation_name", "col-md-8"), ("orientation_month", "col-md-4")),
            LeanFields("orientation_text"),
            css_id="settings-conference",
        ),
        LeanFieldset(
            "Pairs",
            lean_row(
                ("min_length_months", "col-md-4"),
                ("default_length_months", "col-md-4"),
                ("max_length_months", "col-md-4"),
            ),
            css_id="settings-pairs",
        ),
        LeanFieldset(
            "Who may take part",
            lean_row(("mentee_categories", "col-md-6"), ("mentor_categories", "col-md-6")),
            LeanFields("mentor_min_years", "nonmember_may_apply", "nonmember_agreement"),
            css_id="settings-who",
        ),
        LeanFieldset("Commitments", LeanFields("commitments"), css_id="settings-commitments"),
        LeanFieldset("Regions", LeanFields("regions"), css_id="settings-regions"),
        LeanFieldset("Program pages", LeanFields("page_home", "page_mentor", "page_mentee"), css_id="settings-pages"),
    )

    # The version the page showed: saving over a newer one (someone saved meanwhile) is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ProgramSettings
        fields = list(SETTINGS_FIELDS)
        widgets = {
            "orientation_text": forms.Textarea(attrs={"rows": 6}),
            "nonmember_agreement": forms.Textarea(attrs={"rows": 2}),
            "page_home": forms.Textarea(attrs={"rows": 18}),
            "page_mentor": forms.Textarea(attrs={"rows": 14}),
            "page_mentee": forms.Textarea(attrs={"rows": 14}),
        }

    def __init__(self, *args, settings, **kwargs):
        instance = ProgramSettings(**settings.stored())
        super().__init__(*args, instance=instance, initial={"version": settings.version}, **kwargs)
        lengths = [(n, f"{n} months") for n in range(PAIR_MONTHS[0], PAIR_MONTHS[1] + 1)]
        for name in ("min_length_months", "default_length_months", "max_length_months"):
            self.fields[name] = forms.TypedChoiceField(label=self.fields[name].label, choices=lengths, coerce=int)
        self.fields["default_length_months"].help_text = "New cycles and new pairs start with it."
        self.fields["orientation_month"] = forms.TypedChoiceField(
            label="Usual month of the orientation", choices=MONTHS, coerce=int
        )
        categories = [(c.value, c.label) for c in MembershipCategory]
        self.fields["mentee_categories"] = forms.MultipleChoiceField(
            label="Who may be a mentee",
            choices=categories,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text="The membership categories a mentee may have.",
        )
        self.fields["mentor_categories"] = forms.MultipleChoiceField(
            label="Who may be a mentor",
            choices=categories,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text="The membership categories a mentor may have.",
        )
        self.fields["mentor_min_years"].widget.attrs.update({"min": 0, "max": 50})
        self.fields["commitments"] = LinesField(
            label="Commitments, one a line",
            required=False,
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text="Every mentor and mentee ticks each one when opting in; an opt-in keeps the wording it accepted.",
        )
        self.fields["regions"] = RegionsField(
            label="Regions, one a line as “code: Name”",
            required=False,
            known=list(settings.regions),
            widget=forms.Textarea(attrs={"rows": 7}),
            help_text="The code is what each member's profile keeps: to rename a region, change its name and keep "
            "its code. A region members are in cannot be removed.",
        )
        markdown = (
            "Markdown: a blank line between paragraphs, “## ” before a heading, “- ” before a list item, "
            "**bold**, *italics*, [a link](https://…). HTML is shown as text; images are not shown."
        )
        for name in ("page_home", "page_mentor", "page_mentee"):
            self.fields[name].help_text = markdown
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.include_media = False  # as the profile's: no widget of it has media
        self.helper.layout = self.LAYOUT

    def _post_clean(self):
        # The model's checks run in the service, once, with the database's (a region in use,
        # nobody left to take part): here only what the fields say alone.
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}

    def add_errors(self, errors: dict) -> None:
        """A refusal of the service, each sentence under its field (or above the form)."""
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ResourceForm(forms.ModelForm):
    """Suggesting a resource (for the committee: adding one). A link, a file, or both."""

    class Meta:
        model = Resource
        fields = ["title", "description", "url", "file", "tags"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "url": forms.URLInput(attrs={"placeholder": "https://"}),
            "file": forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in RESOURCE_EXTENSIONS)}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token

    def clean_tags(self) -> str:
        return normalize_tags(self.cleaned_data["tags"])


class MemberCorrectionForm(ProfileForm):
    """The committee's correction of a member's account: the email address (a bounced one) and
    the profile, as the member's own form has it."""

    email = forms.EmailField(
        label="Email address",
        help_text="The member confirms a new address from the email it receives; until then a "
        "password reset still goes only to an address they confirmed.",
    )

    LAYOUT = profile_layout(about="The member", work="Their library and their work", first=("email",))

    class Meta(ProfileForm.Meta):
        fields = ["email", *PROFILE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = "Optional. Their mentor or mentee receives it with their contact details."
        self.fields[
            "responsibilities"
        ].help_text = "Every area they work in: matching compares these and the job title."

    def validate_unique(self):
        pass  # the service says whose the address is, in words


class QuestionForm(forms.Form):
    """A question of a cycle's opt-in form, as the committee writes it. The rules of a question
    (text, choices, match on) are the model's and the service's: their refusals come back to
    the fields (QuestionError.errors)."""

    text = forms.CharField(
        label="Question", max_length=300, validators=[validate_one_line], help_text="One line, as members read it."
    )
    help_text = forms.CharField(
        label="Help text",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500, "data-count": ""}),
        help_text="Optional: shown under the question, in smaller type. Plain text.",
    )
    audience = forms.ChoiceField(label="Asked of", choices=Audience.choices, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="Kind of answer", choices=QuestionKind.choices)
    choices = LinesField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For “One choice” and “Several choices”: one choice a line, at least two. Leave empty otherwise.",
    )
    required = forms.BooleanField(label="An answer is required", required=False)
    match_on = forms.BooleanField(
        label="Match on this",
        required=False,
        help_text="One-choice questions only: a mentee and a mentor who give the same answer score higher "
        "as a pair (its weight is set on the matching dashboard).",
    )

    def __init__(self, *args, answered: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if answered:
            self.fields["kind"].help_text = "Members have answered this question: its kind of answer stays."
            self.fields["kind"].disabled = True
            self.fields[
                "choices"
            ].help_text = "Members have answered this question: you may add choices and reword none of them away."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
