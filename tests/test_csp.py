"""The Content Security Policy: on for every answer, strict, and nothing in our pages needs more.

The policy (settings.SECURE_CSP) allows scripts and styles from our own origin only. A
template that slips in an inline <script>, an onclick= or a style= attribute would be
blocked by the browser and silently break the page, so the templates are searched here,
and tests/browser/test_accessibility.py listens in Chromium for any violation on every page.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from .factories import TEST_PASSWORD
from .test_settings import PRODUCTION, settings_read

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Email bodies are read in mail clients, which ignore CSP and need inline styles.
WEB_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*.html") if "emails" not in p.relative_to(TEMPLATES).parts)

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_there_are_web_templates_to_search():
    assert len(WEB_TEMPLATES) > 40  # the search below must not pass by finding nothing


@pytest.mark.parametrize("template", WEB_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_page_template_needs_inline_script_or_style(template):
    text = template.read_text()
    found = {
        name: pattern.findall(text)
        for name, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("on…= handler", EVENT_HANDLER),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("javascript: URL", JAVASCRIPT_URL),
        ]
    }
    assert not any(found.values()), f"{template.name}: the CSP blocks { ({k: v for k, v in found.items() if v}) }"


@pytest.mark.parametrize(
    "url_name",
    ["members:program", "account_login", "account_signup", "health"],
)
def test_every_answer_carries_the_strict_policy(client, url_name):
    response = client.get(reverse(url_name))

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_signing_in_sets_a_session_cookie_scripts_cannot_read_and_pages_refuse_framing(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    page = client.get(reverse("members:profile"))
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"


def test_production_cookies_are_secure_only():
    """With DEBUG off (production), cookies travel over HTTPS only and HSTS is on for a year."""
    production = settings_read(PRODUCTION)

    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"]
    assert [production[n] for n in names] == [True, True, True, 31536000]
