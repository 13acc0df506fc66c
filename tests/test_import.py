"""Importing a roster of members from a spreadsheet: upload, preview (writes nothing),
confirm (all rows in one transaction); one bad row refuses the whole file."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import roster as imports
from members.models import User, committee_group
from members.views.roster import ROSTER_SESSION_KEY

from .factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "email,first_name,last_name,phone,institution,library_type,region,membership_category,job_title,"
    "responsibilities,years_experience,member_since,expires_on"
)
ADA = "ada@example.org,Ada,Archer,501-555-0101,Hendrix College,academic,central,librarian,Archivist,"
ADA += "archives; reference,12,2019-03-01,2026-03-01"
BEN = "ben@example.org,Ben,Brooks,,Fayetteville Public Library,public,northwest,staff,Library Assistant,"
BEN += "circulation,2,2024-05-10,2026-05-10"
ROSTER = f"{HEADER}\n{ADA}\n{BEN}\n"


def upload(client, text: str | bytes, name: str = "roster.csv"):
    data = text if isinstance(text, bytes) else text.encode()
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def confirm(client):
    return client.post(
        reverse("members:import-confirm"), {"sha256": client.session[ROSTER_SESSION_KEY]["sha256"]}, follow=True
    )


def import_file(client, text: str):
    assert "Check the import" in upload(client, text).content.decode()
    return confirm(client)


def emails() -> list[str]:
    return sorted(User.objects.values_list("email", flat=True))


@pytest.fixture
def client(client_for, committee):
    return client_for(committee)


def test_upload_shows_a_preview_and_writes_nothing(client):
    before = emails()

    response = upload(client, ROSTER)

    page = response.content.decode()
    assert response.status_code == 200 and "Check the import" in page
    assert "2 new" in page and "0 updated" in page and "Nothing has been written yet" in page
    assert "ada@example.org" in page and "Hendrix College" in page and "Archives &amp; special collections" in page
    assert "Fayetteville Public Library" in page and "Northwest Arkansas" in page
    assert emails() == before


def test_confirm_imports_every_row_with_its_values(client):
    response = import_file(client, ROSTER)

    assert "2 new members, 0 updated, 0 unchanged" in response.content.decode()
    ada = User.objects.get(email="ada@example.org")
    assert (ada.first_name, ada.last_name, ada.phone, ada.institution) == (
        "Ada",
        "Archer",
        "501-555-0101",
        "Hendrix College",
    )
    assert (ada.library_type, ada.region, ada.membership_category) == ("academic", "central", "librarian")
    assert (ada.job_title, ada.responsibilities, ada.years_experience) == ("Archivist", ["archives", "reference"], 12)
    assert (ada.member_since, ada.expires_on) == (dt.date(2019, 3, 1), dt.date(2026, 3, 1))
    assert User.objects.get(email="ben@example.org").phone == ""
    assert ROSTER_SESSION_KEY not in client.session


def test_imported_members_have_no_password_and_an_unverified_email(client):
    import_file(client, ROSTER)

    ada = User.objects.get(email="ada@example.org")
    assert not ada.has_usable_password()
    assert not EmailAddress.objects.filter(user=ada, verified=True).exists()


def test_an_imported_member_can_set_a_password_through_forgot_password(client_for, client, sending, mailoutbox):
    import_file(client, ROSTER)

    with sending():
        client_for(None).post(reverse("account_reset_password"), {"email": "ada@example.org"})

    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ada@example.org"]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_importing_the_same_file_twice_creates_no_duplicates(client):
    import_file(client, ROSTER)
    count = User.objects.count()

    page = upload(client, ROSTER).content.decode()
    assert "0 new" in page and "0 updated" in page and "2 unchanged" in page
    assert "there is nothing to import" in page
    response = confirm(client)

    assert "0 new members, 0 updated, 2 unchanged" in response.content.decode()
    assert User.objects.count() == count


def test_a_changed_row_updates_the_member_and_the_preview_says_which_values_change(client):
    import_file(client, ROSTER)
    changed = ROSTER.replace("Archivist,archives; reference,12", "Head of Archives,archives; reference,13")

    page = upload(client, changed).content.decode()
    assert "0 new" in page and "1 updated" in page and "1 unchanged" in page
    assert page.count("(changed)") == 2  # the job title and the years
    confirm(client)

    ada = User.objects.get(email="ada@example.org")
    assert (ada.job_title, ada.years_experience) == ("Head of Archives", 13)
    assert User.objects.filter(email="ada@example.org").count() == 1


def test_an_existing_member_is_found_whatever_the_case_and_blank_cells_keep_the_profile(client):
    member = UserFactory(email="mina@example.org", phone="501-555-0199", job_title="Cataloger", first_name="Mina")

    import_file(client, f"{HEADER}\nMINA@Example.org,Mina,Moss,,,,,,,,,,\n")

    member.refresh_from_db()
    assert User.objects.filter(email__iexact="mina@example.org").count() == 1
    assert (member.last_name, member.phone, member.job_title) == ("Moss", "501-555-0199", "Cataloger")
    assert member.has_usable_password()  # an existing member keeps their password


def test_labels_and_values_are_accepted_in_any_case(client):
    text = (
        f"{HEADER}\n"
        "cy@example.org,Cy,Cole,,UALR,ACADEMIC,Northwest Arkansas,Library staff / paraprofessional,Clerk,"
        '"Cataloging & metadata; REFERENCE, youth services",0,03/15/2024,2026-03-15\n'
    )

    import_file(client, text)

    cy = User.objects.get(email="cy@example.org")
    assert (cy.library_type, cy.region, cy.membership_category) == ("academic", "northwest", "staff")
    assert cy.responsibilities == ["cataloging", "reference", "youth_services"]
    assert (cy.years_experience, cy.member_since) == (0, dt.date(2024, 3, 15))


def test_headers_may_be_written_as_words_and_columns_left_out(client):
    import_file(client, "Email,First name,Last name,Job title\ndee@example.org,Dee,Dunn,Page\n")

    dee = User.objects.get(email="dee@example.org")
    assert (dee.first_name, dee.job_title, dee.library_type, dee.expires_on) == ("Dee", "Page", "", None)


BAD_ROWS = [
    ("not-an-email", "Row 3", "“not-an-email” is not a valid email address"),
    ("ben@example.org,Ben,Brooks,,X,museum,", "Row 3", "unknown library type “museum”"),
    ("ben@example.org,Ben,Brooks,,X,public,central,staff,Page,circulation; knitting", "Row 3", "“knitting”"),
    ("ben@example.org,Ben,Brooks,,X,public,central,staff,Page,circulation,2,2024-13-01", "Row 3", "not a date"),
    ("ben@example.org,Ben,Brooks,,X,public,central,staff,Page,circulation,two", "Row 3", "whole number"),
    ("ben@example.org,,Brooks", "Row 3", "the first name is missing"),
    ("ben@example.org,Ben,Brooks,,X,public,mars", "Row 3", "unknown region “mars”"),
    ("ben@example.org,Ben,Brooks,,,,,,,,200", "Row 3", "70"),
    ("ben@example.org,Ben,Brooks,,,,,,,,,2024-05-10,2023-05-10", "Row 3", "expires before the member joined"),
    ("ADA@example.org,Ada,Again", "Row 3", "ada@example.org is already on row 2"),
]


@pytest.mark.parametrize(("bad_row", "row", "reason"), BAD_ROWS, ids=[r for _b, _r, r in BAD_ROWS])
def test_one_bad_row_refuses_the_whole_file_with_the_row_and_the_reason(client, bad_row, row, reason):
    first = ROSTER.splitlines()[:2]
    text = "\n".join([*first, bad_row, "cy@example.org,Cy,Cole"]) + "\n"
    before = emails()

    response = upload(client, text)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The file was not imported: nothing was written." in page and "Confirm the import" not in page
    assert f"<strong>{row}</strong>" in page and reason in page
    assert emails() == before
    assert ROSTER_SESSION_KEY not in client.session


def test_a_missing_required_column_refuses_the_file(client):
    page = upload(client, "email,first_name\nada@example.org,Ada\n").content.decode()

    assert "<strong>Row 1</strong>: the required column last_name is missing" in page
    assert not User.objects.filter(email="ada@example.org").exists()


def test_an_unknown_column_refuses_the_file_and_names_the_columns(client):
    page = upload(client, "email,first_name,last_name,shoe_size\nada@example.org,Ada,Archer,9\n").content.decode()

    assert "unknown column “shoe_size”" in page and "the columns are email, first_name" in page


def test_a_file_with_only_the_header_is_refused(client):
    assert "The file has no members in it" in upload(client, HEADER + "\n\n,,,\n").content.decode()


def test_a_file_that_is_not_utf8_is_refused_with_a_hint(client):
    page = upload(client, "email,first_name,last_name\nzoe@example.org,Zoë,Zed\n".encode("latin-1")).content.decode()

    assert "CSV UTF-8" in page and not User.objects.filter(email="zoe@example.org").exists()
    # Issue 15, item 17: a problem of the whole file has no row to fix.
    assert "Fix the file and upload it again." in page and "Fix this row" not in page


def test_a_file_larger_than_2_mb_is_refused_with_the_limit_and_a_hint_to_split_it(client):
    big = HEADER + "\n" + "x@example.org,X,Y\n" * 120_000

    page = upload(client, big).content.decode()

    assert len(big.encode()) > imports.MAX_BYTES
    assert "the limit is 2 MB (or 10,000 members). Split it into smaller files" in page
    assert not User.objects.filter(email="x@example.org").exists()
    assert ROSTER_SESSION_KEY not in client.session


def many_members(count: int) -> str:
    return "email,first_name,last_name\n" + "".join(f"m{i}@example.org,Mo,Many\n" for i in range(count))


def test_a_file_of_more_members_than_the_limit_is_refused_with_the_limit_and_a_hint_to_split_it(client):
    before = emails()

    page = upload(client, many_members(10_001)).content.decode()

    assert "The file was not imported: nothing was written." in page
    assert "The file has 10,001 members: at most 10,000 can be imported at once." in page
    assert "Split it into files of at most 10,000 rows, each with the header row." in page
    assert emails() == before
    assert ROSTER_SESSION_KEY not in client.session


# A file of 10,000 rows read and checked (~1 s): load-like, in the slow lane. The fast lane
# keeps the file one row over the limit, refused with the limit and a hint.
@pytest.mark.slow
def test_a_file_of_as_many_members_as_the_limit_is_previewed(client):
    page = upload(client, many_members(10_000)).content.decode()

    assert "Check the import" in page and "10000 new" in page
    assert "The first 1000 rows that change are listed; 9000 other rows are counted above, not listed." in page


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(client):
    text = f"{HEADER}\n,,,,\nada@example.org,Ada,Archer\n\nben@example.org,Ben,Brooks,,,spaceship\n"

    page = upload(client, text).content.decode()

    assert "<strong>Row 5</strong>: library_type: unknown library type “spaceship”" in page


def test_confirm_without_a_preview_imports_nothing_and_says_so(client):
    response = client.post(reverse("members:import-confirm"), {"sha256": "0" * 64}, follow=True)

    assert "Nothing was imported" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("members:import")


def test_confirm_with_another_files_hash_imports_nothing(client):
    before = emails()
    upload(client, ROSTER)

    response = client.post(reverse("members:import-confirm"), {"sha256": "f" * 64}, follow=True)

    assert "Nothing was imported" in response.content.decode()
    assert emails() == before


def test_confirming_twice_imports_once(client):
    upload(client, ROSTER)
    sha = client.session[ROSTER_SESSION_KEY]["sha256"]
    client.post(reverse("members:import-confirm"), {"sha256": sha})
    count = User.objects.count()

    response = client.post(reverse("members:import-confirm"), {"sha256": sha}, follow=True)

    # Issue 15, item 17: a red "Nothing was imported: there is no previewed file" after it worked.
    assert '<div class="alert alert-info' in response.text
    assert "roster.csv is imported already: nothing was imported again." in response.text
    assert User.objects.count() == count


def test_the_import_writes_all_rows_or_none_when_a_later_row_fails(committee):
    # The service on its own, without the preview: the good row 2 is not written either.
    text = f"{HEADER}\nada@example.org,Ada,Archer\nben@example.org,Ben,Brooks,,,,,,,,,someday\n"

    with pytest.raises(imports.ImportRefused) as refused:
        imports.roster_import(text=text, by=committee)

    assert [str(p) for p in refused.value.problems] == [
        "Row 3: member_since: “someday” is not a date (member since): write it as YYYY-MM-DD, e.g. 2026-09-01"
    ]
    assert not User.objects.filter(email__in=["ada@example.org", "ben@example.org"]).exists()


def test_an_account_created_between_the_checks_and_the_writing_refuses_the_import_whole(committee, monkeypatch):
    # Someone signs up with one of the file's addresses while the import runs: a refusal, not a 500.
    check = imports.importing._check

    def check_then_someone_signs_up(roster):
        checked = check(roster)
        UserFactory(email="ben@example.org")
        return checked

    monkeypatch.setattr(imports.importing, "_check", check_then_someone_signs_up)

    with pytest.raises(imports.ImportRefused) as refused:
        imports.roster_import(text=ROSTER, by=committee)

    assert "An account with one of the file’s email addresses was created while importing" in str(refused.value)
    assert not User.objects.filter(email="ada@example.org").exists()


def test_the_template_has_every_column_and_its_example_row_passes_the_checks(client):
    response = client.get(reverse("members:import-template"))

    assert response["Content-Disposition"] == 'attachment; filename="arla-mentoring-members-template.csv"'
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    assert imports.roster_preview(text=text).counts == {"new": 1, "updated": 0, "unchanged": 0}


def test_import_page_lists_the_accepted_values(client):
    page = client.get(reverse("members:import")).content.decode()

    assert "youth_services" in page and "Youth &amp; children&#x27;s services" in page
    assert reverse("members:import-template") in page


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_members_cannot_import(client_for, request, who):
    response = upload(client_for(request.getfixturevalue(who)), ROSTER)

    assert response.status_code == 403
    assert not User.objects.filter(email="ada@example.org").exists()


def test_a_file_with_many_bad_rows_lists_the_first_fifty_and_counts_the_rest(client):
    text = HEADER + "\n" + "".join(f"p{i}@example.org,P,Q,,,,,,,,,never\n" for i in range(60))

    page = upload(client, text).content.decode()

    assert "<strong>Row 51</strong>" in page and "<strong>Row 52</strong>" not in page
    assert "… and 10 more." in page


# --- Hostile files (issue 10) ------------------------------------------------------------------

PATHOLOGICAL_HEADERS = {
    "20,000 columns": "email,first_name,last_name," + ",".join(f"column {i}" for i in range(20_000)),
    "20,000 repeats": ",".join(["email", "first_name", "last_name"] * 6_667),
    "a 100,000-character name": "email,first_name,last_name," + "x" * 100_000,
}


@pytest.mark.parametrize("header", PATHOLOGICAL_HEADERS.values(), ids=PATHOLOGICAL_HEADERS.keys())
def test_a_pathological_header_is_refused_with_a_short_message(client, header):
    page = upload(client, f"{header}\nada@example.org,Ada,Archer\n").content.decode()

    assert "The file was not imported: nothing was written." in page and "Confirm the import" not in page
    assert "<strong>Row 1</strong>" in page
    # The refusal names the problem, not every one of the header's names: no page of megabytes.
    assert len(page) < 60_000
    assert not User.objects.filter(email="ada@example.org").exists()


def test_a_header_of_twenty_thousand_columns_says_how_many_a_roster_has(client):
    page = upload(client, PATHOLOGICAL_HEADERS["20,000 columns"] + "\nada@example.org,Ada,Archer\n").content.decode()

    assert "the first row names 20,003 columns: a roster has at most 13" in page


PRIVILEGED = {
    "site admin": {"is_staff": True, "is_superuser": True},
    "staff": {"is_staff": True},
    "committee": {"committee": True},
}


def privileged_account(kind: str) -> User:
    flags = dict(PRIVILEGED[kind])
    in_committee = flags.pop("committee", False)
    user = UserFactory(
        email="boss@example.org", first_name="Bo", last_name="Boss", phone="501-555-0111", job_title="Director", **flags
    )
    if in_committee:
        user.groups.add(committee_group())
    return user


@pytest.mark.parametrize("kind", PRIVILEGED)
def test_a_row_that_would_change_a_committee_staff_or_admin_account_refuses_the_whole_file(client, kind):
    boss = privileged_account(kind)
    expires_on = boss.expires_on
    text = f"{HEADER}\n{ADA}\nBOSS@example.org,Bo,Boss,501-555-0666,,,,,Janitor,,,,2099-01-01\n"

    page = upload(client, text).content.decode()

    assert "The file was not imported: nothing was written." in page
    assert "<strong>Row 3</strong>: boss@example.org is the account of" in page
    assert "the import may change members’ profiles only" in page
    boss.refresh_from_db()
    assert (boss.phone, boss.job_title, boss.expires_on) == ("501-555-0111", "Director", expires_on)
    assert not User.objects.filter(email="ada@example.org").exists()


@pytest.mark.parametrize("kind", PRIVILEGED)
def test_the_import_itself_refuses_a_row_changing_a_committee_staff_or_admin_account(committee, kind):
    # The confirmation checks again: an account may have become staff since the preview.
    boss = privileged_account(kind)

    with pytest.raises(imports.ImportRefused) as refused:
        imports.roster_import(text=f"{HEADER}\n{ADA}\nboss@example.org,Bo,Boss,,,,,,Janitor\n", by=committee)

    assert str(refused.value).startswith("Row 3: boss@example.org is the account of")
    boss.refresh_from_db()
    assert boss.job_title == "Director"
    assert not User.objects.filter(email="ada@example.org").exists()


def test_a_row_that_leaves_a_committee_members_profile_as_it_is_is_accepted(client):
    # A roster exported from the association's books lists the committee too: as they are, they pass.
    privileged_account("committee")

    page = upload(client, f"{HEADER}\n{ADA}\nboss@example.org,Bo,Boss,501-555-0111,,,,,Director\n").content.decode()

    assert "Check the import" in page and "1 new" in page and "1 unchanged" in page
