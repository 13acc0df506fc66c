"""The committee's texts become HTML through one restricted syntax: what a writer types is
never markup, whatever they try."""

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outbox import markup
from outbox.markup import to_html

ALLOWED_TAGS = {"p", "ul", "ol", "li", "a", "strong", "em", "code", "pre", "blockquote", "br", "hr"} | {
    f"h{n}" for n in range(1, 7)
}


def elements_of(html: str) -> list[tuple[str, dict]]:
    """Every element of `html`, with its attributes, as a browser would read them."""
    found = []

    class Reader(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Reader().feed(html)
    return found


def test_paragraphs_lists_links_and_emphasis_become_html():
    html = to_html("Dear **Mina**,\n\nYour pair:\n\n- one\n- two\n\nSee https://mentoring.example/pairs/3/ now.")

    assert "<p>Dear <strong>Mina</strong>,</p>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<a href="https://mentoring.example/pairs/3/">https://mentoring.example/pairs/3/</a>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="https://evil.example">click</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html,<script>alert(1)</script>)",
        "[click](vbscript:msgbox)",
        "![tracker](https://evil.example/pixel.png)",
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<style>body{display:none}</style><div style="x">',
    ],
)
def test_nothing_typed_becomes_markup_a_script_an_image_or_a_dangerous_link(hostile):
    html = to_html(hostile)

    elements = elements_of(html)
    assert {tag for tag, _ in elements} <= ALLOWED_TAGS, html
    for tag, attrs in elements:
        assert set(attrs) <= ({"href"} if tag == "a" else set()), html
        href = attrs.get("href", "")
        assert not href or href.startswith(("http://", "https://", "mailto:")), html


@pytest.mark.parametrize(
    "text",
    [
        '[the program](https://arlib.example/ "Our program")',
        '[the program]\n\n[the program]: https://arlib.example/ "Our program"',
        # Found by the fuzzing below: a title opened on one line and closed on the next.
        '> [quoted]: https://arlib.example/\n"\n"\n> [quoted]',
    ],
)
def test_a_links_title_is_left_out_its_address_and_words_kept(text):
    html = to_html(text)

    assert '<a href="https://arlib.example/">' in html and "title" not in html


def test_a_link_written_in_markdown_to_an_ordinary_site_or_an_address_is_kept():
    html = to_html("[the program](https://arlib.example/mentoring/) or [write](mailto:mentoring@arlib.example)")

    assert '<a href="https://arlib.example/mentoring/">the program</a>' in html
    assert '<a href="mailto:mentoring@arlib.example">write</a>' in html


# --- A text rendered a block at a time (outbox.markup._blocks) is the whole text's HTML ---------
# The lines below are what makes CommonMark blocks depend on each other across a blank line
# (lists that go on, loose items, indented and fenced code, link references) among ordinary
# paragraphs, headings, quotes and links.
_LINES = [
    "",
    "",
    "Dear Mina,",
    "- one",
    "* two",
    "+ three",
    "1. first",
    "2) second",
    "  continued",
    "    code or a nested line",
    "\tafter a tab",
    "> quoted",
    "# A heading",
    "===",
    "---",
    "```",
    "~~~",
    "[the program]: https://mentoring.example/program/",
    "See [the program] or [this](https://mentoring.example/).",
    "*emphasis* and **strong**, www.example.org and mina@example.org",
    "-",
    "10.",
    "   ",
    "a hard break  ",
    "<div>typed markup</div>",
    " - an indented item",
    "- one\r",
    "\r- two",
    "\r",
    "> [quoted]: https://mentoring.example/",
    "[the",
    "program]: https://mentoring.example/",
    "- ```",
]


@given(st.lists(st.sampled_from(_LINES), max_size=14), st.booleans())
@settings(max_examples=400, deadline=None)
def test_a_text_rendered_a_block_at_a_time_is_the_same_html_as_rendered_whole(lines, keep_line_breaks):
    text = "\n".join(lines)
    whole = (markup._letter_parser if keep_line_breaks else markup._parser).render(text)

    assert to_html(text, keep_line_breaks=keep_line_breaks) == whole


@pytest.mark.django_db
def test_every_shipped_email_with_its_sample_values_is_the_same_html_as_rendered_whole():
    from outbox import kinds
    from outbox.placeholders import fill
    from outbox.rendering import forms_of

    checked = 0
    for kind in kinds.declared():
        values = {**kinds.program_values(), **kind.samples()}
        text = fill(kind.body, forms=forms_of(kind), values=values, markdown=True)
        assert to_html(text, keep_line_breaks=True) == markup._letter_parser.render(text), kind.name
        checked += 1
    assert checked >= 20


_HOSTILE_PIECES = [
    "<script>",
    "</script>",
    "alert(1)",
    "<img src=x onerror=alert(1)>",
    "[a](javascript:x)",
    "<",
    ">",
    '"',
    "&",
]


@given(st.lists(st.sampled_from(_LINES + _HOSTILE_PIECES), max_size=12), st.booleans())
@settings(max_examples=300, deadline=None)
def test_markup_typed_across_blocks_never_becomes_an_element(lines, keep_line_breaks):
    """DESIGN rule 8 for the blocks kept between texts: every block's HTML is the parser's,
    raw HTML off, so markup typed in one block, split over blank lines or met again from the
    cache, is text — and joining blocks' HTML makes no element of their pieces."""
    text = "\n".join(lines)
    for html in (to_html(text, keep_line_breaks=keep_line_breaks), to_html(text, keep_line_breaks=keep_line_breaks)):
        assert {tag for tag, _ in elements_of(html)} <= ALLOWED_TAGS, html
        for tag, attrs in elements_of(html):
            assert set(attrs) <= {"a": {"href"}, "ol": {"start"}}.get(tag, set()), html
            assert not attrs.get("href", "").lower().startswith(("javascript:", "data:")), html
