"""Bulk actions the committee expects (issue 15, item 19): give many pairs another liaison in
one step from the pair list (confirmed, recorded, safe to press twice), and approve or decline
several suggested resources at once. (Marking everyone present: tests/test_orientation.py.)"""

import pytest
from django.urls import reverse

from members.models import Resource, committee_group
from pairs.models import Pair, PairStatus

from .factories import PairFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    user = UserFactory(seasoned=True, first_name="Cleo", last_name="Colleague", is_staff=True)
    user.groups.add(committee_group())
    return user


@pytest.fixture
def pairs(cycle, committee):
    return [PairFactory(cycle=cycle, liaison=committee) for _ in range(3)]


def assign(client, pairs, liaison, **extra):
    data = {"pair": [p.pk for p in pairs], "liaison": liaison.pk, "back": "/pairs/?cycle=1", **extra}
    return client.post(reverse("pairs:liaison-assign"), data, follow=True)


def test_the_pair_list_offers_to_tick_pairs_and_choose_a_liaison(client_for, committee, colleague, pairs, cycle):
    page = client_for(committee).get(reverse("pairs:pair-list") + f"?cycle={cycle.pk}").text

    assert page.count('form="liaison-form"') == 3
    assert f'<option value="{colleague.pk}">Cleo Colleague</option>' in page
    assert "Change the liaison…" in page


def test_the_committee_confirms_then_the_pairs_have_their_new_liaison_recorded(client_for, committee, colleague, pairs):
    client = client_for(committee)

    confirm = assign(client, pairs[:2], colleague)
    assert "Make Cleo Colleague the liaison of 2 pairs?" in confirm.text
    assert Pair.objects.filter(liaison=colleague).count() == 0  # nothing yet

    done = assign(client, pairs[:2], colleague, confirm="yes")

    assert done.redirect_chain[-1][0] == "/pairs/?cycle=1"
    assert "Cleo Colleague is now the liaison of 2 pairs." in done.text
    changed = Pair.objects.filter(pk__in=[p.pk for p in pairs[:2]])
    assert {(p.liaison, p.liaison_assigned_by) for p in changed} == {(colleague, committee)}
    assert all(p.liaison_assigned_at for p in changed)
    assert Pair.objects.get(pk=pairs[2].pk).liaison == committee


def test_pressed_twice_the_liaison_change_says_nothing_changed(client_for, committee, colleague, pairs):
    client = client_for(committee)
    assign(client, pairs, colleague, confirm="yes")
    first = list(Pair.objects.values_list("pk", "liaison_assigned_at"))

    again = assign(client, pairs, colleague, confirm="yes")

    assert "Cleo Colleague is the liaison of these pairs already: nothing changed." in again.text
    assert list(Pair.objects.values_list("pk", "liaison_assigned_at")) == first


def test_an_ended_pair_keeps_its_liaison_and_the_page_says_so(client_for, committee, colleague, pairs):
    Pair.objects.filter(pk=pairs[0].pk).update(status=PairStatus.ENDED)

    done = assign(client_for(committee), pairs[:2], colleague, confirm="yes")

    assert "Cleo Colleague is now the liaison of 1 pair." in done.text
    assert "1 pair has ended: its liaison stays as it was." in done.text
    assert Pair.objects.get(pk=pairs[0].pk).liaison == committee


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_someone_not_on_the_committee_cannot_be_made_liaison(client_for, request, committee, pairs, who):
    outsider = request.getfixturevalue(who)

    response = assign(client_for(committee), pairs, outsider, confirm="yes")

    assert "Select a valid choice." in response.text
    assert set(Pair.objects.values_list("liaison", flat=True)) == {committee.pk}


def test_no_pair_ticked_says_so(client_for, committee, colleague):
    response = client_for(committee).post(reverse("pairs:liaison-assign"), {"liaison": colleague.pk}, follow=True)

    assert "Tick the pairs whose liaison changes." in response.text


def test_the_way_back_is_only_the_pair_list(client_for, committee, colleague, pairs):
    response = client_for(committee).post(
        reverse("pairs:liaison-assign"),
        {"pair": [pairs[0].pk], "liaison": colleague.pk, "confirm": "yes", "back": "https://evil.example/"},
    )

    assert response["Location"] == reverse("pairs:pair-list")


# --- Resources ----------------------------------------------------------------------------------


def suggestion(title, by):
    return Resource.objects.create(title=title, description="d", url=f"https://example.org/{title}", suggested_by=by)


def decide_many(client, resources, action, **extra):
    return client.post(
        reverse("members:resource-decide-many"),
        {"resource": [r.pk for r in resources], "action": action, **extra},
        follow=True,
    )


def test_the_committee_approves_several_suggestions_in_one_step(client_for, committee, member):
    chosen = [suggestion("Handbook", member), suggestion("Webinar", member)]
    left = suggestion("Podcast", member)
    client = client_for(committee)
    assert client.get(reverse("members:resource-review")).text.count('form="decide-many"') == 3

    response = decide_many(client, chosen, "approve")

    assert "2 suggestions approved: every member sees them now." in response.text
    assert set(Resource.objects.approved().values_list("title", flat=True)) == {"Handbook", "Webinar"}
    assert Resource.objects.get(pk=left.pk).status == "suggested"
    assert set(Resource.objects.approved().values_list("reviewed_by", flat=True)) == {committee.pk}


def test_several_suggestions_declined_at_once_carry_the_reason(client_for, committee, member):
    chosen = [suggestion("Handbook", member), suggestion("Webinar", member)]

    response = decide_many(client_for(committee), chosen, "decline", reason="Behind a paywall.")

    assert "2 suggestions declined." in response.text
    assert set(Resource.objects.values_list("status", "decline_reason")) == {("declined", "Behind a paywall.")}


def test_approving_several_twice_says_they_are_approved_already(client_for, committee, member):
    chosen = [suggestion("Handbook", member), suggestion("Webinar", member)]
    client = client_for(committee)
    decide_many(client, chosen, "approve")

    again = decide_many(client, chosen, "approve")

    assert "2 were approved already: nothing changed for them." in again.text
    assert "alert-danger" not in again.text


def test_one_decided_the_other_way_meanwhile_is_named_and_left_as_it_is(client_for, committee, member, colleague):
    handbook, webinar = suggestion("Handbook", member), suggestion("Webinar", member)
    decide_many(client_for(colleague), [webinar], "decline")

    response = decide_many(client_for(committee), [handbook, webinar], "approve")

    assert "1 suggestion approved" in response.text
    assert "“Webinar” was already declined by Cleo Colleague: nothing was changed." in response.text
    assert Resource.objects.get(pk=webinar.pk).status == "declined"


def test_no_suggestion_ticked_or_no_action_changes_nothing(client_for, committee, member):
    handbook = suggestion("Handbook", member)
    client = client_for(committee)

    nothing = decide_many(client, [], "approve")
    unknown = decide_many(client, [handbook], "delete")

    assert "Tick the suggestions to approve or decline." in nothing.text
    assert "Choose whether to approve or to decline the suggestions." in unknown.text
    assert Resource.objects.get().status == "suggested"


def test_the_liaison_confirmation_query_count_does_not_grow_with_the_pairs_ticked(
    client_for, committee, colleague, cycle
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(committee)

    def queries(n: int) -> int:
        pairs = [PairFactory(cycle=cycle, liaison=committee) for _ in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                reverse("pairs:liaison-assign"), {"pair": [p.pk for p in pairs], "liaison": colleague.pk}
            )
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few, many = queries(2), queries(20)

    # Measured: 6 (session, user, committee group, the committee member chosen, the pairs with
    # their people, the liaisons the choice is checked against).
    assert few == many, f"{few} queries for 2 pairs, {many} for 20"
    assert many <= 7
