"""Accounts: how django-allauth and the Django admin check who someone is, made to hold
under attack (issue 10).

- One authentication backend, so that a failed login costs one password hash.
- The admin's login page goes through allauth's failed-login limits, which it shares
  with the site's login page.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib.admin.forms import AdminAuthenticationForm

from .models import User


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
