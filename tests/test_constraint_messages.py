"""Every rule the database keeps has a sentence a volunteer understands (issue 15, item 4):
no form, the admin's included, ever shows "Constraint “…” is violated."."""

import pytest
from django.apps import apps
from django.db.models import BaseConstraint
from django.urls import reverse

from matching.models import MatchSettings
from members.models import Role
from pairs.models import CheckIn

from .factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("members", "pairs", "matching", "outbox")
MINUTES = "A check-in lasts 1 to 600 minutes (10 hours): leave the length empty if you did not count."


def our_constraints():
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            for constraint in model._meta.constraints:
                yield model, constraint


@pytest.mark.parametrize(
    ("model", "constraint"), list(our_constraints()), ids=lambda x: getattr(x, "name", getattr(x, "__name__", ""))
)
def test_every_constraint_says_in_words_what_it_keeps(model, constraint):
    message = constraint.get_violation_error_message()

    assert constraint.violation_error_message != BaseConstraint.default_violation_error_message, (
        f"{model.__name__}'s {constraint.name} would show “{message}”: give it a violation_error_message"
    )
    assert constraint.name not in message


@pytest.fixture
def pair(cycle, member, seasoned_member):
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
    )


@pytest.mark.parametrize("minutes", ["0", "601", "-5"])
def test_a_checkin_length_out_of_range_says_what_lengths_are_taken(client_for, pair, member, minutes):
    response = client_for(member).post(
        reverse("pairs:checkin-create", args=[pair.pk]), {"met_on": pair.began_on, "mode": "phone", "minutes": minutes}
    )

    assert response.status_code == 200
    assert MINUTES in response.text
    assert "Constraint" not in response.text and "greater than or equal" not in response.text
    assert not CheckIn.objects.exists()


def test_the_checkin_form_offers_lengths_of_1_to_600_minutes(client_for, pair, member):
    page = client_for(member).get(reverse("pairs:checkin-create", args=[pair.pk])).text

    assert 'max="600" min="1"' in page


def test_all_weights_at_zero_are_refused_with_one_sentence(client_for, committee, cycle):
    weights = {f"weight_{n}": "0" for n in ("title", "responsibilities", "library_type", "region", "experience")}

    response = client_for(committee).post(reverse("matching:weights", args=[cycle.pk]), weights, follow=True)

    assert response.text.count("At least one weight must be above zero.") == 1
    assert "Constraint" not in response.text
    assert not MatchSettings.objects.exists()
