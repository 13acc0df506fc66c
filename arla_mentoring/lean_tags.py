"""{% load lean_fields %}: the |as_lean_field filter (arla_mentoring/form_layout.py)."""

from django import template

from .form_layout import as_lean_field

register = template.Library()
register.filter("as_lean_field", as_lean_field, is_safe=True)
