"""Nothing a user typed is ever marked safe (DESIGN.md rule 8): not in a help text, not in
a message. Issue 10 item 2: the pairing page's "No mentee matches …" help text printed the
search words of the address as HTML, so a crafted link put a page-wide invisible button
aimed at "end this pair" inside the form that carries the CSRF token."""

import re
from html import unescape

import pytest
from django import forms
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from .factories import PairFactory

pytestmark = pytest.mark.django_db


def crafted_button(pair) -> str:
    """What the attack put in `mentee_q`: one click anywhere ends the pair."""
    return (
        f'<button data-hostile formaction="{reverse("pairs:pair-end", args=[pair.pk])}" '
        'style="position:fixed;inset:0;opacity:0;z-index:9999">x</button>'
    )


META_REFRESH = '<meta data-hostile http-equiv="refresh" content="0;url=https://evil.example/">'


def elements_from_the_payload(html: str) -> list[str]:
    """Tags the payload would have made: every payload here marks its elements `data-hostile`."""
    return re.findall(r"<[a-z]+ data-hostile[^>]*>", html)


@pytest.mark.parametrize("key", ["mentee_q", "mentor_q"])
def test_search_words_in_the_pairing_pages_address_are_shown_as_words_not_markup(client_for, committee, cycle, key):
    pair = PairFactory(cycle=cycle)

    for payload in (crafted_button(pair), META_REFRESH):
        response = client_for(committee).get(reverse("matching:pair-create"), {"cycle": cycle.pk, key: payload})

        assert response.status_code == 200
        html = response.content.decode()
        assert elements_from_the_payload(html) == []
        # The committee still reads what it searched for, as text.
        side = key.removesuffix("_q")
        assert f"No {side} matches “{payload}”." in text_of(html)
    pair.refresh_from_db()
    assert pair.is_active


def text_of(html: str) -> str:
    """The page as a person reads it: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


class HelpTexts(forms.Form):
    typed = forms.CharField(help_text='Typed by someone: <b data-hostile onclick="x()">bold</b>')
    ours = forms.CharField(help_text=format_html("Read <a href='{}'>the rules</a> first.", "/program/"))


def render(template: str, form: forms.Form) -> str:
    return engines["django"].from_string(template).render({"form": form})


def test_the_crispy_field_template_escapes_a_plain_help_text_and_keeps_one_built_with_format_html():
    html = render("{% load crispy_forms_tags %}{{ form|crispy }}", HelpTexts())

    assert elements_from_the_payload(html) == []
    assert "Typed by someone: &lt;b data-hostile" in html
    assert "Read <a href='/program/'>the rules</a> first." in html


def test_the_allauth_field_template_escapes_a_plain_help_text_and_keeps_one_built_with_format_html():
    # As allauth's {% element fields form=form %} renders it.
    html = render_to_string("allauth/elements/fields.html", {"attrs": {"form": HelpTexts()}})

    assert elements_from_the_payload(html) == []
    assert "Typed by someone: &lt;b data-hostile" in html
    assert "Read <a href='/program/'>the rules</a> first." in html


def test_the_signup_page_keeps_the_password_rules_as_a_list(client):
    """Django's password rules are built with format_html: escaping the others keeps them a list."""
    html = client.get(reverse("account_signup")).content.decode()

    assert "<li>Your password must contain at least 8 characters.</li>" in html
