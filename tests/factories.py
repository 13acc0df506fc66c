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


class UserFactory(factory.django.DjangoModelFactory):
    """A current member with a complete profile (library staff, 3 years in)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    institution = "Central Arkansas Library System"
    library_type = "public"
    region = "central"
    membership_category = MembershipCategory.STAFF
    job_title = "Library Assistant"
    responsibilities = factory.LazyFunction(lambda: ["circulation", "reference"])
    years_experience = 3
    member_since = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=400))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=200))
    password = factory.django.Password(TEST_PASSWORD)

    class Params:
        # A signed-up account that has not filled in the membership form yet.
        new_account = factory.Trait(
            member_since=None,
            expires_on=None,
            institution="",
            library_type="",
            region="",
            membership_category="",
            job_title="",
            responsibilities=[],
            years_experience=None,
        )
        seasoned = factory.Trait(
            membership_category=MembershipCategory.LIBRARIAN,
            job_title="Cataloging Librarian",
            responsibilities=["cataloging", "acquisitions"],
            years_experience=15,
        )
        expired = factory.Trait(expires_on=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10)))

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
