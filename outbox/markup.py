"""The committee's own texts — emails, the program pages — as HTML, from the restricted
syntax they are written in: Markdown's plain-text conventions (paragraphs, lists, links,
emphasis, headings). Typing HTML shows it as text; images are off (an email or a page
would fetch them from anywhere); a link's address must be http(s) or mailto.

markdown-it-py (CommonMark, the parser Jupyter and MyST use) with raw HTML disabled, so
nothing needs sanitising afterwards: there is no way to write markup it would keep.

A text is rendered a block at a time (blocks part at blank lines), each block's HTML kept:
a proposal's hundreds of introductions share most of their paragraphs (the program's
orientation, the commitments), and parsing them again was most of the time it took to pair.
The HTML is the same as the whole text's: see `_blocks`.
"""

from __future__ import annotations

import functools
import re

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_ALLOWED_SCHEMES = ("http:", "https:", "mailto:")


def _restricted(*, breaks: bool) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": breaks})
    parser.enable("linkify").disable("image")
    default_validate = parser.validateLink

    def validate_link(url: str) -> bool:
        # markdown-it already refuses javascript:, vbscript:, file: and data:; only the
        # schemes a reader clicks in a letter are kept (relative links stay as written).
        scheme_like = url.split("/", 1)[0]
        if ":" in scheme_like and not url.lower().startswith(_ALLOWED_SCHEMES):
            return False
        return default_validate(url)

    parser.validateLink = validate_link

    def link_open(renderer, tokens, idx, options, env):
        # A link is its address and its words: a title ([a]: https://… "title") would be an
        # attribute nobody asked for, and the texts' HTML carries none but href.
        tokens[idx].attrs.pop("title", None)
        return renderer.renderToken(tokens, idx, options, env)

    parser.add_render_rule("link_open", link_open)
    return parser


_parser = _restricted(breaks=False)
# A letter typed in a box keeps its lines ("Thank you,⏎The committee"): each line break
# of a paragraph is a <br> (what GitHub does in comments), the one difference for emails.
_letter_parser = _restricted(breaks=True)


# What makes a block depend on another across a blank line in CommonMark: a line that
# continues the block above (indented: a list item's text, an indented code block) or
# starts a list item (the list above goes on); a fenced code block, which may hold blank
# lines; a link reference definition ("[label]:", wherever it is, a quote or a list
# included), which links elsewhere may use.
_CONTINUES_ABOVE = re.compile(r"[ \t]|(?:[-+*]|\d{1,9}[.)])(?:[ \t\n]|$)")
_ACROSS_BLOCKS = ("```", "~~~", "]:")
_LINE_ENDS = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def _blocks(text: str) -> list[str]:
    """The text in parts whose HTML, one after the other, is the whole text's: it parts at
    blank lines, but not before a line that may continue the block above, and not at all in a
    text with a fence or a link reference definition."""
    text = _LINE_ENDS.sub("\n", text)  # as the parser reads them
    if any(sign in text for sign in _ACROSS_BLOCKS):
        return [text]
    blocks: list[str] = []
    start = previous_end = 0
    for gap in [*_BLANK_LINES.finditer(text), None]:
        end = gap.start() if gap else len(text)
        part = text[start:end]
        if part.strip():
            if blocks and _CONTINUES_ABOVE.match(part):
                # With the blank lines as they were: an indented code block keeps them.
                blocks[-1] += text[previous_end:end]
            else:
                blocks.append(part)
            previous_end = end
        start = gap.end() if gap else end
    return blocks


@functools.lru_cache(maxsize=4096)
def _block_html(block: str, keep_line_breaks: bool) -> str:
    return (_letter_parser if keep_line_breaks else _parser).render(block)


def to_html(text: str, *, keep_line_breaks: bool = False) -> SafeString:
    """The HTML of a text written in the restricted syntax: safe by construction (every
    character the writer typed is escaped, but for the conventions above).
    `keep_line_breaks`: each line break within a paragraph stays one (emails)."""
    # Raw HTML is off: the parser escapes what was typed.
    return mark_safe("".join(_block_html(block, keep_line_breaks) for block in _blocks(text)))
