"""Where a member and a committee member land, and how they find their way (issue 15, item 13):
the committee starts on its work, a paired opt-in leads to the pair, and "Pair a mentee"
offers only the mentors with a place left."""

import pytest
from django.urls import reverse

from members.models import Role

from .factories import TEST_PASSWORD, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, user, **query):
    url = reverse("account_login") + (f"?next={query['next']}" if query else "")
    return client.post(url, {"login": user.email, "password": TEST_PASSWORD})


def test_a_committee_member_who_logs_in_lands_on_the_committees_work(client, committee, cycle):
    response = log_in(client, committee)

    assert response.status_code == 302 and response["Location"] == reverse("matching:home")
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == reverse(
        "matching:dashboard", args=[cycle.pk]
    )


def test_a_member_who_logs_in_lands_on_my_membership(client, member):
    response = log_in(client, member)

    assert response["Location"] == reverse("members:profile")


def test_a_committee_member_sent_to_the_login_from_a_page_goes_back_to_it(client, committee):
    response = log_in(client, committee, next=reverse("pairs:pair-mine"))

    assert response["Location"] == reverse("pairs:pair-mine")


def test_a_paired_opt_in_on_my_membership_leads_to_the_pair(client_for, cycle, member):
    PairFactory(cycle=cycle, mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"))

    page = client_for(member).get(reverse("members:profile")).text

    assert f'<a href="{reverse("pairs:pair-mine")}">Your pair: the timeline, goals and check-ins</a>' in page


def test_a_waiting_opt_in_has_no_link_to_a_pair(client_for, mentee, member):
    page = client_for(member).get(reverse("members:profile")).text

    assert "Your pair" not in page


def test_pair_a_mentee_offers_only_the_mentors_with_a_place_left(client_for, committee, cycle):
    full = EnrollmentFactory(cycle=cycle, role=Role.MENTOR, member=UserFactory(seasoned=True, last_name="Full"))
    PairFactory(cycle=cycle, mentor=full)
    half = EnrollmentFactory(
        cycle=cycle, role=Role.MENTOR, capacity=2, member=UserFactory(seasoned=True, last_name="Half")
    )
    PairFactory(cycle=cycle, mentor=half)
    free = EnrollmentFactory(cycle=cycle, role=Role.MENTOR, member=UserFactory(seasoned=True, last_name="Free"))

    page = client_for(committee).get(reverse("matching:pair-create") + f"?cycle={cycle.pk}").text

    mentor_menu = page[page.index('id="id_mentor"') :].split("</select>")[0]
    assert f'value="{full.pk}"' not in mentor_menu
    assert f'value="{half.pk}"' in mentor_menu and "1 of 2 places left" in mentor_menu
    assert f'value="{free.pk}"' in mentor_menu and "1 of 1 place left" in mentor_menu
