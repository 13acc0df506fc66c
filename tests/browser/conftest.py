"""Playwright on the system Chromium, against pytest-django's live_server.

No browser can be downloaded here, so pytest-playwright is pointed at
/usr/bin/chromium. Screenshots go to artifacts/screenshots/ (git-ignored).
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(pytestconfig):
    # Same as pytest-playwright 0.10's fallback fixture, which is defined on a plugin
    # instance and so raises PytestRemovedIn10Warning under pytest 9.
    return pytestconfig.getoption("--base-url") or None


@pytest.fixture
def site(live_server):
    """site("/me/") is that path on the live server."""
    return lambda path="/": f"{live_server.url}{path}"


def save_shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shot():
    """shot(page, "name") saves a full-page screenshot to artifacts/screenshots/name.png."""
    return save_shot


@pytest.fixture
def log_in(site):
    """log_in(page, user) signs in through the real login form."""

    def _log_in(page: Page, user, password: str = TEST_PASSWORD) -> None:
        page.goto(site("/accounts/login/"))
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password", exact=True).fill(password)
        page.locator("main").get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    return _log_in
