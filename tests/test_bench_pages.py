"""`make bench` times every page of the site: no page escapes it unnoticed.

scripts/bench.py refuses to run when a URL name has neither a page row nor a stated
reason, or when a row has no category (and so no target); these tests say so before
anyone waits for a bench run.
"""

import csv
import importlib.util
import io
import sys
import types
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from .factories import PairFactory

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
    pages = [
        bench.Page("members:program", "visitor", bench.FIXED),
        bench.Page("admin:index", "site_admin", bench.FIXED),
    ]

    assert bench.missing_pages(names, pages, {}) == (["members:brand-new"], [])


def test_a_new_admin_changelist_needs_a_row_other_admin_pages_do_not(bench):
    names = {"admin:index", "admin:pairs_goal_changelist", "admin:pairs_goal_change", "admin:login"}
    pages = [bench.Page("admin:index", "site_admin", bench.FIXED)]

    assert bench.missing_pages(names, pages, {}) == (["admin:pairs_goal_changelist"], [])


def test_a_row_or_reason_for_a_url_the_site_no_longer_has_is_reported(bench):
    names = {"members:program"}
    pages = [bench.Page("members:program", "visitor", bench.FIXED), bench.Page("members:gone", "member", bench.FIXED)]

    assert bench.missing_pages(names, pages, {"pairs:gone-too": "POST only"}) == (
        [],
        ["members:gone", "pairs:gone-too"],
    )


def test_every_page_row_has_exactly_one_category_with_a_target(bench):
    pages = bench.site_pages({"admin:index", "admin:pairs_pair_changelist", "admin:pairs_pair_change"})

    assert {page.category.key for page in pages} == set(bench.CATEGORIES)
    assert all(page.category in bench.CATEGORIES.values() for page in pages)


@pytest.mark.parametrize("category", [None, "fixed", object()], ids=["none", "a-name", "unknown"])
def test_a_page_row_without_a_category_stops_the_bench(bench, category):
    with pytest.raises(bench.PageWithoutCategory, match="has no category"):
        bench.Page("members:program", "visitor", category)


def test_a_page_row_without_a_category_argument_cannot_be_written(bench):
    with pytest.raises(TypeError):
        bench.Page("members:program", "visitor")


def test_the_downloads_are_measured_against_postgresql_and_openpyxl_the_rest_against_the_layout(bench):
    pages = bench.site_pages(set())
    exports = [page for page in pages if page.name == "matching:export"]

    assert {page.label.rsplit(".", 1)[1]: page.category for page in exports} == {"csv": bench.CSV, "xlsx": bench.XLSX}
    assert {page.category.baseline for page in pages if page.name != "matching:export"} == {bench.LAYOUT_FLOOR}
    assert (bench.FIXED.ratio, bench.WORKING.ratio, bench.CSV.ratio, bench.XLSX.ratio) == (3, 10, 5, 3)


def test_one_category_alone_is_the_pages_of_that_category(bench):
    args = types.SimpleNamespace(category=["csv"], page=None)

    chosen = bench.selected_pages(bench.site_pages(set()), args)

    assert chosen and {page.category for page in chosen} == {bench.CSV}


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


def export_row(bench, label: str):
    return next(page for page in bench.site_pages(set()) if page.label == label)


@pytest.mark.django_db
def test_the_csv_baseline_is_postgresql_copying_the_exports_own_query(bench, client_for, committee, cycle):
    for _ in range(3):
        PairFactory(cycle=cycle)
    world = types.SimpleNamespace(year=cycle)
    page = export_row(bench, "pairs.csv")
    body = client_for(committee).get(bench.page_url(page, world)).content

    copy, detail = bench.copy_baseline(page, world, body)

    assert detail == "3 rows"
    assert (
        len(list(csv.reader(io.StringIO(copy()))))
        == 3
        == len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1
    )


@pytest.mark.django_db
def test_a_csv_baseline_of_other_rows_than_the_file_stops_the_bench(bench, cycle):
    PairFactory(cycle=cycle)
    world = types.SimpleNamespace(year=cycle)

    with pytest.raises(SystemExit) as stopped:
        bench.copy_baseline(export_row(bench, "pairs.csv"), world, b"pair,mentor\r\n")

    assert stopped.value.code == 2


@pytest.mark.django_db
def test_the_excel_baseline_writes_the_same_cells_as_the_download(bench, client_for, committee, cycle):
    for _ in range(2):
        PairFactory(cycle=cycle)
    world = types.SimpleNamespace(year=cycle)
    page = export_row(bench, "pairs.xlsx")
    body = client_for(committee).get(bench.page_url(page, world)).content

    write, detail = bench.write_only_baseline(page, world)

    def cells(data: bytes) -> list[tuple]:
        return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))

    assert detail == "2 rows × 19 columns"
    assert cells(write()) == cells(body)
