"""Every email in the committee's own words (issue 12): edited on the site, previewed with a
real pair, sent to oneself as a test, given its own version for one cycle, switched off —
and an email already written never changes."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox import kinds
from outbox.models import Email, EmailKind, EmailState, EmailTemplate, KindSetting
from outbox.services import wording
from pairs.models import Pair
from pairs.services import pairing, reminders

from .factories import CycleFactory, PairFactory

pytestmark = pytest.mark.django_db

REASONS = ["Job titles agree on cataloging", "Both work in Cataloging (1 of the mentee's 2 areas)", "Same region"]
NEW_WORDS = (
    "Hello {mentor_first_name}!\n\n"
    "This year you mentor **{mentee_name}** ({mentee_email}).\n\n"
    "We thought of you because:\n{match_reasons}\n\n"
    "Yours, the {committee_name}"
)


@pytest.fixture
def mentor(mentor):
    """The mentor, with room for three mentees."""
    mentor.capacity = 3
    mentor.save(update_fields=["capacity"])
    return mentor


def text_of(response) -> str:
    """The page as a reader sees it: apostrophes and quotes, not their HTML escapes."""
    return html.unescape(response.content.decode())


def edit_url(kind: str, cycle=None) -> str:
    return reverse("outbox:template-edit", args=[kind]) + (f"?cycle={cycle.pk}" if cycle else "")


def save(client, kind, subject, body, cycle=None, based_on=""):
    return client.post(
        edit_url(kind, cycle),
        {"subject": subject, "body": body, "action": "save", "based_on": based_on, "example": ""},
        follow=True,
    )


def pair_them(committee, mentee, mentor, reasons=REASONS):
    return pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee, match_reasons=reasons)


# --- Saving: a version, refused when broken, never rewriting what was written ------------------------


def test_the_committee_saves_its_wording_and_the_next_introduction_is_written_in_it(
    client_for, committee, mentee, mentor
):
    response = save(client_for(committee), EmailKind.INTRO_MENTOR, "Your mentee: {mentee_name}", NEW_WORDS)

    assert "Saved as version 1. Emails written from now on use it; those already written keep their words." in (
        text_of(response)
    )
    pair = pair_them(committee, mentee, mentor)
    email = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTOR)
    assert email.subject == f"Your mentee: {mentee.member}"
    assert email.body_text.startswith(f"Hello {mentor.member.first_name}!\n\nThis year you mentor **{mentee.member}**")
    assert "We thought of you because:\n- Job titles agree on cataloging\n- Both work in Cataloging" in email.body_text
    assert "<li>Same region</li>" in email.body_html
    assert f'<a href="mailto:{mentee.member.email}">' in email.body_html
    assert email.body_text.rstrip().endswith("Yours, the Mentoring Committee")
    assert email.template == EmailTemplate.objects.get(kind=EmailKind.INTRO_MENTOR, version=1)
    # The other introduction was not edited: the shipped wording, and the reasons too.
    to_mentee = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTEE)
    assert to_mentee.template is None
    assert to_mentee.subject == f"Meet your mentor: {mentor.member}"
    assert "Why the committee paired you:\n- Job titles agree on cataloging" in to_mentee.body_text


def test_a_broken_placeholder_is_refused_with_its_position_and_nothing_is_saved(client_for, committee):
    body = "Dear {mentor_first_name},\n\nYour mentee is {mentee_nam}."

    response = save(client_for(committee), EmailKind.INTRO_MENTOR, "Hi", body)

    assert response.status_code == 200
    assert "Body, line 3, column 16: “{mentee_nam}” is not a placeholder of this email." in text_of(response)
    assert "Did you mean {mentee_name}?" in text_of(response)
    assert "Nothing was saved" in text_of(response)
    assert body in text_of(response)  # the text stays in the form to be fixed
    assert not EmailTemplate.objects.exists()


def test_an_email_written_before_an_edit_keeps_its_words_pending_or_sent(
    client_for, committee, mentee, mentor, sending, mailoutbox
):
    pair = pair_them(committee, mentee, mentor)
    before = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTOR)
    words = (before.subject, before.body_text, before.body_html)

    save(client_for(committee), EmailKind.INTRO_MENTOR, "Changed: {mentee_name}", NEW_WORDS)
    with sending():
        Email.objects.filter(pk=before.pk).update(queued_at=timezone.now() - dt.timedelta(hours=1))
        from outbox.services import outbox_sweep

        outbox_sweep()

    before.refresh_from_db()
    assert (before.subject, before.body_text, before.body_html) == words
    assert before.template is None  # the shipped wording it was written from
    [sent] = [m for m in mailoutbox if m.to == [mentor.member.email]]
    assert sent.subject == words[0] and "Changed" not in sent.subject


def test_saving_the_same_words_twice_writes_one_version(client_for, committee):
    client = client_for(committee)
    save(client, EmailKind.THANKS, "Thanks, {first_name}", "Dear {first_name},\n\nThank you.")

    response = save(client, EmailKind.THANKS, "Thanks, {first_name}", "Dear {first_name},\n\nThank you.", based_on="")

    assert "Nothing to save: this is already the wording in use." in text_of(response)
    assert EmailTemplate.objects.filter(kind=EmailKind.THANKS).count() == 1


def test_a_save_over_a_version_someone_else_saved_meanwhile_is_refused_then_allowed(client_for, committee, stranger):
    from members.models import committee_group

    stranger.groups.add(committee_group())
    first = save(client_for(committee), EmailKind.THANKS, "Thanks", "Version by Carol.")
    assert "Saved as version 1" in text_of(first)
    opened_before = ""  # the other member opened the editor before Carol saved: no version then

    refused = save(client_for(stranger), EmailKind.THANKS, "Thanks", "Version by Stan.", based_on=opened_before)

    assert "Carol Committee saved version 1 of this wording at" in text_of(refused)
    assert "save again to replace it with yours" in text_of(refused)
    assert list(EmailTemplate.objects.values_list("body", flat=True)) == ["Version by Carol."]
    latest = EmailTemplate.objects.get().pk
    assert f'name="based_on" value="{latest}"' in text_of(refused)
    again = save(client_for(stranger), EmailKind.THANKS, "Thanks", "Version by Stan.", based_on=latest)
    assert "Saved as version 2" in text_of(again)


# --- Preview and test -----------------------------------------------------------------------------


def test_preview_with_a_real_pair_shows_its_people_and_reasons_and_saves_nothing(client_for, committee, mentee, mentor):
    pair = pair_them(committee, mentee, mentor)
    client = client_for(committee)

    found = client.post(
        edit_url(EmailKind.INTRO_MENTOR),
        {"subject": "S", "body": NEW_WORDS, "find": mentee.member.last_name, "action": "find"},
    )
    assert "1 found: choose one under “Preview with”." in text_of(found)
    assert f'value="pair:{pair.pk}:mentor"' in text_of(found)
    response = client.post(
        edit_url(EmailKind.INTRO_MENTOR),
        {
            "subject": "For {mentor_first_name}",
            "body": NEW_WORDS,
            "example": f"pair:{pair.pk}:mentor",
            "action": "preview",
        },
    )

    assert response.status_code == 200
    assert "Preview (not saved)" in text_of(response)
    assert mentor.member.email in text_of(response)  # To
    assert f"For {mentor.member.first_name}" in text_of(response)
    assert f"This year you mentor <strong>{mentee.member}</strong>" in text_of(response)
    assert "<li>Job titles agree on cataloging</li>" in text_of(response)
    assert not EmailTemplate.objects.exists()


def test_preview_with_lists_the_newest_pairs_found_as_the_site_names_them(committee):
    # The list is built from the pairs' columns, not their models: each label is still str(pair)
    # (a name, else the address) and the cycle's, newest first, once per side.
    pairs = [PairFactory(cycle=CycleFactory(is_open=False)) for _ in range(3)]
    nameless, first_only, sought = pairs[0].mentee.member, pairs[1].mentor.member, pairs[1].mentee.member
    nameless.first_name = nameless.last_name = ""
    first_only.last_name = ""
    sought.last_name = "Quillfeather"
    for person in (nameless, first_only, sought):
        person.save()
    to_both = kinds.get(EmailKind.CHECKIN_REMINDER)  # an email to either side of a pair

    found = to_both.examples("")

    newest_first = [Pair.objects.with_people().get(pk=p.pk) for p in reversed(pairs)]
    assert [(e.key, e.label) for e in found] == [
        (f"pair:{p.pk}:{side}", f"{p} ({p.cycle.name}) — to the {side}")
        for p in newest_first
        for side in ("mentor", "mentee")
    ]
    assert f"& {nameless.email} (" in found[-1].label and found[2].label.startswith(f"{first_only.first_name} & ")
    assert [e.key for e in to_both.examples("quillfeather")] == [
        f"pair:{pairs[1].pk}:mentor",
        f"pair:{pairs[1].pk}:mentee",
    ]


def test_preview_with_the_samples_needs_no_pair(client_for, committee):
    response = client_for(committee).post(
        edit_url(EmailKind.INTRO_MENTEE),
        {
            "subject": "Meet {mentor_name}",
            "body": "Dear {mentee_first_name}, phone: {mentor_phone}",
            "action": "preview",
        },
    )

    assert "Meet Sam Senior" in text_of(response)
    assert "Dear Mina, phone: 501-555-0142" in text_of(response)


def test_send_me_a_test_goes_to_the_committee_member_through_the_outbox_once_per_words(
    client_for, committee, mentee, mentor, sending, mailoutbox
):
    pair = pair_them(committee, mentee, mentor)
    client = client_for(committee)
    data = {"subject": "Meet {mentee_name}", "body": NEW_WORDS, "example": f"pair:{pair.pk}:mentor", "action": "test"}

    with sending():
        first = client.post(edit_url(EmailKind.INTRO_MENTOR), data)
        second = client.post(edit_url(EmailKind.INTRO_MENTOR), data)

    assert f"A test is on its way to {committee.email} (it is in the Outbox)." in text_of(first)
    assert f"This test was already sent to {committee.email} at" in text_of(second)
    tests = [m for m in mailoutbox if m.to == [committee.email]]
    assert len(tests) == 1
    assert tests[0].subject == f"[Test] Meet {mentee.member}"
    assert f"This year you mentor **{mentee.member}**" in tests[0].body
    row = Email.objects.get(is_test=True)
    assert (row.to, row.state, row.recipient) == (committee.email, EmailState.SENT, committee)
    assert not EmailTemplate.objects.exists()  # a test saves nothing


# --- Restore, cycles -------------------------------------------------------------------------------


def test_restore_the_default_brings_the_shipped_wording_back_once(client_for, committee, mentee, mentor):
    client = client_for(committee)
    save(client, EmailKind.INTRO_MENTOR, "Edited {mentee_name}", NEW_WORDS)
    url = reverse("outbox:template-restore", args=[EmailKind.INTRO_MENTOR])

    confirm = client.get(url)
    assert "Restore the default?" in text_of(confirm) and "Meet your mentee: {mentee_name}" in text_of(confirm)
    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert "The shipped wording is back (version 2)." in text_of(first)
    assert "Nothing to restore: it already uses this wording." in text_of(second)
    assert EmailTemplate.objects.filter(kind=EmailKind.INTRO_MENTOR).count() == 2
    pair = pair_them(committee, mentee, mentor)
    email = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTOR)
    assert email.subject == f"Meet your mentee: {mentee.member}"
    assert email.wording.startswith("Version 2: the shipped wording, restored by Carol Committee")


def test_a_cycle_has_its_own_wording_and_falls_back_to_the_programs(client_for, committee, cycle):
    other_cycle = CycleFactory(is_open=False)
    client = client_for(committee)
    save(client, EmailKind.CHECKIN_REMINDER, "Program: {partner_name}", "Program's words, {first_name}.")
    save(client, EmailKind.CHECKIN_REMINDER, "This year: {partner_name}", "This year's words.", cycle=cycle)
    ours, theirs = PairFactory(cycle=cycle), PairFactory(cycle=other_cycle)
    for p in (ours, theirs):
        p.starts_on = timezone.localdate() - dt.timedelta(days=90)
        p.save()

    reminders.checkin_reminders_send()

    ours_email = Email.objects.filter(pair=ours).first()
    theirs_email = Email.objects.filter(pair=theirs).first()
    assert ours_email.subject.startswith("This year: ") and ours_email.template.cycle == cycle
    assert theirs_email.subject.startswith("Program: ") and theirs_email.template.cycle is None
    restored = client.post(
        reverse("outbox:template-restore", args=[EmailKind.CHECKIN_REMINDER]) + f"?cycle={cycle.pk}", follow=True
    )
    assert f"{cycle} uses the program's wording again" in text_of(restored)
    in_use = EmailTemplate.objects.in_use(EmailKind.CHECKIN_REMINDER, cycle.pk)
    assert in_use.cycle is None and in_use.subject.startswith("Program: ")


def test_the_editor_says_which_version_is_in_use_and_starts_from_its_words(client_for, committee, cycle):
    # The editor takes the version in use from its history when it can (one query fewer), and
    # which cycles have their own from a query of its own: the program's and a cycle's pages,
    # through saves and restores, say what the emails use.
    client = client_for(committee)
    kind = EmailKind.CHECKIN_REMINDER
    restore = reverse("outbox:template-restore", args=[kind])

    def shown(for_cycle) -> tuple[str, str, bool]:
        page = text_of(client.get(edit_url(kind, for_cycle)))
        return (
            page.split("In use now: ")[1].split("</p>")[0],
            page.split('name="subject" value="')[1].split('"')[0],
            f"{cycle} only (has its own)" in page,
        )

    def in_use(for_cycle) -> tuple[str, str, bool]:
        template = EmailTemplate.objects.in_use(kind, for_cycle.pk if for_cycle else None)
        subject = template.subject if template and not template.follows_default else None
        own = EmailTemplate.objects.newest().filter(kind=kind, cycle=cycle, follows_default=False).exists()
        return (template.description() if template else "the shipped wording."), subject, own

    steps = [
        lambda: None,
        lambda: save(client, kind, "Program: {partner_name}", "Program's words."),
        lambda: save(client, kind, "This year: {partner_name}", "This year's words.", cycle=cycle),
        lambda: client.post(f"{restore}?cycle={cycle.pk}"),
        lambda: client.post(restore),
    ]
    for step in steps:
        step()
        for for_cycle in (None, cycle):
            (said, subject, has_own), (expected, expected_subject, own) = shown(for_cycle), in_use(for_cycle)
            assert said.startswith(expected), (said, expected)
            assert subject == (expected_subject or kinds.get(kind).subject)
            assert has_own == own
            if for_cycle:
                assert ("This cycle has no wording of its own" in said) != own


def test_a_kind_about_no_cycle_has_no_cycle_wording(client_for, committee, cycle):
    response = save(client_for(committee), EmailKind.RENEWAL_REMINDER, "Renew", "Renew, {first_name}.", cycle=cycle)

    assert EmailTemplate.objects.get().cycle is None  # the address's cycle is ignored for it
    assert "Saved as version 1" in text_of(response)


# --- Switches ---------------------------------------------------------------------------------------


def test_an_optional_kind_switched_off_is_written_as_skipped_with_why(client_for, committee, cycle):
    client = client_for(committee)
    url = reverse("outbox:template-switch", args=[EmailKind.CHECKIN_REMINDER])

    first = client.post(url, {}, follow=True)
    second = client.post(url, {}, follow=True)

    assert "Switched off: no check-in reminders are sent; the Outbox lists them as skipped." in text_of(first)
    assert "Nothing changed: the switches were already so." in text_of(second)
    pair = PairFactory(cycle=cycle, starts_on=timezone.localdate() - dt.timedelta(days=90))
    reminders.checkin_reminders_send()
    rows = Email.objects.filter(pair=pair, kind=EmailKind.CHECKIN_REMINDER)
    assert [r.state for r in rows] == [EmailState.SKIPPED] * 2
    assert rows[0].skip_reason.startswith("The committee switched check-in reminders off for the program on")
    outbox = client.get(reverse("outbox:email-list") + "?state=skipped")
    assert "The committee switched check-in reminders off for the program" in text_of(outbox)


def test_introductions_cannot_be_switched_off_and_the_page_says_why(client_for, committee):
    client = client_for(committee)

    page = client.get(edit_url(EmailKind.INTRO_MENTEE))
    # No "sending" box: only why they were matched can be turned off.
    kept_on = client.post(
        reverse("outbox:template-switch", args=[EmailKind.INTRO_MENTEE]), {"show_match_reasons": "on"}, follow=True
    )

    assert (
        "Always sent</span>, and no member can stop it: it is how the two people of a pair get each other"
        in text_of(page)
    )
    assert 'name="sending"' not in text_of(page)
    assert "Nothing changed" in text_of(kept_on)
    assert KindSetting.of(EmailKind.INTRO_MENTEE).sending
    with pytest.raises(wording.WordingError, match="cannot be switched off: it is how the two people"):
        wording.kind_switch(kind=EmailKind.INTRO_MENTEE, sending=False, shown=set(), by=committee)


def test_the_committee_turns_the_reasons_off_and_the_introductions_say_none(client_for, committee, mentee, mentor):
    client_for(committee).post(
        reverse("outbox:template-switch", args=[EmailKind.INTRO_MENTEE]), {"sending": "on"}, follow=True
    )

    pair = pair_them(committee, mentee, mentor)

    to_mentee = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTEE)
    assert "Job titles agree" not in to_mentee.body_text
    assert "Why the committee paired you" not in to_mentee.body_text
    to_mentor = Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTOR)  # its own switch is still on
    assert "Job titles agree" in to_mentor.body_text


def test_a_pair_made_without_suggestions_gets_no_reasons_line(committee, mentee, mentor):
    pair = pair_them(committee, mentee, mentor, reasons=[])

    for email in Email.objects.filter(pair=pair):
        assert "Why the committee paired you" not in email.body_text


# --- The pages ---------------------------------------------------------------------------------------


def test_the_emails_page_lists_every_kind_with_its_wording_and_switch(
    client_for, committee, django_assert_max_num_queries
):
    client = client_for(committee)
    save(client, EmailKind.THANKS, "Thanks", "Thanks {first_name}.")

    with django_assert_max_num_queries(8):
        page = client.get(reverse("outbox:template-list"))

    for kind in kinds.declared():
        assert kind.label in text_of(page)
    assert "Version 1 of the committee's wording, saved by Carol Committee" in text_of(page)
    # the two introductions, the report of a partner gone quiet, the end of a pair, a partner who left,
    # an offer to a mentor and its reminder, the news of an offer declined or unanswered, no first contact
    assert text_of(page).count(">Always</span>") == 10
    assert "Account emails (address confirmation, password reset) are written by the account system" in text_of(page)


def test_the_editor_lists_each_placeholder_with_what_it_becomes(client_for, committee, django_assert_max_num_queries):
    for _ in range(3):
        PairFactory(cycle=CycleFactory(is_open=False))
    client = client_for(committee)

    with django_assert_max_num_queries(12):
        page = client.get(edit_url(EmailKind.INTRO_MENTOR))

    kind = kinds.get(EmailKind.INTRO_MENTOR)
    for p in kind.all_placeholders:
        assert f"{{{p.name}}}</dt>" in text_of(page)
    assert "What the committee's suggestion saw in common" in text_of(page)
    assert "Dear {mentor_first_name}," in text_of(page)  # the shipped wording in the form


def test_the_editors_query_count_does_not_grow_with_versions_or_pairs(client_for, committee, django_assert_num_queries):
    client = client_for(committee)
    url = edit_url(EmailKind.CHECKIN_REMINDER)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    few = len(few.captured_queries)  # read now: the next requests empty the connection's log
    for i in range(5):
        save(client, EmailKind.CHECKIN_REMINDER, f"V{i}", f"Words {i}.")
        PairFactory(cycle=CycleFactory(is_open=False))
    with django_assert_num_queries(few):
        client.get(url)


@pytest.mark.parametrize("kind", [k for k in EmailKind.values if k != EmailKind.ACCOUNT])
def test_every_kinds_shipped_wording_previews_with_its_samples(committee, kind):
    declared = kinds.get(kind)

    to, rendered = wording.wording_preview(kind=kind, subject=declared.subject, body=declared.body)

    assert rendered.subject and "{" not in rendered.subject
    assert rendered.text.strip() and "{" not in rendered.text
    assert "Mentoring Committee" in rendered.text


def test_every_kind_is_declared_and_its_shipped_wording_passes_the_check():
    from outbox.checks import email_kinds_declared

    assert email_kinds_declared(None) == []
    assert {k.name for k in kinds.declared()} == set(EmailKind.values) - {EmailKind.ACCOUNT}


def test_a_press_that_changes_nothing_writes_nothing(client_for, committee):
    """Found by the fuzzing: restoring a wording never edited, or saving the switches as they
    are, wrote the kind's switches row all the same."""
    client = client_for(committee)

    client.post(reverse("outbox:template-restore", args=[EmailKind.INTRO_MENTOR]))
    client.post(reverse("outbox:template-switch", args=[EmailKind.CHECKIN_REMINDER]), {"sending": "on"})
    save(client, EmailKind.THANKS, *words_of_shipped(EmailKind.THANKS))

    assert not KindSetting.objects.exists()
    assert not EmailTemplate.objects.exists()


def words_of_shipped(kind: str) -> tuple[str, str]:
    declared = kinds.get(kind)
    return declared.subject, declared.body


def test_the_restore_pages_query_count_is_small(client_for, committee, cycle, django_assert_max_num_queries):
    client = client_for(committee)
    save(client, EmailKind.THANKS, "Thanks", "Thanks {first_name}.")
    save(client, EmailKind.THANKS, "Thanks this year", "Thanks {first_name}!", cycle=cycle)

    with django_assert_max_num_queries(5):
        page = client.get(reverse("outbox:template-restore", args=[EmailKind.THANKS]) + f"?cycle={cycle.pk}")

    assert "Use the program's wording for" in text_of(page) and "Thanks {first_name}." in text_of(page)
