"""Emails, the calendar file and allauth's links follow the address the site runs at (issue 15,
item 18): under `make run`, SITE_URL comes from HOST and PORT unless it is set; the Sites
framework's domain, which allauth's emails end with, follows SITE_URL at every migrate."""

import os
import subprocess
from pathlib import Path

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def test_after_migrate_allauths_emails_end_with_the_address_of_site_url(client, settings, sending, mailoutbox, member):
    settings.SITE_URL = "http://127.0.0.1:8123"

    call_command("migrate", verbosity=0, interactive=False)
    with sending():
        client.post(reverse("account_reset_password"), {"email": member.email})

    assert Site.objects.get_current().domain == "127.0.0.1:8123"
    [mail] = mailoutbox
    assert "http://127.0.0.1:8123/accounts/password/reset/key/" in mail.body
    assert mail.body.rstrip().endswith("127.0.0.1:8123")
    assert "8000" not in mail.body


def make_run(tmp_path, **env) -> str:
    """What `make run` hands each command, with a stand-in for Python that prints it."""
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\necho "SITE_URL=$SITE_URL $*"\n')
    fake.chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "HOST")} | env
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PY={fake}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def test_make_run_on_another_port_puts_that_port_in_site_url(tmp_path):
    out = make_run(tmp_path, PORT="8123")

    assert "SITE_URL=http://127.0.0.1:8123 manage.py migrate --noinput" in out
    assert "SITE_URL=http://127.0.0.1:8123 manage.py runserver 127.0.0.1:8123" in out


def test_make_run_keeps_a_site_url_that_is_set(tmp_path):
    out = make_run(tmp_path, PORT="8123", SITE_URL="https://mentoring.example.org")

    assert "SITE_URL=https://mentoring.example.org manage.py runserver 127.0.0.1:8123" in out
