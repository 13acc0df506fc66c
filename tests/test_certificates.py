"""Completion certificates (issue 14, item 5): issued when a pair completes, each side's own,
with the program's names and the committee chair's; reissued by the committee; verified by
anyone with the code, who learns nothing else."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from members.models import Role
from members.program import program
from pairs.models import Certificate, Pair, PairStatus
from pairs.services import certificates, pairing

from .factories import EnrollmentFactory, PairFactory
from .test_pair_year import days
from .test_program_settings import settings_posted

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentee_member(member):
    member.first_name, member.last_name = "Mina", "Member"
    member.save()
    return member


@pytest.fixture
def mentor_member(seasoned_member):
    seasoned_member.first_name, seasoned_member.last_name = "Sam", "Senior"
    seasoned_member.save()
    return seasoned_member


@pytest.fixture
def chaired(client_for, committee, sending):
    """The committee has named its chair on the Program page."""
    with sending():
        client_for(committee).post(reverse("members:program-settings"), settings_posted(committee_chair="Carla Chair"))
    assert program().committee_chair == "Carla Chair"


@pytest.fixture
def completed(cycle, mentor_member, mentee_member, chaired, sending, mailoutbox) -> Pair:
    """A pair whose year ended yesterday, completed by the periodic task (which thanks both sides)."""
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=mentor_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=mentee_member, status="paired"),
        starts_on=days(-300),
        ends_on=days(-1),
    )
    with sending():
        assert pairing.pair_complete_due() == 1
    return Pair.objects.with_people().get(pk=pair.pk)


def code_on(page: str) -> str:
    return re.search(r'<span class="cert-code">([A-Z0-9-]+)</span>', page).group(1)


def long(day) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def test_completion_issues_each_side_a_certificate_and_the_thanks_links_their_own(
    completed, mentor_member, mentee_member, mailoutbox
):
    assert set(Certificate.objects.values_list("role", "holder")) == {
        ("mentor", mentor_member.pk),
        ("mentee", mentee_member.pk),
    }
    for person, role in ((mentor_member, "mentor"), (mentee_member, "mentee")):
        thanks = next(m for m in mailoutbox if m.to == [person.email])
        url = settings.SITE_URL + reverse("pairs:certificate", args=[completed.pk, role])
        assert url in thanks.body and f'href="{url}"' in thanks.alternatives[0][0]
        assert "Your certificate of completion is ready" in thanks.body


def test_each_side_opens_their_own_certificate_with_every_name_and_date_on_it(
    client_for, completed, mentor_member, mentee_member
):
    page = client_for(mentee_member).get(reverse("pairs:certificate", args=[completed.pk, "mentee"])).text

    for words in (
        "Arkansas Library Association",
        "ArLA Mentoring Program",
        "Certificate of completion",
        "Mina Member",
        "as a <strong>mentee</strong>",
        f"from {long(completed.starts_on)} to {long(completed.ends_on)}",
        f"{completed.cycle.name} cycle",
        "Carla Chair",
        "Chair, Mentoring Committee",
        "Print or save as PDF",
    ):
        assert words in page, words
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code_on(page))
    assert settings.SITE_URL + reverse("pairs:certificate-verify") + "?code=" in page
    mentor_page = client_for(mentor_member).get(reverse("pairs:certificate", args=[completed.pk, "mentor"])).text
    assert "Sam Senior" in mentor_page and "as a <strong>mentor</strong>" in mentor_page
    # The pair page leads each side to their own.
    assert (
        reverse("pairs:certificate", args=[completed.pk, "mentee"])
        in client_for(mentee_member).get(completed.get_absolute_url()).text
    )


def test_the_other_side_may_not_open_a_certificate_that_is_not_theirs(client_for, completed, mentor_member, stranger):
    url = reverse("pairs:certificate", args=[completed.pk, "mentee"])

    assert client_for(mentor_member).get(url).status_code == 403
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_an_active_pair_has_no_certificate_yet(client_for, cycle, mentee_member):
    pair = PairFactory(cycle=cycle, mentee=EnrollmentFactory(cycle=cycle, member=mentee_member, status="paired"))

    response = client_for(mentee_member).get(reverse("pairs:certificate", args=[pair.pk, "mentee"]), follow=True)

    assert "A certificate is issued when the pair completes its year." in response.text
    assert not Certificate.objects.exists()


def test_an_employer_verifies_a_code_as_typed_and_sees_only_name_role_program_and_dates(
    client_for, completed, mentee_member
):
    code = code_on(client_for(mentee_member).get(reverse("pairs:certificate", args=[completed.pk, "mentee"])).text)
    employer = client_for(None)

    typed = code.lower().replace("-", " ")
    page = employer.get(reverse("pairs:certificate-verify"), {"code": typed})

    assert page.status_code == 200
    assert "This certificate is genuine" in page.text
    dates = (long(completed.starts_on), long(completed.ends_on))
    for words in ("Mina Member", "Mentee", "ArLA Mentoring Program", *dates):
        assert words in page.text, words
    for private in (mentee_member.email, "Sam Senior", completed.mentor.member.email, "Carla Chair"):
        assert private not in page.text, private


def test_a_wrong_code_is_told_no_certificate_has_it(client_for, completed):
    page = client_for(None).get(reverse("pairs:certificate-verify"), {"code": "AAAA-BBBB-CCCC-DDDD"})

    assert page.status_code == 200
    assert "No certificate has this code" in page.text and "Mina" not in page.text


def test_the_committee_reissues_one_and_the_old_code_no_longer_verifies_even_pressed_twice(
    client_for, committee, completed
):
    client = client_for(committee)
    old = Certificate.objects.get(pair=completed, role="mentee")
    url = reverse("pairs:certificate-reissue", args=[completed.pk, "mentee"])

    question = client.get(url).text
    assert "Reissue Mina Member's certificate?" in question and old.printed_code in question
    first = client.post(url, {"certificate": old.pk}, follow=True)
    second = client.post(url, {"certificate": old.pk}, follow=True)

    new = Certificate.objects.current().get(pair=completed, role="mentee")
    assert new.code != old.code
    assert f"Reissued with the code {new.printed_code}: the old code no longer verifies." in first.text
    assert "This certificate was reissued on" in second.text and "nothing more was done" in second.text
    assert Certificate.objects.filter(pair=completed, role="mentee").count() == 2
    verify = client_for(None).get(reverse("pairs:certificate-verify"), {"code": old.printed_code}).text
    assert "This code no longer verifies" in verify and "Mina Member" not in verify
    assert (
        "This certificate is genuine"
        in client_for(None).get(reverse("pairs:certificate-verify"), {"code": new.printed_code}).text
    )


def test_a_new_chair_does_not_rewrite_an_issued_certificate_a_reissued_one_names_them(
    client_for, committee, completed, sending
):
    with sending():
        client_for(committee).post(reverse("members:program-settings"), settings_posted(committee_chair="Nora New"))
    url = reverse("pairs:certificate", args=[completed.pk, "mentee"])

    assert "Carla Chair" in client_for(committee).get(url).text
    old = Certificate.objects.get(pair=completed, role="mentee")
    certificates.certificate_reissue(certificate_id=old.pk, by=committee)
    assert "Nora New" in client_for(committee).get(url).text


def test_a_pair_completed_before_certificates_gets_them_when_first_asked(client_for, cycle, mentee_member):
    pair = PairFactory(
        cycle=cycle,
        mentee=EnrollmentFactory(cycle=cycle, member=mentee_member, status="paired"),
        status=PairStatus.COMPLETED,
    )

    page = client_for(mentee_member).get(reverse("pairs:certificate", args=[pair.pk, "mentee"]))
    again = client_for(mentee_member).get(reverse("pairs:certificate", args=[pair.pk, "mentee"]))

    assert page.status_code == 200 and code_on(page.text) == code_on(again.text)
    assert Certificate.objects.count() == 1


@hypothesis_settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    typed=st.text(max_size=120) | st.sampled_from(["", "%00", "' OR 1=1 --", "<script>alert(1)</script>", "A" * 5000])
)
def test_whatever_is_typed_as_a_code_the_page_answers_and_shows_nobody(client, completed, typed):
    response = client.get(reverse("pairs:certificate-verify"), {"code": typed})

    assert response.status_code == 200
    assert "Mina Member" not in response.text and "<script>alert(1)</script>" not in response.text


def test_a_code_with_a_nul_byte_or_a_look_alike_is_simply_not_found(client, completed):
    for typed in ("AAAA-BBBB-CCCC-DDD\x00", "OOOO-IIII-LLLL-1111"):
        response = client.get(reverse("pairs:certificate-verify"), {"code": typed})
        assert response.status_code == 200 and "No certificate has this code" in response.text


def test_the_certificate_and_verification_pages_read_a_few_queries(client_for, completed, mentee_member, page_queries):
    url = reverse("pairs:certificate", args=[completed.pk, "mentee"])
    code = Certificate.objects.get(pair=completed, role="mentee").printed_code

    page_queries(client_for(mentee_member), url, most=6)
    page_queries(client_for(None), f"{reverse('pairs:certificate-verify')}?code={code}", most=1)


def test_my_data_lists_my_certificates_and_deleting_my_account_deletes_them(client_for, completed, mentee_member):
    from pairs.services import privacy

    code = Certificate.objects.get(holder=mentee_member).printed_code
    data = privacy.member_data(user=mentee_member)
    assert [(c["role"], c["code"], c["name_on_it"]) for c in data["certificates"]] == [("mentee", code, "Mina Member")]

    privacy.account_delete(user=mentee_member)

    assert not Certificate.objects.filter(holder=mentee_member).exists()
    page = client_for(None).get(reverse("pairs:certificate-verify"), {"code": code}).text
    assert "No certificate has this code" in page and "Mina" not in page
    assert Certificate.objects.filter(role="mentor").exists()  # the other side keeps theirs
