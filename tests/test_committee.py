"""The committee's list of opt-ins, and managing who is on the committee."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from members.models import COMMITTEE_GROUP, User

from .factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_committee_searches_opt_ins_by_any_word_of_name_job_or_institution(client_for, committee, cycle):
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Holloway", job_title="Cataloger"))
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Pruitt", job_title="Children's Librarian"))

    page = client_for(committee).get(reverse("members:enrollment-list"), {"q": "holloway catalog"}).text

    assert "Holloway" in page and "Pruitt" not in page
    assert "1 opt-in" in page


def test_committee_filters_by_role_and_status_and_sorts_by_name(client_for, committee, cycle):
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Zimmerman"), role="mentor")
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Adams"), role="mentor")
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Mentee"), role="mentee")
    EnrollmentFactory(cycle=cycle, member=UserFactory(last_name="Gone"), role="mentor", status="withdrawn")

    page = (
        client_for(committee)
        .get(reverse("members:enrollment-list"), {"role": "mentor", "status": "waiting", "sort": "name"})
        .text
    )

    assert page.index("Adams") < page.index("Zimmerman")
    assert "Mentee" not in page.split("<tbody>")[1] and "Gone" not in page


def test_committee_pages_through_many_opt_ins_and_switches_cycle(client_for, committee, cycle):
    for _ in range(30):
        EnrollmentFactory(cycle=cycle)
    old = CycleFactory(is_open=False, name="2019–20")
    EnrollmentFactory(cycle=old, member=UserFactory(last_name="Oldtimer"))
    client = client_for(committee)

    second = client.get(reverse("members:enrollment-list"), {"page": 2}).text
    past = client.get(reverse("members:enrollment-list"), {"cycle": old.pk}).text

    assert "Page 2 of 2" in second and second.count("<tr>") == 1 + 5
    assert "Oldtimer" in past and "2019–20" in past


def test_committee_command_adds_and_removes_members(capsys):
    user = UserFactory(email="carol@example.org")

    call_command("committee", "add", "Carol@example.org")
    user.refresh_from_db()
    assert user.is_committee and user.is_staff

    call_command("committee", "list")
    assert "carol@example.org" in capsys.readouterr().out

    call_command("committee", "remove", "carol@example.org")
    user = User.objects.get(pk=user.pk)
    assert not user.groups.filter(name=COMMITTEE_GROUP).exists() and not user.is_staff


def test_committee_command_refuses_an_unknown_address_and_changes_nothing():
    known = UserFactory(email="known@example.org")

    with pytest.raises(CommandError, match="nobody@example.org"):
        call_command("committee", "add", "known@example.org", "nobody@example.org")

    assert not User.objects.get(pk=known.pk).is_staff


def test_health_check_reports_database_and_redis(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_check_says_503_when_redis_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "arla_mentoring.cache.RedisCacheWithStandIn",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["redis"] == "error"
