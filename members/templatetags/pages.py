"""Links between the pages of a list."""

from django import template
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number) -> str:
    """This address with `param` set to `number`, its other parameters (search, filters,
    sort, the other list's page) kept: Django's {% querystring %} for a parameter whose
    name is a variable ("page", or "left" for a page's second list)."""
    return querystring(context, **{param: number})
