"""The site's URLs and views that fail, for the error pages' tests (tests/test_error_pages.py)."""

from django.core.exceptions import BadRequest
from django.urls import include, path


def broken(request):
    raise RuntimeError("a bug")


def unreadable(request):
    raise BadRequest("a request the site cannot read")


urlpatterns = [
    path("test-broken/", broken),
    path("test-unreadable/", unreadable),
    path("", include("arla_mentoring.urls")),
]
