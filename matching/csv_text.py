"""The exports' CSV, a column at a time: the text csv.writer writes in its "excel" dialect (the
one tablib and Excel use: commas, double quotes where needed, CRLF), byte for byte.

csv.writer looks at each character of each cell on its own, twice, with a call for each:
most of a large export's time. Here a column is joined and scanned for a comma, a quote or a
line break in C, and only a column that holds one is looked at cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# What makes csv.writer quote a cell (QUOTE_MINIMAL): the delimiter, the quote character and
# the line terminator's characters.
_QUOTED = re.compile(r'[,"\r\n]')


def csv_text(rows: Sequence[Sequence]) -> str:
    """The rows (all of one length) as csv.writer(...).writerows(rows) writes them."""
    columns = [_column(cells) for cells in zip(*rows, strict=True)]
    if not columns:
        return "\r\n" * len(rows)
    if len(columns) == 1:  # a line's only cell, when empty, is written '""' (an empty line is no row)
        columns = [[text or '""' for text in columns[0]]]
    return "\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n"


def _column(cells: Sequence) -> Sequence[str]:
    """A column's cells as csv.writer writes them: a text as it is, None as nothing, anything
    else as str() writes it; quoted, its quotes doubled, when it holds a comma, a quote or a
    line break."""
    try:
        joined = "".join(cells)  # nearly every column of text: no call a cell
        texts = cells
    except TypeError:  # numbers, dates, empty ratings
        texts = [cell if isinstance(cell, str) else "" if cell is None else str(cell) for cell in cells]
        joined = "".join(texts)
    if "," in joined or '"' in joined or "\n" in joined or "\r" in joined:
        quoted = _QUOTED.search
        texts = ['"' + text.replace('"', '""') + '"' if quoted(text) else text for text in texts]
    return texts
