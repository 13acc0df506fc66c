"""Demo pairs: the program year under way, so that `make run` shows pair pages.

Run after `seed_demo`. It opens (once) the running year's cycle, enrolls some of the
demo members in it, pairs them through `pairs.services.pairing.pair_create` (the one way a
pair is made), and adds check-ins and goals. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.management.commands.seed_demo import COMMITTEE_EMAIL, DEMO_DOMAIN, MENTEE_GOALS, MENTOR_GOALS
from members.models import Cycle, Enrollment, EnrollmentStatus, Role, User, eligibility
from outbox.models import Email, EmailState
from pairs.models import CheckIn, Goal, GoalStatus, Pair
from pairs.services import pairing

TOPICS = [
    "How ArLA committees work",
    "Preparing a conference proposal",
    "Cataloging backlog and priorities",
    "Summer reading program planning",
    "Applying for a first professional position",
    "Grant writing for small libraries",
]
GOALS = [
    ("Join an ArLA committee", "Attend two meetings and volunteer for one task."),
    ("Present at the fall conference", "Draft a poster proposal together."),
    ("Build a professional network", "Meet five librarians from other library types."),
    ("Learn RDA basics", "Work through the RDA toolkit modules with examples."),
]


class Command(BaseCommand):
    help = "Create demo pairs in the running program year (after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--pairs", type=int, default=20)

    def handle(self, *, pairs: int, **options):
        committee = User.objects.filter(email=COMMITTEE_EMAIL).first()
        if committee is None:
            raise CommandError("Run seed_demo first: it creates the committee login and the members.")
        today = timezone.localdate()
        rng = random.Random(7)
        with transaction.atomic():
            cycle = self._running_cycle(today)
            made = 0
            if not Pair.objects.filter(cycle=cycle).exists():
                made = self._pairs(rng, cycle, committee, pairs, today)
            # Demo introductions count as sent: `make run` should not print a hundred emails.
            Email.objects.filter(pair__cycle=cycle, state=EmailState.PENDING).update(
                state=EmailState.SENT, sent_at=timezone.now(), attempts=1
            )
        self.stdout.write(self.style.SUCCESS(f"Demo program year {cycle.name}: {made} new pairs."))

    def _running_cycle(self, today: dt.date) -> Cycle:
        year = today.year if today.month >= 10 else today.year - 1
        name = f"{year}–{str(year + 1)[-2:]}"
        cycle, _ = Cycle.objects.get_or_create(
            name=name,
            defaults={
                "optin_opens": dt.date(year, 1, 15),
                "optin_closes": dt.date(year, 5, 31),
                "matchmaking_starts": dt.date(year, 6, 1),
                "matchmaking_ends": dt.date(year, 8, 31),
                "starts_on": min(dt.date(year, 10, 6), today - dt.timedelta(days=50)),
                "orientation": f"Mentoring orientation, ArLA Annual Conference, Hot Springs, October 6, {year}",
                "is_open": False,
            },
        )
        return cycle

    def _pairs(self, rng: random.Random, cycle: Cycle, committee: User, count: int, today: dt.date) -> int:
        members = list(
            User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", expires_on__gte=today)
            .exclude(email=COMMITTEE_EMAIL)
            .order_by("-email")[: count * 4]
        )
        seniors = [m for m in members if eligibility(m, cycle, Role.MENTOR, today).ok][:count]
        juniors = [m for m in members if m not in seniors and eligibility(m, cycle, Role.MENTEE, today).ok][:count]
        now = timezone.now()
        made = 0
        for senior, junior in zip(seniors, juniors, strict=False):
            mentor, _ = Enrollment.objects.get_or_create(
                member=senior,
                cycle=cycle,
                role=Role.MENTOR,
                defaults={
                    "job_title": senior.job_title,
                    "responsibilities": senior.responsibilities,
                    "goals": rng.choice(MENTOR_GOALS),
                    "meeting_modes": ["video", "email"],
                    "commitments_accepted_at": now,
                },
            )
            mentee, _ = Enrollment.objects.get_or_create(
                member=junior,
                cycle=cycle,
                role=Role.MENTEE,
                defaults={
                    "job_title": junior.job_title,
                    "responsibilities": junior.responsibilities,
                    "goals": rng.choice(MENTEE_GOALS),
                    "meeting_modes": ["video", "phone"],
                    "commitments_accepted_at": now,
                },
            )
            if mentee.status != EnrollmentStatus.WAITING:
                continue
            pair = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee, today=cycle.starts_on)
            made += 1
            # Most pairs meet every few weeks; some went quiet and need attention.
            quiet = rng.random() < 0.2
            day = pair.starts_on + dt.timedelta(days=rng.randint(3, 10))
            while day < today and not (quiet and day > pair.starts_on + dt.timedelta(days=15)):
                CheckIn.objects.create(
                    pair=pair,
                    logged_by=rng.choice([senior, junior]),
                    met_on=day,
                    mode=rng.choice(["video", "phone", "in_person", "email"]),
                    minutes=rng.choice([20, 30, 45, 60]),
                    topics=rng.choice(TOPICS),
                    notes="Agreed on next steps and a date for the next call.",
                )
                day += dt.timedelta(days=rng.randint(14, 35))
            for title, description in rng.sample(GOALS, 2):
                Goal.objects.create(
                    pair=pair,
                    title=title,
                    description=description,
                    status=rng.choice([GoalStatus.OPEN, GoalStatus.IN_PROGRESS, GoalStatus.DONE]),
                    target_on=pair.starts_on + dt.timedelta(days=rng.randint(60, 250)),
                    created_by=junior,
                )
        return made
