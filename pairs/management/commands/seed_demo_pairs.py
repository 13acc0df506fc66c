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

from members.management.commands.seed_demo import (
    COMMITTEE_EMAIL,
    DEMO_DOMAIN,
    MENTEE_GOALS,
    MENTOR_GOALS,
    cycle_name,
    demo_year_start,
    goals,
    orientation_text,
    venue,
)
from members.models import Cycle, Enrollment, EnrollmentStatus, Role, User, eligibility
from members.program import program
from outbox.models import Email, EmailState
from pairs.models import CheckIn, Goal, GoalStatus, Pair
from pairs.services import pairing

# In the program's words: {short} is the association's short name, {conference} its conference.
TOPICS = [
    "How {short} committees work",
    "Preparing a conference proposal",
    "Cataloging backlog and priorities",
    "Summer reading program planning",
    "Applying for a first professional position",
    "Grant writing for small libraries",
]
GOALS = [
    ("Join a {short} committee", "Attend two meetings and volunteer for one task."),
    ("Present at the {conference}", "Draft a poster proposal together."),
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
        # The latest year that started at least 50 days ago, at the program's usual orientation month.
        starts_on = demo_year_start(today, days_from_today=-50)
        settings = program()
        cycle, _ = Cycle.objects.get_or_create(
            name=cycle_name(starts_on),
            defaults={
                "optin_opens": starts_on - dt.timedelta(days=260),
                "optin_closes": starts_on - dt.timedelta(days=130),
                "matchmaking_starts": starts_on - dt.timedelta(days=120),
                "matchmaking_ends": starts_on - dt.timedelta(days=30),
                "starts_on": starts_on,
                "orientation": orientation_text(starts_on, venue()),
                "default_length_months": settings.default_length_months,
                "mentor_min_years": settings.mentor_min_years,
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
        settings = program()
        words = {"short": settings.association_short_name, "conference": settings.conference_name}
        topics = [t.format(**words) for t in TOPICS]
        goal_texts = [(title.format(**words), text.format(**words)) for title, text in GOALS]
        mentee_goals, mentor_goals = goals(MENTEE_GOALS), goals(MENTOR_GOALS)
        for senior, junior in zip(seniors, juniors, strict=False):
            mentor, _ = Enrollment.objects.get_or_create(
                member=senior,
                cycle=cycle,
                role=Role.MENTOR,
                defaults={
                    "job_title": senior.job_title,
                    "responsibilities": senior.responsibilities,
                    "goals": rng.choice(mentor_goals),
                    "meeting_modes": ["video", "email"],
                    "commitments": list(settings.commitments),
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
                    "goals": rng.choice(mentee_goals),
                    "meeting_modes": ["video", "phone"],
                    "commitments": list(settings.commitments),
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
                    topics=rng.choice(topics),
                    notes="Agreed on next steps and a date for the next call.",
                )
                day += dt.timedelta(days=rng.randint(14, 35))
            for title, description in rng.sample(goal_texts, 2):
                Goal.objects.create(
                    pair=pair,
                    title=title,
                    description=description,
                    status=rng.choice([GoalStatus.OPEN, GoalStatus.IN_PROGRESS, GoalStatus.DONE]),
                    target_on=pair.starts_on + dt.timedelta(days=rng.randint(60, 250)),
                    created_by=junior,
                )
        return made
