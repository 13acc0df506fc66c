"""allauth's forms (log in, join, forgotten and new passwords, add an address) write their
fields in Python (arla_mentoring/allauth_fields.py), not through an {% element field %} each:
what a visitor reads must not change. Each test renders a form's fields both ways, with
templates/allauth/elements/fields.html and with the loop it replaced (kept in tests/data,
every field through allauth/elements/field.html), and compares the markup: the same elements,
attributes in the same order, the same texts. A change to field.html fails here until
allauth_fields.py writes the same."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.account.forms import AddEmailForm
from django import forms
from django.template import Context, Origin, Template, engines
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils.html import format_html

from members.accounts import (
    ChangePasswordForm,
    LoginForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
    SetPasswordForm,
    SignupForm,
)

pytestmark = pytest.mark.django_db

LOOP_BEFORE = Path(__file__).parent / "data" / "allauth_fields_loop.html"
HOSTILE = '<script>alert("x")</script> & co'


class _Markup(HTMLParser):
    """The markup as a list: each tag with its attributes in order, each text with its runs of
    white space made one space (where the template and the Python put line breaks differs)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append(("<", tag, attrs))

    def handle_endtag(self, tag):
        self.items.append(("</", tag))

    def handle_data(self, data):
        if text := " ".join(data.split()):
            self.items.append(("text", text))

    def handle_entityref(self, name):
        self.items.append(("&", name))

    def handle_charref(self, name):
        self.items.append(("&#", name))


def markup(html: str) -> list:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.items


def both_ways(form) -> tuple[str, str]:
    context = {"attrs": {"form": form, "unlabeled": True}}
    python = get_template("allauth/elements/fields.html").render(context)
    # allauth's {% element %} names its templates after the template it is in: the loop gets a name.
    origin = Origin(str(LOOP_BEFORE), template_name="allauth/elements/fields.html")
    loop = Template(LOOP_BEFORE.read_text(), origin=origin, engine=engines["django"].engine)
    return python, loop.render(Context(context))


def assert_same_fields(form) -> str:
    python, looped = both_ways(form)
    assert markup(python) == markup(looped)
    return python


def request():
    r = RequestFactory().get("/")
    r.session = {}
    return r


def test_the_signup_forms_fields_are_the_markup_the_elements_wrote():
    page = assert_same_fields(SignupForm())

    assert 'type="email"' in page and 'autocomplete="email"' in page and "required" in page


def test_a_signup_sent_with_errors_and_hostile_values_is_the_same_markup_and_escaped():
    form = SignupForm(
        {"email": HOSTILE, "password1": HOSTILE, "password2": "other", "first_name": HOSTILE, "last_name": ""}
    )
    form.is_valid()

    page = assert_same_fields(form)

    assert "<script>" not in page
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"' in page
    assert 'aria-invalid="true"' in page and 'class="invalid-feedback"' in page
    # A password is never written back into the page.
    assert f'value="{HOSTILE}"' not in page and 'name="password1"' in page


def test_the_login_forms_fields_with_its_tickbox_are_the_same_markup():
    assert_same_fields(LoginForm(request=request()))
    sent = LoginForm({"login": "nobody@example.org", "password": "wrong", "remember": "on"}, request=request())
    sent.is_valid()
    page = assert_same_fields(sent)

    assert 'type="checkbox"' in page and " checked" in page


@pytest.mark.parametrize(
    "make",
    [
        lambda user: ChangePasswordForm(user=user),
        lambda user: ChangePasswordForm(data={"oldpassword": "x", "password1": "a", "password2": "b"}, user=user),
        lambda user: SetPasswordForm(user=user),
        lambda user: ResetPasswordForm(),
        lambda user: ResetPasswordForm({"email": HOSTILE}),
        lambda user: ResetPasswordKeyForm(user=user, temp_key="key"),
        lambda user: ResetPasswordKeyForm(data={"password1": "a", "password2": "b"}, user=user, temp_key="key"),
        lambda user: AddEmailForm(user=user),
        lambda user: AddEmailForm(data={"email": HOSTILE}, user=user),
    ],
    ids=[
        "change",
        "change-errors",
        "set",
        "reset",
        "reset-errors",
        "reset-key",
        "reset-key-errors",
        "add-email",
        "add-email-errors",
    ],
)
def test_every_other_account_forms_fields_are_the_same_markup(member, make):
    form = make(member)
    if form.is_bound:
        form.is_valid()

    assert_same_fields(form)


def test_a_label_and_help_text_marked_safe_keep_their_markup_and_the_rest_is_escaped():
    form = SignupForm()
    form.fields["first_name"].label = format_html("<em>{}</em>", HOSTILE)
    form.fields["first_name"].help_text = HOSTILE
    form.fields["email"].widget.attrs["autocomplete"] = HOSTILE

    page = assert_same_fields(form)

    assert "<em>&lt;script&gt;" in page
    assert "<script>" not in page


class EveryKind(forms.Form):
    """The branches of field.html no account form reaches today: a hidden field, a drop-down,
    a text area, a tickbox with help; so that a form allauth adds later is written alike."""

    token = forms.CharField(widget=forms.HiddenInput)
    region = forms.ChoiceField(choices=[("", "—"), ("north", HOSTILE), ("3", "Three")])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}), help_text="A few words.")
    agree = forms.BooleanField(help_text=format_html("<a href='/terms/'>{}</a>", "The terms"))


@pytest.mark.parametrize(
    "data",
    [None, {"token": HOSTILE, "region": "north", "note": HOSTILE, "agree": "on"}, {"region": "nowhere"}],
    ids=["empty", "filled", "errors"],
)
def test_hidden_fields_drop_downs_text_areas_and_tickboxes_are_the_same_markup(data):
    form = EveryKind(data)
    if form.is_bound:
        form.is_valid()

    page = assert_same_fields(form)

    assert "<script>" not in page
