"""The performance figures of ArLA Mentoring, measured on a real, throwaway PostgreSQL.

Run it with `make bench` (which starts the throwaway PostgreSQL and Redis through
scripts/with-services.sh). It migrates the empty database, loads the demo program
at 100 and then 10,000 members, builds dedicated bench cycles next to the demo's
open cycle, and prints one table: figure, value, target, met/missed. It exits with
status 1 when a target is missed, and 2 when it refuses to run.

It refuses to run unless DATABASE_URL points at PostgreSQL and the database is
empty: the figures only mean something on the production database engine, and the
bench writes 10,000 members, which must never land in somebody's real database.

After every bulk load it runs ANALYZE, as autovacuum soon would in any real
database, so the query plans are those of a database with statistics.

Why each figure is measured as it is:

- seed_demo: wall time of the management command as a developer runs it
  (call_command, in one transaction), the way CI and demos load the data.
- query counts: the committee's two matching pages, fetched with the test client as
  the demo committee user, once with ~100 members and once with 10,000. Each is
  fetched once first and counted the second time, so one-off work (a cycle's match
  settings row created on first use) does not count. A page whose count grows with
  the rows makes one query per row somewhere: the count, not the time, shows it.
- suggestions page: the whole request through the middleware, session, login check,
  view and template, because that is what the committee waits for; after a warm-up
  request, the median of several runs, so one hiccup of the machine does not decide.
- proposal: the three steps of `services.proposal_solve` timed apart (loading from
  PostgreSQL, scoring, solving), so that a miss names the step to work on; the
  median of a few runs each, and the median of the runs' sums as the total.
- proposal end to end: the service as the committee calls it, with the draft rows
  written; for information, as it depends on the draft's size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}


@dataclass
class Row:
    figure: str
    value: str
    target: str = "—"
    met: bool | None = None  # None: information only

    @property
    def verdict(self) -> str:
        return "—" if self.met is None else ("met" if self.met else "MISSED")


def refuse(message: str) -> None:
    print(f"bench: refusing to run: {message}", file=sys.stderr)
    sys.exit(2)


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def setup_django() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in POSTGRES_SCHEMES:
        refuse(
            "DATABASE_URL must point at a throwaway PostgreSQL database (postgres://…), "
            f"not {'nothing' if not url else urlsplit(url).scheme + '://…'}. "
            "Run `make bench`: it starts one and removes it afterwards."
        )
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "arla_mentoring.settings"
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
    os.environ["ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        refuse(f"the database is {connection.vendor}, not PostgreSQL.")
    tables = connection.introspection.table_names()
    if tables:
        refuse(
            f"the database is not empty ({len(tables)} tables). The bench writes 10,000 demo members: "
            "give it an empty, throwaway database (`make bench` starts one)."
        )
    # The proposal service logs every solve; the table is the bench's output.
    logging.getLogger("matching").setLevel(logging.WARNING)


def machine() -> list[str]:
    from django.db import connection

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    try:
        load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "unknown"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"Date:       {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine:    {cpus} CPUs (nproc), {model}",
        f"Python:     {platform.python_version()} ({platform.python_implementation()})",
        f"PostgreSQL: {pg}",
        f"Load:       {load} (1 / 5 / 15 min averages at the start: other work on the machine slows every figure)",
    ]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def spread(runs: list[float]) -> str:
    return f"median {ms(statistics.median(runs))} (min {ms(min(runs))}, max {ms(max(runs))}, {len(runs)} runs)"


# --- Data --------------------------------------------------------------------------------------


class People:
    """The demo members split into who may mentor and who may be a mentee, in pk order."""

    def __init__(self) -> None:
        from django.utils import timezone

        from members.management.commands.seed_demo import COMMITTEE_EMAIL, DEMO_DOMAIN
        from members.models import MENTEE_CATEGORIES, MENTOR_CATEGORIES, User

        today = timezone.localdate()
        members = (
            User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
            .exclude(email=COMMITTEE_EMAIL)
            .only("pk", "job_title", "responsibilities", "membership_category", "years_experience", "expires_on")
            .order_by("pk")
        )
        self.mentors, self.mentees = [], []
        for m in members:
            if not m.is_current_member(today):
                continue
            if m.membership_category in MENTOR_CATEGORIES and (m.years_experience or 0) >= 5:
                self.mentors.append(m)
            elif m.membership_category in MENTEE_CATEGORIES:
                self.mentees.append(m)

    def take(self, mentors: int, mentees: int) -> tuple[list, list]:
        if len(self.mentors) < mentors or len(self.mentees) < mentees:
            sys.exit(
                f"bench: the demo data has {len(self.mentors)} possible mentors and {len(self.mentees)} "
                f"possible mentees; {mentors} and {mentees} are needed: seed more members (--members)."
            )
        return self.mentors[:mentors], self.mentees[:mentees]


def bench_cycle(name: str):
    """A closed cycle (is_open=False), so the demo's open cycle is left as it is."""
    from django.utils import timezone

    from members.models import Cycle

    today = timezone.localdate()
    cycle, _ = Cycle.objects.get_or_create(
        name=name,
        defaults={
            "optin_opens": today - dt.timedelta(days=60),
            "optin_closes": today - dt.timedelta(days=1),
            "matchmaking_starts": today - dt.timedelta(days=1),
            "matchmaking_ends": today + dt.timedelta(days=60),
            "starts_on": today + dt.timedelta(days=90),
            "is_open": False,
        },
    )
    return cycle


def enroll(cycle, members: list, role: str, capacity: Callable[[random.Random], int] = lambda r: 1) -> None:
    """Opt-ins as seed_demo makes them: the member's job title and areas copied, commitments accepted."""
    from django.utils import timezone

    from members.management.commands.seed_demo import MENTEE_GOALS, MENTOR_GOALS
    from members.models import Enrollment, EnrollmentStatus, MeetingMode, Role

    now = timezone.now()
    goals = MENTOR_GOALS if role == Role.MENTOR else MENTEE_GOALS
    rows = []
    for m in members:
        r = random.Random(f"bench-{m.pk}-{cycle.pk}-{role}")
        rows.append(
            Enrollment(
                member=m,
                cycle=cycle,
                role=role,
                status=EnrollmentStatus.WAITING,
                job_title=m.job_title,
                responsibilities=list(m.responsibilities),
                goals=r.choice(goals),
                meeting_modes=r.sample(MeetingMode.values, r.randint(1, 3)),
                capacity=capacity(r),
                commitments_accepted_at=now,
            )
        )
    # ignore_conflicts: enrolling the same members again (a later stage) adds only the new ones.
    Enrollment.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def analyze() -> None:
    """Table statistics, as autovacuum gathers them soon after a bulk load in any real database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed(members: int) -> float:
    from django.core.management import call_command

    return timed(lambda: call_command("seed_demo", members=members, stdout=io.StringIO()))


# --- Measurements ----------------------------------------------------------------------------


def committee_client():
    from django.test import Client

    from members.management.commands.seed_demo import COMMITTEE_EMAIL
    from members.models import User

    client = Client()
    client.force_login(User.objects.get(email=COMMITTEE_EMAIL))
    return client


def get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"bench: GET {url} answered {response.status_code}, not 200.")
    return response


def query_counts(client, cycle) -> tuple[int, int, int]:
    """Queries of the dashboard and of the first waiting mentee's suggestions (after one warm-up
    each), and the cycle's number of opt-ins."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from members.models import Enrollment

    mentee = Enrollment.objects.for_cycle(cycle).mentees().waiting().order_by("pk").first()
    counts = []
    for url in (
        reverse("matching:dashboard", args=[cycle.pk]),
        reverse("matching:suggestions", args=[cycle.pk, mentee.pk]),
    ):
        get(client, url)
        with CaptureQueriesContext(connection) as ctx:
            get(client, url)
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1], Enrollment.objects.for_cycle(cycle).count()


def pages_cycle_enroll(cycle, people: People) -> None:
    """The same share of the members at every stage: every third possible mentor and mentee."""
    from members.models import Role

    enroll(cycle, people.mentors[::3], Role.MENTOR, lambda r: r.choice([1, 1, 1, 2, 2, 3]))
    enroll(cycle, people.mentees[::3], Role.MENTEE)


def demo_members() -> int:
    from members.management.commands.seed_demo import COMMITTEE_EMAIL, DEMO_DOMAIN
    from members.models import User

    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(email=COMMITTEE_EMAIL).count()


def suggestions_runs(client, people: People, mentors: int, mentees: int, runs: int) -> list[float]:
    from django.urls import reverse

    from members.models import Enrollment, Role

    cycle = bench_cycle("Bench · suggestions")
    chosen_mentors, chosen_mentees = people.take(mentors, mentees)
    enroll(cycle, chosen_mentors, Role.MENTOR, lambda r: r.choice([1, 2, 3]))
    enroll(cycle, chosen_mentees, Role.MENTEE)
    analyze()
    mentee = Enrollment.objects.for_cycle(cycle).mentees().order_by("pk").first()
    url = reverse("matching:suggestions", args=[cycle.pk, mentee.pk])
    get(client, url)  # warm-up: the cycle's match settings are created on first use
    return [timed(lambda: get(client, url)) for _ in range(runs)]


@dataclass
class ProposalRun:
    load: float
    scoring: float
    solving: float
    pairs: int
    total_score: float

    @property
    def total(self) -> float:
        return self.load + self.scoring + self.solving


def proposal_cycle(people: People, mentors: int, capacity: int, mentees: int):
    from members.models import Role

    cycle = bench_cycle("Bench · proposal")
    chosen_mentors, chosen_mentees = people.take(mentors, mentees)
    enroll(cycle, chosen_mentors, Role.MENTOR, lambda r: capacity)
    enroll(cycle, chosen_mentees, Role.MENTEE)
    analyze()
    return cycle


def proposal_run(cycle) -> ProposalRun:
    """The steps of services.proposal_solve (without a draft's locks, bans and drops), timed apart."""
    import numpy as np

    from matching.assignment import solve
    from matching.scoring import allowed_matrix, score
    from matching.services import load_pool

    t0 = time.perf_counter()
    pool = load_pool(cycle)  # the cycle's weights included
    t1 = time.perf_counter()
    totals = score(pool.mentees, pool.mentors, pool.weights, pool_titles=pool.titles).total
    allowed = allowed_matrix(pool.mentees, pool.mentors, pool.rules)
    t2 = time.perf_counter()
    capacity = np.array([max(m.capacity_left, 0) for m in pool.mentors], int)
    result = solve(totals, allowed, capacity)
    t3 = time.perf_counter()
    return ProposalRun(t1 - t0, t2 - t1, t3 - t2, len(result.pairs), result.total)


def proposal_service_runs(cycle, runs: int) -> list[float]:
    from matching import services
    from members.management.commands.seed_demo import COMMITTEE_EMAIL
    from members.models import User

    committee = User.objects.get(email=COMMITTEE_EMAIL)
    return [timed(lambda: services.proposal_solve(cycle=cycle, by=committee)) for _ in range(runs)]


# --- Main --------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000, help="demo members at the second stage")
    parser.add_argument("--few", type=int, default=100, help="demo members at the first stage")
    parser.add_argument("--suggest-mentors", type=int, default=5_000)
    parser.add_argument("--suggest-mentees", type=int, default=2_000)
    parser.add_argument("--suggest-runs", type=int, default=15)
    parser.add_argument("--proposal-mentors", type=int, default=1_000)
    parser.add_argument("--proposal-capacity", type=int, default=2)
    parser.add_argument("--proposal-mentees", type=int, default=2_000)
    parser.add_argument("--proposal-runs", type=int, default=3)
    parser.add_argument("--skip-service", action="store_true", help="leave out proposal_solve end to end")
    return parser.parse_args()


def print_table(rows: list[Row]) -> None:
    cells = [("figure", "value", "target", "met/missed")] + [(r.figure, r.value, r.target, r.verdict) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    cells.insert(1, tuple("-" * w for w in widths))
    for c in cells:
        print("  ".join(text.ljust(w) for text, w in zip(c, widths, strict=True)).rstrip())


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    setup_django()
    from django.core.management import call_command

    header = machine()
    rows: list[Row] = []

    progress("migrating the empty database…")
    call_command("migrate", interactive=False, verbosity=0)

    # Stage 1: ~100 members.
    progress(f"seeding {args.few} demo members, counting queries…")
    seed(args.few)
    client = committee_client()
    pages = bench_cycle("Bench · pages")
    pages_cycle_enroll(pages, People())
    analyze()
    few_members = demo_members()
    few_dashboard, few_suggestions, few_optins = query_counts(client, pages)

    # Stage 2: 10,000 members, timed.
    progress(f"seeding up to {args.members:,} demo members…")
    seed_seconds = seed(args.members)
    people = People()
    pages_cycle_enroll(pages, people)
    analyze()
    many_members = demo_members()
    many_dashboard, many_suggestions, many_optins = query_counts(client, pages)

    rows.append(
        Row(
            f"seed_demo --members {args.members} ({args.few} → {many_members:,} members)",
            f"{seed_seconds:.1f} s",
            "< 60 s",
            seed_seconds < 60,
        )
    )
    for page, few, many in (
        ("dashboard", few_dashboard, many_dashboard),
        ("suggestions", few_suggestions, many_suggestions),
    ):
        rows.append(
            Row(
                f"{page} page: queries at {few_members:,} / {many_members:,} members "
                f"(cycle of {few_optins:,} / {many_optins:,} opt-ins)",
                f"{few} / {many}",
                f"same at {few_members:,} and {many_members:,}",
                few == many,
            )
        )

    progress(f"suggestions page among {args.suggest_mentors:,} mentors…")
    runs = suggestions_runs(client, people, args.suggest_mentors, args.suggest_mentees, args.suggest_runs)
    rows.append(
        Row(
            f"suggestions page, 1 mentee among {args.suggest_mentors:,} mentors (whole request)",
            spread(runs),
            "≤ 100 ms",
            statistics.median(runs) <= 0.100,
        )
    )

    slots = args.proposal_mentors * args.proposal_capacity
    progress(f"proposal for {args.proposal_mentees:,} mentees × {slots:,} slots…")
    cycle = proposal_cycle(people, args.proposal_mentors, args.proposal_capacity, args.proposal_mentees)
    proposal_runs = [proposal_run(cycle) for _ in range(args.proposal_runs)]
    size = f"{args.proposal_mentees:,} mentees × {slots:,} slots"
    for label, step in (
        ("loading from PostgreSQL (load_pool)", lambda r: r.load),
        ("scoring (score + allowed_matrix)", lambda r: r.scoring),
        ("solving (assignment.solve)", lambda r: r.solving),
    ):
        rows.append(Row(f"proposal {size}: {label}", spread([step(r) for r in proposal_runs])))
    total = statistics.median(r.total for r in proposal_runs)
    rows.append(Row(f"proposal {size}: total", spread([r.total for r in proposal_runs]), "≤ 1 s", total <= 1.0))
    last = proposal_runs[-1]
    rows.append(Row(f"proposal {size}: pairs made", f"{last.pairs:,}"))
    rows.append(
        Row(
            f"proposal {size}: total score",
            f"{last.total_score:,.1f} (average {last.total_score / max(last.pairs, 1):.1f})",
        )
    )

    if not args.skip_service:
        progress("proposal_solve end to end…")
        service = proposal_service_runs(cycle, args.proposal_runs)
        rows.append(Row(f"services.proposal_solve {size}, draft written", spread(service)))

    rows.append(Row("bench wall time", f"{time.perf_counter() - started:.0f} s"))

    print()
    print("\n".join(header))
    print()
    print_table(rows)
    missed = [r for r in rows if r.met is False]
    print()
    print(f"{len(missed)} target{'s' if len(missed) != 1 else ''} missed." if missed else "Every target met.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
