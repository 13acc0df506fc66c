"""The committee archives a test cycle and ends a pair with a reason, in Chromium (issue 15,
item 20): test cycles stayed in every menu; end reasons were free text only."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def both_widths(page: Page, shot, name: str) -> None:
    for size, width in ((PHONE, "390"), (WIDE, "1280")):
        page.set_viewport_size(size)
        shot(page, f"{name}-{width}")


def test_committee_archives_a_test_cycle_out_of_the_menus_and_restores_it(page: Page, site, shot, log_in, committee):
    CycleFactory(name="2026–27")
    CycleFactory(is_open=False, name="Test cycle")

    page.set_viewport_size(WIDE)
    log_in(page, committee)
    page.goto(site("/committee/cycles/"))
    page.get_by_role("link", name="Archive Test cycle").click()
    expect(page.get_by_role("heading", name="Archive the Test cycle cycle?")).to_be_visible()
    both_widths(page, shot, "170-cycle-archive-confirm")
    page.get_by_role("button", name="Archive it").click()

    expect(page.get_by_role("alert")).to_contain_text("The Test cycle cycle is archived: it is in no menu now.")
    archived = page.get_by_role("region", name="Archived cycles")
    expect(archived).to_contain_text("Test cycle")
    both_widths(page, shot, "171-cycles-with-archived")
    page.goto(site("/pairs/"))
    expect(page.get_by_label("Cycle")).not_to_contain_text("Test cycle")

    page.goto(site("/committee/cycles/"))
    page.get_by_role("button", name="Restore Test cycle").click()
    expect(page.get_by_role("alert")).to_contain_text("The Test cycle cycle is restored: it is in the menus again.")


def test_committee_ends_a_pair_with_a_reason_and_program_health_counts_the_reasons(
    page: Page, site, shot, log_in, committee
):
    cycle = CycleFactory()
    pair = PairFactory(
        cycle=cycle,
        liaison=committee,
        mentee=EnrollmentFactory(
            cycle=cycle, status="paired", member=UserFactory(first_name="Mina", last_name="Member")
        ),
    )

    page.set_viewport_size(WIDE)
    log_in(page, committee)
    page.goto(site(f"/pairs/{pair.pk}/end/"))
    page.get_by_label("Workload").check()
    page.get_by_label("In a few words").fill("Her library lost two positions; she has no time this year.")
    both_widths(page, shot, "172-pair-end-reasons")
    page.get_by_role("button", name="End the pair").click()

    expect(page.get_by_text("This pair ended early on")).to_contain_text("workload")
    page.goto(site(f"/matching/{cycle.pk}/health/"))
    ended = page.get_by_role("region", name="Pairs ended early")
    expect(ended).to_contain_text("Why: Workload 1")
    expect(ended).to_contain_text("Her library lost two positions")
    ended.scroll_into_view_if_needed()
    both_widths(page, shot, "173-health-ended-early")
