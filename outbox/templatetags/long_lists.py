"""{% lean_result_list cl %}: the rows of an admin long list (outbox.admin.LongList), written
as Django writes them, for a fraction of the time.

Django's `items_for_result` works each cell out from scratch: it looks the column up on the
model, asks the admin for the empty value, rebuilds a choice field's labels, asks the static
files for a yes/no icon's address, reverses the row's link and parses it again to add the
list's filters. On a page of 50 rows and 8 columns that is 400 times, ~60 µs each: a third of
the page. Here each column is planned once a page (which field, which class, how its value is
shown) and each row only reads its values; a date shown twice is formatted once.

Only columns Django writes in a plain way are planned: the row's checkbox, `__str__`, the
admin's own methods (their value shown by Django's display_for_value), and the model's own
fields shown as text, a choice's label, a yes/no icon, a number, a date or a related row's
name. Django writes the rows, whole, of a list with any other column (a method of the model, a
path across relations, a file, a link, JSON, a decimal), with list_editable, opened as a pop-up
or for another key (to_field), or whose rows' keys are not whole numbers. This mirrors Django's
own display of those fields (django/contrib/admin/utils.py, display_for_field, at the version
requirements.txt pins);
tests/test_pages.py compares the rows both ways on every long list, as a site admin and as the
committee, sorted, searched and filtered.
"""

from __future__ import annotations

import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _boolean_icon,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_list import result_list as django_result_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import FieldIsAForeignKeyColumnName, _get_non_gfk_field, display_for_value
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import formats, timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString

register = template.Library()

# The fields whose values Django shows as text (display_for_value) when they have no choices.
TEXT_FIELDS = (models.CharField, models.TextField)
NUMBER_FIELDS = (models.IntegerField, models.FloatField)
# A field of these kinds is shown another way (a link, JSON, a hash): Django writes that list.
OTHER_FIELDS = (models.FileField, models.URLField, models.JSONField, models.DecimalField)


class _Column:
    """How one column's cell is written: its tag's class, and its value in words from the row."""

    def __init__(self, head: str, show, empty):
        self.head = head  # '<td class="…">' or '<th class="…">'
        self.tail = "</th>" if head.startswith("<th") else "</td>"
        self.show = show  # row -> what the cell shows (escaped when written, unless safe)
        self.empty = empty  # what a related row that is gone shows, as Django has it
        self.link = None  # (before the key, after it): the row's change page, the list's filters kept
        # An admin's method (`mentee_name`): its value shown as Django shows it, with the method's
        # own empty value and yes/no icon (@admin.display), and "nowrap" when it is a date.
        self.method = None
        self.method_empty = empty
        self.boolean = False
        self.head_nowrap = head


def _plan(cl) -> list[_Column] | None:
    """The list's columns planned once, or None when Django is to write the rows."""
    if cl.formset or cl.is_popup or cl.to_field:
        return None
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    opts = cl.lookup_opts
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        if cl.list_display_links is None:
            linked = False
        else:
            linked = (first and not cl.list_display_links) or name in cl.list_display_links
        classes = [f"field-{_coerce_field_name(name, index)}"]
        method = None
        if name == "action_checkbox":
            show = model_admin.action_checkbox  # safe markup (LongList.action_checkbox)
            classes = ["action-checkbox"]
        elif name == "__str__":

            def show(row, empty=empty):
                return display_for_value(str(row), empty)

        elif not isinstance(name, str) or "__" in name:
            return None  # a callable or a path across relations: Django's own way
        else:
            try:
                field = _get_non_gfk_field(opts, name)
            except FieldIsAForeignKeyColumnName:  # `cycle_id`
                return None
            except FieldDoesNotExist:  # a method of the admin (a method of the model: Django's way)
                method = show = getattr(model_admin, name, None)
                if not callable(method):
                    return None
            else:
                show = _field_shower(field, name, empty)
                if show is None:
                    return None
                if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
                    classes.append("nowrap")
        tag = "th" if linked and first else "td"
        column = _Column(f'<{tag} class="{" ".join(classes)}">', show, empty)
        if method is not None:
            column.method = method
            column.method_empty = getattr(method, "empty_value_display", empty)
            column.boolean = getattr(method, "boolean", False)
            column.head_nowrap = f'<{tag} class="{" ".join([*classes, "nowrap"])}">'
        if linked:
            first = False
            column.link = _change_link(cl)
            if column.link is None:
                return None
        columns.append(column)
    return columns


def _field_shower(field, name: str, empty):
    """row -> the cell's value in words, as display_for_field (and, for a related row,
    items_for_result) shows it; None for a field shown another way."""
    if field.name == "password" or isinstance(field, OTHER_FIELDS) or field.many_to_many:
        return None
    if isinstance(field.remote_field, models.ManyToOneRel):

        def show(row):
            related = getattr(row, name)
            return empty if related is None else related

        return show
    if getattr(field, "flatchoices", None):
        try:
            labels = dict(field.flatchoices)
        except TypeError:  # list-like choices: Django's own way
            return None
        return lambda row: labels.get(getattr(row, name), empty)
    if isinstance(field, models.BooleanField):
        icons = {value: _boolean_icon(value) for value in (True, False, None)}
        return lambda row: icons[getattr(row, name)]
    if isinstance(field, (models.DateField, models.TimeField)):
        aware = isinstance(field, models.DateTimeField)
        shown = {}

        def show(row):
            value = getattr(row, name)
            if value in field.empty_values:
                return empty
            if value not in shown:
                shown[value] = formats.localize(timezone.template_localtime(value) if aware else value)
            return shown[value]

        return show
    if isinstance(field, NUMBER_FIELDS + TEXT_FIELDS):  # an id too (AutoField is an IntegerField)

        def show(row):
            value = getattr(row, name)
            return empty if value in field.empty_values else display_for_value(value, empty)

        return show
    return None


def _change_link(cl):
    """The row's change page as (before its key, after it), with the list's filters kept, as
    items_for_result writes it; None when a row has no change page."""
    mark = 987654321987654321  # written where a row's key goes, then replaced
    try:
        url = cl.url_for_result(_Marked(cl, mark))
    except NoReverseMatch:
        return None
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
    before, found, after = url.partition(str(mark))
    return (escape(before), escape(after)) if found else None  # as format_html writes the address


class _Marked:
    """A stand-in row whose key is `mark`, to write a link once and put each row's key in it."""

    def __init__(self, cl, mark):
        setattr(self, cl.pk_attname, mark)


def _rows(cl, columns):
    pk = cl.lookup_opts.pk.attname
    for row in cl.result_list:
        cells = []
        for column in columns:
            head = column.head
            try:
                if column.method is None:
                    value = conditional_escape(column.show(row))
                else:
                    raw = column.method(row)
                    value = conditional_escape(display_for_value(raw, column.method_empty, column.boolean))
                    if isinstance(raw, (datetime.date, datetime.time)):
                        head = column.head_nowrap
            except ObjectDoesNotExist:
                value = column.empty
            if column.link:
                before, after = column.link
                value = f'<a href="{before}{getattr(row, pk)}{after}">{value}</a>'
            cells.append(SafeString(f"{head}{value}{column.tail}"))
        yield ResultList(None, cells)


def lean_result_list(cl) -> dict:
    """Django's `result_list` context, the rows written from the planned columns."""
    columns = _plan(cl)
    if columns is None or any(type(getattr(row, cl.lookup_opts.pk.attname)) is not int for row in cl.result_list):
        return django_result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(_rows(cl, columns)),
    }


@register.tag(name="lean_result_list")
def lean_result_list_tag(parser, token):
    return InclusionAdminNode(
        "lean_result_list",
        parser,
        token,
        func=lean_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
