"""The fields of allauth's forms (log in, join, forgotten and new passwords, add an address)
written in Python: `{{ bound_field|as_allauth_field }}` in templates/allauth/elements/fields.html.

allauth draws each field through its {% element field %} tag: the page's whole context
flattened into a new dict, a template looked up under two names, then our
allauth/elements/field.html, some hundred tags and variables for one input. On the signup
page's five fields that was about 40 % of the page, which `make bench` held at 2.2–3.5× the
layout floor against a target of 3×.

This module writes the markup of allauth/elements/field.html for a form's field: the same
elements, attributes in the same order, texts escaped as the template escapes them (labels
and help texts marked safe, like Django's list of password rules, kept as they are; errors,
values and the rest escaped). tests/test_allauth_fields.py renders every form that goes
through fields.html both ways and compares them; a change to field.html fails there until
this module writes the same. field.html stays: the email page's radio buttons and allauth's
own templates go through it.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from .form_layout import escaped, stringformat


def as_allauth_field(bound: forms.BoundField) -> SafeString:
    """One field as `{% element field %}` writes it from fields.html's attributes."""
    field, widget = bound.field, bound.field.widget
    kind = getattr(widget, "input_type", "")
    auto_id, errors, value = bound.auto_id, bound.errors, bound.value()
    # DESIGN rule 8: every text below is escaped unless it was marked safe in code. Labels and
    # help texts are written in code (allauth's, re-cased as plain text by members.accounts);
    # the one marked safe is Django's list of password rules (format_html), which allauth hands
    # over lazily: conditional_escape resolves a lazy text before it looks for the mark, where
    # `escaped` would escape the list (tests/test_allauth_fields.py fails then). Values and
    # errors hold what a person typed, a plain str here (request.POST, the database): escaped.
    label = conditional_escape(bound.label)
    help_text = conditional_escape(bound.help_text) if bound.help_text else ""
    name = _attr("name", bound.html_name)
    id_ = _attr("id", auto_id)
    if kind == "hidden":
        shown = "" if value is None else f' value="{escaped(value)}"'
        alerts = "".join(f'\n<div class="alert alert-danger" role="alert">{escaped(e)}</div>' for e in errors)
        return SafeString(f'\n<input type="hidden"{name}{id_}{shown}>{alerts}\n')
    described = _described_by(auto_id, errors, help_text)
    invalid = ' aria-invalid="true"' if errors else ""
    required = " required" if field.required else ""
    tail = _errors(auto_id, errors) + _help(auto_id, help_text)
    if kind in ("checkbox", "radio"):
        shown = "" if value is None or value is True or value is False else f' value="{escaped(value)}"'
        checked = " checked" if value is True else ""
        return SafeString(
            f'\n<div class="form-check mb-3">\n<input type="{kind}" class="form-check-input{_invalid(errors)}"'
            f"{name}{id_}{shown}{checked}{required}{described}{invalid}>"
            f'\n<label class="form-check-label" for="{escaped(auto_id)}">{label}</label>{tail}\n</div>\n'
        )
    attrs = widget.attrs
    label_tag = f'\n<label class="form-label" for="{escaped(auto_id)}">{label}</label>'
    widget_type = bound.widget_type
    if kind == "textarea" or widget_type == "textarea":
        text = "" if value is None else escaped(value)
        control = (
            f'<textarea class="form-control{_invalid(errors)}"{name}{id_}{_attr("rows", attrs.get("rows"))}'
            f"{_attr('maxlength', attrs.get('maxlength'))}{required}{described}{invalid}>{text}</textarea>"
        )
    elif kind == "select" or widget_type == "select":
        chosen = stringformat(value)
        options = "".join(
            f'\n<option value="{escaped(key)}"{" selected" if stringformat(key) == chosen else ""}>{escaped(text)}'
            "</option>"
            for key, text in field.choices
        )
        control = (
            f'<select class="form-select{_invalid(errors)}"{name}{id_}{required}{described}{invalid}>'
            f"{options}\n</select>"
        )
    else:
        shown = "" if value is None or kind == "password" else f' value="{escaped(value)}"'
        control = (
            f'<input type="{escaped(kind or "text")}" class="form-control{_invalid(errors)}"{name}{id_}{shown}'
            f"{_attr('autocomplete', attrs.get('autocomplete'))}{_attr('maxlength', attrs.get('maxlength'))}"
            f"{_attr('minlength', attrs.get('minlength'))}{required}{described}{invalid}>"
        )
    return SafeString(f'\n<div class="mb-3">{label_tag}\n{control}{tail}\n</div>\n')


def _attr(name: str, value) -> str:
    """` name="value"` when the value is set, as field.html's {% if attrs.x %}x="{{ attrs.x }}"{% endif %}."""
    return f' {name}="{escaped(value)}"' if value else ""


def _invalid(errors) -> str:
    return " is-invalid" if errors else ""


def _described_by(auto_id: str, errors, help_text: str) -> str:
    ids = ([f"{auto_id}_error"] if errors else []) + ([f"{auto_id}_help"] if help_text else [])
    return f' aria-describedby="{escaped(" ".join(ids))}"' if ids else ""


def _errors(auto_id: str, errors) -> str:
    if not errors:
        return ""
    listed = "<br>".join(escaped(e) for e in errors)
    return f'\n<div class="invalid-feedback" id="{escaped(auto_id)}_error">{listed}</div>'


def _help(auto_id: str, help_text: str) -> str:
    return f'\n<div class="form-text" id="{escaped(auto_id)}_help">{help_text}</div>' if help_text else ""
