"""{% load lean_fields %}: the |as_lean_field filter (arla_mentoring/form_layout.py) and the
|as_allauth_field filter (arla_mentoring/allauth_fields.py)."""

from django import template

from .allauth_fields import as_allauth_field
from .form_layout import as_lean_field

register = template.Library()
register.filter("as_lean_field", as_lean_field, is_safe=True)
register.filter("as_allauth_field", as_allauth_field, is_safe=True)
