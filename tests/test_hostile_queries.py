"""Hostile text in the address bar and in members' own words: the GET searches and the
Excel exports, which the form fuzzing (tests/test_fuzz.py, POST only) does not reach.
Each case was a server error, a broken file or a page that ran the address as HTML,
found in review.

GET_PARAMS lists every parameter each page reads from its address; every one of them is
sent the hostile values below, and a test fails when a page reads one not listed."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import exports
from matching.services import proposal as proposals
from members.models import SEARCH_WORDS, Role, search_words
from pairs.models import Pair

from . import test_authorization as authorization
from .factories import EnrollmentFactory, PairFactory, UserFactory
from .test_matching import big_draft

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("pairs:pair-mine", "q"),
        ("pairs:pair-list", "q"),
        ("pairs:orientation", "q"),
        ("matching:pair-create", "mentee_q"),
        ("matching:pair-create", "mentor_q"),
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
        reverse("matching:pair-create"), {"cycle": cycle.pk, "mentee": choice, "mentor": choice}
    )

    assert response.status_code == 200
    assert "Find the mentee" in response.content.decode()


def test_the_excel_export_of_text_with_unicode_noncharacters_still_opens(cycle):
    EnrollmentFactory(cycle=cycle, job_title="Librarian\uffff", goals="grow\ufffe and learn")

    book = openpyxl.load_workbook(io.BytesIO(exports.export_file(cycle, "enrollments", "xlsx")))

    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Librarian" in cells and "grow and learn" in cells


# --- Every GET parameter of the site, sent hostile values ---------------------------------------

# What each page reads from its address, by URL name. allauth's pages read `next` (where
# to go afterwards); its signup page also takes the email address to fill in.
GET_PARAMS: dict[str, tuple[str, ...]] = {
    "members:enrollment-create": ("role",),
    "members:enrollment-list": ("cycle", "q", "role", "status", "sort", "page"),
    "members:resource-list": ("q", "tag", "page"),
    "members:resource-review": ("page",),
    "matching:dashboard": ("q", "library_type", "region", "category", "sort", "page", "offers", "offers_page"),
    "matching:suggestions": ("more", "left_out"),
    "matching:proposal": ("q", "page", "left"),
    "matching:pair-create": ("cycle", "mentee", "mentor", "mentee_q", "mentor_q"),
    "pairs:pair-list": ("cycle", "q", "status", "page"),
    "pairs:pair-mine": ("q", "page"),
    "outbox:email-list": ("state", "page", "q", "kind"),
    "outbox:template-edit": ("cycle",),
    "outbox:template-restore": ("cycle",),
    "pairs:evaluation-summary": ("cycle",),
    "pairs:survey-list": ("cycle",),
    "pairs:orientation": ("cycle", "q", "page", "show"),
    "pairs:topic-list": ("cycle",),
    "pairs:topic-create": ("cycle", "month"),
    "pairs:certificate-verify": ("code",),
    **{name: ("next",) for name in authorization.TABLE if name.startswith("account_")},
    "account_signup": ("next", "email"),
}

# Every value marks the elements it would make `data-hostile`: none may reach the page as markup.
HOSTILE_VALUES = [
    # Issue 10: a page-wide invisible button in the form that carries the CSRF token...
    '"><button data-hostile formaction="/pairs/1/end/" style="position:fixed;inset:0;opacity:0">x</button>',
    # ...and a page that leaves by itself.
    '<meta data-hostile http-equiv="refresh" content="0;url=https://evil.example/">',
    "</title></textarea></script><script data-hostile>alert(1)</script>",
    "' data-hostile-attr='x",
    '" data-hostile-attr="x',
    NUL,
    "²",
    "-1",
    str(10**20),
]


def markup_from_the_address(html: str) -> list[str]:
    """Elements or attributes a hostile value would have made."""
    return re.findall(r"<[a-z]+ data-hostile[^>]*>|data-hostile-attr=[\"\']", html)


def reader(name: str) -> str:
    """Who opens the page: P's liaison for the committee's pages (their own pairs are listed
    too), P's mentee for members' pages, a visitor for signing in and up."""
    row = dict(zip(authorization.ROLES, authorization.TABLE[name], strict=True))
    return next((role for role in ("liaison", "mentee", "visitor") if row[role] == authorization.OK), "liaison")


# The personas and the pair P of the authorization table, signed in once, and the same URL arguments.
world = authorization.world
client_for = authorization.client_for


@pytest.fixture(scope="module")
def site(world, django_db_blocker):
    """test_authorization's world, with a waiting mentor and a draft proposal: the proposal
    page reads its search and pages only when there is a draft. Added once for the module,
    inside the world's transaction (rolled back with it)."""
    with django_db_blocker.unblock():
        EnrollmentFactory(cycle=world.cycle, role=Role.MENTOR, member=UserFactory(seasoned=True))
        proposals.proposal_solve(cycle=world.cycle, by=world.personas["committee"])
        connection.check_constraints()  # once, not after every case (as the world's own)
    return world


def url_of(name: str, w) -> str:
    return reverse(name, kwargs=authorization.ARGS[name](w) if name in authorization.ARGS else None)


# A sweep of ~1,500 requests, the GET side of tests/test_fuzz.py: in the slow lane with it
# (`make test` runs it; `make test-fast` keeps the cases above and the check of the lists
# against the source below).
@pytest.mark.slow
@pytest.mark.parametrize("name", GET_PARAMS)
def test_every_get_parameter_answers_hostile_values_as_text_never_a_server_error(client_for, site, name):
    client = client_for(site.personas[reader(name)])
    client.raise_request_exception = False  # a server error is an answer: 500, with the query that caused it
    url = url_of(name, site)
    requests = [{key: value} for key in GET_PARAMS[name] for value in HOSTILE_VALUES]
    # Parameters no page reads, with hostile names: {% querystring %} writes them into links.
    requests.append({value: value for value in HOSTILE_VALUES[:5]})

    for query in requests:
        response = client.get(url, query)

        what = f"GET {url} {query}"
        assert response.status_code < 500, what
        if response.get("Content-Type", "").startswith("text/html"):
            assert markup_from_the_address(response.content.decode()) == [], what


class ReadsNoted(QueryDict):
    """request.GET that notes each parameter a page asks for by name."""

    def __init__(self, *args, **kwargs):
        self.reads: set[str] = set()
        super().__init__(*args, **kwargs)

    def __getitem__(self, key):
        self.reads.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.reads.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.reads.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self.reads.add(key)
        return super().__contains__(key)

    def copy(self):
        # {% querystring %} copies the whole query to write its links: no page reading a parameter.
        return QueryDict(self.urlencode(), mutable=True)


READS: set[tuple[str, str]] = set()


def note_get_reads(get_response):
    """A middleware: which page read which parameter, into READS."""

    def middleware(request):
        request.GET = noted = ReadsNoted(request.META.get("QUERY_STRING", ""))
        response = get_response(request)
        name = request.resolver_match.view_name if request.resolver_match else ""
        READS.update((name, key) for key in noted.reads)
        return response

    return middleware


# The sweep's own check (every page × three roles, ~350 requests): in the slow lane with it.
@pytest.mark.slow
def test_every_get_parameter_a_page_reads_is_listed(client_for, site, settings):
    """A page that starts reading a new parameter gets a row above: otherwise nobody has sent it hostile values."""
    settings.MIDDLEWARE = [f"{__name__}.note_get_reads", *settings.MIDDLEWARE]
    READS.clear()
    for name in authorization.TABLE:
        query = dict.fromkeys(GET_PARAMS.get(name, ()), "1")
        for role in ("liaison", "mentee", "visitor"):
            client_for(site.personas[role]).get(url_of(name, site), query)

    unlisted = sorted((name, key) for name, key in READS if key not in GET_PARAMS.get(name, ()))
    assert not unlisted, f"Add these (page, parameter) to GET_PARAMS: {unlisted}"
    assert {name for name, _ in READS} >= {"matching:pair-create", "matching:proposal", "account_login"}


def test_every_get_parameter_named_in_the_code_is_listed():
    """The same, read from the source: parameters read only on a path the pages above do not take."""
    base = Path(django_settings.BASE_DIR)
    python = r"""\bGET(?:\.get|\.getlist)?(?:\(|\[)\s*["']([^"']+)["']"""
    named = {
        (str(path.relative_to(base)), key)
        for app in ("arla_mentoring", "outbox", "members", "pairs", "matching")
        for path in (base / app).rglob("*.py")
        for key in re.findall(python, path.read_text())
    }
    named |= {
        (str(path.relative_to(base)), key)
        for path in (base / "templates").rglob("*.html")
        for key in re.findall(r"request\.GET\.(\w+)", path.read_text())
    }
    listed = {key for keys in GET_PARAMS.values() for key in keys}

    assert ("matching/views/pairing.py", "mentee_q") in named
    assert not [(path, key) for path, key in named if key not in listed]
