"""A believable program to try the site on, and the data the benchmarks use.

Deterministic (a fixed random seed) and idempotent: members are keyed by their
demo email addresses, so running it again adds only what is missing. `--preset NAME`
first configures the program from that preset (members.presets); the demo's places,
goals and cycle dates follow the program's settings either way.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members import program as program_module
from members.models import (
    Answer,
    Area,
    Cycle,
    CycleQuestion,
    Enrollment,
    LibraryType,
    MeetingMode,
    MembershipCategory,
    QuestionKind,
    Resource,
    ResourceStatus,
    Role,
    User,
    committee_group,
    eligibility,
)
from members.presets.files import PRESETS, PresetError
from members.presets.loading import preset_apply
from members.program import program
from members.services.questions import questions_start

DEMO_DOMAIN = "demo.arlib.example"
COMMITTEE_EMAIL = f"committee@{DEMO_DOMAIN}"
DEMO_PASSWORD = "mentoring-demo"

# (job title, responsibility areas, library types where it is common)
JOBS = [
    ("Cataloging Librarian", ["cataloging", "acquisitions"], ["academic", "public"]),
    ("Cataloger", ["cataloging"], ["academic", "public", "special"]),
    ("Metadata Librarian", ["cataloging", "technology"], ["academic"]),
    ("Technical Services Assistant", ["cataloging", "acquisitions", "interlibrary_loan"], ["public", "academic"]),
    ("Acquisitions Specialist", ["acquisitions"], ["academic", "public"]),
    ("Reference Librarian", ["reference", "instruction"], ["academic", "public"]),
    ("Instruction Librarian", ["instruction", "reference"], ["academic"]),
    ("Information Literacy Coordinator", ["instruction", "outreach"], ["academic"]),
    ("Children's Librarian", ["youth_services", "outreach"], ["public"]),
    ("Youth Services Librarian", ["youth_services", "outreach"], ["public"]),
    ("Teen Services Coordinator", ["youth_services", "outreach"], ["public"]),
    ("Library Media Specialist", ["school_library", "instruction", "youth_services"], ["school"]),
    ("School Librarian", ["school_library", "instruction"], ["school"]),
    ("Branch Manager", ["administration", "circulation", "outreach"], ["public"]),
    ("Library Director", ["administration", "advocacy"], ["public", "academic"]),
    ("Assistant Director", ["administration"], ["public"]),
    ("Circulation Supervisor", ["circulation", "administration"], ["public", "academic"]),
    ("Circulation Clerk", ["circulation"], ["public"]),
    ("Library Assistant", ["circulation", "reference"], ["public", "school"]),
    ("Systems Librarian", ["technology"], ["academic", "public"]),
    ("Digital Services Librarian", ["technology", "archives"], ["academic"]),
    ("Archivist", ["archives"], ["academic", "special"]),
    ("Special Collections Librarian", ["archives", "reference"], ["academic", "special"]),
    ("Government Documents Librarian", ["government_docs", "reference"], ["academic"]),
    ("Interlibrary Loan Coordinator", ["interlibrary_loan", "circulation"], ["academic", "public"]),
    ("Outreach Librarian", ["outreach", "advocacy"], ["public"]),
    ("Adult Programming Coordinator", ["outreach"], ["public"]),
    ("Law Librarian", ["reference", "acquisitions"], ["special"]),
    ("Medical Librarian", ["reference", "instruction"], ["special"]),
    ("Collection Development Librarian", ["acquisitions", "reference"], ["academic", "public"]),
]
STUDENT_TITLES = ["MLIS Student", "Library Science Student", "Graduate Assistant", "Student Library Worker"]
FIRST = [
    "Avery",
    "Beth",
    "Carla",
    "Dana",
    "Elena",
    "Frank",
    "Grace",
    "Hannah",
    "Isaac",
    "Jada",
    "Kendra",
    "Luis",
    "Maya",
    "Nora",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Samuel",
    "Tasha",
    "Uma",
    "Victor",
    "Wendy",
    "Xavier",
    "Yara",
    "Zoe",
    "Aaron",
    "Bianca",
    "Caleb",
    "Delia",
    "Ethan",
    "Fiona",
    "Gabe",
    "Hector",
    "Irene",
    "Jonah",
    "Keisha",
    "Leon",
    "Marisol",
    "Nathan",
]
LAST = [
    "Adams",
    "Baker",
    "Carter",
    "Dawson",
    "Ellis",
    "Foster",
    "Garcia",
    "Harris",
    "Ingram",
    "Jackson",
    "Kim",
    "Lopez",
    "Morgan",
    "Nguyen",
    "Owens",
    "Patel",
    "Quarles",
    "Reed",
    "Sanchez",
    "Turner",
    "Underwood",
    "Vaughn",
    "Walker",
    "Young",
    "Zimmerman",
    "Bishop",
    "Crawford",
    "Duncan",
    "Fletcher",
    "Greer",
    "Holloway",
    "Jennings",
    "Lawson",
    "McAllister",
    "Norwood",
    "Pruitt",
    "Rowe",
    "Shelton",
    "Tate",
    "Whitfield",
]
# The towns of the demo members, by the region codes they are in: the arla preset's regions
# (Arkansas), then the llama preset's (the U.S. Census regions). A program with other
# regions gets members named after its regions' towns (see _places).
TOWNS = [
    "Little Rock",
    "Fayetteville",
    "Fort Smith",
    "Jonesboro",
    "Conway",
    "Hot Springs",
    "Texarkana",
    "Pine Bluff",
    "Bentonville",
    "Russellville",
    "Searcy",
    "El Dorado",
    "Harrison",
    "Mountain Home",
    "Arkadelphia",
    "Magnolia",
    "Batesville",
    "Monticello",
]
TOWN_REGION = {
    "Fayetteville": "northwest",
    "Fort Smith": "northwest",
    "Bentonville": "northwest",
    "Harrison": "northwest",
    "Russellville": "northwest",
    "Jonesboro": "northeast",
    "Searcy": "northeast",
    "Mountain Home": "northeast",
    "Batesville": "northeast",
    "Little Rock": "central",
    "Conway": "central",
    "Hot Springs": "central",
    "Texarkana": "southwest",
    "Arkadelphia": "southwest",
    "Magnolia": "southwest",
    "El Dorado": "southeast",
    "Pine Bluff": "southeast",
    "Monticello": "southeast",
}
US_TOWN_REGION = {
    "Boston": "us_northeast",
    "Philadelphia": "us_northeast",
    "Pittsburgh": "us_northeast",
    "Hartford": "us_northeast",
    "Chicago": "us_midwest",
    "Columbus": "us_midwest",
    "Minneapolis": "us_midwest",
    "Madison": "us_midwest",
    "Kansas City": "us_midwest",
    "Atlanta": "us_south",
    "Austin": "us_south",
    "Nashville": "us_south",
    "Raleigh": "us_south",
    "Little Rock": "us_south",
    "Seattle": "us_west",
    "Denver": "us_west",
    "Phoenix": "us_west",
    "Portland": "us_west",
    "Toronto": "outside_us",
}
INSTITUTION = {
    "public": "{town} Public Library",
    "academic": "{university}",
    "school": "{town} High School",
    "special": "{town} Regional Medical Center Library",
    "other": "{town} Historical Society",
}
# What a demo member writes when opting in ({short}: the association's short name).
MENTEE_GOALS = [
    "Learn how {short} committees work and find one to join.",
    "Get advice on finishing my MLIS and finding a first professional position.",
    "Build confidence leading programs and managing volunteers.",
    "Understand cataloging workflows beyond copy cataloging.",
    "Plan a path from paraprofessional work to librarianship.",
    "Meet people in other kinds of libraries across the region.",
]
MENTOR_GOALS = [
    "Share twenty years of public library management, budgets and boards.",
    "Help a new colleague find their footing in academic libraries.",
    "Encourage involvement in {short} and its committees.",
    "Pass on what I have learned about youth programming and outreach.",
    "Talk through career moves, interviews and professional development.",
]


def goals(texts: list[str]) -> list[str]:
    """The demo's goals in the program's words."""
    short = program().association_short_name
    return [text.format(short=short) for text in texts]


def places() -> list[tuple[str, str, str]]:
    """(town, region code, its university) for the demo members, in the program's regions:
    Arkansas' towns for its regions, U.S. cities for the U.S. regions, else a made-up town
    a region."""
    codes = {code for code, _ in program().regions}
    found = [(t, TOWN_REGION[t], f"University of Arkansas at {t}") for t in TOWNS if TOWN_REGION[t] in codes]
    found += [(t, r, f"{t} State University") for t, r in US_TOWN_REGION.items() if r in codes]
    return found or [(f"{name.split()[0]} City", code, f"{name} University") for code, name in program().regions]


def demo_year_start(today: dt.date, *, days_from_today: int) -> dt.date:
    """The day a program year starts in the demo: the second Saturday of the orientation's
    usual month (Committee → Program) — the first at least `days_from_today` ahead, or for a
    negative number the latest at least that many days ago."""
    month = program().orientation_month
    starts = []
    for year in range(today.year - 3, today.year + 4):
        first = dt.date(year, month, 1)
        starts.append(first + dt.timedelta(days=(5 - first.weekday()) % 7 + 7))
    limit = today + dt.timedelta(days=days_from_today)
    return min(d for d in starts if d >= limit) if days_from_today >= 0 else max(d for d in starts if d <= limit)


def cycle_name(starts_on: dt.date) -> str:
    return f"{starts_on.year}–{(starts_on.year + 1) % 100:02d}"


def orientation_text(day: dt.date, venue: str) -> str:
    """Where and when the demo cycle's orientation is, in the program's words."""
    settings = program()
    when = f"{day:%A, %B} {day.day}, {day.year}, 9:00 am"
    return f"{settings.orientation_name}, {settings.conference_name}, {venue}, {when}"


def venue() -> str:
    town, _, _ = places()[0]
    return f"{town} Convention Center"


# (title, description, link, tags): the program's starting list of mentoring resources
# ({orientation}, {conference}: as the program's settings name them).
RESOURCES = [
    (
        "Mentoring orientation slides",
        "The slides of the {orientation} at the {conference}: goals, logistics, e-mentoring, meeting topics, "
        "strategies and possible challenges.",
        "https://arlib.example/mentoring/orientation-slides",
        "orientation, slides, goals",
    ),
    (
        "ALA Code of Ethics",
        "The principles every mentor and mentee in the program agrees to follow.",
        "https://www.ala.org/tools/ethics",
        "ethics, commitments",
    ),
    (
        "LLAMA Mentoring FAQ for the mentee",
        "ALA/LLAMA's answers for mentees: what mentoring is, its benefits, and what is expected of a mentee.",
        "https://arlib.example/mentoring/llama-mentee-faq",
        "mentees, faq",
    ),
    (
        "E-mentoring tips",
        "Keeping a mentoring relationship going by email, phone and video between the conference meetings.",
        "https://arlib.example/mentoring/e-mentoring-tips",
        "e-mentoring, meetings",
    ),
]


class Command(BaseCommand):
    help = "Create a believable demo program: an open cycle, a committee login, members and opt-ins."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=120, help="How many demo members (default 120).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--preset",
            choices=sorted(PRESETS),
            help="First configure the program from this preset (as `program_preset NAME`); "
            "without it, the program's settings stay as they are.",
        )

    def handle(self, *, members: int, seed: int, preset: str | None, **options):
        if members < 0:
            raise CommandError("--members must be zero or more.")
        rng = random.Random(seed)
        today = timezone.localdate()
        if preset:
            try:
                report = preset_apply(name=preset)
            except PresetError as e:
                raise CommandError(str(e)) from None
            # Published when committed; inside a caller's transaction (a test's) that waits: read them afresh.
            program_module.forget()
            self.stdout.write(self.style.SUCCESS(report[0]))
            for line in report[1:]:
                self.stdout.write(f"  {line}")
        with transaction.atomic():
            cycle = self._cycle(today)
            committee = self._committee(today)
            created = self._members(rng, members, today)
            optins = self._enrollments(rng, cycle)
            self._answers(cycle)
            resources = self._resources(committee)
        self.stdout.write(self.style.SUCCESS(f"Demo cycle {cycle.name}: {created} new members, {optins} new opt-ins."))
        if resources:
            self.stdout.write(f"{resources} mentoring resources added to the list.")
        self.stdout.write(
            "Committee login: "
            + self.style.WARNING(f"{committee.email} / {DEMO_PASSWORD}")
            + "  (every demo member's password is the same)"
        )

    def _cycle(self, today: dt.date) -> Cycle:
        cycle = self._new_cycle(today)
        # The program's default questions (its preset's), as a cycle made on the Cycles page has them.
        questions_start(cycle=cycle)
        return cycle

    def _answers(self, cycle: Cycle) -> None:
        """Answers to the cycle's choice, yes/no and scale questions for the opt-ins that have
        none (what a member types is left to them): enough for "match on this" to show."""
        questions = list(CycleQuestion.objects.for_cycle(cycle).asked())
        answered = set(Answer.objects.filter(question__cycle=cycle).values_list("enrollment_id", "question_id"))
        new = []
        for pk, role in Enrollment.objects.filter(cycle=cycle).values_list("pk", "role").order_by("pk"):
            r = random.Random(f"answers-{pk}")
            for q in questions:
                if q.audience not in (role, "both") or (pk, q.pk) in answered:
                    continue
                if q.kind == QuestionKind.ONE:
                    value = r.choice(q.choices)
                elif q.kind == QuestionKind.SEVERAL:
                    value = [c for c in q.choices if r.random() < 0.3] or [q.choices[0]]
                elif q.kind == QuestionKind.YES_NO:
                    value = r.random() < 0.7
                elif q.kind == QuestionKind.SCALE:
                    value = r.randint(2, 5)
                else:
                    continue
                new.append(Answer(enrollment_id=pk, question=q, value=value))
        Answer.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)

    def _new_cycle(self, today: dt.date) -> Cycle:
        starts_on = demo_year_start(today, days_from_today=120)
        name = cycle_name(starts_on)
        cycle = Cycle.objects.filter(name=name).first()
        if cycle:
            return cycle
        Cycle.objects.filter(is_open=True).update(is_open=False)
        optin_closes = starts_on - dt.timedelta(days=75)
        settings = program()
        return Cycle.objects.create(
            name=name,
            optin_opens=today - dt.timedelta(days=30),
            optin_closes=optin_closes,
            matchmaking_starts=optin_closes - dt.timedelta(days=30),
            matchmaking_ends=starts_on - dt.timedelta(days=14),
            starts_on=starts_on,
            orientation=orientation_text(starts_on, venue()),
            default_length_months=settings.default_length_months,
            mentor_min_years=settings.mentor_min_years,
            is_open=True,
        )

    def _committee(self, today: dt.date) -> User:
        town, region, university = places()[0]
        user, created = User.objects.get_or_create(
            email=COMMITTEE_EMAIL,
            defaults={
                "first_name": "Carol",
                "last_name": "Whitaker",
                "job_title": "Head of Reference and Instruction",
                "institution": university,
                "library_type": LibraryType.ACADEMIC,
                "region": region,
                "membership_category": MembershipCategory.LIBRARIAN,
                "responsibilities": ["reference", "instruction", "administration"],
                "years_experience": 22,
                "member_since": today - dt.timedelta(days=3000),
                "expires_on": today + dt.timedelta(days=200),
                "is_staff": True,
                "password": make_password(DEMO_PASSWORD),
            },
        )
        user.groups.add(committee_group())
        if created:
            # A verified address, so the demo login works with mandatory verification.
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        return user

    def _members(self, rng: random.Random, count: int, today: dt.date) -> int:
        from allauth.account.models import EmailAddress

        password = make_password(DEMO_PASSWORD)  # hashing once keeps 10,000 members fast
        towns = places()
        existing = set(User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("email", flat=True))
        new = []
        for i in range(1, count + 1):
            email = f"member{i:05d}@{DEMO_DOMAIN}"
            first, last = rng.choice(FIRST), rng.choice(LAST)
            town, region, university = rng.choice(towns)
            roll = rng.random()
            if roll < 0.15:
                category, title, areas, lib, years = (
                    "student",
                    rng.choice(STUDENT_TITLES),
                    [],
                    rng.choice(["academic", "public"]),
                    rng.randint(0, 2),
                )
                areas = rng.sample(Area.values, 2)
            else:
                title, areas, libs = rng.choice(JOBS)
                lib = rng.choice(libs)
                years = rng.choice([1, 2, 3, 4, 6, 8, 10, 12, 15, 20, 25, 30])
                category = (
                    "retired"
                    if years >= 25 and rng.random() < 0.3
                    else ("staff" if "Assistant" in title or "Clerk" in title else "librarian")
                )
            if email in existing:
                continue
            joined = today - dt.timedelta(days=rng.randint(30, 3000))
            new.append(
                User(
                    email=email,
                    first_name=first,
                    last_name=last,
                    password=password,
                    phone=f"501-555-{rng.randint(0, 9999):04d}" if rng.random() < 0.7 else "",
                    institution=INSTITUTION[lib].format(town=town, university=university),
                    library_type=lib,
                    region=region,
                    membership_category=category,
                    job_title=title,
                    responsibilities=list(areas),
                    years_experience=years,
                    member_since=joined,
                    expires_on=today + dt.timedelta(days=rng.randint(-20, 360)),
                )
            )
        User.objects.bulk_create(new, batch_size=1000)
        made = User.objects.filter(email__in=[u.email for u in new])
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=pk, email=email, verified=True, primary=True)
                for pk, email in made.values_list("pk", "email")
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        return len(new)

    def _enrollments(self, rng: random.Random, cycle: Cycle) -> int:
        """About a third of eligible members opt in: mentees and mentors roughly 1:1 in slots."""
        now = timezone.now()
        mentee_goals, mentor_goals = goals(MENTEE_GOALS), goals(MENTOR_GOALS)
        accepted = list(program().commitments)
        members = (
            User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(email=COMMITTEE_EMAIL).order_by("email")
        )
        new = []
        for m in members.only(
            "pk", "job_title", "responsibilities", "membership_category", "years_experience", "expires_on"
        ):
            if not m.is_current_member():
                continue
            r = random.Random(f"{m.pk}-{cycle.pk}")  # stable per member, whatever the run
            senior = eligibility(m, cycle, Role.MENTOR).ok
            if senior and r.random() < 0.3:
                role, goal, capacity = Role.MENTOR, r.choice(mentor_goals), r.choice([1, 1, 1, 2, 2, 3])
            elif not senior and eligibility(m, cycle, Role.MENTEE).ok and r.random() < 0.6:
                role, goal, capacity = Role.MENTEE, r.choice(mentee_goals), 1
            else:
                continue
            new.append(
                Enrollment(
                    member=m,
                    cycle=cycle,
                    role=role,
                    job_title=m.job_title,
                    responsibilities=list(m.responsibilities),
                    goals=goal,
                    meeting_modes=r.sample(MeetingMode.values, r.randint(1, 3)),
                    capacity=capacity,
                    commitments=accepted,
                    commitments_accepted_at=now,
                )
            )
        before = Enrollment.objects.filter(cycle=cycle).count()
        # ignore_conflicts: the (member, cycle, role) constraint makes a second run a no-op.
        Enrollment.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        return Enrollment.objects.filter(cycle=cycle).count() - before

    def _resources(self, committee: User) -> int:
        """The starting list of approved resources, keyed by title."""
        added = 0
        settings = program()
        for title, description, url, tags in RESOURCES:
            _, created = Resource.objects.get_or_create(
                title=title,
                defaults={
                    "description": description.format(
                        orientation=settings.orientation_name, conference=settings.conference_name
                    ),
                    "url": url,
                    "tags": tags,
                    "status": ResourceStatus.APPROVED,
                    "suggested_by": committee,
                    "reviewed_by": committee,
                    "reviewed_at": timezone.now(),
                },
            )
            added += created
        return added
