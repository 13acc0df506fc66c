"""`make audit`: the pinned dependencies against known security advisories, and how current each pin is.

It resolves requirements.txt, requirements-dev.txt and requirements-load.txt as a fresh
install would (`pip install --dry-run --ignore-installed --report`: every package,
the unpinned ones each pin brings in too), asks PyPI's JSON API about each package,
prints one line a package and exits

    0  nothing to do;
    1  a resolved version has a known advisory (not accepted below), or was yanked,
       or a pin of requirements.txt (what production runs) is behind a patch release
       of its own line;
    2  it could not check: the registry did not answer, or pip could not resolve.

What it can see, and why it is built this way (facts seen on this machine and CI's,
whose network reaches the package registries only):

- pip-audit's PyPI service asks https://pypi.org/pypi/NAME/VERSION/json, which answers
  404 here: pip-audit then says "No known vulnerabilities found", exits 0 and lists
  every package as "could not be audited" (requests 2.31.0, with two published
  advisories, passed). Its OSV service and every other advisory API are unreachable.
  No maintained package on PyPI ships the advisory database itself.
- https://pypi.org/pypi/NAME/json answers, with a "vulnerabilities" list (from OSV)
  for the project's newest release only, and each release's "yanked" flag and reason.

So advisories are known exactly for the packages at their newest release; for a
package behind it, the newest release of its line is what carries the fixes, and
the audit says how far behind each one is. Keeping every pin at the newest patch
release of its line is what makes the advisory check cover it: a pin behind one is a
finding for what production runs, and information for the test and load tools.

Why `make test` (and so CI) does not run it: its verdict depends on the day, not on
the commit — a release or an advisory published upstream turns it red, and where it
sees an advisory (the newest release) no fixed release exists yet, so a gate would
stop every submission with nothing to do but wait; a registry outage must not fail
CI either; and it costs 15-25 s of network. `make test` runs its logic's tests
(tests/test_audit.py, no network); run `make audit` before a release and when
bumping a pin (README, "Dependencies").
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt", "requirements-load.txt"]
RUNTIME = "requirements.txt"
PYPI = os.environ.get("AUDIT_PYPI_URL", "https://pypi.org/pypi")
# Seconds: one request (the registry answers in well under one), and all of them. A
# registry that does not answer costs at most a few minutes, then "not checked".
TIMEOUT = 10
DEADLINE = 120

# Advisories accepted for now, by id: why, and until when to look again. An advisory
# with no fixed release yet, that does not concern how this site uses the package.
ACCEPTED: dict[str, str] = {}


@dataclass
class Package:
    name: str
    version: str
    pinned_in: str = ""  # the requirements file that pins it; "" when a pin brought it in


@dataclass
class Verdict:
    package: Package
    newest: str = ""
    newest_in_line: str = ""
    advisories: list[str] = field(default_factory=list)  # not accepted
    accepted: list[str] = field(default_factory=list)
    yanked: str = ""  # the reason, or "yanked"
    error: str = ""

    @property
    def at_newest(self) -> bool:
        return self.newest == self.package.version

    @property
    def behind_patch(self) -> bool:
        return bool(self.newest_in_line) and _version(self.newest_in_line) > _version(self.package.version)

    def findings(self) -> list[str]:
        """What needs doing, in words; empty when nothing does."""
        found = [f"known advisory {a}" for a in self.advisories]
        if self.yanked:
            found.append(f"version {self.package.version} was yanked: {self.yanked}")
        if self.behind_patch and self.package.pinned_in == RUNTIME:
            found.append(f"take {self.newest_in_line} (a patch release of the pinned line)")
        return found

    def status(self) -> str:
        if self.error:
            return f"not checked: {self.error}"
        notes = []
        if self.at_newest:
            notes.append("newest release, no known advisory" if not self.advisories else "newest release")
        elif self.behind_patch:
            notes.append(f"{self.newest_in_line} is out in its line")
        else:
            notes.append(f"newest of its line; {self.newest} is a newer line (advisories not checked)")
        if self.accepted:
            notes.append("accepted: " + ", ".join(self.accepted))
        return "; ".join(notes)


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")


def _line(version: Version) -> tuple[int, ...]:
    return version.release[:2]


def pins() -> dict[str, tuple[str, str]]:
    """Each pinned package: its version and the file that pins it."""
    found = {}
    for name in REQUIREMENTS:
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if "==" in line and not line.startswith("-"):
                package, version = line.split("==", 1)
                found[canonicalize_name(package.split("[", 1)[0])] = (version.strip(), name)
    return found


def resolve(python: str) -> list[Package]:
    """Every package a fresh install of the three files brings, at the version it brings."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
        args += ["--disable-pip-version-check", "--timeout", str(TIMEOUT), "--retries", "1", "--report", str(report)]
        for name in REQUIREMENTS:
            args += ["-r", str(ROOT / name)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=3 * DEADLINE)
        if done.returncode != 0:
            raise RuntimeError(f"pip could not resolve the requirements: {done.stderr.strip()[-500:]}")
        installs = json.loads(report.read_text())["install"]
    pinned = pins()
    return sorted(
        (
            Package(
                i["metadata"]["name"],
                i["metadata"]["version"],
                pinned.get(canonicalize_name(i["metadata"]["name"]), ("", ""))[1],
            )
            for i in installs
        ),
        key=lambda p: canonicalize_name(p.name),
    )


def fetch(name: str) -> dict:
    url = f"{PYPI}/{canonicalize_name(name)}/json"
    last = None
    for _ in range(2):  # a dropped connection is retried; a 404 is an answer
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{url} answered {e.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            last = e
    raise RuntimeError(f"{url}: {getattr(last, 'reason', last)}")


def judge(package: Package, project: dict) -> Verdict:
    """What PyPI's answer about the project says about the version we install."""
    verdict = Verdict(package, newest=project["info"]["version"])
    ours = _version(package.version)
    releases = project.get("releases", {})
    files = releases.get(package.version, [])
    if files and all(f.get("yanked") for f in files):
        verdict.yanked = next((f["yanked_reason"] for f in files if f.get("yanked_reason")), "") or "yanked"
    line = [
        v
        for text, files in releases.items()
        if files
        and not all(f.get("yanked") for f in files)
        and not (v := _version(text)).is_prerelease
        and _line(v) == _line(ours)
    ]
    verdict.newest_in_line = str(max(line)) if line else ""
    if verdict.at_newest:
        for advisory in project.get("vulnerabilities") or []:
            if advisory.get("withdrawn"):
                continue
            name = ", ".join([advisory["id"], *advisory.get("aliases", [])])
            fixed = ", ".join(advisory.get("fixed_in") or []) or "no fixed release yet"
            text = f"{name} (fixed in: {fixed}) {advisory.get('link', '')}".strip()
            if advisory["id"] in ACCEPTED:
                verdict.accepted.append(f"{advisory['id']}: {ACCEPTED[advisory['id']]}")
            else:
                verdict.advisories.append(text)
    return verdict


def audit(packages: list[Package]) -> list[Verdict]:
    def one(package: Package) -> Verdict:
        try:
            return judge(package, fetch(package.name))
        except (RuntimeError, KeyError, ValueError) as e:
            return Verdict(package, error=str(e))

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
    futures = [pool.submit(one, p) for p in packages]
    concurrent.futures.wait(futures, timeout=DEADLINE)
    pool.shutdown(wait=False, cancel_futures=True)
    return [
        f.result() if f.done() and not f.cancelled() else Verdict(p, error=f"no answer within {DEADLINE} s")
        for p, f in zip(packages, futures, strict=True)
    ]


def report(verdicts: list[Verdict]) -> int:
    rows = [("package", "version", "pinned in", "status")]
    rows += [(v.package.name, v.package.version, v.package.pinned_in or "—", v.status()) for v in verdicts]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print("  ".join(text.ljust(w) for text, w in zip(r, widths, strict=False)) + "  " + r[3])
    print()
    findings = [(v, f) for v in verdicts for f in v.findings()]
    for v, finding in findings:
        print(f"audit: {v.package.name} {v.package.version}: {finding}")
    unchecked = [v for v in verdicts if v.error]
    behind = [v for v in verdicts if not v.error and not v.at_newest]
    print(
        f"audit: {len(verdicts)} packages; {len(findings)} finding{'s' if len(findings) != 1 else ''}; "
        f"{len(behind)} not at their newest release (PyPI lists advisories for the newest release only); "
        f"{len(unchecked)} not checked."
    )
    if findings:
        return 1
    if unchecked:
        print("audit: could not check every package: run it again later.")
        return 2
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose pip resolves")
    args = parser.parse_args()
    try:
        packages = resolve(args.python)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"audit: {e}", file=sys.stderr)
        return 2
    print(f"audit: {len(packages)} packages from {', '.join(REQUIREMENTS)}, asking {PYPI}")
    return report(audit(packages))


if __name__ == "__main__":
    sys.exit(main())
