"""Hostile text in the address bar and in members' own words: the GET searches and the
Excel exports, which the form fuzzing (tests/test_fuzz.py, POST only) does not reach.
Each case was a server error or a broken file found in review."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import exports
from members.models import SEARCH_WORDS, search_words
from pairs.models import Pair

from .factories import EnrollmentFactory, PairFactory
from .test_matching import big_draft

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("pairs:pair-mine", "q"),
        ("pairs:pair-list", "q"),
        ("pairs:orientation", "q"),
        ("pairs:pair-create", "mentee_q"),
        ("pairs:pair-create", "mentor_q"),
        ("members:enrollment-list", "q"),
        ("members:resource-list", "q"),
    ],
)
def test_a_nul_in_a_search_box_is_searched_for_not_a_server_error(client_for, committee, cycle, name, key):
    PairFactory(cycle=cycle, liaison=committee)

    response = client_for(committee).get(reverse(name), {"cycle": cycle.pk, key: NUL})

    assert response.status_code == 200


def test_a_member_searching_their_pairs_with_a_nul_gets_their_page(client_for, member):
    assert client_for(member).get(reverse("pairs:pair-mine"), {"q": "\x00"}).status_code == 200


def test_a_nul_in_the_proposal_and_dashboard_searches_is_not_a_server_error(client_for, committee, cycle):
    big_draft(cycle, committee, pairs=2, unmatched=1)
    client = client_for(committee)

    assert client.get(reverse("matching:proposal", args=[cycle.pk]), {"q": NUL}).status_code == 200
    assert client.get(reverse("matching:dashboard", args=[cycle.pk]), {"q": NUL}).status_code == 200


def test_a_pasted_page_of_words_searches_for_its_first_ten_only():
    """Each word is one more filter: thousands of them kept the database busy for seconds."""
    words = " ".join(f"w{i}" for i in range(2500))

    assert search_words(words) == [f"w{i}" for i in range(SEARCH_WORDS)]
    with CaptureQueriesContext(connection) as ctx:
        list(Pair.objects.search(words))
    assert ctx.captured_queries[0]["sql"].count("LIKE") == 4 * SEARCH_WORDS  # 2 names × 2 sides × 10 words


@pytest.mark.parametrize("choice", ["²", "٣٣", "x", "-1"])
def test_the_pairing_page_with_a_strange_choice_in_the_address_offers_the_usual_lists(
    client_for, committee, cycle, choice
):
    response = client_for(committee).get(
        reverse("pairs:pair-create"), {"cycle": cycle.pk, "mentee": choice, "mentor": choice}
    )

    assert response.status_code == 200
    assert "Find the mentee" in response.content.decode()


def test_the_excel_export_of_text_with_unicode_noncharacters_still_opens(cycle):
    EnrollmentFactory(cycle=cycle, job_title="Librarian\uffff", goals="grow\ufffe and learn")

    book = openpyxl.load_workbook(io.BytesIO(exports.export_file(cycle, "enrollments", "xlsx")))

    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Librarian" in cells and "grow and learn" in cells
