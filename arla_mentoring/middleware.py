"""Middleware of the site's own: rules that hold for every response."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def private_no_store(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Every answer to a signed-in person carries `Cache-Control: private, no-store`.

    What a signed-in person sees is theirs or the committee's: a pair's contact details,
    the exports, their data, the outbox. One rule for all of them, rather than a decorator
    per view that a new page can forget: no shared cache (a proxy) may keep such an
    answer, nor the browser on disk after the person has signed out of a shared computer.
    Visitors' pages (the program, the login) stay cacheable.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        # Read after the view: a login makes the answer private, a logout no longer so.
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
