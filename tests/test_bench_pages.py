"""`make bench` times every page of the site: no page escapes it unnoticed.

scripts/bench.py refuses to run when a URL name has neither a page row nor a stated
reason; these tests say so before anyone waits for a bench run.
"""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.urls import reverse

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up by name while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_page_of_the_site_has_a_bench_row_or_a_reason(bench):
    names = bench.site_url_names()
    pages = bench.site_pages({n for n in names if n.startswith("admin:")})

    missing, stale = bench.missing_pages(names, pages, bench.NOT_PAGES)

    assert missing == [], "Add a Page row to scripts/bench.py (or a reason to NOT_PAGES) for these"
    assert stale == [], "These bench rows or reasons name URLs the site no longer has"


def test_a_new_page_without_a_row_stops_the_bench(bench):
    names = {"members:program", "members:brand-new", "admin:index", "admin:members_user_change"}
    pages = [bench.Page("members:program", "visitor"), bench.Page("admin:index", "site_admin")]

    assert bench.missing_pages(names, pages, {}) == (["members:brand-new"], [])


def test_a_new_admin_changelist_needs_a_row_other_admin_pages_do_not(bench):
    names = {"admin:index", "admin:pairs_goal_changelist", "admin:pairs_goal_change", "admin:login"}
    pages = [bench.Page("admin:index", "site_admin")]

    assert bench.missing_pages(names, pages, {}) == (["admin:pairs_goal_changelist"], [])


def test_a_row_or_reason_for_a_url_the_site_no_longer_has_is_reported(bench):
    names = {"members:program"}
    pages = [bench.Page("members:program", "visitor"), bench.Page("members:gone", "member")]

    assert bench.missing_pages(names, pages, {"pairs:gone-too": "POST only"}) == (
        [],
        ["members:gone", "pairs:gone-too"],
    )


@pytest.mark.django_db
def test_the_trivial_view_answers_through_the_site_stack_next_to_every_site_url(bench, client, settings):
    settings.ROOT_URLCONF = bench.bench_urlconf("arla_mentoring.urls")

    response = client.get("/__bench__/trivial/")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert client.get(reverse("members:program")).status_code == 200


@pytest.mark.django_db
def test_the_layout_floor_is_the_site_layout_around_one_query(bench, client_for, committee, settings):
    settings.ROOT_URLCONF = bench.bench_urlconf("arla_mentoring.urls")
    client = client_for(committee)

    page = client.get("/__bench__/layout/").text

    # The layout a committee member sees on every page: the committee's menu and the log-out form.
    assert "ArLA Mentoring" in page and "Program health" in page and 'name="csrfmiddlewaretoken"' in page
    assert client.get(reverse("members:program")).status_code == 200
