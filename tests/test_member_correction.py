"""The committee corrects a member's account (issue 15, item 20): a bounced email address and
the profile, with allauth's addresses kept in step, the change in the member's admin history,
and no way for the committee to take the account over (and read a pair's notes, rule 5)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from members.models import User
from outbox.models import Email

from .factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bounced(db):
    """Meg, whose confirmed address has a typo and bounces."""
    meg = UserFactory(first_name="Meg", last_name="Mentee", email="meg@exmaple.org")
    EmailAddress.objects.filter(user=meg).delete()
    EmailAddress.objects.create(user=meg, email=meg.email, verified=True, primary=True)
    return meg


def form_data(member: User, **changes) -> dict:
    data = {
        "email": member.email,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "phone": member.phone,
        "institution": member.institution,
        "library_type": member.library_type,
        "region": member.region,
        "membership_category": member.membership_category,
        "job_title": member.job_title,
        "responsibilities": list(member.responsibilities),
        "responsibilities_other": member.responsibilities_other,
        "years_experience": member.years_experience,
    }
    return {**data, **changes}


def correct(client, member, **changes):
    return client.post(reverse("members:member-correct", args=[member.pk]), form_data(member, **changes), follow=True)


def test_the_committee_corrects_a_bounced_address_which_the_member_then_confirms(client_for, committee, bounced):
    response = correct(client_for(committee), bounced, email="meg@example.org", job_title="Cataloger")

    assert (
        "Meg Mentee's address is now meg@example.org (it was meg@exmaple.org): they confirm it from the email it "
        "receives." in response.text.replace("&#x27;", "'")
    )
    bounced.refresh_from_db()
    assert (bounced.email, bounced.job_title) == ("meg@example.org", "Cataloger")
    addresses = {a.email: (a.verified, a.primary) for a in EmailAddress.objects.filter(user=bounced)}
    # The new one unconfirmed and primary; the one Meg confirmed kept, as proof for a password reset.
    assert addresses == {"meg@example.org": (False, True), "meg@exmaple.org": (True, False)}
    confirm = [e for e in Email.objects.filter(to="meg@example.org") if "/confirm-email/" in e.body_text]
    assert len(confirm) == 1
    entry = LogEntry.objects.get(object_id=str(bounced.pk))
    assert entry.user == committee and "email meg@exmaple.org → meg@example.org" in entry.change_message
    assert "job title" in entry.change_message


def test_a_password_reset_never_goes_to_an_address_the_committee_typed(client, committee, bounced, client_for):
    """Else someone on the committee could type their own address, reset the password, log in as
    the member and read the pair's notes (rule 5)."""
    correct(client_for(committee), bounced, email="carol.private@example.org")

    client.post(reverse("account_reset_password"), {"email": "carol.private@example.org"})
    client.post(reverse("account_reset_password"), {"email": "meg@exmaple.org"})  # the address Meg confirmed

    def reset_links(to):
        return [e for e in Email.objects.filter(to=to) if "/password/reset/key/" in e.body_text]

    assert reset_links("carol.private@example.org") == []
    assert len(reset_links("meg@exmaple.org")) == 1


def test_the_committee_cannot_correct_a_committee_members_or_a_site_admins_account(client_for, committee, site_admin):
    other = UserFactory(is_staff=True, first_name="Cal", last_name="Colleague")
    for target in (site_admin, other):
        response = correct(client_for(committee), target, email="carol.owns.this@example.org")
        assert "a site admin corrects their account. Nothing was changed." in response.text
        target.refresh_from_db()
        assert target.email != "carol.owns.this@example.org"


def test_an_address_of_another_account_is_refused(client_for, committee, bounced, member):
    response = correct(client_for(committee), bounced, email=member.email.upper())

    assert "is the address of another account" in response.text and "Nothing was changed." in response.text
    bounced.refresh_from_db()
    assert bounced.email == "meg@exmaple.org"


def test_a_paired_member_who_never_confirmed_an_address_is_left_to_a_site_admin(client_for, committee, cycle):
    imported = UserFactory(first_name="Ivy", last_name="Imported", email="ivy@exmaple.org")
    EmailAddress.objects.filter(user=imported).update(verified=False)
    EnrollmentFactory(member=imported, cycle=cycle, status="paired")

    response = correct(client_for(committee), imported, email="carol.private@example.org")

    assert "Ask a site admin to change it." in response.text
    imported.refresh_from_db()
    assert imported.email == "ivy@exmaple.org"


def test_saving_the_same_correction_twice_says_so_in_blue(client_for, committee, bounced):
    client = client_for(committee)
    correct(client, bounced, email="meg@example.org")
    bounced.refresh_from_db()

    second = correct(client, bounced)

    assert "Meg Mentee&#x27;s account already says this: nothing was changed." in second.text
    assert "alert-info" in second.text
    assert LogEntry.objects.filter(object_id=str(bounced.pk)).count() == 1
