"""`make audit` (scripts/audit.py): what PyPI says about a version we install becomes a
finding, a line of information, or "not checked" — never a silent pass. No network:
PyPI's answers are written here as the JSON API gives them."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit.py"


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("audit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def project(newest: str, releases: dict[str, dict] | None = None, vulnerabilities: list | None = None) -> dict:
    """PyPI's answer for a project: each release's files (one, with its yanked flag), the advisories."""
    releases = releases or {newest: {}}
    return {
        "info": {"version": newest},
        "releases": {
            v: [{"yanked": f.get("yanked", False), "yanked_reason": f.get("reason")}] for v, f in releases.items()
        },
        "vulnerabilities": vulnerabilities or [],
    }


ADVISORY = {
    "id": "GHSA-aaaa-bbbb-cccc",
    "aliases": ["CVE-2026-0001"],
    "fixed_in": [],
    "link": "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc",
    "withdrawn": None,
}


def test_a_published_advisory_for_the_version_we_install_is_a_finding_with_its_names(audit):
    verdict = audit.judge(
        audit.Package("Django", "6.1.3", "requirements.txt"), project("6.1.3", vulnerabilities=[ADVISORY])
    )

    [finding] = verdict.findings()
    assert finding.startswith("known advisory GHSA-aaaa-bbbb-cccc, CVE-2026-0001 (fixed in: no fixed release yet)")


def test_a_withdrawn_advisory_is_not_a_finding(audit):
    withdrawn = {**ADVISORY, "withdrawn": "2026-11-01T00:00:00Z"}

    verdict = audit.judge(
        audit.Package("Django", "6.1.3", "requirements.txt"), project("6.1.3", vulnerabilities=[withdrawn])
    )

    assert verdict.findings() == []


def test_an_accepted_advisory_is_listed_with_the_reason_not_a_finding(audit, monkeypatch):
    monkeypatch.setitem(audit.ACCEPTED, "GHSA-aaaa-bbbb-cccc", "concerns the IdP, which the site does not install")

    verdict = audit.judge(
        audit.Package("Django", "6.1.3", "requirements.txt"), project("6.1.3", vulnerabilities=[ADVISORY])
    )

    assert verdict.findings() == []
    assert "accepted: GHSA-aaaa-bbbb-cccc: concerns the IdP" in verdict.status()


def test_a_yanked_version_is_a_finding_with_the_reason(audit):
    releases = {"2.32.0": {"yanked": True, "reason": "Yanked due to conflicts with CVE-2024-35195 mitigation"}}
    releases["2.32.3"] = {}

    verdict = audit.judge(audit.Package("requests", "2.32.0"), project("2.32.3", releases))

    assert verdict.findings() == ["version 2.32.0 was yanked: Yanked due to conflicts with CVE-2024-35195 mitigation"]


def test_a_production_pin_behind_a_patch_release_is_a_finding_a_test_tools_is_information(audit):
    releases = {"6.1.3": {}, "6.1.4": {}, "6.2a1": {}}
    django = audit.judge(audit.Package("Django", "6.1.3", "requirements.txt"), project("6.1.4", releases))
    pytest_ = audit.judge(audit.Package("pytest", "6.1.3", "requirements-dev.txt"), project("6.1.4", releases))

    assert django.findings() == ["take 6.1.4 (a patch release of the pinned line)"]
    assert pytest_.findings() == [] and "6.1.4 is out in its line" in pytest_.status()


def test_a_newer_line_is_information_and_its_advisories_are_not_ours(audit):
    # django-allauth 65.22.1 next to our 65.21.1: a minor release, and PyPI's advisories describe it, not ours.
    releases = {"65.21.1": {}, "65.22.1": {}}

    verdict = audit.judge(
        audit.Package("django-allauth", "65.21.1", "requirements.txt"),
        project("65.22.1", releases, vulnerabilities=[ADVISORY]),
    )

    assert verdict.findings() == []
    assert "65.22.1 is a newer line (advisories not checked)" in verdict.status()


def test_a_finding_fails_the_audit_and_is_named_information_does_not(audit, capsys):
    behind = audit.judge(
        audit.Package("celery", "5.7.0", "requirements-load.txt"), project("5.7.1", {"5.7.0": {}, "5.7.1": {}})
    )
    vulnerable = audit.judge(
        audit.Package("gunicorn", "27.0.1", "requirements.txt"), project("27.0.1", vulnerabilities=[ADVISORY])
    )

    assert audit.report([behind]) == 0
    assert audit.report([behind, vulnerable]) == 1
    assert "audit: gunicorn 27.0.1: known advisory GHSA-aaaa-bbbb-cccc" in capsys.readouterr().out


def test_a_registry_that_does_not_answer_leaves_packages_not_checked_never_passed(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit, "PYPI", "http://127.0.0.1:9/pypi")  # the discard port: connection refused

    verdicts = audit.audit([audit.Package("Django", "6.1.3", "requirements.txt")])

    assert verdicts[0].error and "not checked" in verdicts[0].status()
    assert audit.report(verdicts) == 2
    assert "could not check every package: run it again later" in capsys.readouterr().out


def test_the_pins_are_read_from_the_three_requirements_files(audit):
    pins = audit.pins()

    assert pins["django"] == ("6.1.3", "requirements.txt")
    assert pins["tablib"][1] == "requirements.txt"  # tablib[xlsx]: the extra is not part of the name
    assert pins["pytest"][1] == "requirements-dev.txt" and pins["locust"][1] == "requirements-load.txt"
