"""Accounts: how django-allauth and the Django admin check who someone is, made to hold
under attack (issue 10).

- One authentication backend, so that a failed login costs one password hash.
- The admin's login page goes through allauth's failed-login limits, which it shares
  with the site's login page.
- An email address names one account (`User.objects.holding_address`) at signup,
  password reset and login: an address another account added and never verified
  neither blocks its owner's signup nor receives their password reset.
- Signup does the same work whether or not the address has an account.
- The links in allauth's emails come from SITE_URL, never from the request's Host.
- Setting a password by a reset link mailed to the login address verifies that address.
- allauth's emails are outbox rows like every other email (`AccountAdapter.send_mail`).
- The Sites framework's domain, which allauth's emails end with, follows SITE_URL
  (`site_follows_site_url`, at every migrate).
"""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlsplit

from allauth.account import auth_backends
from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_str

from outbox.models import EmailKind
from outbox.rendering import absolute
from outbox.services import email_write_rendered

from .models import User
from .program import program


def site_follows_site_url(*, apps=None, using: str = "default", **kwargs) -> None:
    """Make the Sites framework's domain SITE_URL's host (and port): allauth ends its emails
    with it. Run after every `migrate` (a post_migrate receiver, members/apps.py) — the step
    `make run` and every release take — so that running on another port or host name, or a
    new SITE_URL, never leaves the emails naming the old address."""
    from django.apps import apps as global_apps

    try:
        Site = (apps or global_apps).get_model("sites", "Site")
    except LookupError:
        return  # migrating backwards, before the sites app
    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    if Site.objects.using(using).filter(pk=settings.SITE_ID).exclude(domain=domain).update(domain=domain):
        global_apps.get_model("sites", "Site").objects.clear_cache()


def address_claims_drop(*, email: str, owner: User) -> None:
    """Drop the unverified claims of other accounts to an address `owner` has just proven to read."""
    EmailAddress.objects.filter(email=email.lower(), verified=False).exclude(user=owner).delete()


@transaction.atomic
def password_reset_proves_address(*, user: User) -> None:
    """A password reset by the link mailed to the account proves its login address, when
    that is where the link went: for an account with no verified address.

    A reset link reaches only an address that names the account (`holding_address`):
    one it verified, or, while it has none, its login address. So an imported member
    (no password, address unverified) or a signup never confirmed, who set a password
    through the link, has read mail at the login address and is not asked to confirm it
    again at the first login. An account with a verified address may have had the link
    there instead: nothing is marked.
    """
    if EmailAddress.objects.filter(user=user, verified=True).exists():
        return
    address, _ = EmailAddress.objects.get_or_create(
        user=user,
        email=user.email,
        defaults={"primary": not EmailAddress.objects.filter(user=user, primary=True).exists()},
    )
    # Refused only if another account verified the address since the link was sent.
    if address.set_verified(commit=True):
        address_claims_drop(email=address.email, owner=user)


class AuthenticationBackend(auth_backends.AuthenticationBackend):
    """The site's one backend: allauth's, with an address naming at most one account.

    allauth tries the password on every account that lists the address, verified or
    not: an address several accounts added unverified cost one password hash each.
    """

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        """The user's permissions, their own and their groups', in one query (ModelBackend
        takes two), read once per user object: every committee page asks."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            rows = (
                Permission.objects.all()
                if user_obj.is_superuser
                else Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            )
            user_obj._perm_cache = {
                f"{app}.{codename}"
                for app, codename in rows.values_list("content_type__app_label", "codename").order_by().distinct()
            }
        return user_obj._perm_cache

    # The method allauth's backend calls for a login by email (allauth is pinned in
    # requirements.txt; tests/test_auth_security.py counts the hashes).
    def _authenticate_by_email(self, email: str, password: str) -> User | None:
        # None (no account) makes allauth hash the password anyway, at the same cost.
        return self._check_password(User.objects.holding_address(email).first(), password)


class _ProgramSite:
    """The site as allauth's emails greet with it ("Hello from …!"): named by the program's settings."""

    def __init__(self, site):
        self.domain = site.domain

    @property
    def name(self) -> str:
        return program().email_sender_name


class AccountAdapter(DefaultAccountAdapter):
    # allauth builds the links in its emails from the request, whose Host header (its port
    # included: ALLOWED_HOSTS ignores ports) the client chose. A password-reset link could
    # then carry its key to another port or server. Every link is built from SITE_URL.

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After logging in (without a `next` page), the committee starts on its work — the
        matching dashboard: who waits, who is paired, which introductions are pending — and
        members on My membership (LOGIN_REDIRECT_URL)."""
        if request.user.runs_program:
            return reverse("matching:home")
        return super().get_login_redirect_url(request)

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request: HttpRequest | None, emailconfirmation) -> str:
        return absolute(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def format_email_subject(self, subject: str) -> str:
        # The program's sender name, as its settings say it ("[ArLA Mentoring] …").
        return f"[{program().email_sender_name}] {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails go through the outbox like every other email of the site: rendered
        here from allauth's templates (its subject prefix included), written as a pending row
        and sent by Celery after commit. A broker or mail-server outage delays a confirmation
        or a reset link (the sweep sends it later); it never fails the signup or the reset."""
        if template_prefix in ("account/email/account_already_exists", "account/email/unknown_account"):
            # What allauth puts in these two: links to the signup and password-reset pages.
            context = {
                **context,
                "signup_url": absolute(reverse("account_signup")),
                "password_reset_url": absolute(reverse("account_reset_password")),
            }
        request = allauth_context.request
        # The context allauth's own send_mail gives every one of its templates. The message
        # is read, never sent: its From (get_from_email) is DEFAULT_FROM_EMAIL, the outbox's too.
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": _ProgramSite(get_current_site(request)), **context},
        )
        if message.content_subtype == "html":  # what allauth makes of a template with no .txt
            text, html = "", message.body
        else:
            text = message.body
            html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
        email_write_rendered(
            kind=EmailKind.ACCOUNT,
            # allauth decides when an email goes (and its rate limits hold it back): each
            # call is a new email, never one found written before.
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            to=email,
            # The account the address names, not allauth's `user`: an address someone added
            # and never verified is not theirs (their data download lists their emails).
            recipient=User.objects.holding_address(email).first(),
            subject=message.subject,
            text=text,
            html=html,
        )

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        with transaction.atomic():
            confirmed = super().confirm_email(request, email_address)
            if confirmed:
                address_claims_drop(email=email_address.email, owner=email_address.user)
        return confirmed


class SentenceCase:
    """allauth's labels in the site's sentence case: "Remember me", "New password (again)"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                first, *rest = str(field.label).split(" ")
                field.label = " ".join([first, *(word.lower() for word in rest)])


class LoginForm(SentenceCase, allauth_forms.LoginForm):
    """allauth's login form."""


class ChangePasswordForm(SentenceCase, allauth_forms.ChangePasswordForm):
    """allauth's form to change one's password."""


class SetPasswordForm(SentenceCase, allauth_forms.SetPasswordForm):
    """allauth's form to set a password (an account without one)."""


class SignupForm(SentenceCase, allauth_forms.SignupForm):
    """allauth's signup form (with `SignupExtraForm`'s name fields)."""

    def validate_unique_email(self, value: str) -> str:
        if User.objects.holding_address(value).exists():
            # allauth's answer for a taken address: the same "check your email" page,
            # and an email to the address saying it has an account.
            return super().validate_unique_email(value)
        # Nobody's address yet, even if another account added it unverified: a new account.
        self.account_already_exists = False
        return get_adapter().validate_unique_email(value)

    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            # A new account costs a password hash (~0.3 s in production), a taken address
            # nothing: the answer's delay told which addresses have accounts. Same work both ways.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class ResetPasswordForm(SentenceCase, allauth_forms.ResetPasswordForm):
    """allauth's "forgot your password?" form: the link goes to the account the address names."""

    def clean_email(self) -> str:
        email = super().clean_email()
        # Only to an address the account verified, or to its login address while it has verified
        # none: an address the committee corrected (members.services.corrections) is not proven
        # until the member confirms it, and must not open the account to whoever typed it.
        proven_elsewhere = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True).exclude(
            email__iexact=email.strip()
        )
        unproven_here = ~Exists(
            EmailAddress.objects.filter(user=OuterRef("pk"), verified=True, email__iexact=email.strip())
        )
        self.users = list(
            User.objects.holding_address(email).filter(is_active=True).exclude(Exists(proven_elsewhere) & unproven_here)
        )
        return email


class AdminLoginForm(AdminAuthenticationForm):
    """The Django admin's login form, checked as the site's login is: allauth's
    failed-login limits (per address and per IP, counted together with `/accounts/login/`),
    then the one authentication backend."""

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            # Refused with "Too many failed login attempts" once over the limits; a failure counts.
            self.user_cache = get_adapter(self.request).authenticate(self.request, email=email, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user: User) -> None:
        # An inactive account or a member who is not staff hears what a wrong password
        # hears: this page must not confirm that a password is right.
        if not (user.is_active and user.is_staff):
            raise self.get_invalid_login_error()


class ResetPasswordKeyForm(SentenceCase, allauth_forms.ResetPasswordKeyForm):
    """The new password, from the link of a password-reset email."""

    def save(self) -> None:
        with transaction.atomic():
            super().save()
            password_reset_proves_address(user=self.user)
