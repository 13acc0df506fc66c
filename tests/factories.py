"""Factories for the personas and objects the tests talk about."""

import datetime as dt

import factory
from django.utils import timezone

from members.models import Cycle, Enrollment, MembershipCategory, Role, User
from pairs.models import Evaluation, EvaluationKind, Pair, add_months

TEST_PASSWORD = "correct-horse-battery-staple"


def accepting(settings) -> dict[str, str]:
    """What an opt-in form sends when every commitment of `settings` (members.program.Program)
    is ticked: the tickboxes, and the fingerprint of the wording the form showed."""
    ticks = {f"commitment_{i}": "on" for i in range(1, len(settings.commitments) + 1)}
    return {**ticks, "commitments_key": settings.commitments_key}


_UNSET = object()


def _by_flags(*, staff, seasoned=_UNSET, new_account=_UNSET, expired=_UNSET):
    """A UserFactory field: its value for the flag set (expired, then seasoned, then new_account
    win, as they did when they were traits), else the staff member's. A callable is called for
    each user, and a list copied: no two users share one."""

    def value(o):
        for flag, v in (("expired", expired), ("seasoned", seasoned), ("new_account", new_account)):
            if v is not _UNSET and getattr(o, flag):
                break
        else:
            v = staff
        return v() if callable(v) else list(v) if isinstance(v, list) else v

    return factory.LazyAttribute(value)


class UserFactory(factory.django.DjangoModelFactory):
    """A current member with a complete profile (library staff, 3 years in); `new_account=True`,
    `seasoned=True`, `expired=True` as the flags below say."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        # Flags read by _by_flags, not factory.Trait: a trait not asked for is looked up and missed
        # on each field it touches, and factory_boy writes out every declaration for the
        # AttributeError it then catches (a user built in 0.78 ms instead of 0.40).

        # A signed-up account that has not filled in the membership form yet.
        new_account = False
        # May mentor: a librarian with fifteen years in.
        seasoned = False
        # Its membership ran out ten days ago.
        expired = False

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    institution = _by_flags(staff="Central Arkansas Library System", new_account="")
    library_type = _by_flags(staff="public", new_account="")
    region = _by_flags(staff="central", new_account="")
    membership_category = _by_flags(
        staff=MembershipCategory.STAFF, seasoned=MembershipCategory.LIBRARIAN, new_account=""
    )
    job_title = _by_flags(staff="Library Assistant", seasoned="Cataloging Librarian", new_account="")
    responsibilities = _by_flags(
        staff=["circulation", "reference"], seasoned=["cataloging", "acquisitions"], new_account=[]
    )
    years_experience = _by_flags(staff=3, seasoned=15, new_account=None)
    member_since = _by_flags(staff=lambda: timezone.localdate() - dt.timedelta(days=400), new_account=None)
    expires_on = _by_flags(
        staff=lambda: timezone.localdate() + dt.timedelta(days=200),
        new_account=None,
        expired=lambda: timezone.localdate() - dt.timedelta(days=10),
    )
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        # allauth requires a verified address to log in (mandatory verification).
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class CycleFactory(factory.django.DjangoModelFactory):
    """A cycle taking opt-ins today."""

    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"{2030 + n}–{(31 + n) % 100:02d}")
    optin_opens = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    optin_closes = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    matchmaking_starts = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=61))
    matchmaking_ends = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=120))
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=150))
    orientation = "Mentoring orientation, ArLA Annual Conference, Hot Springs"
    is_open = True


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    member = factory.SubFactory(UserFactory)
    cycle = factory.SubFactory(CycleFactory)
    role = Role.MENTEE
    job_title = factory.LazyAttribute(lambda o: o.member.job_title)
    responsibilities = factory.LazyAttribute(lambda o: list(o.member.responsibilities))
    goals = "Learn how ArLA committees work."
    meeting_modes = factory.LazyFunction(lambda: ["video", "email"])
    capacity = 1
    commitments_accepted_at = factory.LazyFunction(timezone.now)


class PairFactory(factory.django.DjangoModelFactory):
    """An active pair made directly (tests of the rules call `pairs.services.pairing.pair_create`)."""

    class Meta:
        model = Pair

    cycle = factory.SubFactory(CycleFactory)
    mentor = factory.SubFactory(
        EnrollmentFactory,
        cycle=factory.SelfAttribute("..cycle"),
        role=Role.MENTOR,
        status="paired",
        member=factory.SubFactory(UserFactory, seasoned=True),
    )
    mentee = factory.SubFactory(EnrollmentFactory, cycle=factory.SelfAttribute("..cycle"), status="paired")
    liaison = None
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    length_months = 10
    ends_on = factory.LazyAttribute(lambda o: add_months(o.starts_on, o.length_months))


class EvaluationFactory(factory.django.DjangoModelFactory):
    """One side's closing evaluation, written by that side of the pair: all 4s, would recommend."""

    class Meta:
        model = Evaluation

    pair = factory.SubFactory(PairFactory)
    role = Role.MENTEE
    author = factory.LazyAttribute(lambda e: e.pair.mentor.member if e.role == Role.MENTOR else e.pair.mentee.member)
    kind = EvaluationKind.CLOSING
    overall = 4
    relationship = 4
    goals_met = 4
    would_recommend = True


def names_apart(*pairs) -> list[str]:
    """The names and addresses of the pairs' people, each renamed first to words no page has
    otherwise, for a test that a page shows none of them: Faker's last names include "Li",
    which every page has ("Library", "<li>")."""
    names = []
    for p in pairs:
        for person in (p.mentor.member, p.mentee.member):
            person.first_name, person.last_name = f"Ysolde{person.pk}", f"Quenby{person.pk}"
            person.save(update_fields=["first_name", "last_name"])
            names += [person.first_name, person.last_name, person.email]
    return names
