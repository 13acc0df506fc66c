"""Accounts under attack (issue 10): the admin login behind the site's rate limits, one
password hash per failed login, signup that costs the same work whether or not the
address has an account, addresses that another account added but never verified,
links built from SITE_URL, and private pages that no cache keeps."""

import contextlib
from unittest import mock

import pytest
from django.conf import global_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from .factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
TOO_MANY = "Too many failed login attempts"


# --- 3. The admin login behind the same limits as the site's login ------------------------------


def admin_login(client, email: str, password: str):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password, "next": "/admin/"})


def test_site_admin_and_committee_log_in_at_the_admin_login_page(client_for, site_admin, committee):
    for person in (site_admin, committee):
        client = client_for(None)

        response = admin_login(client, person.email.upper(), TEST_PASSWORD)

        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_a_member_who_is_not_staff_is_refused_at_the_admin_login_like_a_wrong_password(client, member):
    response = admin_login(client, member.email, TEST_PASSWORD)

    assert response.status_code == 200
    assert "Please enter the correct email address and password for a staff account." in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_admin_login_refuses_even_the_right_password_after_five_failures(client, site_admin):
    for _ in range(5):
        assert admin_login(client, site_admin.email, "wrong").status_code == 200

    response = admin_login(client, site_admin.email, TEST_PASSWORD)

    assert TOO_MANY in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_failures_at_the_site_login_count_at_the_admin_login_too(client, site_admin):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": site_admin.email, "password": "wrong"})

    response = admin_login(client, site_admin.email, TEST_PASSWORD)

    assert TOO_MANY in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_admin_login_answers_429_after_thirty_tries_a_minute_from_one_address(client, site_admin):
    answers = [admin_login(client, f"nobody{i}@example.org", "wrong").status_code for i in range(30)]

    response = admin_login(client, site_admin.email, TEST_PASSWORD)

    assert set(answers) == {200}
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated


@pytest.fixture
def production_hashing(settings):
    """Passwords hashed as in production (PBKDF2 first), not with the tests' fast MD5."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"


@contextlib.contextmanager
def counting_password_hashes():
    """Counts the production hasher's expensive work: one PBKDF2 run per password hashed or checked."""
    calls = []
    real_encode = PBKDF2PasswordHasher.encode

    def encode(self, password, salt, iterations=None):
        calls.append(password)
        return real_encode(self, password, salt, iterations)

    with mock.patch.object(PBKDF2PasswordHasher, "encode", encode):
        yield calls


@pytest.mark.parametrize("login_page", ["admin", "site"])
@pytest.mark.parametrize("who", ["a member", "an unknown address"])
def test_a_failed_login_costs_one_password_hash(client, production_hashing, site_admin, login_page, who):
    site_admin.set_password(TEST_PASSWORD)
    site_admin.save(update_fields=["password"])
    email = site_admin.email if who == "a member" else "nobody@example.org"

    with counting_password_hashes() as hashes:
        if login_page == "admin":
            response = admin_login(client, email, "wrong-password")
        else:
            response = client.post(reverse("account_login"), {"login": email, "password": "wrong-password"})

    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    assert len(hashes) == 1


def test_a_successful_login_with_the_production_hasher_still_logs_in(client, production_hashing, member):
    member.set_password(TEST_PASSWORD)
    member.save(update_fields=["password"])

    response = client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})

    assert response.wsgi_request.user == member
