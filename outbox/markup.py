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

_parser = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable("linkify").disable("image")
_ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
_default_validate = _parser.validateLink


def _validate_link(url: str) -> bool:
    # markdown-it already refuses javascript:, vbscript:, file: and data:; only the
    # schemes a reader clicks in a letter are kept (relative links stay as written).
    scheme_like = url.split("/", 1)[0]
    if ":" in scheme_like and not url.lower().startswith(_ALLOWED_SCHEMES):
        return False
    return _default_validate(url)


_parser.validateLink = _validate_link


def to_html(text: str) -> SafeString:
    """The HTML of a text written in the restricted syntax: safe by construction (every
    character the writer typed is escaped, but for the conventions above)."""
    return mark_safe(_parser.render(text))  # raw HTML is off: the parser escapes what was typed
