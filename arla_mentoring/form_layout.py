"""Crispy-forms layout objects for a form with many fields: `LeanFields`, and the fieldsets
and rows around them, `LeanFieldset` and `LeanDiv`.

crispy-forms renders every field on its own: the page's whole context flattened into a new
one, then bootstrap5/field.html, a template of some 150 tags and variables for one field,
whose radio buttons and tickboxes each cost a dozen lookups more. On the opt-in form with a
committee's 20 questions (some 35 fields and 60 choices) that made the page four times the
site's smallest one (scripts/bench.py, issue 13). A template of our own that writes the same
markup in one loop, from values computed once in Python, still took 3.4 ms for that form
(about two microseconds a variable); written here it takes 0.5 ms.

`LeanFields` writes the markup of bootstrap5/field.html (our override of crispy-bootstrap5's)
for the vertical forms our FormHelpers make: the same ids, classes, labels, required
markers, help texts, errors, aria-describedby and aria-invalid, every value escaped as the
template escapes it. tests/test_lean_fields.py renders forms both ways and compares them;
a change to bootstrap5/field.html must be made here too, and that test says so. A field
this module does not write (a file, a localized number) goes through crispy-forms as before.
A drop-down is written as {% crispy_field %} and our django/forms/widgets/select.html write it:
through those templates, the membership page's four took a seventh of its instructions
(cachegrind: 11.6 M of 82 M a request of `members:membership-join`).

`LeanFieldset` and `LeanDiv` are crispy's Fieldset and Div written as crispy-bootstrap5's
layout/fieldset.html and layout/div.html write them. Each of those is a template render with
the page's whole context flattened, and a fieldset's legend a template compiled anew every
time: the membership page's 5 fieldsets and 12 rows took 4 M of its 71 M instructions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from crispy_forms.layout import Div, Fieldset, LayoutObject
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from crispy_forms.utils import TEMPLATE_PACK, render_field
from django import forms
from django.conf import settings
from django.utils.formats import localize
from django.utils.safestring import SafeString

# The widget templates bootstrap5/field.html writes out rather than renders.
INPUT_TEMPLATES = {f"django/forms/widgets/{name}.html" for name in ("text", "number", "date", "email", "url")}
CHECKBOX_TEMPLATE = "django/forms/widgets/checkbox.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
SELECT_TEMPLATE = "django/forms/widgets/select.html"  # ours, in templates/: the options inline


def field_kind(bound: forms.BoundField) -> str | None:
    """How LeanFields writes `bound` (the branch of bootstrap5/field.html that would): hidden,
    choices, checkbox, textarea, select or input; None for a field crispy-forms renders."""
    field, widget = bound.field, bound.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is one
        return "choices"
    if field.localize or field.show_hidden_initial:
        return None  # through Django's widget templates
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox" if widget.template_name == CHECKBOX_TEMPLATE else None
    if isinstance(widget, forms.FileInput):
        return None
    if widget.template_name == TEXTAREA_TEMPLATE:
        return "textarea"
    if isinstance(widget, forms.Select) and widget.template_name == SELECT_TEMPLATE:
        return "select"  # SelectMultiple and NullBooleanSelect too: the same template
    if widget.template_name in INPUT_TEMPLATES:
        return "input"
    return None


@dataclass(frozen=True)
class Flags:
    """The FormHelper's settings that bootstrap5/field.html reads from {% crispy %}'s context."""

    show_errors: bool = True
    show_labels: bool = True
    error_text_inline: bool = True


class LeanFields(LayoutObject):
    """Form fields (by name) in a crispy Layout, written as bootstrap5/field.html writes them,
    without a template render each: see the module."""

    def __init__(self, *fields: str, between: str = ""):
        """`between`: what is written between two fields. A form without a Layout has each
        field written by crispy's uni_form.html loop, whose indentation {% specialspaceless %}
        folds into one space between them; " " makes the same folding happen here."""
        self.fields = list(fields)
        self.between = between

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        flags = Flags(
            show_errors=bool(context.get("form_show_errors", True)),
            show_labels=bool(context.get("form_show_labels", True)),
            error_text_inline=bool(context.get("error_text_inline", True)),
        )
        parts = []
        for name in self.fields:
            bound = form[name]
            kind = field_kind(bound)
            if kind is None:
                parts.append(render_field(name, form, context, template_pack=template_pack))
                continue
            parts.append(str(bound) + "\n" if kind == "hidden" else _field(bound, kind, flags))
            # As crispy's render_field does: what {% crispy %} has rendered already.
            if hasattr(form, "rendered_fields"):
                form.rendered_fields.add(name)
        return SafeString(self.between.join(parts))


def as_lean_field(bound: forms.BoundField) -> SafeString:
    """{{ form.field|as_lean_field }}: what {{ form.field|as_crispy_field }} writes, byte for
    byte, without its template render (the filter has no {% specialspaceless %}: _field's line
    breaks are the template's own). A form with a FormHelper, whose settings the filter reads,
    and a field LeanFields does not write, go through crispy-forms. The filter sets no
    error_text_inline: errors are paragraphs."""
    kind = field_kind(bound)
    if kind is None or kind == "hidden" or getattr(bound.form, "helper", None) is not None:
        return as_crispy_field(bound)
    return SafeString(_field(bound, kind, Flags(error_text_inline=False)))


def _opening(tag: str, layout: Fieldset | Div) -> str:
    """The start of crispy's fieldset.html and div.html: the tag, its id and its classes."""
    return (
        f"<{tag} "
        + (_html('id="{}"', layout.css_id) if layout.css_id else "")
        + " \n    "
        + (_html('class="{}"', layout.css_class) if layout.css_class else "")
    )


class LeanFieldset(Fieldset):
    """crispy's Fieldset, written as bootstrap5/layout/fieldset.html writes it: see the module.
    A legend that holds template syntax (crispy renders the legend as a template) or a
    template of its own goes through crispy-forms."""

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        legend = str(self.legend or "")
        if "{" in legend or self.template != Fieldset.template:
            return super().render(form, context, template_pack=template_pack, **kwargs)
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return SafeString(
            _opening("fieldset", self)
            + f"\n    {escaped(self.flat_attrs)}>\n    "
            # Written as it is, as crispy's template of the legend writes it.
            + (f"<legend>{legend}</legend>" if legend else "")
            + f"\n    {fields} \n</fieldset>\n"
        )


class LeanDiv(Div):
    """crispy's Div, written as bootstrap5/layout/div.html writes it: see the module. One with a
    template of its own goes through crispy-forms."""

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        if self.template != Div.template:
            return super().render(form, context, template_pack=template_pack, **kwargs)
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return SafeString(_opening("div", self) + f" {escaped(self.flat_attrs)}>\n        {fields}\n</div>\n")


ASTERISK = SafeString('<span class="asteriskField">*</span>')


# What html.escape replaces.
SPECIAL = re.compile("[&<>\"']")


def _text(value: str) -> str:
    """html.escape(value), without its five replacements for a text with nothing to replace
    (most ids, names, classes and labels): one scan instead."""
    return html.escape(value) if SPECIAL.search(value) else value


def escaped(value) -> str:
    """What a template's {{ value }} writes: conditional_escape, without its lazy-string
    wrapper (called for every attribute of every choice)."""
    if type(value) is str:  # plain text, most often (a SafeString is a subclass)
        return _text(value)
    return str(value.__html__()) if hasattr(value, "__html__") else _text(str(value))


def _html(template: str, *args) -> SafeString:
    """format_html, as fast: each argument escaped unless it is marked safe."""
    return SafeString(template.format(*map(escaped, args)))


def stringformat(value) -> SafeString:
    """What {{ value|stringformat:'s' }} writes: the text escaped, even when it was marked safe."""
    return SafeString(_text(str(value)))


def _field(bound: forms.BoundField, kind: str, flags: Flags) -> str:
    """One field as bootstrap5/field.html writes it, its line breaks included (crispy's
    {% specialspaceless %} then folds them, here as there)."""
    errors, auto_id, required = bound.errors, bound.auto_id, bound.field.required
    css = bound.css_classes()
    # f-strings with escaped for each value, rather than _html: a call fewer per value.
    wrapper_class = "form-check" if kind == "checkbox" and flags.show_labels else "mb-3"
    wrapper = f'<div id="div_{escaped(auto_id)}" class="{wrapper_class}{" " + escaped(css) if css else ""}">'
    labelled = bool(bound.label) and flags.show_labels
    id_for_label = bound.id_for_label
    label_for = f' for="{escaped(id_for_label)}"' if id_for_label else ""
    required_class = " requiredField" if required else ""
    label_text = f"\n{escaped(bound.label)}{ASTERISK if required else ''}\n"
    help_text = ""
    if bound.help_text:
        helptext_id = f' id="{escaped(auto_id)}_helptext"' if auto_id else ""
        help_text = f'<div{helptext_id} class="form-text">{escaped(bound.help_text)}</div>'

    if kind == "choices":
        legend = ""
        if labelled:
            describedby = bound.aria_describedby
            legend = (
                _html("<fieldset{}>\n", _html(' aria-describedby="{}"', describedby) if describedby else "")
                + f'<legend{label_for} class="form-label{required_class} fs-6">{label_text}</legend>'
            )
        return (
            f"\n{wrapper}\n{legend}\n\n<div>\n{_choices(bound, errors, auto_id, flags)}\n</div>\n{help_text}\n"
            f"{'</fieldset>' if labelled else ''}\n</div>\n"
        )

    messages = ""
    if flags.show_errors:
        messages = _errors(errors, auto_id, "span" if flags.error_text_inline else "p")
    if kind == "checkbox":
        label = ""
        if flags.show_labels:
            label = _html('<label for="{}" class="form-check-label{}">', id_for_label, required_class)
            label += f"{label_text}</label>"
        return (
            f'\n<div class="mb-3">\n{wrapper}\n\n{_control(bound, kind, errors)}\n\n{label}\n{messages}\n'
            f"{help_text}\n\n</div>\n</div>\n"
        )
    label = f'<label{label_for} class="form-label{required_class}">{label_text}</label>' if labelled else ""
    return f"\n{wrapper}\n{label}\n{_control(bound, kind, errors)}\n\n\n{messages}\n{help_text}\n\n</div>\n"


def _errors(errors, auto_id: str, tag: str) -> str:
    if not errors:
        return ""
    items = "".join(
        _html('<{} id="error_{}_{}"><strong>{}</strong></{}>', tag, n, auto_id, error, tag)
        for n, error in enumerate(errors, 1)
    )
    return _html('<div id="{}_error" class="invalid-feedback">\n', auto_id) + items + "\n</div>"


def _choices(bound: forms.BoundField, errors, auto_id: str, flags: Flags) -> str:
    """The radio buttons or tickboxes, as crispy's |optgroups filter lists them (values and
    labels |unlocalize'd); the errors under the last one."""
    widget = bound.field.widget
    id_ = widget.attrs.get("id") or auto_id
    attrs = bound.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(bound.html_name, widget.format_value(bound.value()), attrs)
    # What the options share, escaped once (an f-string each rather than _html: one call per
    # value, the form's 80 options called it 600 times).
    invalid = " is-invalid" if errors else ""
    name = escaped(bound.html_name)
    out = []
    for g, (group, options, _index) in enumerate(groups):
        if group:
            out.append(f"<strong>{escaped(group)}</strong>")
        for i, option in enumerate(options):
            attrs = option["attrs"]
            out.append(
                f'\n<div class="form-check">\n<input type="{escaped(option["type"])}" class="form-check-input{invalid}"'
                f' name="{name}" value="{escaped(str(localize(option["value"], use_l10n=False)))}"{flatatt(attrs)}>'
                f'\n<label for="{escaped(attrs.get("id", ""))}" class="form-check-label">'
                f"{escaped(str(localize(option['label'], use_l10n=False)))}</label>\n"
            )
            if flags.show_errors and errors and g == len(groups) - 1 and i == len(options) - 1:
                out.append(_errors(errors, auto_id, "p"))
            out.append("\n</div>")
    return "".join(out)


def _control(bound: forms.BoundField, kind: str, errors) -> SafeString:
    """The input or text area: the widget's own class first, then crispy's name of the widget
    and Bootstrap's; the other attributes as written when the widget has a class, sorted
    (|flatatt) when it has none. A drop-down: see _select."""
    if kind == "select":
        return _select(bound, errors)
    (widget,) = bound.subwidgets  # one for an input or a text area
    data = widget.data
    own = data["attrs"].get("class")
    css = (
        f"{escaped(own) + ' ' if own else ''}{escaped(type(bound.field.widget).__name__.lower())}"
        f" {'form-check-input' if kind == 'checkbox' else 'form-control'}{' is-invalid' if errors else ''}"
    )
    attrs = _attrs_in_order(data["attrs"]) if own else flatatt(data["attrs"])
    value = data["value"]
    name = escaped(data["name"])
    if kind == "textarea":
        return SafeString(f'\n<textarea name="{name}" class="{css}"{attrs}>\n{escaped(value or "")}</textarea>')
    written = f' value="{stringformat(value)}"' if value is not None else ""
    return SafeString(f'\n<input type="{escaped(data["type"])}" name="{name}"{written} class="{css}"{attrs}>')


def _select(bound: forms.BoundField, errors) -> SafeString:
    """The drop-down as bootstrap5/field.html has it written: {% crispy_field field 'class'
    'form-select' %} (the widget's class, then crispy's name of the widget unless the class holds
    it already, then Bootstrap's), and BoundField.as_widget through our select.html. Unlike
    {% crispy_field %}, it leaves the widget's own attrs as they were."""
    widget = bound.field.widget
    name = type(widget).__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    css = widget.attrs.get("class", "")
    css = (css if name in css else f"{css} {name}") if css else name
    for added in ("form-select", "is-invalid") if errors else ("form-select",):
        if added not in css.split():
            css += f" {added}"
    # The class where crispy's would be: in the widget's attrs when they have one, else after them.
    attrs = bound.build_widget_attrs({"class": css}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    out = [_html('<select name="{}"{}>', context["name"], _widget_attrs(context["attrs"]))]
    for group, options, _index in context["optgroups"]:
        if group:
            out.append(_html('\n  <optgroup label="{}">', group))
        out.extend(
            f'\n  <option value="{stringformat(option["value"])}"{_widget_attrs(option["attrs"])}>'
            f"{escaped(localize(option['label']))}</option>\n"
            for option in options
        )
        if group:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return SafeString("".join(out))


def flatatt(attrs: dict) -> SafeString:
    """crispy-forms' |flatatt (Django's flatatt with "_" in names written "-"): the same string,
    without a format_html per attribute."""
    if any("_" in name for name in attrs):
        attrs = {k.replace("_", "-"): v for k, v in attrs.items()}
    pairs, flags = [], []
    for name, value in attrs.items():
        if isinstance(value, bool):
            if value:
                flags.append(name)
        elif value is not None:
            pairs.append((name, value))
    pairs.sort()  # by name: names differ
    flags.sort()
    return SafeString("".join([f' {escaped(n)}="{escaped(v)}"' for n, v in pairs] + [f" {escaped(n)}" for n in flags]))


def _attrs_in_order(attrs: dict) -> SafeString:
    """A widget's attributes but its class, in their order, as bootstrap5/field.html's loop
    writes them."""
    return _widget_attrs({name: value for name, value in attrs.items() if name != "class"})


def _widget_attrs(attrs: dict) -> SafeString:
    """Attributes in their order, as Django's django/forms/widgets/attrs.html writes them (each
    value |stringformat:'s', so None as "None"; False left out, True bare)."""
    return SafeString(
        "".join(
            _html(" {}", name) if value is True else _html(' {}="{}"', name, stringformat(value))
            for name, value in attrs.items()
            if value is not False
        )
    )
