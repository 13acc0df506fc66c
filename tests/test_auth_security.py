"""Accounts under attack (issue 10): the admin login behind the site's rate limits, one
password hash per failed login, signup that costs the same work whether or not the
address has an account, addresses that another account added but never verified,
links built from SITE_URL, and private pages that no cache keeps."""

import contextlib
import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.conf import global_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache
from django.urls import reverse

from members.models import User
from members.roster import roster_import

from .factories import TEST_PASSWORD, EnrollmentFactory, PairFactory, UserFactory
from .test_signup import SIGNUP, confirm_link

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
TOO_MANY = "Too many failed login attempts"


def reset_link(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)


def reset_links(mailoutbox) -> list[str]:
    return [reset_link(m) for m in mailoutbox if "/accounts/password/reset/key/" in m.body]


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
def production_hashing(settings, monkeypatch):
    """Passwords hashed as in production (PBKDF2 first), not with the tests' fast MD5.

    With fewer rounds: these tests count PBKDF2 runs (counting_password_hashes), which
    production's 1,500,000 iterations made 0.4 s each here, the same code either way.
    A test that sets its person's password itself asks for this after that person: the
    person's first password, replaced at once, is then hashed fast. Everyone whose stored
    password a login might check is hashed with PBKDF2, or the count would not see the check."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    monkeypatch.setattr(PBKDF2PasswordHasher, "iterations", 1_000)


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
def test_a_failed_login_costs_one_password_hash(client, site_admin, production_hashing, login_page, who):
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


def test_a_successful_login_with_the_production_hasher_still_logs_in(client, member, production_hashing):
    member.set_password(TEST_PASSWORD)
    member.save(update_fields=["password"])

    response = client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})

    assert response.wsgi_request.user == member


# --- 8. Signup does the same work whether or not the address has an account ---------------------


@pytest.mark.parametrize("address", ["new", "taken"])
def test_signup_hashes_the_password_once_whether_or_not_the_address_has_an_account(
    client, production_hashing, sending, mailoutbox, member, address
):
    email = member.email if address == "taken" else "someone.new@example.org"

    with counting_password_hashes() as hashes, sending():
        response = client.post(reverse("account_signup"), {**SIGNUP, "email": email})

    # The visitor sees the same answer either way, and the address's owner gets one email.
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert [m.to for m in mailoutbox] == [[email]]
    assert len(hashes) == 1
    assert User.objects.filter(email=email).count() == 1


# --- 9. An address added to another account and never verified belongs to nobody ---------------


@pytest.fixture
def squatted(client_for, stranger, mailoutbox):
    """The stranger added someone else's address (who has no account yet) to their own account."""
    address = "owner.of.the.address@example.org"
    response = client_for(stranger).post(reverse("account_email"), {"action_add": "", "email": address})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=stranger, email=address, verified=False).exists()
    mailoutbox.clear()
    # Long before the owner turns up: allauth sends one confirmation email per address
    # every 3 minutes, and adding the address sent one (to the owner).
    cache.clear()
    return address


def test_an_address_another_account_added_unverified_does_not_block_its_owners_signup(
    client, sending, mailoutbox, stranger, squatted
):
    with sending():
        response = client.post(reverse("account_signup"), {**SIGNUP, "email": squatted}, follow=True)

    owner = User.objects.get(email=squatted)
    assert (owner.first_name, owner.last_name) == ("Nia", "Newcomer")
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    [mail] = mailoutbox
    assert mail.to == [squatted] and "/accounts/confirm-email/" in mail.body

    client.post(confirm_link(mail))

    # The owner's address is theirs now: the stranger's unverified claim to it is gone.
    assert EmailAddress.objects.get(email=squatted, verified=True).user == owner
    assert not EmailAddress.objects.filter(user=stranger, email=squatted).exists()


def test_password_reset_for_an_address_another_account_added_unverified_sends_no_link_for_that_account(
    client, sending, mailoutbox, stranger, squatted
):
    with sending():
        response = client.post(reverse("account_reset_password"), {"email": squatted}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_reset_password_done")
    assert reset_links(mailoutbox) == []
    assert [m.to for m in mailoutbox] == [[squatted]]  # "no account with this address"


def test_once_the_owner_has_signed_up_their_password_reset_is_for_their_own_account(
    client, sending, mailoutbox, stranger, squatted
):
    with sending():
        client.post(reverse("account_signup"), {**SIGNUP, "email": squatted})
    owner = User.objects.get(email=squatted)
    mailoutbox.clear()

    with sending():
        client.post(reverse("account_reset_password"), {"email": squatted})

    [link] = reset_links(mailoutbox)
    response = client.get(link, follow=True)
    set_password = response.redirect_chain[-1][0]
    client.post(set_password, {"password1": "owner-new-passphrase-77", "password2": "owner-new-passphrase-77"})
    owner.refresh_from_db()
    stranger.refresh_from_db()
    assert owner.check_password("owner-new-passphrase-77")
    assert stranger.check_password(TEST_PASSWORD)


def test_a_failed_login_with_an_address_several_accounts_added_unverified_costs_one_hash(
    client, client_for, production_hashing, squatted
):
    for _ in range(2):
        client_for(UserFactory()).post(reverse("account_email"), {"action_add": "", "email": squatted})
    assert EmailAddress.objects.filter(email=squatted, verified=False).count() == 3

    with counting_password_hashes() as hashes:
        response = client.post(reverse("account_login"), {"login": squatted, "password": "wrong-password"})

    assert not response.wsgi_request.user.is_authenticated
    assert len(hashes) == 1


# --- 16. Links from SITE_URL, private pages kept by no cache, the reset proves the address --------

SITE = "https://mentoring.example.org"


def test_password_reset_link_is_built_from_site_url_whatever_the_host_header_says(
    client, settings, sending, mailoutbox, member
):
    settings.SITE_URL = SITE

    with sending():
        client.post(reverse("account_reset_password"), {"email": member.email}, HTTP_HOST="testserver:8443")

    [link] = reset_links(mailoutbox)
    assert link.startswith(f"{SITE}/accounts/password/reset/key/")


def test_signup_emails_link_to_site_url_whatever_the_host_header_says(client, settings, sending, mailoutbox, member):
    settings.SITE_URL = SITE

    with sending():
        client.post(reverse("account_signup"), SIGNUP, HTTP_HOST="testserver:8443")
        client.post(reverse("account_signup"), {**SIGNUP, "email": member.email}, HTTP_HOST="testserver:8443")
        client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, HTTP_HOST="testserver:8443")

    assert len(mailoutbox) == 3  # verification, "you already have an account", "no account"
    for mail in mailoutbox:
        links = re.findall(r"https?://[^/\s]+", mail.body)
        assert links and set(links) == {SITE}, mail.body


@pytest.fixture
def private_pages(cycle, member, committee):
    """(who, URL) of pages and files that show personal data."""
    pair = PairFactory(cycle=cycle, mentee=EnrollmentFactory(member=member, cycle=cycle, status="paired"))
    return [
        (member, reverse("members:profile")),
        (member, reverse("pairs:pair-mine")),
        (member, reverse("pairs:pair-detail", args=[pair.pk])),
        (member, reverse("pairs:pair-calendar", args=[pair.pk])),
        (member, reverse("pairs:my-data")),
        (member, reverse("pairs:my-data-download")),
        (committee, reverse("matching:export", args=[cycle.pk, "pairs", "csv"])),
        (committee, reverse("matching:export", args=[cycle.pk, "enrollments", "xlsx"])),
        (committee, reverse("outbox:email-list")),
        (committee, reverse("pairs:pair-list")),
        (committee, reverse("members:enrollment-list")),
        (committee, reverse("matching:dashboard", args=[cycle.pk])),
    ]


def test_no_cache_keeps_a_page_or_file_shown_to_a_signed_in_person(client_for, private_pages):
    for who, url in private_pages:
        response = client_for(who).get(url)

        assert response.status_code == 200, url
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, f"{url}: Cache-Control {response.get('Cache-Control')!r}"


def test_the_public_program_page_may_be_cached_for_visitors(client):
    response = client.get(reverse("members:program"))

    assert "no-store" not in response.get("Cache-Control", "")


def test_an_imported_member_who_set_a_password_by_the_reset_link_logs_in_without_confirming_again(
    client, sending, mailoutbox, committee
):
    roster_import(text="email,first_name,last_name\nImre.Imported@Example.org,Imre,Imported\n", by=committee)
    imported = User.objects.get(email="imre.imported@example.org")
    assert not imported.has_usable_password()

    with sending():
        client.post(reverse("account_reset_password"), {"email": "imre.imported@example.org"})
    [link] = reset_links(mailoutbox)
    set_password = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password, {"password1": "imported-passphrase-42", "password2": "imported-passphrase-42"})
    mailoutbox.clear()

    with sending():
        response = client.post(
            reverse("account_login"), {"login": "imre.imported@example.org", "password": "imported-passphrase-42"}
        )

    assert response.wsgi_request.user == imported
    assert response["Location"] == reverse("members:profile")
    assert EmailAddress.objects.get(user=imported, email="imre.imported@example.org").verified
    assert mailoutbox == []  # no "confirm your address" again


def test_a_reset_by_someone_with_a_verified_address_verifies_nothing_else(client, sending, mailoutbox):
    """The link went to the verified address they typed: it proves that one, not the login address."""
    member = UserFactory(email="login.address@example.org")
    EmailAddress.objects.filter(user=member).update(verified=False)
    EmailAddress.objects.create(user=member, email="second@example.org", verified=True)

    with sending():
        client.post(reverse("account_reset_password"), {"email": "second@example.org"})
    [link] = reset_links(mailoutbox)
    set_password = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password, {"password1": "another-passphrase-42", "password2": "another-passphrase-42"})

    assert not EmailAddress.objects.get(user=member, email="login.address@example.org").verified
