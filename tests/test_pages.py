"""Every page renders with a fixed number of queries, however many rows it shows."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from .factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


# (url name, who, max queries). The numbers include the session, user and
# committee-group lookups every signed-in page makes.
PAGES = [
    ("members:program", None, 1),
    ("members:program-mentor", None, 1),
    ("members:program-mentee", None, 1),
    ("members:profile", "member", 7),  # 5, and the member's email switches: their choices and who may liaise
    ("members:profile-edit", "member", 4),
    ("members:membership-renew", "member", 6),  # 5, and the cycle's own questions
    ("members:enrollment-create", "member", 5),  # 4, and the cycle's own questions
    ("members:enrollment-list", "committee", 7),  # 6, and the cycle's own questions (their answers: one more)
    ("members:cycle-list", "committee", 4),
    ("members:cycle-create", "committee", 3),
    # Session, user, committee group, the settings' row (who saved them last).
    ("members:program-settings", "committee", 4),
    ("members:resource-list", "member", 6),
    ("members:resource-review", "committee", 5),
]


@pytest.mark.parametrize(("name", "who", "limit"), PAGES)
def test_page_query_count_is_small_and_does_not_grow_with_rows(
    client_for, request, cycle, name, who, limit, page_queries
):
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    url = reverse(name)
    if user:
        EnrollmentFactory(member=user, cycle=cycle)

    few = page_queries(client, url)
    for _ in range(30):
        EnrollmentFactory(cycle=cycle, member=UserFactory())
    many = page_queries(client, url, exactly=few)

    assert many <= limit, f"{url}: {many} queries (limit {limit})"


def test_membership_join_page_query_count(client_for, new_account, cycle, page_queries):
    page_queries(client_for(new_account), reverse("members:membership-join"), most=6)  # 5 and the questions


def test_enrollment_edit_page_query_count(client_for, member, mentee, page_queries):
    # 5, and the cycle's questions with this opt-in's answers.
    page_queries(client_for(member), reverse("members:enrollment-edit", args=[mentee.pk]), most=6)


def test_cycle_list_query_count_does_not_grow_with_cycles(client_for, committee, cycle, page_queries):
    client = client_for(committee)
    url = reverse("members:cycle-list")
    EnrollmentFactory(cycle=cycle)

    few = page_queries(client, url)
    for _ in range(8):
        EnrollmentFactory(cycle=CycleFactory(is_open=False), status="paired")
    many = page_queries(client, url, exactly=few)

    assert many <= 4


@pytest.mark.parametrize("name", ["members:cycle-edit", "members:cycle-toggle", "members:cycle-archive"])
def test_cycle_edit_and_toggle_pages_query_count(client_for, committee, cycle, name, page_queries):
    CycleFactory(is_open=False)
    page_queries(client_for(committee), reverse(name, args=[cycle.pk]), most=5)


@pytest.mark.parametrize(
    ("name", "who", "limit"),
    # Measured: 7 for the list (session, user, committee group for the menu, count,
    # page, the tags for the filter, my own suggestions); 6 for the review (session,
    # user, committee group, count, page, latest decisions).
    [("members:resource-list", "member", 7), ("members:resource-review", "committee", 6)],
)
def test_resource_pages_query_count_does_not_grow_with_resources(client_for, request, name, who, limit, page_queries):
    from members.models import Resource  # imported here: this test was appended to the enrollment pages' file

    user = request.getfixturevalue(who)
    client = client_for(user)
    url = reverse(name)

    def add_resources(n: int) -> None:
        for i in range(n):
            for status in ("suggested", "approved", "declined"):
                Resource.objects.create(
                    title=f"Resource {i}",
                    description="A resource.",
                    url="https://example.org/r",
                    tags=f"tag {i}, shared",
                    status=status,
                    suggested_by=UserFactory() if i % 2 else user,
                )

    add_resources(1)
    few = page_queries(client, url)
    add_resources(15)
    many = page_queries(client, url, exactly=few)

    assert many <= limit, f"{url}: {many} queries (limit {limit})"


def test_health_page_query_count_does_not_grow_with_pairs_checkins_or_cycles(
    client_for, committee, cycle, page_queries
):
    import datetime as dt

    from pairs.models import CheckIn

    from .factories import PairFactory

    client = client_for(committee)
    url = reverse("matching:health", args=[cycle.pk])
    PairFactory(cycle=cycle)

    few = page_queries(client, url)
    for i in range(10):
        pair = PairFactory(cycle=cycle, starts_on=cycle.starts_on - dt.timedelta(days=300 + 20 * i))
        CheckIn.objects.create(pair=pair, met_on=pair.starts_on + dt.timedelta(days=5), mode="video")
    for _ in range(3):
        PairFactory(cycle=CycleFactory(is_open=False))
    # No survey answer came between the two views: the second would read the answers' counts
    # kept by the first (tests/test_survey_results.py). Both count them here.
    cache.clear()
    many = page_queries(client, url, exactly=few)

    # Session, user, committee, the cycle; the tallies of every cycle's opt-ins, check-ins and
    # evaluations, counted once for the cycle and the year-over-year table; the cycle's pairs,
    # the needs-attention list (its count and its first ten, apart), the pairs ended early;
    # the cycles and every cycle's pairs; the surveys: those the cycle uses, their questions, the
    # answers' count and newest (the key of their kept counts), the answers counted, the texts,
    # the responses by side.
    assert many <= 17, many


def test_import_page_query_count(client_for, committee, page_queries):
    page_queries(client_for(committee), reverse("members:import"), most=3)


@pytest.mark.parametrize("model", ["enrollment", "email"])
def test_the_admins_long_lists_write_the_same_row_checkbox_as_django(db, model):
    """The opt-ins' and the outbox's lists (each 50 rows of a table that grows) write a row's
    checkbox themselves, without the form renderer's templates, and it is Django's own."""
    from django.contrib import admin

    from outbox.admin import LongList
    from outbox.models import Email

    from .factories import EnrollmentFactory

    if model == "enrollment":
        row = EnrollmentFactory(member__first_name='Ann "<b>"', member__last_name="O'Neil")
    else:
        row = Email.objects.create(kind="intro_mentor", key="k", to="a@example.org", subject='Meet "<b>" & co')
    model_admin = admin.site._registry[type(row)]

    assert isinstance(model_admin, LongList)
    assert model_admin.action_checkbox(row) == admin.ModelAdmin.action_checkbox(model_admin, row)


def test_the_admins_index_builds_its_list_of_models_once(client_for, site_admin, monkeypatch):
    """The index page shows the models twice (its table and the sidebar) from one list: Django
    built it twice, a sixth of the page."""
    from django.contrib import admin

    built = []
    build = admin.site._build_app_dict
    monkeypatch.setattr(admin.site, "_build_app_dict", lambda *a, **k: built.append(a) or build(*a, **k))

    page = client_for(site_admin).get(reverse("admin:index"))

    assert page.status_code == 200
    assert len(built) == 1
    html = page.content.decode()
    pairs = reverse("admin:pairs_pair_changelist")
    assert html.count(f'href="{pairs}"') == 2  # the table and the sidebar, from the one list


def test_a_long_lists_rows_link_to_their_pages_from_one_reverse_a_page(client_for, site_admin, cycle, monkeypatch):
    """Each row of a long list links to its change page, as Django writes the link; the address
    is worked out once a page, not once a row (~40 µs each, 2 to 3 ms of a page of 50)."""
    import re

    from django.urls import resolvers

    from .factories import PairFactory

    reversed_ = []
    reverse_with_prefix = resolvers.URLResolver._reverse_with_prefix
    monkeypatch.setattr(
        resolvers.URLResolver,
        "_reverse_with_prefix",
        lambda self, *a, **k: reversed_.append(a[0]) or reverse_with_prefix(self, *a, **k),
    )
    client = client_for(site_admin)
    url = reverse("admin:pairs_pair_changelist")

    def page():
        reversed_.clear()
        html = client.get(url).content.decode()
        return html, len(reversed_)

    PairFactory(cycle=cycle)
    _, few = page()
    pairs = [PairFactory(cycle=cycle) for _ in range(5)]
    html, many = page()

    assert many == few
    links = re.findall(r'<th class="field-__str__"><a href="([^"]+)"', html)
    assert len(links) == 6
    for pair in pairs:
        assert reverse("admin:pairs_pair_change", args=[pair.pk]) in links


def test_the_admins_opt_ins_filter_by_when_opted_in_without_reading_every_opt_ins_day(client_for, site_admin, cycle):
    """ "Past 7 days" on the list of opt-ins shows this week's; the list never reads the day of
    every opt-in ever made (Django's drill-down by date did, on every page: 18 ms at 20,000)."""
    import datetime as dt
    import html as html_lib
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from members.models import Enrollment

    from .factories import EnrollmentFactory

    EnrollmentFactory(cycle=cycle, member__first_name="Nora", member__last_name="Newcomb")
    old = EnrollmentFactory(cycle=cycle, member__first_name="Otto", member__last_name="Oldfield")
    Enrollment.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    client = client_for(site_admin)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:members_enrollment_changelist")).content.decode()
    assert "Nora Newcomb" in page and "Otto Oldfield" in page
    assert not [q for q in queries if "DATE_TRUNC" in q["sql"].upper() or "MIN(" in q["sql"].upper()]

    week = html_lib.unescape(re.search(r'<a href="(\?created_at__gte=[^"]+)">Past 7 days</a>', page)[1])
    filtered = client.get(reverse("admin:members_enrollment_changelist") + week).content.decode()
    assert "Nora Newcomb" in filtered
    assert "Otto Oldfield" not in filtered


def test_the_admins_long_lists_write_their_rows_as_django_does(rf, site_admin, committee, cycle):
    """Every long list's rows, as {% lean_result_list %} writes them, are Django's own markup,
    character for character (texts with quotes and tags, empty values, choices, yes/no icons,
    dates, related rows, a row's link keeping the list's filters), for a site admin and for the
    committee (who reads evaluations without names or links); the lists the committee and the
    site admins work in are written that way, not handed back to Django."""
    from django.contrib import admin
    from django.contrib.admin.templatetags.admin_list import result_list
    from django.urls import resolve
    from django.utils import timezone

    from matching.models import Proposal, ProposalPair
    from outbox.admin import LongList
    from outbox.models import Email, EmailPreference
    from outbox.templatetags.long_lists import _plan, lean_result_list
    from pairs.models import CheckIn

    from .factories import EvaluationFactory, PairFactory

    pair = PairFactory(cycle=cycle, mentor__member__first_name='Ann "<b>"', mentee__member__last_name="O'Neil & co")
    PairFactory(cycle=cycle, liaison=committee, created_by=site_admin)
    EvaluationFactory(pair=pair, would_recommend=False, submitted_at=timezone.now(), best="<script>x</script> & co")
    EvaluationFactory(pair=pair, role="mentor", improve="  ")
    CheckIn.objects.create(pair=pair, met_on=cycle.starts_on, mode="video", minutes=45, topic_title="<i>Budgets</i>")
    CheckIn.objects.create(pair=pair, met_on=cycle.starts_on, mode="phone", minutes=None)
    EnrollmentFactory(cycle=cycle, job_title="  ", role="mentor", capacity=3)
    Email.objects.create(kind="intro_mentor", key="k", to="a@example.org", subject='Meet "<b>" & co')
    EmailPreference.objects.create(member=pair.mentee.member, kind="checkin_reminder", receives=False)
    draft = Proposal.objects.create(cycle=cycle, created_by=committee)
    ProposalPair.objects.create(proposal=draft, mentee=pair.mentee, mentor=pair.mentor, score=71.25, locked=True)

    lean, filtered = set(), 0
    for who in (site_admin, committee):
        for query in ({}, {"o": "-2"}, {"q": "a"}, {"o": "2", "p": "1"}):
            for model, model_admin in admin.site._registry.items():
                if not isinstance(model_admin, LongList):
                    continue
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
                request = rf.get(url, query)
                request.user, request.resolver_match = who, resolve(url)  # the list's filters, kept in its links
                if not model_admin.has_view_permission(request) or ("q" in query and not model_admin.search_fields):
                    continue
                cl = model_admin.get_changelist_instance(request)
                theirs, ours = result_list(cl), lean_result_list(cl)

                assert [list(map(str, row)) for row in ours["results"]] == [
                    list(map(str, row)) for row in theirs["results"]
                ], (who, model, query)
                if _plan(cl) is not None and theirs["results"]:
                    lean.add((who.pk, model._meta.label))
                    filtered += "_changelist_filters" in str(ours["results"][0])

    site_admins = {label for pk, label in lean if pk == site_admin.pk}
    assert site_admins >= {
        "members.User",
        "members.Enrollment",
        "outbox.Email",
        "outbox.EmailPreference",
        "pairs.Pair",
        "pairs.Evaluation",
        "pairs.CheckIn",
        "matching.ProposalPair",  # its columns are the admin's methods
    }
    assert (committee.pk, "pairs.Evaluation") in lean
    assert filtered  # some rows linked with the list's filters, both ways alike


def test_a_long_lists_row_links_keep_the_lists_filters(client_for, site_admin, cycle):
    """Opened from a filtered list, a row's page leads back to that list, filtered."""
    from .factories import PairFactory

    pair = PairFactory(cycle=cycle)
    url = reverse("admin:pairs_pair_changelist")

    page = client_for(site_admin).get(url, {"status__exact": pair.status}).content.decode()

    change = reverse("admin:pairs_pair_change", args=[pair.pk])
    assert f'<a href="{change}?_changelist_filters=status__exact%3D{pair.status}">' in page


def test_the_lean_rows_show_an_admins_methods_dates_icons_and_empty_values_as_django_does(rf, site_admin, cycle):
    """A long list's column that is the admin's own method: a date (kept on one line), a yes/no
    icon where the method says it is one, the method's own empty value — as Django writes them."""
    from django.contrib import admin
    from django.contrib.admin.templatetags.admin_list import result_list
    from django.urls import resolve

    from outbox.admin import LongList
    from outbox.templatetags.long_lists import _plan, lean_result_list
    from pairs.models import Pair

    from .factories import PairFactory

    class Methods(LongList, admin.ModelAdmin):
        list_display = ("__str__", "started", "went_well", "nothing", "said")

        @admin.display(description="started")
        def started(self, pair):
            return pair.starts_on

        @admin.display(boolean=True)
        def went_well(self, pair):
            return None if pair.pk % 2 else True

        @admin.display(empty_value="– none –")
        def nothing(self, pair):
            return None

        def said(self, pair):
            return '  <b>"Hi"</b> & bye  '

    PairFactory(cycle=cycle)
    PairFactory(cycle=cycle)
    url = reverse("admin:pairs_pair_changelist")
    request = rf.get(url)
    request.user, request.resolver_match = site_admin, resolve(url)
    cl = Methods(Pair, admin.site).get_changelist_instance(request)

    assert _plan(cl) is not None
    ours = [list(map(str, row)) for row in lean_result_list(cl)["results"]]
    assert ours == [list(map(str, row)) for row in result_list(cl)["results"]]
    assert 'class="field-started nowrap"' in ours[0][2] and "– none –" in ours[0][4]
