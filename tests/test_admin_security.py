"""The Django admin against the committee (and a careless site admin): no admin form hands
anyone a pair's check-in notes, a seat on a pair, or more rights than they have.

Each test POSTs an admin form as the page offers it, with one field altered the way an
attacker would, and looks at what changed in the database and at what the attacker can
read afterwards (DESIGN.md rule 5: the notes are read by the pair's two members only).
"""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from members.models import Enrollment, Role, User, committee_group
from outbox.models import Email
from pairs.models import CheckIn, Evaluation, Goal, Pair

from .factories import CycleFactory, EnrollmentFactory, EvaluationFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTES = "P-notes-only-max-and-meg-may-read"
TOPICS = "P-topics-a-difficult-director"


@pytest.fixture
def world(cycle, committee, site_admin):
    """The pair P (Max Quillfeather mentors Meg Thistlewood, Lia liaises), with a check-in, a goal and Meg's closing
    evaluation; the pair Q (Otto is its mentee); Carol (the `committee` fixture) is on the
    committee and in no pair."""
    liaison = UserFactory(seasoned=True, first_name="Lia", last_name="Liaison", is_staff=True)
    liaison.groups.add(committee_group())
    p = PairFactory(
        cycle=cycle,
        mentor__member=UserFactory(seasoned=True, first_name="Max", last_name="Quillfeather"),
        mentee__member=UserFactory(first_name="Meg", last_name="Thistlewood"),
        liaison=liaison,
    )
    q = PairFactory(cycle=cycle, mentee__member=UserFactory(first_name="Otto", last_name="Otherpair"))
    checkin = CheckIn.objects.create(
        pair=p,
        logged_by=p.mentee.member,
        met_on=timezone.localdate() - dt.timedelta(days=5),
        mode="phone",
        minutes=40,
        topics=TOPICS,
        notes=NOTES,
    )
    return SimpleNamespace(
        cycle=cycle,
        p=p,
        q=q,
        checkin=checkin,
        goal=Goal.objects.create(pair=p, title="Present at the spring conference", created_by=p.mentee.member),
        evaluation=EvaluationFactory(pair=p, best="P-mentee-wrote-this", improve="More meetings"),
        liaison=liaison,
        committee=committee,
        site_admin=site_admin,
        meg=p.mentee.member,
        max=p.mentor.member,
        otto=q.mentee.member,
    )


def offered_form(client, url: str) -> dict:
    """What the admin's change page at `url` sends back when saved unchanged: its form and
    its inline forms, as the browser would post them."""
    response = client.get(url)
    assert response.status_code == 200, url
    forms_on_page = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms_on_page += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms_on_page:
        for field in form:
            value = field.value()
            widget = field.field.widget
            if isinstance(widget, forms.CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(widget, forms.MultiWidget):
                for suffix, part in zip(widget.widgets_names, widget.decompress(value), strict=True):
                    data[field.html_name + suffix] = "" if part is None else str(part)
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = "" if value is None else str(value)
    return data


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def assert_cannot_read_the_notes(client, pair: Pair) -> None:
    """The pair page (if it opens at all) shows neither the notes nor the topics, nor offers the check-in form."""
    page = client.get(reverse("pairs:pair-detail", args=[pair.pk]))
    assert NOTES not in page.text and TOPICS not in page.text
    assert reverse("pairs:checkin-create", args=[pair.pk]) not in page.text
    assert client.get(reverse("pairs:checkin-create", args=[pair.pk])).status_code in (403, 404)


# --- Opt-ins: their member, role and cycle never change; a paired one is the pair service's ---------------


@pytest.mark.parametrize("who", ["committee", "site_admin"])
def test_nobody_takes_over_a_paired_opt_in_in_the_admin_to_read_the_notes(client_for, world, who):
    attacker = getattr(world, who)
    client = client_for(attacker)
    url = change_url(world.p.mentor)
    data = {**offered_form(client, url), "member": str(attacker.pk), "status": "waiting", "goals": "Mine now"}

    response = client.post(url, data)

    assert response.status_code == 403
    mentor = Enrollment.objects.get(pk=world.p.mentor.pk)
    assert (mentor.member, mentor.status, mentor.goals) == (world.max, "paired", world.p.mentor.goals)
    assert_cannot_read_the_notes(client, world.p)


def test_the_admin_shows_a_paired_opt_in_without_a_save_button(client_for, world):
    response = client_for(world.committee).get(change_url(world.p.mentee))

    assert response.status_code == 200 and "Thistlewood" in response.text
    assert 'name="_save"' not in response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("member", lambda w: w.committee.pk),
        ("role", lambda w: "mentor"),
        ("cycle", lambda w: CycleFactory(is_open=False).pk),
    ],
    ids=["member", "role", "cycle"],
)
def test_a_waiting_opt_ins_member_role_and_cycle_stay_as_made(client_for, world, field, value):
    waiting = EnrollmentFactory(cycle=world.cycle, member=UserFactory(last_name="Waiting"))
    client = client_for(world.committee)
    url = change_url(waiting)
    data = {**offered_form(client, url), field: str(value(world)), "goals": "Corrected by the committee"}

    response = client.post(url, data)

    assert response.status_code == 302  # the rest of the form is saved
    waiting.refresh_from_db()
    assert waiting.goals == "Corrected by the committee"
    assert (waiting.member.last_name, waiting.role, waiting.cycle) == ("Waiting", Role.MENTEE, world.cycle)


@pytest.mark.parametrize("status", ["paired", "completed"])
def test_the_admin_cannot_mark_an_opt_in_paired_or_completed_by_hand(client_for, world, status):
    waiting = EnrollmentFactory(cycle=world.cycle)
    client = client_for(world.committee)
    url = change_url(waiting)

    response = client.post(url, {**offered_form(client, url), "status": status})

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert Enrollment.objects.get(pk=waiting.pk).status == "waiting"


def test_the_cycle_page_does_not_change_the_opt_ins_listed_under_it(client_for, world):
    client = client_for(world.committee)
    url = change_url(world.cycle)
    data = {**offered_form(client, url), "orientation": "Moved to the Statehouse Convention Center"}
    # P's mentor opt-in as the cycle page's first row of opt-ins, withdrawn and offering five places.
    row = {"id": world.p.mentor.pk, "cycle": world.cycle.pk, "status": "withdrawn", "capacity": 5}
    data |= {f"enrollments-0-{name}": str(value) for name, value in row.items()}
    data |= {"enrollments-TOTAL_FORMS": "1", "enrollments-INITIAL_FORMS": "1"}

    response = client.post(url, data)

    assert response.status_code == 302
    mentor = Enrollment.objects.get(pk=world.p.mentor.pk)
    assert (mentor.status, mentor.capacity) == ("paired", 1)
    world.cycle.refresh_from_db()
    assert world.cycle.orientation == "Moved to the Statehouse Convention Center"


# --- Pairs: mentor and mentee are fixed; the liaison is a committee member; goals are the pair's ---------


def test_the_committee_cannot_swap_a_pairs_mentor_or_mentee_in_the_admin(client_for, world):
    own = EnrollmentFactory(cycle=world.cycle, member=world.committee, role=Role.MENTOR)
    client = client_for(world.committee)
    url = change_url(world.p)
    data = {**offered_form(client, url), "mentor": str(own.pk), "mentee": str(own.pk), "cycle": str(world.cycle.pk)}

    response = client.post(url, data)

    assert response.status_code == 302  # saved: without the fields the page does not offer

    p = Pair.objects.get(pk=world.p.pk)
    assert (p.mentor_id, p.mentee_id) == (world.p.mentor_id, world.p.mentee_id)
    assert_cannot_read_the_notes(client, world.p)


def test_the_admin_refuses_a_plain_member_as_liaison_and_keeps_the_liaison(client_for, world):
    client = client_for(world.committee)
    url = change_url(world.p)

    response = client.post(url, {**offered_form(client, url), "liaison": str(world.otto.pk)})

    assert response.status_code == 200
    assert "is not on the Mentoring Committee, so cannot be a liaison" in response.text
    assert Pair.objects.get(pk=world.p.pk).liaison == world.liaison
    otto = client_for(world.otto)
    assert otto.get(reverse("pairs:pair-detail", args=[world.p.pk])).status_code == 404
    assert "Thistlewood" not in otto.get(reverse("pairs:pair-mine")).text


def test_the_admin_hands_a_pair_to_another_committee_member(client_for, world):
    client = client_for(world.committee)
    url = change_url(world.p)

    response = client.post(url, {**offered_form(client, url), "liaison": str(world.committee.pk)})

    assert response.status_code == 302
    assert Pair.objects.get(pk=world.p.pk).liaison == world.committee


def test_the_admin_adding_a_pair_refuses_a_plain_member_as_liaison(client_for, world):
    mentee = EnrollmentFactory(cycle=world.cycle)
    mentor = EnrollmentFactory(cycle=world.cycle, role=Role.MENTOR, member=UserFactory(seasoned=True))

    response = client_for(world.committee).post(
        reverse("admin:pairs_pair_add"),
        {"mentee": mentee.pk, "mentor": mentor.pk, "liaison": world.otto.pk, "length_months": "10"},
    )

    assert response.status_code == 200
    assert "is not on the Mentoring Committee, so cannot be a liaison" in response.text
    assert not Pair.objects.filter(mentee=mentee).exists()


def test_the_committee_cannot_change_a_pairs_goals_through_the_pair_form(client_for, world):
    client = client_for(world.committee)
    url = change_url(world.p)
    data = offered_form(client, url)
    data |= {"goals-TOTAL_FORMS": "2", "goals-0-id": str(world.goal.pk), "goals-0-pair": str(world.p.pk)}
    data |= {"goals-0-title": "Renamed by the committee", "goals-0-status": "done"}
    data |= {"goals-1-pair": str(world.p.pk), "goals-1-title": "Added by the committee", "goals-1-status": "open"}

    response = client.post(url, data)

    assert response.status_code == 302

    assert list(Goal.objects.filter(pair=world.p).values_list("title", "status")) == [
        ("Present at the spring conference", "open")
    ]


# --- Check-ins and evaluations: never moved to another pair or person ---------------------------------------


def test_the_committee_cannot_open_or_change_a_checkin_in_the_admin(client_for, world):
    client = client_for(world.committee)
    url = change_url(world.checkin)

    assert client.get(url).status_code == 403
    response = client.post(url, {"pair": world.q.pk, "met_on": "2020-01-01", "mode": "email", "notes": "x"})

    assert response.status_code == 403
    assert CheckIn.objects.get(pk=world.checkin.pk).pair == world.p


def test_a_site_admin_cannot_move_a_checkin_and_its_notes_to_another_pair(client_for, world):
    client = client_for(world.site_admin)
    url = change_url(world.checkin)
    data = {**offered_form(client, url), "pair": str(world.q.pk), "logged_by": str(world.otto.pk), "minutes": "50"}

    response = client.post(url, data)

    assert response.status_code == 302  # the rest is saved: a site admin may correct a check-in
    checkin = CheckIn.objects.get(pk=world.checkin.pk)
    assert (checkin.pair, checkin.logged_by, checkin.minutes) == (world.p, world.meg, 50)
    otto = client_for(world.otto)
    assert NOTES not in otto.get(reverse("pairs:pair-detail", args=[world.q.pk])).text
    assert NOTES not in otto.get(reverse("pairs:my-data-download")).content.decode()


def test_the_committee_cannot_change_an_evaluation_or_its_author(client_for, world):
    client = client_for(world.committee)
    url = change_url(world.evaluation)

    response = client.post(
        url,
        {"pair": world.q.pk, "author": world.committee.pk, "role": "mentee", "kind": "closing", "overall": "5"},
    )

    assert response.status_code == 403
    evaluation = Evaluation.objects.get(pk=world.evaluation.pk)
    assert (evaluation.pair, evaluation.author, evaluation.overall) == (world.p, world.meg, 4)


def test_a_site_admin_cannot_give_an_evaluation_to_another_pair_or_author(client_for, world):
    client = client_for(world.site_admin)
    url = change_url(world.evaluation)
    data = {**offered_form(client, url), "pair": str(world.q.pk), "author": str(world.otto.pk), "overall": "5"}

    response = client.post(url, data)

    assert response.status_code == 302
    evaluation = Evaluation.objects.get(pk=world.evaluation.pk)
    assert (evaluation.pair, evaluation.author, evaluation.overall) == (world.p, world.meg, 5)
    download = json.loads(client_for(world.otto).get(reverse("pairs:my-data-download")).content)
    assert "P-mentee-wrote-this" not in json.dumps(download)


# --- Accounts: no committee member raises their own rights or touches a site admin -------------------------


def user_form(user: User, **changes) -> dict:
    """The admin's user form with `user`'s values, as the page would post it."""
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "membership_category": user.membership_category,
        "responsibilities": json.dumps(user.responsibilities),
        "is_active": "on",
        "date_joined_0": user.date_joined.date().isoformat(),
        "date_joined_1": "12:00:00",
        **changes,
    }


def test_a_committee_member_cannot_make_themselves_superuser_or_join_groups(client_for, world):
    carol = world.committee
    client = client_for(carol)
    before = (set(carol.groups.all()), set(carol.user_permissions.all()))
    every_permission = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]

    response = client.post(
        change_url(carol),
        user_form(
            carol,
            is_staff="on",
            is_superuser="on",
            groups=[str(g.pk) for g in Group.objects.all()],
            user_permissions=every_permission,
        ),
    )

    assert response.status_code == 403
    carol = User.objects.get(pk=carol.pk)
    assert not carol.is_superuser
    assert (set(carol.groups.all()), set(carol.user_permissions.all())) == before
    group = committee_group()
    perms = set(group.permissions.values_list("codename", flat=True))
    assert client.post(change_url(group), {"name": group.name, "permissions": every_permission}).status_code == 403
    assert (
        client.post(reverse("admin:auth_group_add"), {"name": "Mine", "permissions": every_permission}).status_code
        == 403
    )
    assert set(committee_group().permissions.values_list("codename", flat=True)) == perms
    assert not Group.objects.filter(name="Mine").exists()


def test_a_committee_member_cannot_edit_a_site_admin_or_another_member(client_for, world):
    client = client_for(world.committee)
    ada = world.site_admin

    for user in (ada, world.meg):
        response = client.post(change_url(user), user_form(user, email="carol.owns.this@example.org", is_active=""))
        assert response.status_code == 403
        password = client.post(
            reverse("admin:auth_user_password_change", args=[user.pk]),
            {"password1": "Carol-knows-this-1", "password2": "Carol-knows-this-1"},
        )
        assert password.status_code in (403, 404)
        user = User.objects.get(pk=user.pk)
        assert user.is_active and user.email != "carol.owns.this@example.org"
        assert not user.check_password("Carol-knows-this-1")


def test_a_committee_member_cannot_attach_somebody_elses_email_address_to_themselves(client_for, world):
    client = client_for(world.committee)
    megs = EmailAddress.objects.get(user=world.meg)

    added = client.post(
        reverse("admin:account_emailaddress_add"),
        {"user": world.committee.pk, "email": world.meg.email.upper(), "verified": "on", "primary": ""},
    )
    changed = client.post(
        change_url(megs), {"user": world.committee.pk, "email": megs.email, "verified": "on", "primary": "on"}
    )

    assert (added.status_code, changed.status_code) == (403, 403)
    assert list(EmailAddress.objects.filter(email__iexact=world.meg.email).values_list("user", flat=True)) == [
        world.meg.pk
    ]


# --- Evaluations: the committee reads them in the admin as on the summary, without names --------------------


def test_the_committee_reads_evaluations_in_the_admin_without_names(client_for, world):
    client = client_for(world.committee)
    submitted = date_format(timezone.localtime(world.evaluation.submitted_at), "DATE_FORMAT")

    listed = client.get(reverse("admin:pairs_evaluation_changelist")).text
    shown = client.get(change_url(world.evaluation)).text

    for page in (listed, shown):
        assert "P-mentee-wrote-this" in page  # the answers themselves, as on the summary
        assert "Quillfeather" not in page and "Thistlewood" not in page
        assert submitted not in page  # nor when: the time would point to the pair


def test_the_committee_cannot_find_who_wrote_an_evaluation_by_filtering_the_admin_list(client_for, world):
    client = client_for(world.committee)
    url = reverse("admin:pairs_evaluation_changelist")

    for query in (
        {"author": world.meg.pk},
        {"author__id__exact": world.meg.pk},
        {"pair": world.p.pk},
        {"pair__id__exact": world.p.pk},
        {"pair__mentee__member__last_name": "Thistlewood"},
        {"submitted_at__gte": timezone.localdate().isoformat()},
        {"id__exact": world.evaluation.pk},
    ):
        response = client.get(url, query)
        assert response.status_code == 400 or "P-mentee-wrote-this" not in response.text, query
    assert "P-mentee-wrote-this" in client.get(url, {"pair__cycle__id__exact": world.cycle.pk}).text


def test_a_site_admin_sees_who_wrote_an_evaluation(client_for, world):
    shown = client_for(world.site_admin).get(change_url(world.evaluation)).text

    assert "Max Quillfeather &amp; Meg Thistlewood" in shown and "Meg Thistlewood" in shown


# --- A nonsense date filter is an invalid filter, never an error page ---------------------------------------

NONSENSE_DATES = [
    {"year": "9999999999999999999999999"},
    {"year": "9999"},
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "1", "month": "1", "day": "1"},
    {"year": "0"},
    {"year": "-5"},
    {"year": "2026", "month": "99999999999999999999"},
    {"year": "2026", "month": "2", "day": "30"},
    {"year": "twenty"},
]
DRILLED = [(model, a.date_hierarchy) for model, a in admin.site._registry.items() if a.date_hierarchy]


def test_every_list_with_a_date_drill_down_is_checked_below():
    assert {m._meta.label for m, _ in DRILLED} >= {
        "members.User",
        "members.Resource",
        "pairs.Pair",
    }


def test_the_last_day_of_9999_in_the_pair_lists_drill_down_is_an_invalid_filter(client_for, site_admin):
    """The sweep below in one case, for the fast lane: a 500 before (ValueError)."""
    url = reverse("admin:pairs_pair_changelist")

    response = client_for(site_admin).get(
        url, {"starts_on__year": "9999", "starts_on__month": "12", "starts_on__day": "31"}
    )

    assert response.status_code == 302 and response["Location"] == f"{url}?e=1"


@pytest.mark.slow  # a sweep (the fast lane has the outbox's case below)
@pytest.mark.parametrize("date", NONSENSE_DATES, ids=["-".join(d.values()) for d in NONSENSE_DATES])
def test_the_opt_ins_old_drill_down_addresses_still_answer(client_for, site_admin, date):
    """The opt-ins' list had a drill-down by date: a bookmark of it is a filter like any other."""
    client = client_for(site_admin)
    url = reverse("admin:members_enrollment_changelist")

    response = client.get(url, {f"created_at__{part}": value for part, value in date.items()})

    # A year a date can hold is a filter (the list, maybe empty); any other, an invalid filter.
    holds = date["year"].isdigit() and 1 <= int(date["year"]) <= 9999
    assert (response.status_code, response.get("Location")) == ((200, None) if holds else (302, f"{url}?e=1"))


def test_an_admin_lists_own_error_is_not_hidden_as_an_invalid_filter(client_for, site_admin, monkeypatch):
    """Only a date in the address is answered as a bad filter: a list's own ValueError (a bug)
    is still an error, with its traceback, not a quiet return to the list."""
    from members.admin import RegionFilter

    # A filter of the members' list that breaks while the list reads its filters (get_filters).
    monkeypatch.setattr(RegionFilter, "lookups", lambda self, request, model_admin: int("not a number"))
    client = client_for(site_admin)

    with pytest.raises(ValueError):
        client.get(reverse("admin:members_user_changelist"))


def dated_lists():
    """Every admin list with a date column, and that column: its address takes `…__year=` like
    any lookup on the model's own fields, drill-down or not."""
    from django.db import models

    return [
        (model, field.name)
        for model in admin.site._registry
        for field in model._meta.fields
        if isinstance(field, models.DateField)
    ]


def test_a_year_no_date_holds_in_the_outboxs_list_is_an_invalid_filter(client_for, site_admin):
    """The sweep below in one case, for the fast lane: a 500 before (ValueError)."""
    url = reverse("admin:outbox_email_changelist")

    response = client_for(site_admin).get(url, {"created_at__year": "-5"})

    assert response.status_code == 302 and response["Location"] == f"{url}?e=1"


@pytest.mark.slow  # ~60 dates of ~25 lists, like the drill-downs' sweep below
@pytest.mark.parametrize(("model", "field"), dated_lists(), ids=[f"{m._meta.label}.{f}" for m, f in dated_lists()])
def test_a_year_no_date_holds_in_any_admin_lists_address_is_an_invalid_filter(client_for, site_admin, model, field):
    """`?created_at__year=-5` on the outbox's list (or any list with a date) was a 500: Django
    works out the year's first and last day only when it runs the query, past its own check."""
    client = client_for(site_admin)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    for year in ("-5", "99999999999999999999"):
        response = client.get(url, {f"{field}__year": year})

        assert response.status_code == 302 and response["Location"] == f"{url}?e=1", (field, year)


# A sweep of nonsense values over every drill-down's address (~360 requests), like
# tests/test_hostile_queries.py's over every page's: in the slow lane with it.
@pytest.mark.slow
@pytest.mark.parametrize("who", ["committee", "site_admin"])
@pytest.mark.parametrize(("model", "field"), DRILLED, ids=[m._meta.label for m, _ in DRILLED])
@pytest.mark.parametrize("date", NONSENSE_DATES, ids=["-".join(d.values()) for d in NONSENSE_DATES])
def test_a_nonsense_date_filter_gives_the_admins_invalid_filter_page(client_for, request, who, model, field, date):
    client = client_for(request.getfixturevalue(who))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    response = client.get(url, {f"{field}__{part}": value for part, value in date.items()})

    if response.status_code == 302:
        assert response["Location"] == f"{url}?e=1"
        assert client.get(response["Location"]).status_code == 200
    else:
        assert response.status_code == 200


def an_email() -> Email:
    return Email.objects.create(
        kind="intro_mentor", key="k", to="x@example.org", subject="Meet your mentee", body_text="SECRET-BODY"
    )


ROWS = {
    "pairs_pair": lambda cycle: PairFactory(cycle=cycle),
    "members_enrollment": lambda cycle: EnrollmentFactory(cycle=cycle),
    "outbox_email": lambda cycle: an_email(),
    "pairs_evaluation": lambda cycle: EvaluationFactory(pair=PairFactory(cycle=cycle)),
    "pairs_checkin": lambda cycle: CheckIn.objects.create(
        pair=PairFactory(cycle=cycle), met_on=cycle.starts_on, mode="video", notes=NOTES
    ),
}


@pytest.mark.parametrize("name", ROWS)
def test_the_site_admin_deletes_a_row_from_a_list_that_reads_only_its_columns(client_for, site_admin, cycle, name):
    """The lists of pairs, opt-ins, evaluations, check-ins and emails read only the columns they
    show (list_only; the emails without their bodies): their "Delete selected" action asks,
    names the row, and deletes it all the same."""
    row = ROWS[name](cycle)
    client = client_for(site_admin)
    url = reverse(f"admin:{name}_changelist")
    chosen = {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [row.pk]}

    asked = client.post(url, chosen)
    done = client.post(url, {**chosen, "post": "yes"})

    assert asked.status_code == 200 and escape(str(row)) in asked.content.decode()
    assert done.status_code == 302 and not type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(
    "name", ["pairs_evaluation", "pairs_checkin", "pairs_surveyresponse", "pairs_pair", "matching_proposalpair"]
)
def test_the_admins_lists_of_a_pairs_rows_read_its_two_names_not_every_column_of_its_people(
    client_for, site_admin, cycle, name
):
    """A row names its pair: its two members' names, not every column of the pair, of its two
    opt-ins (their answers) and of its two members (their password hashes among them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matching.models import Proposal, ProposalPair

    pair = PairFactory(cycle=cycle, mentor__member__first_name="Max", mentee__member__first_name="Meg")
    EvaluationFactory(pair=pair)
    CheckIn.objects.create(pair=pair, met_on=cycle.starts_on, mode="video", notes=NOTES)
    draft = Proposal.objects.create(cycle=cycle, created_by=site_admin)
    ProposalPair.objects.create(proposal=draft, mentee=pair.mentee, mentor=pair.mentor, score=71.0)

    with CaptureQueriesContext(connection) as queries:
        page = client_for(site_admin).get(reverse(f"admin:{name}_changelist"))

    assert page.status_code == 200
    # The list's own rows (not the liaison filter's few people, read from the users' table).
    read = " ".join(q["sql"] for q in queries if q["sql"].partition(" FROM ")[2].startswith(f'"{name}"'))
    assert read
    assert '"password"' not in read and '"answers"' not in read and '"notes"' not in read
    shown = page.content.decode()
    if name == "matching_proposalpair":
        assert escape(str(pair.mentor.member)) in shown and escape(str(pair.mentee.member)) in shown
        assert "71.0" in shown and escape(str(draft)) in shown
    elif name != "pairs_surveyresponse":
        assert escape(str(pair)) in shown


def test_the_admins_list_of_emails_reads_neither_bodies_nor_server_answers_and_resends(
    client_for, site_admin, django_capture_on_commit_callbacks
):
    email = an_email()
    Email.objects.filter(pk=email.pk).update(state="failed", last_error="550 SECRET-ANSWER")
    client = client_for(site_admin)
    url = reverse("admin:outbox_email_changelist")

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    # Read before the next request: Django empties the log of queries when a request starts.
    read = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "outbox_email"."id"')]
    with django_capture_on_commit_callbacks():
        resent = client.post(url, {"action": "resend", helpers.ACTION_CHECKBOX_NAME: [email.pk]}, follow=True)

    assert "Meet your mentee" in page
    assert read and not any("body_text" in sql or "last_error" in sql for sql in read)
    assert "1 email(s) queued again." in resent.content.decode()
    assert Email.objects.get(pk=email.pk).state == "pending"
