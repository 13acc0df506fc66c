"""A topic each month (issue 14, item 3): the committee's schedule of discussion topics, the
month's topic by email and on the pair page, a check-in tagged with it, the presets' topics."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from members.models import Role
from members.presets import files as preset_files
from outbox.models import Email, EmailKind, EmailPreference, EmailState
from pairs.models import CheckIn, PairStatus, Topic, pair_month
from pairs.services import topics, year

from .factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cycle, member, seasoned_member):
    """An active pair that started 60 days ago (in month 2 or 3 of its year)."""
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
    )


def schedule(cycle=None, **titles) -> dict[int, Topic]:
    """Topics for months 1–12 of a schedule: "Month n topic" unless `titles` says m3="…"."""
    return {
        m: Topic.objects.create(
            cycle=cycle, month=m, title=titles.get(f"m{m}", f"Month {m} topic"), text=f"What to say in month {m}."
        )
        for m in range(1, 13)
    }


# --- The committee's pages ---------------------------------------------------------------------


def test_the_committee_adds_a_topic_whose_markdown_shows_and_whose_html_does_not(client_for, committee):
    client = client_for(committee)

    response = client.post(
        reverse("pairs:topic-create"),
        {
            "month": "3",
            "title": "How the association is organized",
            "text": "Talk about **who leads** it.\n\n<script>alert(1)</script>",
            "resource_url": "https://example.org/bylaws",
        },
        follow=True,
    )

    assert "Month 3&#x27;s topic “How the association is organized” is saved." in response.text
    topic = Topic.objects.get()
    assert (topic.cycle, topic.month, topic.updated_by) == (None, 3, committee)
    page = client.get(reverse("pairs:topic-list")).text
    assert "<strong>who leads</strong>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="https://example.org/bylaws"' in page


def test_a_second_topic_for_a_month_or_a_link_that_is_no_web_address_is_refused(client_for, committee):
    schedule(m3="Kept")
    client = client_for(committee)

    taken = client.post(reverse("pairs:topic-create"), {"month": "3", "title": "Another", "text": "t"})
    bad_link = client.post(
        reverse("pairs:topic-create"), {"month": "4", "title": "A", "text": "t", "resource_url": "ftp://x.org/a"}
    )

    assert "The program&#x27;s schedule has a topic for month 3 already: change that one" in taken.text
    assert "Give the resource&#x27;s web address, starting with https://." in bad_link.text
    assert Topic.objects.get(month=3).title == "Kept" and Topic.objects.count() == 12


def test_a_cycles_own_topic_replaces_the_programs_that_month_only(client_for, committee, pair):
    schedule()
    month = pair_month(pair)
    client = client_for(committee)

    client.post(
        f"{reverse('pairs:topic-create')}?cycle={pair.cycle.pk}",
        {"month": str(month), "title": "Our own topic", "text": "For this cycle."},
    )

    own = Topic.objects.get(cycle=pair.cycle)
    assert own.month == month
    assert Topic.objects.schedule_of(pair.cycle.pk)[month].title == "Our own topic"
    assert Topic.objects.schedule_of(None)[month].title == f"Month {month} topic"
    page = client.get(f"{reverse('pairs:topic-list')}?cycle={pair.cycle.pk}").text
    assert "Our own topic" in page and page.count("From the program's schedule") == 11


def test_deleting_a_topic_asks_first_and_pressed_twice_says_it_is_gone(client_for, committee):
    topic = Topic.objects.create(month=5, title="Halfway", text="Look back.")
    client = client_for(committee)
    url = reverse("pairs:topic-delete", args=[topic.pk])

    question = client.get(url)
    assert "Delete month 5's topic, “Halfway”?" in question.text
    assert Topic.objects.exists()

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert "Month 5&#x27;s topic “Halfway” is deleted." in first.text
    assert "This topic was deleted already." in second.text
    assert not Topic.objects.exists()


def test_the_topics_page_reads_the_same_number_of_queries_with_one_topic_or_twelve(
    client_for, committee, cycle, page_queries
):
    client = client_for(committee)
    Topic.objects.create(month=1, title="One", text="t")
    Topic.objects.create(cycle=cycle, month=2, title="Own", text="t")
    url = f"{reverse('pairs:topic-list')}?cycle={cycle.pk}"

    few = page_queries(client, url, most=8)
    for m in range(2, 13):
        Topic.objects.create(month=m, title=f"T{m}", text="t")
        Topic.objects.create(cycle=cycle, month=m if m != 2 else 1, title=f"Own {m}", text="t")
    page_queries(client, url, exactly=few)


# --- The month's topic, sent and shown --------------------------------------------------------


def test_each_active_pair_receives_its_months_topic_once(pair, sending, mailoutbox):
    schedule()
    month = pair_month(pair)
    ended = PairFactory(cycle=pair.cycle, status=PairStatus.ENDED)
    not_started = PairFactory(cycle=pair.cycle, starts_on=pair.cycle.starts_on)

    with sending():
        assert topics.topics_send() == 2
        assert topics.topics_send() == 0  # the next day, or beat twice: nothing again

    assert sorted(m.to[0] for m in mailoutbox) == sorted([pair.mentor.member.email, pair.mentee.member.email])
    to_mentee = next(m for m in mailoutbox if m.to == [pair.mentee.member.email])
    assert to_mentee.subject == f"This month with your mentor: Month {month} topic"
    assert f"What to say in month {month}." in to_mentee.body
    assert f"month {month} of your mentoring year" in to_mentee.body
    assert settings.SITE_URL + pair.get_absolute_url() in to_mentee.body
    assert "Stop monthly discussion topics" in to_mentee.alternatives[0][0]  # an optional kind
    assert not Email.objects.filter(pair__in=[ended, not_started]).exists()


def test_a_member_who_switched_topics_off_gets_none_and_a_month_without_a_topic_sends_nothing(pair, sending):
    Topic.objects.create(cycle=pair.cycle, month=pair_month(pair), title="This month", text="t")
    EmailPreference.objects.create(member=pair.mentor.member, kind=EmailKind.TOPIC, receives=False)
    # Another cycle's pair: its schedule is empty but for month 12.
    other = PairFactory(cycle=CycleFactory(is_open=False), starts_on=pair.starts_on.replace(day=1))
    Topic.objects.create(cycle=other.cycle, month=12, title="Far away", text="t")

    with sending():
        topics.topics_send()

    states = dict(Email.objects.filter(kind=EmailKind.TOPIC).values_list("to", "state"))
    assert states == {pair.mentor.member.email: EmailState.SKIPPED, pair.mentee.member.email: EmailState.SENT}


def test_the_pair_page_shows_the_months_topic_and_a_checkin_is_tagged_with_it(client_for, pair, member):
    topics_by_month = schedule()
    month = pair_month(pair)
    topic = topics_by_month[month]
    topic.text, topic.resource_url = "Read **the bylaws** together.", "https://example.org/bylaws"
    topic.save()
    client = client_for(member)

    page = client.get(pair.get_absolute_url()).text
    assert "This month's topic · month" in page and f"Month {month} topic" in page
    assert "Read <strong>the bylaws</strong> together." in page
    assert 'href="https://example.org/bylaws"' in page
    # The form offers this month's topic and the earlier ones, never the months to come.
    assert f'<option value="{topic.pk}">Month {month}: Month {month} topic</option>' in page
    assert f"Month {month + 1}: Month {month + 1} topic" not in page

    client.post(
        reverse("pairs:checkin-create", args=[pair.pk]),
        {"met_on": pair.starts_on.isoformat(), "mode": "video", "minutes": "30", "topic": str(topic.pk)},
    )

    checkin = CheckIn.objects.get()
    assert (checkin.topic, checkin.topic_title) == (topic, f"Month {month} topic")
    assert f"Topic: Month {month} topic" in client.get(pair.get_absolute_url()).text
    # Reworded or deleted later, the topic leaves the check-in as it was logged (rule 9).
    topic.delete()
    assert f"Topic: Month {month} topic" in client.get(pair.get_absolute_url()).text


def test_a_checkin_cannot_be_tagged_with_a_topic_of_a_month_to_come_or_of_another_cycle(pair, member):
    topics_by_month = schedule()
    later = topics_by_month[pair_month(pair) + 1]
    elsewhere = Topic.objects.create(cycle=CycleFactory(is_open=False), month=1, title="Theirs", text="t")

    for topic in (later, elsewhere):
        with pytest.raises(year.PairYearError, match="Choose one of the topics of your pair's year so far"):
            year.checkin_log(
                pair=pair, by=member, met_on=pair.starts_on, mode="video", minutes=5, topics="", notes="", topic=topic
            )
    assert not CheckIn.objects.exists()


def test_a_topic_posted_that_the_form_does_not_offer_is_refused_with_a_message(client_for, pair, member):
    schedule()
    later = Topic.objects.get(month=pair_month(pair) + 1)

    response = client_for(member).post(
        reverse("pairs:checkin-create", args=[pair.pk]),
        {"met_on": pair.starts_on.isoformat(), "mode": "video", "topic": str(later.pk)},
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not CheckIn.objects.exists()


# --- The presets ---------------------------------------------------------------------------------


def _apply(name: str, django_capture_on_commit_callbacks) -> str:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("program_preset", name, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "count"), [("arla", 12), ("llama", 10)])
def test_each_preset_ships_a_year_of_topics_and_loading_it_again_changes_nothing(
    django_capture_on_commit_callbacks, name, count
):
    UserFactory()
    first = _apply(name, django_capture_on_commit_callbacks)
    loaded = {t.month: (t.title, t.text) for t in Topic.objects.all()}
    second = _apply(name, django_capture_on_commit_callbacks)

    assert f"Topics: {count} in the preset, {count} added, 0 changed" in first
    assert f"Topics: {count} in the preset, 0 added, 0 changed" in second
    assert "[[topics]]" not in first
    assert {t.month: (t.title, t.text) for t in Topic.objects.all()} == loaded
    assert sorted(loaded) == list(range(1, count + 1))
    assert all(t.cycle_id is None for t in Topic.objects.all())
    if name == "arla":
        assert loaded[4][0] == "Committees and Communities of Interest"


def test_a_preset_keeps_the_cycles_own_topics_and_the_months_it_does_not_list(cycle):
    own = Topic.objects.create(cycle=cycle, month=1, title="Ours", text="t")
    month_12 = Topic.objects.create(month=12, title="The committee's", text="t")
    llama = preset_files.read("llama")  # months 1 to 10

    topics.topics_from_preset(llama, name="llama", by=None)

    assert Topic.objects.get(pk=own.pk).title == "Ours"
    assert Topic.objects.get(pk=month_12.pk).title == "The committee's"
    assert Topic.objects.filter(cycle=None).count() == 11
