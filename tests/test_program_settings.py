"""The program's settings (issue 13): one row the committee edits, read by every page without a
query, refused with a message when they would break something, never rewriting what was made."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from members import program as program_module
from members.forms import ProgramSettingsForm
from members.models import Enrollment, ProgramSettings, User
from members.program import VERSION_KEY, preset_defaults, program
from members.services.program import ProgramSettingsError, program_settings_save

from .factories import EnrollmentFactory, PairFactory, UserFactory, accepting

pytestmark = pytest.mark.django_db


@pytest.fixture
def save(django_capture_on_commit_callbacks):
    """save(**changes) saves through the service and commits (the after-commit publish runs)."""

    def _save(by=None, expected_version=None, **changes):
        with django_capture_on_commit_callbacks(execute=True):
            return program_settings_save(by=by, changes=changes, expected_version=expected_version)

    return _save


def refused(save, **changes) -> dict:
    before = list(ProgramSettings.objects.values())
    with pytest.raises(ProgramSettingsError) as e:
        save(**changes)
    assert list(ProgramSettings.objects.values()) == before, "a refused change saved something"
    return e.value.errors


# --- Reading them --------------------------------------------------------------------------------


def test_before_anyone_saves_them_the_site_reads_the_arla_presets_words():
    program_module.forget()  # a process that has read nothing yet
    settings = program()

    assert not ProgramSettings.objects.exists()
    assert settings.association_name == "Arkansas Library Association"
    assert settings.program_name == "ArLA Mentoring Program"
    assert settings.conference_name == "ArLA fall conference"
    assert settings.version == 0
    assert len(settings.commitments) == 4
    assert settings.region_name("central") == "Central Arkansas"


def test_a_test_starts_from_a_database_without_settings_holding_the_presets_words(django_assert_num_queries):
    """What conftest's _program_settings_held takes for granted when it holds the preset's
    defaults without reading: a database where a test left a row would fail here."""
    assert not ProgramSettings.objects.exists()
    with django_assert_num_queries(0):
        assert program() is preset_defaults()


def test_a_test_longer_than_a_recheck_still_reads_the_held_settings_without_a_query(
    django_assert_num_queries, monkeypatch
):
    """A test's pages a second or more apart (a slow machine, many rows made between them) read
    the settings it holds as a running process does: without reading the row again. They read
    it once the recheck found no version said (tests/test_pair_year.py's "my pairs" count
    failed that way on a slow host: 9 queries instead of 8)."""
    monkeypatch.setattr(program_module, "RECHECK_SECONDS", 0)  # every call checks the version

    with django_assert_num_queries(0):
        assert program() is preset_defaults()


def test_reading_them_costs_a_page_no_query(django_assert_num_queries, save):
    save(program_name="Our Mentoring Program")
    program()  # the first read after a save reads the row

    with django_assert_num_queries(0):
        for _ in range(50):
            assert program().program_name == "Our Mentoring Program"


def test_a_save_shows_at_once_in_this_process_and_is_published_for_the_others(save, committee):
    saved = save(by=committee, association_name="Library Leadership and Management Association")

    assert program().association_name == "Library Leadership and Management Association"
    assert cache.get(VERSION_KEY) == saved.settings.version == 1
    row = ProgramSettings.objects.get()
    assert row.updated_by == committee and row.version == 1
    assert saved.changed == ["association_name"]


def test_another_process_sees_a_change_once_the_new_version_is_published(save, monkeypatch):
    monkeypatch.setattr(program_module, "RECHECK_SECONDS", 0)
    save(program_name="Before")
    assert program().program_name == "Before"
    # Another process saves: the row changes, then (after its commit) the version in the cache.
    ProgramSettings.objects.update(program_name="After", version=2)

    assert program().program_name == "Before", "this process holds its copy until a new version is published"
    cache.set(VERSION_KEY, 2)
    assert program().program_name == "After"


def test_a_cache_that_lost_the_version_makes_every_process_read_the_row_again(save, monkeypatch):
    monkeypatch.setattr(program_module, "RECHECK_SECONDS", 0)
    save(program_name="Before")
    program()
    ProgramSettings.objects.update(program_name="After", version=2)

    cache.clear()  # Redis restarted: nobody knows which version is the newest

    assert program().program_name == "After"
    assert cache.get(VERSION_KEY) == 2


# --- Bad input: a message, and nothing saved -----------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mentee_categories": []}, "mentee_categories", "Choose at least one membership category"),
        ({"mentor_categories": ["wizard"]}, "mentor_categories", "Choose membership categories from the list"),
        (
            {"min_length_months": 11, "default_length_months": 10},
            "default_length_months",
            "between the shortest and the longest pair (11 to 12 months)",
        ),
        ({"max_length_months": 13}, "max_length_months", "less than or equal to 12"),
        ({"min_length_months": 6}, "min_length_months", "greater than or equal to 9"),
        ({"nonmember_may_apply": True, "nonmember_agreement": ""}, "nonmember_agreement", "Write the agreement"),
        ({"commitments": ["I will come.", "  "]}, "commitments", "A commitment cannot be empty"),
        ({"commitments": ["I will come.", "I will come."]}, "commitments", "listed twice"),
        ({"commitments": ["I will\ncome."]}, "commitments", "Write this on one line"),
        ({"regions": []}, "regions", "List at least one region"),
        ({"regions": [["north", "North"], ["north", "South"]]}, "regions", "same code"),
        ({"regions": [["North East", "North"]]}, "regions", "cannot be a region's code"),
        ({"program_name": ""}, "program_name", "This field cannot be blank"),
        ({"association_short_name": "Ar\nLA"}, "association_short_name", "Write this on one line"),
        ({"orientation_month": 13}, "orientation_month", "less than or equal to 12"),
        ({"page_home": "x" * 50_001}, "page_home", "at most 50000 characters"),
    ],
)
def test_settings_that_make_no_sense_are_refused_with_a_message(save, changes, field, message):
    errors = refused(save, **changes)

    assert any(message in m for m in errors[field]), errors


def test_a_region_members_are_in_cannot_disappear_but_can_be_renamed(save):
    UserFactory.create_batch(3, region="central")
    without_central = [r for r in map(list, preset_defaults().regions) if r[0] != "central"]

    errors = refused(save, regions=without_central)
    assert errors["regions"] == [
        "3 members are in “Central Arkansas” (code central): keep that code (you may rename the region), "
        "or move them to another region first."
    ]

    renamed = [[code, "Little Rock area" if code == "central" else name] for code, name in preset_defaults().regions]
    save(regions=renamed)
    member = User.objects.filter(region="central").first()
    assert member.get_region_display() == "Little Rock area"


def test_settings_under_which_no_current_member_could_take_part_are_refused(save):
    UserFactory.create_batch(2)  # library staff, 3 years
    UserFactory(seasoned=True)  # a librarian, 15 years

    errors = refused(save, mentee_categories=["retired"])
    assert errors["mentee_categories"] == [
        "With these settings no current member could be a mentee (3 can today): check who may be a mentee."
    ]
    errors = refused(save, mentor_min_years=30)
    assert errors["mentor_categories"] == [
        "With these settings no current member could be a mentor (1 can today): check who may be a mentor "
        "and the mentors' minimum years."
    ]


def test_settings_that_leave_some_members_out_say_how_many(save):
    UserFactory.create_batch(2)  # library staff
    UserFactory(seasoned=True)  # a librarian

    saved = save(mentee_categories=["librarian"])

    assert saved.notes == [
        "2 current members who could opt in as a mentee before cannot now; opt-ins already made stay as they are."
    ]


def test_a_page_opened_before_someone_else_saved_saves_nothing(save):
    save(program_name="Theirs")

    errors = refused(save, expected_version=0, program_name="Mine")

    assert errors[None][0].startswith("Someone saved the program settings while you were editing them")
    assert program().program_name == "Theirs"


# --- Never rewriting what was made ---------------------------------------------------------------


def test_changing_the_settings_rewrites_no_opt_in_cycle_or_pair(save, cycle):
    accepted = list(preset_defaults().commitments)
    optin = EnrollmentFactory(cycle=cycle, commitments=accepted)
    pair = PairFactory(cycle=cycle, length_months=9)
    before = (list(Enrollment.objects.order_by("pk").values()), pair.ends_on, cycle.default_length_months)

    save(
        commitments=["I commit to the full 10-month formal mentorship."],
        min_length_months=10,
        default_length_months=10,
        max_length_months=10,
        mentor_min_years=8,
    )

    optin.refresh_from_db()
    pair.refresh_from_db()
    cycle.refresh_from_db()
    assert optin.commitments == accepted
    assert (list(Enrollment.objects.order_by("pk").values()), pair.ends_on, cycle.default_length_months) == before
    assert pair.length_months == 9 and cycle.mentor_min_years == 5


# --- The opt-in asks what the settings say, and records it as worded then ----------------------


def opt_in_as_mentee(client, settings=None, **extra):
    data = {"wants_mentor": "on", "mentee_goals": "Grow as a leader.", "meeting_modes": ["email"]}
    return client.post(reverse("members:enrollment-create"), {**data, **accepting(settings or program()), **extra})


def test_an_opt_in_records_the_commitments_as_they_were_worded_then(save, client_for, member, cycle):
    save(commitments=["I will meet my mentor every month.", "I will keep what we say confidential."])
    form = client_for(member).get(reverse("members:enrollment-create")).text
    assert "I will meet my mentor every month." in form and "ALA Code of Ethics" not in form

    opt_in_as_mentee(client_for(member))
    save(commitments=["I commit to the full 10-month formal mentorship."])

    optin = Enrollment.objects.get(member=member)
    assert optin.commitments == ["I will meet my mentor every month.", "I will keep what we say confidential."]


def test_commitments_changed_while_a_member_fills_in_the_form_are_asked_again(save, client_for, member, cycle):
    shown = program()
    save(commitments=[*shown.commitments, "I will read the training presentation."])
    client = client_for(member)

    response = opt_in_as_mentee(client, settings=shown)

    assert response.status_code == 200
    assert "The program&#x27;s commitments changed while you were filling in this form" in response.text
    assert "I will read the training presentation." in response.text
    assert not Enrollment.objects.exists()
    assert opt_in_as_mentee(client).status_code == 302
    assert len(Enrollment.objects.get(member=member).commitments) == 5


@pytest.fixture
def open_to_non_members(save):
    save(nonmember_may_apply=True, nonmember_agreement="I am a member of LLAMA, or I agree to become one.")


def test_where_non_members_may_apply_the_opt_in_asks_the_agreement_and_records_it(
    open_to_non_members, client_for, cycle
):
    outsider = UserFactory(expired=True)
    client = client_for(outsider)
    form = client.get(reverse("members:enrollment-create"))
    assert form.status_code == 200 and "I am a member of LLAMA, or I agree to become one." in form.text

    refused = opt_in_as_mentee(client)
    assert refused.status_code == 200 and "You are not a current member: applying means accepting this." in refused.text
    assert not Enrollment.objects.exists()

    assert opt_in_as_mentee(client, agree_to_join="on").status_code == 302
    optin = Enrollment.objects.get(member=outsider)
    assert optin.nonmember_agreement == "I am a member of LLAMA, or I agree to become one."


def test_a_current_member_is_not_asked_to_agree_to_join(open_to_non_members, client_for, member, cycle):
    client = client_for(member)
    assert "I agree to become one" not in client.get(reverse("members:enrollment-create")).text

    assert opt_in_as_mentee(client, agree_to_join="on").status_code == 302
    assert Enrollment.objects.get(member=member).nonmember_agreement == ""


def test_where_only_members_may_take_part_a_non_member_is_sent_to_renew(client_for, cycle):
    outsider = UserFactory(expired=True)

    response = opt_in_as_mentee(client_for(outsider), agree_to_join="on")

    assert response.status_code == 302 and response["Location"] == reverse("members:membership-renew")
    assert not Enrollment.objects.exists()


# --- The Program page (Committee → Program) ------------------------------------------------------


def settings_posted(**changes) -> dict:
    """What the Program page sends when the committee changes `changes` and nothing else."""
    form = ProgramSettingsForm(settings=program())
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False or value == "":
            continue
        data[field.html_name] = "on" if value is True else value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def test_the_committee_renames_the_program_and_every_page_says_the_new_name(client_for, committee, sending):
    client = client_for(committee)
    page = client.get(reverse("members:program-settings"))
    assert page.status_code == 200 and 'value="Arkansas Library Association"' in page.text

    with sending():  # the settings are published when the request's transaction commits
        saved = client.post(
            reverse("members:program-settings"),
            settings_posted(association_name="Ozark Library Association", association_short_name="OLA"),
        )
    response = client.get(saved["Location"])

    assert "The program settings are saved: every page and email now uses them." in response.text
    assert 'value="Ozark Library Association"' in response.text
    assert "Ozark Library Association" in client_for(None).get(reverse("members:program")).text


def test_commitments_and_regions_are_edited_one_a_line(client_for, committee, sending):
    UserFactory(region="central")
    with sending():
        client_for(committee).post(
            reverse("members:program-settings"),
            settings_posted(
                commitments="I will meet my mentor monthly.\n\n  I will keep what we say confidential.  \n",
                regions="central: Little Rock area\nDelta\nout_of_state: Outside Arkansas",
            ),
        )

    settings = program()
    assert settings.commitments == ("I will meet my mentor monthly.", "I will keep what we say confidential.")
    assert settings.regions == (
        ("central", "Little Rock area"),
        ("delta", "Delta"),
        ("out_of_state", "Outside Arkansas"),
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mentee_categories": []}, "Choose at least one membership category: with none, nobody could take part."),
        ({"min_length_months": "12", "max_length_months": "9"}, "The default length must lie between"),
        ({"regions": "north: North\nnorth: South"}, "Two regions have the same code."),
        ({"nonmember_may_apply": True, "nonmember_agreement": ""}, "Write the agreement a non-member accepts"),
        ({"program_name": ""}, "This field is required."),
    ],
)
def test_bad_settings_on_the_page_get_a_message_and_change_nothing(client_for, committee, changes, message):
    response = client_for(committee).post(reverse("members:program-settings"), settings_posted(**changes))

    assert response.status_code == 200
    assert "The settings are not saved: please correct what is marked below." in response.text
    assert message in response.text
    assert not ProgramSettings.objects.exists()


def test_a_member_that_every_setting_would_leave_out_is_told_on_the_page(client_for, committee):
    response = client_for(committee).post(
        reverse("members:program-settings"), settings_posted(mentor_categories=["supporter"])
    )

    assert "With these settings no current member could be a mentor (1 can today)" in response.text
    assert not ProgramSettings.objects.exists()


def test_saving_twice_saves_once_and_says_nothing_changed(client_for, committee, sending):
    client = client_for(committee)
    data = settings_posted(program_name="Mentoring at OLA")

    with sending():
        client.post(reverse("members:program-settings"), data)
    with sending():
        second = client.post(reverse("members:program-settings"), data, follow=True)

    assert "Nothing changed: the settings already say this." in second.text
    assert ProgramSettings.objects.get().version == 1


def test_a_page_opened_before_a_colleague_saved_keeps_the_colleagues_settings(client_for, committee, sending):
    stale = settings_posted(program_name="Mine")
    with sending():
        program_settings_save(by=committee, changes={"program_name": "Theirs"})

    response = client_for(committee).post(reverse("members:program-settings"), stale, follow=True)

    assert "Someone saved the program settings while you were editing them" in response.text
    assert 'value="Theirs"' in response.text
    assert program().program_name == "Theirs"


def test_the_program_page_costs_a_fixed_number_of_queries(client_for, committee, django_assert_max_num_queries):
    client = client_for(committee)
    UserFactory.create_batch(3)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("members:program-settings")).status_code == 200
    UserFactory.create_batch(30, region="central")
    with django_assert_max_num_queries(5):
        assert client.get(reverse("members:program-settings")).status_code == 200


def test_the_committee_sees_which_applicants_agreed_to_join(open_to_non_members, client_for, committee, cycle):
    opt_in_as_mentee(client_for(UserFactory(expired=True, first_name="Nora")), agree_to_join="on")
    opt_in_as_mentee(client_for(UserFactory(first_name="Mia")))

    rows = client_for(committee).get(reverse("members:enrollment-list")).text.split("<tr>")

    assert [("Nora" in row, "Agreed to join" in row) for row in rows if "Nora" in row or "Mia" in row] in (
        [(True, True), (False, False)],
        [(False, False), (True, True)],
    )


def test_a_non_member_is_offered_to_apply_on_their_page_where_the_program_allows_it(
    open_to_non_members, client_for, cycle
):
    page = client_for(UserFactory(expired=True)).get(reverse("members:profile")).text

    assert "You may also apply without renewing, if you agree to join." in page
    assert reverse("members:enrollment-create") in page


def test_a_version_saved_while_the_cache_was_away_is_published_again(save, monkeypatch):
    monkeypatch.setattr(program_module, "RECHECK_SECONDS", 0)
    save(program_name="Saved while Redis was away")
    cache.set(VERSION_KEY, 0)  # Redis came back with the number it had before the save
    program_module.forget()  # the process that saved, or any that reads the row afresh

    assert program().program_name == "Saved while Redis was away"
    assert cache.get(VERSION_KEY) == 1  # so the other processes, holding version 0, read it too
