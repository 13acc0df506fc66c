from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.core.validators import MaxValueValidator

from .models import (
    PROFILE_FIELDS,
    RESOURCE_EXTENSIONS,
    Area,
    Cycle,
    Enrollment,
    MeetingMode,
    Resource,
    Role,
    User,
    normalize_tags,
    validate_one_line,
)
from .models.cycles import CYCLE_DATES, program_dates
from .services.membership import OptIn


class SignupExtraForm(forms.Form):
    """The name fields allauth's signup form adds to email and password."""

    first_name = forms.CharField(max_length=150, label="First name", validators=[validate_one_line])
    last_name = forms.CharField(max_length=150, label="Last name", validators=[validate_one_line])

    def signup(self, request, user: User) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


class ProfileForm(forms.ModelForm):
    """The member's profile: what the membership form asks and what matching reads."""

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
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.layout = Layout(
            Fieldset(
                "About you",
                Div(Div("first_name", css_class="col-md-6"), Div("last_name", css_class="col-md-6"), css_class="row"),
                "phone",
            ),
            Fieldset(
                "Your library and your work",
                "institution",
                Div(Div("library_type", css_class="col-md-6"), Div("region", css_class="col-md-6"), css_class="row"),
                Div(
                    Div("membership_category", css_class="col-md-6"),
                    Div("years_experience", css_class="col-md-6"),
                    css_class="row",
                ),
                "job_title",
                Div("responsibilities", css_class="columns-2"),
                "responsibilities_other",
            ),
        )


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
    commit_term = forms.BooleanField(required=False, label="I will take part for the whole 9–12 months.")
    commit_ethics = forms.BooleanField(
        required=False, label="I will be honest and professional, following the ALA Code of Ethics."
    )
    commit_confidentiality = forms.BooleanField(
        required=False, label="I will keep what my mentor or mentee shares with me confidential."
    )
    commit_orientation = forms.BooleanField(
        required=False, label="I will attend the orientation at the ArLA fall conference."
    )

    COMMITMENTS = ("commit_term", "commit_ethics", "commit_confidentiality", "commit_orientation")

    def __init__(self, *args, offer: str = Role.MENTEE, **kwargs):
        super().__init__(*args, **kwargs)
        mentee = Fieldset(
            "Mentee",
            "wants_mentor",
            Div("mentee_goals", "mentee_interests", css_class="form-section", data_shown_by="id_wants_mentor"),
        )
        mentor = Fieldset(
            "Mentor",
            "wants_to_mentor",
            Div(
                "mentor_goals",
                "mentor_interests",
                "capacity",
                css_class="form-section",
                data_shown_by="id_wants_to_mentor",
            ),
        )
        sections = [mentee, mentor] if offer == Role.MENTEE else [mentor, mentee]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.layout = Layout(
            *sections,
            Fieldset(
                "If you opt in",
                "meeting_modes",
                HTML('<p class="mb-2">The program asks every mentor and mentee to commit to the following:</p>'),
                *self.COMMITMENTS,
            ),
        )

    def clean(self):
        data = super().clean()
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
        for name in self.COMMITMENTS:
            if not data.get(name):
                self.add_error(name, "Taking part means agreeing to this commitment.")
        return data

    def optins(self) -> list[OptIn]:
        """The opt-ins the member ticked, as plain values for the service."""
        data = self.cleaned_data
        result = []
        if data.get("wants_mentor"):
            result.append(
                OptIn(
                    role=Role.MENTEE,
                    goals=data["mentee_goals"].strip(),
                    interests=data["mentee_interests"].strip(),
                    meeting_modes=list(data["meeting_modes"]),
                    capacity=1,
                )
            )
        if data.get("wants_to_mentor"):
            result.append(
                OptIn(
                    role=Role.MENTOR,
                    goals=data["mentor_goals"].strip(),
                    interests=data["mentor_interests"].strip(),
                    meeting_modes=list(data["meeting_modes"]),
                    capacity=data["capacity"],
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.role != Role.MENTOR:
            del self.fields["capacity"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token


def _date_input() -> forms.DateInput:
    # ISO format: what a browser's date picker reads and sends, whatever the locale.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(forms.ModelForm):
    """A program cycle's dates and defaults, as the committee sets them.

    Opening and closing opt-ins is not here: it closes another cycle too, so it is
    its own confirmed action.
    """

    default_length_months = forms.TypedChoiceField(
        choices=[(n, f"{n} months") for n in range(9, 13)],
        coerce=int,
        initial=10,
        label="Default pair length",
        help_text="Any pair may run 9 to 12 months; new pairs get this length unless the committee says otherwise.",
    )

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
        first, last = program_dates()
        for name in CYCLE_DATES:  # the date pickers offer the days Cycle.clean accepts
            self.fields[name].widget.attrs.update(min=first.isoformat(), max=last.isoformat())
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
        return data


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
