"""Volunteers of the mentoring program, for `make load` (scripts/load.py runs this headless).

Three kinds of users, each with a login of its own (scripts/load.py lists them in
LOAD_ACCOUNTS): members browse the program, the resources and their profile; mentors
and mentees of the running year open their pair, log check-ins and add goals; the
committee opens the matching dashboard, a waiting mentee's suggestions, and pairs
them with the top suggestion.

Logging in is a setup step, and a slow one on purpose (the password hash): every
volunteer logs in, then waits until all have; then all go to work, and after a
warm-up of WARMUP_SECONDS the measured window of LOAD_SECONDS starts; at its end
Locust quits. So the figures describe 50 signed-in volunteers at work, not a crowd
at the login page, and the logins are reported on their own.

Every request (a redirect is followed by a request of its own, as in a browser) is
named "<group> <method> <path pattern>" and recorded with its time and any error
into LOAD_SAMPLES when Locust quits; scripts/load.py turns that into the table. An
error is an answer that is not 2xx/3xx, a page that is not the one expected (e.g.
the login page after a redirect), or a form that was not accepted (it comes back
instead of redirecting).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from gevent.event import Event
from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from urllib3 import PoolManager

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
SAMPLES: list[dict] = []
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAIR_LINK = re.compile(r'href="/pairs/(\d+)/"')
MENTEE_LINK = re.compile(r'href="(/matching/\d+/mentees/\d+/)"')
PAIR_WITH_LINK = re.compile(r'href="(/matching/\d+/mentees/\d+/pair/\d+/)"')
_pools = {kind: iter(ACCOUNTS[kind]) for kind in ("member", "pair", "committee")}
_addresses = itertools.count()
WINDOW: dict = {"started": None, "ended": None}
_logins_done = itertools.count(1)
_all_logged_in = Event()
WARMUP_SECONDS = 10


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **kwargs):
    SAMPLES.append({"name": name, "at": start_time, "ms": response_time, "error": str(exception) if exception else ""})


@events.quitting.add_listener
def _write(**kwargs):
    WINDOW["ended"] = WINDOW["ended"] or time.time()
    Path(os.environ["LOAD_SAMPLES"]).write_text(json.dumps({**WINDOW, "warmup": WARMUP_SECONDS, "samples": SAMPLES}))


def _cpu() -> tuple[float, float, float]:
    """CPU seconds used so far by the web processes (LOAD_WEB_PIDS), and by the whole machine, busy and idle.

    On a shared machine the latencies say as much about the neighbours as about the
    site; the web processes' CPU time per request does not.
    """
    tick = os.sysconf("SC_CLK_TCK")
    web = 0
    for pid in filter(None, os.environ.get("LOAD_WEB_PIDS", "").split(",")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        web += int(fields[11]) + int(fields[12])  # utime, stime
    cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = cpu[3] + cpu[4]
    return web / tick, (sum(cpu[:8]) - idle) / tick, idle / tick


def _measure(environment) -> None:
    """All volunteers are in: release them, warm up, measure LOAD_SECONDS, then quit."""
    _all_logged_in.set()
    # Not measured: 50 volunteers released at once, and each gunicorn worker compiling
    # the templates of each page on its first visit, are not what a running site sees.
    gevent.sleep(WARMUP_SECONDS)
    before = _cpu()
    WINDOW["started"] = time.time()
    gevent.sleep(float(os.environ["LOAD_SECONDS"]))
    WINDOW["ended"] = time.time()
    WINDOW["web_cpu"], WINDOW["machine_busy"], WINDOW["machine_idle"] = (
        b - a for a, b in zip(before, _cpu(), strict=True)
    )
    environment.runner.quit()


def pattern(url: str) -> str:
    """A request's name: its path with the ids left out, e.g. /pairs/[id]/check-ins/new/."""
    path, _, query = url.partition("#")[0].partition("?")
    path = re.sub(r"^/matching/\d+/", "/matching/[cycle]/", path)
    path = re.sub(r"/\d+/", "/[id]/", path)
    return path + ("?" + re.sub(r"=\d+", "=N", query) if query else "")


class Volunteer(HttpUser):
    abstract = True
    kind = ""
    wait_time = between(1, 5)  # reading a page and filling in a form take seconds

    def on_start(self):
        # Each volunteer comes from an address of their own, as on the internet: allauth
        # limits logins per address (30 a minute), and loopback is all of 127.0.0.0/8.
        n = next(_addresses)
        address = (f"127.0.{1 + n // 250}.{1 + n % 250}", 0)
        self.client.mount("http://", LocustHttpAdapter(pool_manager=PoolManager(source_address=address)))
        self.email = next(_pools[self.kind])  # StopIteration: scripts/load.py made too few logins
        try:
            form = self.page("login", "GET", "/accounts/login/", expect='name="password"', login_page=True).text
            self.page(
                "login",
                "POST",
                "/accounts/login/",
                data={"login": self.email, "password": ACCOUNTS["password"], "csrfmiddlewaretoken": token(form)},
                expect="Edit profile",  # the profile page, where a login lands
            )
            self.after_login()
        finally:
            # A failed login counts too: the run goes on, and the error shows in the table.
            if next(_logins_done) == self.environment.parsed_options.num_users:
                gevent.spawn(_measure, self.environment)
        _all_logged_in.wait()

    def after_login(self):
        """What a volunteer does once, before the measured window."""

    def page(self, group, method, url, *, expect, data=None, login_page=False):
        """One request and the redirects it answers with, each one a sample of its own
        (as a browser makes them): the last must be a page that contains `expect`."""
        for _ in range(5):
            with self.client.request(
                method,
                url,
                data=data,
                name=f"{group} {method} {pattern(url)}",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                if r.is_redirect:
                    r.success()
                elif r.status_code >= 400:
                    r.failure(f"HTTP {r.status_code}")
                elif "/accounts/login/" in r.url and not login_page:
                    r.failure("sent to the login page")
                elif not any(e in r.text for e in ([expect] if isinstance(expect, str) else expect)):
                    r.failure(f"unexpected page: no {expect!r} in {r.url}")
                else:
                    r.success()
            if not r.is_redirect:
                return r
            method, url, data = "GET", r.headers["Location"], None
        raise RuntimeError(f"{url}: too many redirects")


def token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


class Member(Volunteer):
    """A member between meetings: reads the program pages, the resources, their profile and pairs."""

    kind = "member"
    weight = 6

    @task(3)
    def program(self):
        self.page("member", "GET", "/", expect="ArLA Mentoring Program")

    @task
    def program_mentor(self):
        self.page("member", "GET", "/program/mentors/", expect="What is a mentor?")

    @task
    def program_mentee(self):
        self.page("member", "GET", "/program/mentees/", expect="What is a mentee?")

    @task(2)
    def profile(self):
        self.page("member", "GET", "/me/", expect="Edit profile")

    @task(2)
    def resources(self):
        self.page("member", "GET", "/resources/", expect="Mentoring resources")

    @task
    def my_pairs(self):
        self.page("member", "GET", "/pairs/mine/", expect="My pairs")


class PairMember(Volunteer):
    """A mentor or mentee of the running year: opens the pair, logs a check-in, adds a goal."""

    kind = "pair"
    weight = 3

    def after_login(self):
        mine = self.page("pair", "GET", "/pairs/mine/", expect="My pairs").text
        self.pairs = sorted(set(PAIR_LINK.findall(mine)))

    def pair_url(self) -> str:
        return f"/pairs/{random.choice(self.pairs)}/" if self.pairs else ""

    @task(3)
    def open_pair(self):
        if url := self.pair_url():
            self.page("pair", "GET", url, expect="Log a check-in")

    @task(2)
    def log_checkin(self):
        if not (url := self.pair_url()):
            return
        detail = self.page("pair", "GET", url, expect="Log a check-in").text
        met_on = dt.date.today() - dt.timedelta(days=random.randint(0, 6))
        self.page(
            "pair",
            "POST",
            f"{url}check-ins/new/",
            data={
                "csrfmiddlewaretoken": token(detail),
                "met_on": met_on.isoformat(),
                "mode": random.choice(["video", "phone", "in_person", "email"]),
                "minutes": random.choice([20, 30, 45, 60]),
                "topics": "Conference proposal and next steps",
                "notes": "Talked through the draft; next call in three weeks.",
            },
            expect="Check-in logged.",
        )

    @task
    def add_goal(self):
        if not (url := self.pair_url()):
            return
        form = self.page("pair", "GET", f"{url}goals/new/", expect="Add a goal").text
        self.page(
            "pair",
            "POST",
            f"{url}goals/new/",
            data={
                "csrfmiddlewaretoken": token(form),
                "title": f"Read {random.choice(['two', 'three', 'four'])} articles on library outreach",
                "description": "Share what we learned at the next check-in.",
                "status": "open",
                "target_on": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
            },
            expect="saved.",
        )

    @task
    def my_pairs(self):
        self.page("pair", "GET", "/pairs/mine/", expect="My pairs")


class Committee(Volunteer):
    """A committee member at matchmaking: the dashboard, a mentee's suggestions, a pair made."""

    kind = "committee"
    weight = 1

    @task(2)
    def dashboard(self):
        page = random.randint(1, 20)
        self.page(
            "committee",
            "GET",
            f"/matching/{ACCOUNTS['open_cycle']}/?page={page}",
            expect="Matching ·",
        )

    @task(3)
    def pair_top_suggestion(self):
        # /matching/ sends the committee to the open cycle's dashboard.
        dashboard = self.page("committee", "GET", "/matching/", expect="Matching ·").text
        mentees = MENTEE_LINK.findall(dashboard)
        if not mentees:
            return
        # Several committee members work at once: each picks someone on the first page.
        suggestions = self.page(
            "committee",
            "GET",
            random.choice(mentees),
            # A mentee paired by someone else meanwhile sends back to the dashboard, with a message.
            expect=["Pair<span", "Matching ·"],
        ).text
        top = PAIR_WITH_LINK.search(suggestions)
        if not top:
            return
        confirm = self.page(
            "committee",
            "GET",
            top.group(1),
            expect=["Pair ", "Matching ·"],
        )
        if not confirm.url.endswith(top.group(1)):
            return  # the mentor or mentee was taken meanwhile: the dashboard said so
        self.page(
            "committee",
            "POST",
            top.group(1),
            data={"csrfmiddlewaretoken": token(confirm.text)},
            # Paired; or, when another committee member was quicker, the service's clear message.
            expect=["Both introductions are on their way", "paired meanwhile", "already mentors"],
        )

    @task
    def pairs_list(self):
        self.page("committee", "GET", "/pairs/", expect="Pairs ·")
