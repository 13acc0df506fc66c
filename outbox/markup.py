"""The committee's own texts — emails, the program pages — as HTML, from the restricted
syntax they are written in: Markdown's plain-text conventions (paragraphs, lists, links,
emphasis, headings). Typing HTML shows it as text; images are off (an email or a page
would fetch them from anywhere); a link's address must be http(s) or mailto.

markdown-it-py (CommonMark, the parser Jupyter and MyST use) with raw HTML disabled, so
nothing needs sanitising afterwards: there is no way to write markup it would keep.
"""

from __future__ import annotations

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
    return parser


_parser = _restricted(breaks=False)
# A letter typed in a box keeps its lines ("Thank you,⏎The committee"): each line break
# of a paragraph is a <br> (what GitHub does in comments), the one difference for emails.
_letter_parser = _restricted(breaks=True)


def to_html(text: str, *, keep_line_breaks: bool = False) -> SafeString:
    """The HTML of a text written in the restricted syntax: safe by construction (every
    character the writer typed is escaped, but for the conventions above).
    `keep_line_breaks`: each line break within a paragraph stays one (emails)."""
    parser = _letter_parser if keep_line_breaks else _parser
    return mark_safe(parser.render(text))  # raw HTML is off: the parser escapes what was typed
