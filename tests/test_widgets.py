"""templates/django/forms/widgets/select.html replaces Django's own (to render drop-downs
faster): it must write exactly what Django's would, for every kind of drop-down."""

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, TemplatesSetting, get_default_renderer
from django.template.loader import get_template

CHOICES = [
    ("", "Choose a mentor"),
    ("Arkansas State Library", [("1", "Ann O’Brien — Cataloger"), ("2", "Bo <Reed> & Co")]),
    ("3", "Cy Young"),
]


def test_the_site_renders_drop_downs_with_its_own_select_template():
    assert isinstance(get_default_renderer(), TemplatesSetting)
    origin = get_template("django/forms/widgets/select.html").origin.name
    assert origin == str(settings.BASE_DIR / "templates" / "django" / "forms" / "widgets" / "select.html")


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=CHOICES, attrs={"class": "form-select", "aria-describedby": "help"}), ""),
        (forms.Select(choices=CHOICES, attrs={"class": "form-select"}), "2"),
        (forms.Select(choices=CHOICES, attrs={"disabled": True, "required": False}), "3"),
        (forms.Select(choices=[(1, "One"), (2, "Two")]), 2),
        (forms.Select(choices=[]), None),
        (forms.SelectMultiple(choices=CHOICES), ["1", "3"]),
        (forms.NullBooleanSelect(), True),
    ],
)
def test_our_select_template_writes_what_djangos_own_writes(widget, value):
    ours = widget.render("mentor", value, attrs={"id": "id_mentor"}, renderer=TemplatesSetting())
    djangos = widget.render("mentor", value, attrs={"id": "id_mentor"}, renderer=DjangoTemplates())

    assert ours == djangos
    assert "<option" in ours or not widget.choices
