"""The site's own error pages (issue 15, item 14): 400, 403, 404, 500 and the CSRF failure
in the site's layout, saying what to do next — with DEBUG off, and the 404 under `make run`
(DEBUG on) too. The 500 page needs neither the database nor the request's user."""

import logging

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse

from .factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def their_pair(cycle):
    """A pair of two other people."""
    return PairFactory(cycle=cycle, mentee=EnrollmentFactory(cycle=cycle, status="paired"))


def test_a_pair_that_is_not_yours_answers_the_sites_404_page_with_where_to_go(client_for, member, their_pair):
    response = client_for(member).get(their_pair.get_absolute_url())

    assert response.status_code == 404
    assert '<h1 class="h2">Page not found</h1>' in response.text
    assert f'href="{reverse("members:profile")}">My membership</a>' in response.text
    assert f'href="{reverse("pairs:pair-mine")}">My pairs</a>' in response.text
    assert 'aria-label="Main navigation"' in response.text  # the site's layout, its menu


def test_a_visitor_on_a_missing_page_is_offered_to_log_in_and_come_back(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert f'href="{reverse("account_login")}?next=/no-such-page/">Log in</a>' in response.text


def test_under_make_run_debug_on_a_missing_page_is_the_sites_404_not_djangos_debug_page(
    client_for, member, their_pair, settings
):
    settings.DEBUG = True
    client = client_for(member)

    for path in ("/no-such-page/", their_pair.get_absolute_url()):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text and "Django tried these URL patterns" not in response.text, path
        assert "Using the URLconf" not in response.text
    # An address without its slash still finds its page.
    assert client.get("/me")["Location"] == "/me/"


def test_a_committee_page_answers_a_member_the_sites_403_page_saying_why(client_for, member):
    response = client_for(member).get(reverse("members:cycle-list"))

    assert response.status_code == 403
    assert "This page is not for you" in response.text
    assert "This page is for the Mentoring Committee." in response.text
    assert f'href="{reverse("members:profile")}">My membership</a>' in response.text


def test_a_refused_page_is_one_line_of_the_log_saying_where_and_why(client_for, member, caplog):
    """The README's promise, "one line per event": a refusal is an answer the site meant to
    give, not a failure, so its line names the address and the reason, without the traceback
    of the check that refused (ten lines for every member who followed a committee link)."""
    plain = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])

    with caplog.at_level(logging.WARNING, logger="django.request"):
        client_for(member).get(reverse("members:cycle-list"))

    lines = [plain.format(r) for r in caplog.records if r.name == "django.request"]
    assert len(lines) == 1
    assert "\n" not in lines[0]
    assert lines[0].endswith(
        f"WARNING django.request: Forbidden (Permission denied): {reverse('members:cycle-list')}"
        " (This page is for the Mentoring Committee.)"
    )


@override_settings(ROOT_URLCONF="tests.urls_failing")
def test_a_server_error_keeps_its_traceback_in_the_log(caplog):
    plain = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])

    with caplog.at_level(logging.ERROR, logger="django.request"):
        Client(raise_request_exception=False).get("/test-broken/")

    (line,) = [plain.format(r) for r in caplog.records if r.name == "django.request"]
    assert "Traceback (most recent call last)" in line


def test_the_pairs_own_forms_answer_its_liaison_why_not(client_for, cycle, committee):
    pair = PairFactory(cycle=cycle, liaison=committee)

    response = client_for(committee).get(reverse("pairs:checkin-create", args=[pair.pk]))

    assert response.status_code == 403
    assert "Only the mentor and the mentee of this pair can do that." in response.text
    assert f'href="{reverse("matching:home")}">Matching</a>' in response.text


@override_settings(ROOT_URLCONF="tests.urls_failing")
def test_a_view_that_fails_answers_the_sites_500_page_with_debug_off(settings):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)

    response = client.get("/test-broken/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "nothing is half-done" in response.text
    assert "bg-arla" in response.text and "site.css" in response.text  # the site's look


def test_the_500_page_renders_without_the_database_or_a_request(django_db_blocker, django_assert_num_queries):
    with django_assert_num_queries(0), django_db_blocker.block():
        page = render_to_string("500.html")

    assert "Something went wrong on our side" in page


@override_settings(ROOT_URLCONF="tests.urls_failing")
def test_a_request_the_site_cannot_read_answers_the_sites_400_page():
    response = Client(raise_request_exception=False).get("/test-unreadable/")

    assert response.status_code == 400
    assert "This request could not be read" in response.text and "nothing was done" in response.text


def test_a_form_sent_without_its_csrf_token_answers_the_sites_page_saying_it_expired(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(reverse("members:profile-edit"), {"first_name": "Changed"})

    assert response.status_code == 403
    assert "This form has expired" in response.text and "reload the page" in response.text
    member.refresh_from_db()
    assert member.first_name != "Changed"
