"""`manage.py seed_demo`: a believable program, safe to run twice."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from members.models import Cycle, Enrollment, User

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_an_open_cycle_members_opt_ins_on_both_sides_and_a_committee_login(capsys, client):
    call_command("seed_demo", "--members", "80")
    out = capsys.readouterr().out

    cycle = Cycle.objects.get(is_open=True)
    assert cycle.optin_window_state() is None
    assert User.objects.filter(email__endswith="@demo.arlib.example").count() == 81  # + the committee login
    roles = set(Enrollment.objects.filter(cycle=cycle).values_list("role", flat=True))
    assert roles == {"mentee", "mentor"}
    assert "Committee login: committee@demo.arlib.example / mentoring-demo" in out
    assert (
        client.post(
            reverse("account_login"), {"login": "committee@demo.arlib.example", "password": "mentoring-demo"}
        ).status_code
        == 302
    )
    assert client.get(reverse("members:enrollment-list")).status_code == 200


def test_seed_demo_twice_does_no_harm_and_can_grow(capsys):
    call_command("seed_demo", "--members", "50")
    counts = (User.objects.count(), Enrollment.objects.count(), Cycle.objects.count())

    call_command("seed_demo", "--members", "50")
    assert (User.objects.count(), Enrollment.objects.count(), Cycle.objects.count()) == counts

    call_command("seed_demo", "--members", "60")
    assert User.objects.count() == counts[0] + 10
