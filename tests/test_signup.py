"""Signing up and logging in with django-allauth: email is the login."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from members.models import User

from .factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "Nia.Newcomer@Example.org",
    "first_name": "Nia",
    "last_name": "Newcomer",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


def confirm_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_visitor_signs_up_with_email_and_name_and_must_verify(client, sending, mailoutbox):
    with sending():
        response = client.post(reverse("account_signup"), SIGNUP, follow=True)

    user = User.objects.get(email="nia.newcomer@example.org")
    assert (user.first_name, user.last_name) == ("Nia", "Newcomer")
    assert not EmailAddress.objects.get(user=user).verified
    assert "Verify your email address" in response.text
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["nia.newcomer@example.org"]
    assert mailoutbox[0].subject.startswith("[ArLA Mentoring]")


def test_confirming_the_email_logs_in_and_opens_the_membership_form(client, sending, mailoutbox):
    with sending():
        client.post(reverse("account_signup"), SIGNUP)
    link = confirm_link(mailoutbox[0])

    response = client.post(link, follow=True)

    assert EmailAddress.objects.get(email="nia.newcomer@example.org").verified
    assert response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0] == reverse("members:membership-join")


def test_an_unverified_account_cannot_log_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}, follow=True
    )

    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")


def test_member_logs_in_with_email_and_lands_on_their_membership_page(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email.upper(), "password": TEST_PASSWORD}, follow=True
    )

    assert response.wsgi_request.user == member
    assert response.redirect_chain[-1][0] == reverse("members:profile")


def test_wrong_password_is_refused_with_a_message(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})

    assert response.status_code == 200
    assert "not correct" in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_signup_with_a_taken_email_does_not_reveal_the_account(client, sending, mailoutbox, member):
    with sending():
        response = client.post(reverse("account_signup"), {**SIGNUP, "email": member.email}, follow=True)

    # Enumeration prevention: the visitor sees the same "check your email" page,
    # and the owner of the address is told someone tried.
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=member.email).count() == 1
    assert mailoutbox[0].to == [member.email]
    assert "already" in mailoutbox[0].body.lower()


def test_signup_refuses_a_weak_password_and_a_missing_name(client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "first_name": "", "password1": "12345678", "password2": "12345678"}
    )

    assert response.status_code == 200
    assert "This password is too common." in response.text
    assert "This field is required." in response.text
    assert not User.objects.exists()


def test_password_reset_sends_a_link_only_to_known_addresses_but_says_the_same(client, sending, mailoutbox, member):
    with sending():
        known = client.post(reverse("account_reset_password"), {"email": member.email}, follow=True)
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, follow=True)

    assert known.redirect_chain[-1][0] == unknown.redirect_chain[-1][0] == reverse("account_reset_password_done")
    assert [m.to for m in mailoutbox if "/accounts/password/reset/key/" in m.body] == [[member.email]]


def test_member_changes_password(client_for, member):
    client = client_for(member)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "another-long-passphrase", "password2": "another-long-passphrase"},
        follow=True,
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password("another-long-passphrase")


def test_repeated_failed_logins_are_rate_limited(client, member):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})

    # Even the right password is refused for a while after five failures.
    assert not response.wsgi_request.user.is_authenticated
    assert "Too many failed login attempts" in response.text


def test_signup_is_rate_limited_per_ip(client, settings):
    from django.core.cache import cache

    cache.clear()
    for i in range(20):
        client.post(reverse("account_signup"), {**SIGNUP, "email": f"person{i}@example.org"})
        client.logout()

    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "one-too-many@example.org"})

    assert response.status_code == 429
    assert not User.objects.filter(email="one-too-many@example.org").exists()


def test_superuser_can_be_created_without_a_username():
    admin = User.objects.create_superuser(email="Admin@Example.org", password="x", first_name="A", last_name="B")

    assert admin.email == "admin@example.org" and admin.is_staff and admin.is_superuser
