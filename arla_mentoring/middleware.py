"""Middleware of the site's own: rules that hold for every response."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.views.defaults import page_not_found


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


class NotFoundPageInDebug:
    """With DEBUG on (`make run`, the site as people first try it), a page that does not
    exist answers the site's own 404 page, as in production, rather than Django's debug
    page listing every URL of the site. Server errors keep Django's debug page: whoever
    runs with DEBUG needs the traceback. Nothing happens with DEBUG off (Django's handler
    shows the same 404 page then).

    After CommonMiddleware, so that an address missing its slash is still redirected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as e:
                return page_not_found(request, e)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
