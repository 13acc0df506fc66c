"""The committee's texts become HTML through one restricted syntax: what a writer types is
never markup, whatever they try."""

from html.parser import HTMLParser

import pytest

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


def test_a_link_written_in_markdown_to_an_ordinary_site_or_an_address_is_kept():
    html = to_html("[the program](https://arlib.example/mentoring/) or [write](mailto:mentoring@arlib.example)")

    assert '<a href="https://arlib.example/mentoring/">the program</a>' in html
    assert '<a href="mailto:mentoring@arlib.example">write</a>' in html
