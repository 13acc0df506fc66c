"""`make load`: the production setup under volunteers' load, with a verdict.

Run inside scripts/with-services.sh (it provides a throwaway PostgreSQL and Redis and
stops them afterwards). This script prepares the database (migrate, collectstatic,
10,000 demo members, demo pairs, committee logins), starts the Procfile with honcho
under production settings on 127.0.0.1, runs the Locust scenario in
scripts/locustfile.py headless, prints one table, stops everything it started and
exits 1 when a target is missed:

    p95 of every request but the logins <= 100 ms, and no error at all.

The logins are reported on their own lines: they are a setup step, and their cost is
the password hash (PBKDF2), slow on purpose. Every simulated volunteer logs in first;
the measured window (LOAD_TIME, 2 minutes) starts when all of them are signed in and
have worked through a short warm-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
P95_TARGET_MS = 100.0
MEMBERS = 10_000
# The scenario's mix (locustfile weights): members browse, pair members log, the committee pairs.
SHARES = {"member": 6, "pair": 3, "committee": 1}

ACCOUNTS_SCRIPT = """
import json
from members.management.commands.seed_demo import COMMITTEE_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD
from members.models import Cycle, User
from pairs.models import Pair

need = NEED
running = [p for p in Pair.objects.active().select_related("mentor__member", "mentee__member").order_by("pk")]
pair_people = []
for p in running:
    for m in (p.mentor.member, p.mentee.member):
        if m.email not in pair_people:
            pair_people.append(m.email)
taken = set(pair_people) | {COMMITTEE_EMAIL}
plain = (
    User.objects.filter(email__endswith="@" + DEMO_DOMAIN, is_active=True)
    .exclude(email__in=taken)
    .order_by("email")
    .values_list("email", flat=True)
)
plain = list(plain[: 2 * need])
print(json.dumps({
    "committee": [COMMITTEE_EMAIL] + plain[:need],
    "member": plain[need:],
    "pair": pair_people,
    "password": DEMO_PASSWORD,
    "open_cycle": Cycle.objects.filter(is_open=True).values_list("pk", flat=True).first(),
}))
"""

OUTBOX_SCRIPT = """
import json
from django.db.models import Count
from outbox.models import Email
since = "{since}"
rows = Email.objects.filter(created_at__gte=since).values_list("state").annotate(n=Count("pk")).order_by()
print(json.dumps(dict(rows)))
"""


def seconds_of(text: str) -> float:
    """Locust's duration format: 2m, 20s, 1m30s, 1h (a bare number is seconds)."""
    found = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text.strip())
    if not text.strip() or not found:
        raise SystemExit(f"load: LOAD_TIME {text!r} is not a duration such as 2m or 20s")
    h, m, s = (int(g or 0) for g in found.groups())
    return h * 3600 + m * 60 + s


def log(msg: str) -> None:
    print(f"load: {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str, quiet: bool = True) -> str:
    """Run manage.py with the production environment; stop the run on failure."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"load: manage.py {' '.join(args[:2])} failed")
    if not quiet:
        log(f"manage.py {' '.join(args)} ({time.perf_counter() - started:.1f} s)")
    return done.stdout


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc (gunicorn and Celery fork their own workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            left.add(pid)
    return left


def wait_healthy(url: str, honcho: subprocess.Popen, honcho_log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if honcho.poll() is not None:
            sys.stderr.write("".join(honcho_log.read_text(errors="replace").splitlines(keepends=True)[-30:]))
            raise SystemExit("load: the Procfile's processes stopped before the site answered (honcho's log above)")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"load: {url} did not answer 200 within {timeout:.0f} s")


def stop(honcho: subprocess.Popen, tree: set[int]) -> None:
    """SIGTERM honcho (it stops its process groups), then make sure nothing it started is left."""
    tree |= descendants(honcho.pid)  # before honcho goes: orphans are no longer found under it
    if honcho.poll() is None:
        honcho.send_signal(signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            honcho.kill()
            honcho.wait()
    deadline = time.monotonic() + 10
    while alive(tree) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in alive(tree):
        log(f"process {pid} outlived honcho: killing it")
        os.kill(pid, signal.SIGKILL)
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False).stdout
    left = [line for line in ps.splitlines()[1:] if int(line.split()[0]) in alive(tree)]
    log("stopped: no gunicorn or Celery process of this run is left" if not left else f"STILL RUNNING: {left}")


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile, the way load-testing tools report them."""
    if not sorted_ms:
        return 0.0
    k = max(0, min(len(sorted_ms) - 1, round(p / 100 * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[k]


def table(samples: list[dict], seconds: float) -> tuple[str, float]:
    """One line per endpoint, per group and overall; returns the text and the overall p95."""
    by_name: dict[str, list[dict]] = {}
    for sample in samples:
        by_name.setdefault(sample["name"], []).append(sample)
    columns = ("reqs", "req/s", "p50", "p95", "p99", "max")
    head = f"{'endpoint (times in ms)':<56}" + "".join(f" {h:>5}" for h in columns) + " errors"

    def line(label: str, rows: list[dict]) -> str:
        ms = sorted(r["ms"] for r in rows)
        errors = sum(1 for r in rows if r["error"])
        # Logins happen before the window: a rate over it would mean nothing.
        rate = "-" if label.strip().startswith("login") else f"{len(rows) / seconds:.1f}"
        return (
            f"{label:<56} {len(rows):>5} {rate:>5} {percentile(ms, 50):>5.0f} "
            f"{percentile(ms, 95):>5.0f} {percentile(ms, 99):>5.0f} {(ms[-1] if ms else 0):>5.0f} {errors:>6}"
        )

    out = [head, "-" * len(head)]
    groups = ["member", "pair", "committee", "login"]
    for group in groups:
        names = sorted(n for n in by_name if n.split()[0] == group)
        if not names:
            continue
        for name in names:
            out.append(line("  " + name, by_name[name]))
        out.append(line(f"{group} (all)", [sample for n in names for sample in by_name[n]]))
        out.append("")
    measured = [s for s in samples if s["name"].split()[0] != "login"]
    out.append(line("ALL but logins (the target)", measured))
    ms = sorted(s["ms"] for s in measured)
    return "\n".join(out), percentile(ms, 95)


def machine() -> str:
    model = "unknown CPU"
    for row in Path("/proc/cpuinfo").read_text().splitlines():
        if row.startswith("model name"):
            model = row.split(":", 1)[1].strip()
            break
    return (
        f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )


def load_average() -> str:
    return " / ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS") or 50))
    parser.add_argument("--time", default=os.environ.get("LOAD_TIME") or "2m", help="measured window, e.g. 2m or 20s")
    # How fast volunteers arrive and log in, before the measured window.
    parser.add_argument("--spawn-rate", type=float, default=float(os.environ.get("LOAD_SPAWN_RATE") or 5))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, Locust CSV)")
    args = parser.parse_args()
    seconds = seconds_of(args.time)
    if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
        raise SystemExit("load: run me through scripts/with-services.sh (PostgreSQL and Redis), e.g. `make load`.")
    if not (BIN / "locust").exists() or not (BIN / "honcho").exists():
        raise SystemExit("load: locust and honcho are missing: `make load` installs requirements-load.txt.")

    work = Path(tempfile.mkdtemp(prefix="arla-load."))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Production settings, but plain HTTP: there is no TLS proxy on loopback.
    app_env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": base,
        "SITE_URL": base,
        "BEHIND_PROXY": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ["REDIS_URL"],
        # The worker "sends" to its own output, i.e. the log in the temporary folder: no SMTP server needed.
        "EMAIL_URL": "consolemail://",
        "MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "INFO",
        "PORT": str(port),
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY") or "3",
        "BEAT_SCHEDULE": str(work / "celerybeat-schedule"),
        # gunicorn's control socket defaults to one per home folder: keep this run's apart.
        "GUNICORN_CMD_ARGS": f"--control-socket {work / 'gunicorn.ctl'}",
    }
    # Quoted: honcho's .env reader drops the spaces of an unquoted value.
    (work / "load.env").write_text("".join(f'{k}="{v}"\n' for k, v in app_env.items()))
    env = {**os.environ, **app_env, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    honcho: subprocess.Popen | None = None
    tree: set[int] = set()
    status = 1
    try:
        log(f"machine: {machine()}; load average {load_average()}")
        log(f"temporary folder {work}")
        manage(env, "migrate", "--noinput", quiet=False)
        manage(env, "collectstatic", "--noinput", quiet=False)
        manage(env, "seed_demo", "--members", str(MEMBERS), quiet=False)
        # Enough pairs that every simulated mentor or mentee has a login of their own.
        manage(env, "seed_demo_pairs", "--pairs", str(max(20, args.users)), quiet=False)
        # Fresh tables have no planner statistics; a live database has them (autovacuum).
        analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
        manage(env, "shell", "--no-imports", "-c", analyze)
        script = ACCOUNTS_SCRIPT.replace("NEED", str(args.users))
        accounts = json.loads(manage(env, "shell", "--no-imports", "-c", script))
        need = {k: -(-args.users * w // sum(SHARES.values())) for k, w in SHARES.items()}
        # The committee of the demo is one login; add demo members to it, the way a site admin would.
        accounts["committee"] = accounts["committee"][: need["committee"]]
        if extra := accounts["committee"][1:]:
            manage(env, "committee", "add", *extra, quiet=False)
        for kind, n in need.items():
            if len(accounts[kind]) < n:
                raise SystemExit(f"load: only {len(accounts[kind])} {kind} logins for {n} simulated users")
        (work / "accounts.json").write_text(json.dumps(accounts))

        # A session of its own: Ctrl-C reaches this script, which then stops honcho in order.
        with (work / "honcho.log").open("w") as honcho_log:
            honcho = subprocess.Popen(
                [BIN / "honcho", "start", "--no-colour", "-f", ROOT / "Procfile", "-e", work / "load.env"],
                cwd=ROOT,
                env=env,
                stdout=honcho_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        log(f"honcho started (pid {honcho.pid}): web, worker, beat; waiting for {base}/health/")
        wait_healthy(f"{base}/health/", honcho, work / "honcho.log")
        time.sleep(2)  # let the worker and beat finish starting: their first lines go to the log
        tree = descendants(honcho.pid)
        web_pids = [pid for pid in tree if "gunicorn" in command_of(pid)]
        samples_file = work / "samples.json"
        log(f"locust: {args.users} users log in ({args.spawn_rate}/s), then {seconds:.0f} s measured")
        since = dt.datetime.now(dt.UTC).isoformat()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust = subprocess.run(
            [
                *(str(BIN / "locust"), "-f", str(ROOT / "scripts" / "locustfile.py"), "--headless"),
                *("--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--host", base),
                # The locustfile quits at the end of the measured window; this is only a safety net.
                *("--run-time", f"{seconds + 300:.0f}s", "--stop-timeout", "10"),
                *("--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING"),
            ],
            cwd=ROOT,
            env={
                **env,
                "LOAD_ACCOUNTS": str(work / "accounts.json"),
                "LOAD_SAMPLES": str(samples_file),
                "LOAD_SECONDS": str(seconds),
                "LOAD_WEB_PIDS": ",".join(map(str, web_pids)),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        (work / "locust.log").write_text(locust.stdout + locust.stderr)
        if not samples_file.exists():
            sys.stderr.write(locust.stdout[-3000:] + locust.stderr[-3000:])
            raise SystemExit("load: Locust wrote no samples")
        run = json.loads(samples_file.read_text())
        load_at_end = load_average()
        if not run["started"]:
            raise SystemExit("load: not every volunteer got past the login; see the Locust log")
        window = run["ended"] - run["started"]
        samples = [s for s in run["samples"] if s["name"].startswith("login ") or s["at"] >= run["started"]]

        # The worker sends the introductions of the pairs made during the run; give it a moment.
        for _ in range(30):
            outbox = json.loads(manage(env, "shell", "--no-imports", "-c", OUTBOX_SCRIPT.format(since=since)))
            if not outbox.get("pending"):
                break
            time.sleep(1)
        text, p95 = table(samples, window)
        errors = [s for s in run["samples"] if s["error"]]
        print()
        print(
            f"make load — {args.users} volunteers signed in, measured for {window:.0f} s "
            f"after {run['warmup']} s of warm-up"
        )
        print(f"machine: {machine()}")
        print(f"load average at the end (1/5/15 min): {load_at_end}")
        print(f"gunicorn {app_env['WEB_CONCURRENCY']} sync workers, Celery worker and beat, PostgreSQL, Redis")
        measured = sum(1 for s in samples if not s["name"].startswith("login "))
        busy = run["machine_busy"] / (run["machine_busy"] + run["machine_idle"] or 1)
        print(
            f"during the window: the machine's CPUs {busy:.0%} busy (everything on it, this run included); "
            f"gunicorn used {run['web_cpu']:.1f} CPU s, {1000 * run['web_cpu'] / (measured or 1):.1f} ms a request"
        )
        print(f"the load generator (Locust, logins included) used {locust_cpu:.1f} CPU s of the same cores")
        print()
        print(text)
        print()
        print(
            "outbox emails written during the run: "
            + (", ".join(f"{n} {state}" for state, n in sorted(outbox.items())) or "none")
        )
        honcho_text = (work / "honcho.log").read_text(errors="replace")
        worker_ok = "ready." in honcho_text
        beat_ok = "beat: Starting" in honcho_text
        print(f"celery worker ready: {'yes' if worker_ok else 'NO'}; celery beat started: {'yes' if beat_ok else 'NO'}")
        ok_p95, ok_errors = p95 <= P95_TARGET_MS, not errors
        ok_services = worker_ok and beat_ok and not outbox.get("pending") and honcho.poll() is None
        print()
        print(f"target p95 <= {P95_TARGET_MS:.0f} ms (all but logins): {p95:.0f} ms — {'met' if ok_p95 else 'MISSED'}")
        print(f"target 0 errors (logins included): {len(errors)} — {'met' if ok_errors else 'MISSED'}")
        if not ok_services:
            print("the worker, beat or outbox did not behave: see the honcho log")
        for what, n in Counter(f"{s['name']}: {s['error']}" for s in errors).most_common(20):
            print(f"  {n:>5} × {what}")
        status = 0 if ok_p95 and ok_errors and ok_services else 1
        if status:
            args.keep = True
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    except BaseException:
        args.keep = True
        raise
    finally:
        if honcho is not None:
            stop(honcho, tree)
        if args.keep:
            log(f"logs and Locust's CSV kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("verdict:", "PASS" if status == 0 else "FAIL")
    return status


if __name__ == "__main__":
    sys.exit(main())
