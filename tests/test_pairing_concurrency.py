"""Committee members pairing at the same moment cannot break the rules: on PostgreSQL,
with real row locks and one database connection per committee member."""

import threading

import pytest
from django.db import connection

from members.models import Enrollment, EnrollmentStatus, Role
from outbox.models import Email, EmailKind
from pairs.models import Pair
from pairs.services import pairing
from pairs.services.pairing import PairingError

from .factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # each thread commits on its own connection

THREADS = 8


@pytest.fixture(autouse=True)
def postgresql(eager_tasks):
    """Also: introductions are sent in the committing thread, so none are left behind in the broker."""
    assert connection.vendor == "postgresql", "these tests need PostgreSQL's row locks: run them with `make test`"


def all_at_once(calls) -> list:
    """Run each call in its own thread (and database connection), released together;
    each call's return value or exception, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        try:
            connection.ensure_connection()  # connect first, so that the calls race for the locks
            barrier.wait(timeout=30)
            outcomes[i] = call()
        except BaseException as e:
            outcomes[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a pairing never finished (deadlock?)"
    return outcomes


def unexpected(outcomes) -> list:
    return [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, PairingError)]


def test_committee_pairing_one_mentee_with_many_mentors_at_once_makes_one_pair(committee, cycle, member, mailoutbox):
    mentee = EnrollmentFactory(member=member, cycle=cycle, role=Role.MENTEE)
    mentors = [
        EnrollmentFactory(member=UserFactory(seasoned=True), cycle=cycle, role=Role.MENTOR) for _ in range(THREADS)
    ]

    outcomes = all_at_once(
        [lambda m=m: pairing.pair_create(mentee_id=mentee.pk, mentor_id=m.pk, by=committee) for m in mentors]
    )

    assert unexpected(outcomes) == []
    pairs = [o for o in outcomes if isinstance(o, Pair)]
    refusals = [o for o in outcomes if isinstance(o, PairingError)]
    assert (len(pairs), len(refusals)) == (1, THREADS - 1)
    assert all("has been paired meanwhile" in str(e) for e in refusals)
    [pair] = Pair.objects.active().filter(mentee=mentee)
    assert pair.pk == pairs[0].pk
    assert sorted(Email.objects.values_list("kind", flat=True)) == [EmailKind.INTRO_MENTEE, EmailKind.INTRO_MENTOR]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([pair.mentor.member.email, member.email])
    # The mentors who lost the race are still free for another mentee.
    statuses = dict(Enrollment.objects.filter(role=Role.MENTOR).values_list("pk", "status"))
    assert statuses.pop(pair.mentor_id) == EnrollmentStatus.PAIRED
    assert set(statuses.values()) == {EnrollmentStatus.WAITING}


def test_committee_filling_one_mentor_from_many_pairings_at_once_stops_at_capacity(
    committee, cycle, seasoned_member, mailoutbox
):
    mentor = EnrollmentFactory(member=seasoned_member, cycle=cycle, role=Role.MENTOR, capacity=2)
    mentees = [EnrollmentFactory(cycle=cycle, role=Role.MENTEE) for _ in range(THREADS)]

    outcomes = all_at_once(
        [lambda m=m: pairing.pair_create(mentee_id=m.pk, mentor_id=mentor.pk, by=committee) for m in mentees]
    )

    assert unexpected(outcomes) == []
    pairs = [o for o in outcomes if isinstance(o, Pair)]
    refusals = [o for o in outcomes if isinstance(o, PairingError)]
    assert (len(pairs), len(refusals)) == (2, THREADS - 2)
    assert all("already mentors 2 of the 2 mentees" in str(e) for e in refusals)
    assert Pair.objects.active().filter(mentor=mentor).count() == 2
    assert Email.objects.filter(kind=EmailKind.INTRO_MENTEE).count() == 2
    assert Email.objects.filter(kind=EmailKind.INTRO_MENTOR).count() == 2
    assert len(mailoutbox) == 4
    # The mentees who lost the race are still waiting for a mentor.
    paired = {p.mentee_id for p in pairs}
    for m in mentees:
        m.refresh_from_db()
        assert m.status == (EnrollmentStatus.PAIRED if m.pk in paired else EnrollmentStatus.WAITING)


def test_offering_and_pairing_one_mentor_at_once_stops_at_capacity(committee, cycle, seasoned_member):
    """Rule 2 counts offers waiting for an answer: offers and pairs made at the same moment
    never take more places than the mentor offered."""
    from pairs.models import Offer
    from pairs.services import offers

    mentor = EnrollmentFactory(member=seasoned_member, cycle=cycle, role=Role.MENTOR, capacity=2)
    mentees = [EnrollmentFactory(cycle=cycle, role=Role.MENTEE) for _ in range(THREADS)]
    make = [offers.offer_create, pairing.pair_create]

    outcomes = all_at_once(
        [lambda m=m, i=i: make[i % 2](mentee_id=m.pk, mentor_id=mentor.pk, by=committee) for i, m in enumerate(mentees)]
    )

    assert unexpected(outcomes) == []
    assert sum(1 for o in outcomes if not isinstance(o, PairingError)) == 2
    assert Pair.objects.active().filter(mentor=mentor).count() + Offer.objects.holding().count() == 2


def test_the_mentor_accepting_and_declining_at_once_does_one_of_them(committee, cycle, member, seasoned_member):
    from pairs.services import offers

    mentee = EnrollmentFactory(member=member, cycle=cycle, role=Role.MENTEE)
    mentor = EnrollmentFactory(member=seasoned_member, cycle=cycle, role=Role.MENTOR)
    offer = offers.offer_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    answer = [
        lambda: offers.offer_accept(offer_id=offer.pk, member_id=seasoned_member.pk),
        lambda: offers.offer_decline(offer_id=offer.pk, member_id=seasoned_member.pk, reason="No time."),
    ]

    outcomes = all_at_once([answer[i % 2] for i in range(THREADS)])

    assert unexpected(outcomes) == []
    done = [o for o in outcomes if not isinstance(o, PairingError)]
    assert len(done) == 1
    offer.refresh_from_db()
    assert offer.status in ("accepted", "declined")
    assert Pair.objects.count() == (1 if offer.status == "accepted" else 0)
    assert Email.objects.filter(kind__in=["intro_mentor", "offer_declined"]).count() == 1
