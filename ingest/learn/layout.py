"""Where a sentence sits in a laid-out report: the heading above a list, the
column of a table.

Itineraries, newsletters and minutes state facts by layout rather than by
verbs: a list of organisations under "Meetings held" or "Agreements signed",
a table whose columns are "Malaysian company | UAE counterpart | Deal", a
list entry whose indented lines give its contact. The sentence of such a
line names no verb for the pair features to read, so the relation model is
also told the words of the line's heading (its section) and of the table
columns its two ends sit in; what the heading names is a candidate partner
of what each of its lines names, and what an entry names first of what its
later sentences name (``features.pair_candidates``).

Plain text is enough: the readers write list items as lines opening with a
bullet or a number and table rows as cells joined by `` | ``
(``ingest.readers``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ingest.nlp import BULLET_MARK

# The shared list marks, and those only a layout needs to see ("▪ ", "(2) ",
# "b) "): the rules do not read such lists, so their marks stay out of theirs.
_LIST_ITEM = re.compile(rf"[ \t]*(?:{BULLET_MARK}|[▪◦]|\(\d{{1,2}}[.)]|\(?[a-z][.)])[ \t]")
_INLINE_LABEL = re.compile(r"[ \t]*([A-Z][^:\n|]{1,40}):[ \t]+\S")
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset({"the", "and", "for", "with", "from", "this", "that", "were", "was", "are", "our",
                   "its", "their", "following", "which", "who", "what", "all", "also", "during"})
MAX_HEADING_WORDS = 12  # longer lines are prose, not a heading
MAX_WORDS = 6  # a heading's or a column's first content words


def words(text: str) -> tuple[str, ...]:
    """Content words, lower case and crudely singular ("Meetings held" -> meeting, held)."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w in _STOP:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
        if len(out) == MAX_WORDS:
            break
    return tuple(out)


def _is_row(line: str) -> bool:
    return line.count(" | ") >= 1 or line.strip().startswith("|")


def _cells(line: str, start: int) -> list[tuple[int, int, str]]:
    """A table row's cells as (start, end, text), offsets into the report."""
    out = []
    pos = 0
    for part in line.split("|"):
        out.append((start + pos, start + pos + len(part), part.strip()))
        pos += len(part) + 1
    return out


def _heading_like(line: str) -> bool:
    s = line.strip()
    n = len(s.split())
    if not s or _LIST_ITEM.match(line) or _INLINE_LABEL.match(line):
        return False  # a list item, or a labelled line ("Prepared by: ...")
    if s.endswith(":"):
        return n <= 2 * MAX_HEADING_WORDS
    return n <= MAX_HEADING_WORDS and s[-1] not in ".!?;,"


@dataclass
class _Line:
    start: int
    section: tuple[str, ...]  # the words of the heading this line is listed under
    cells: list[tuple[int, int, tuple[str, ...]]]  # table row: each cell's span and its column's words
    heading: tuple[int, int] | None = None  # the span of the heading this list item or row is under
    item: tuple[int, int] | None = None  # the span of the list item this line is, or continues


class Layout:
    """The headings and table columns of one report's lines."""

    def __init__(self, text: str) -> None:
        self.lines: list[_Line] = []
        raw: list[tuple[int, str]] = []
        pos = 0
        for line in text.split("\n"):
            raw.append((pos, line))
            pos += len(line) + 1
        heading: tuple[str, ...] = ()  # the section open for list items and rows
        heading_at: tuple[int, int] | None = None  # and where its heading line is
        header: list[tuple[str, ...]] | None = None  # the column words of the table being read
        prev, prev_at = "", (0, 0)  # the previous non-empty line and its span
        item_at: tuple[int, int] | None = None  # the list item whose indented lines follow
        rows = [_is_row(line) for _, line in raw]
        for n, (start, line) in enumerate(raw):
            section: tuple[str, ...] = ()
            cells: list[tuple[int, int, tuple[str, ...]]] = []
            under: tuple[int, int] | None = None
            if not line.strip():
                self.lines.append(_Line(start, (), []))
                item_at = None
                continue
            # A list item and the indented lines under it ("   Contact: Aino
            # Heikkinen, CEO") are one entry: what they name goes together.
            if _LIST_ITEM.match(line) and not rows[n]:
                item_at = (start, start + len(line))
            elif not line[:1].isspace():
                item_at = None
            # A table has two rows at least ("Mission note | Minsk | 3 May" is a dateline).
            if rows[n] and (header is not None or n + 1 < len(raw) and rows[n + 1]):
                parts = _cells(line, start)
                if header is None:  # the first row names the columns
                    header = [words(c) for _, _, c in parts]
                    if n > 1 and _heading_like(prev):
                        heading, heading_at = words(prev.rstrip(":")), prev_at
                cells = [(a, b, header[k] if k < len(header) else ()) for k, (a, b, _) in enumerate(parts)]
                section, under = heading, heading_at
            else:
                header = None
                if _LIST_ITEM.match(line):
                    section, under = heading, heading_at
                else:
                    # A heading opens a section for the list or paragraph below it;
                    # a line of prose closes it (its own label, "Results: ...", is its section).
                    label = _INLINE_LABEL.match(line)
                    if label and len(label.group(1).split()) <= 4:
                        section = words(label.group(1))
                    elif n > 1 and _heading_like(prev):
                        section = heading
                    heading = words(line.rstrip(":")) if _heading_like(line) and n > 0 else ()
                    heading_at = (start, start + len(line)) if heading else None
            self.lines.append(_Line(start, section, cells, under if section else None, item_at))
            prev, prev_at = line, (start, start + len(line))
        self._starts = [ln.start for ln in self.lines]

    def _line(self, pos: int) -> _Line:
        return self.lines[max(bisect_right(self._starts, pos) - 1, 0)]

    def section(self, pos: int) -> tuple[str, ...]:
        """The heading words of the line holding character ``pos`` (empty outside lists and sections)."""
        return self._line(pos).section

    def heading(self, pos: int) -> tuple[int, int] | None:
        """The span of the heading above the list item or table row holding character ``pos``."""
        return self._line(pos).heading

    def item(self, pos: int) -> tuple[int, int] | None:
        """The span of the list item line whose entry holds character ``pos``:
        that line itself, or the indented lines under it (None elsewhere)."""
        return self._line(pos).item

    def column(self, pos: int) -> tuple[str, ...]:
        """The column words of the table cell holding character ``pos`` (empty outside tables)."""
        for a, b, col in self._line(pos).cells:
            if a <= pos < b:
                return col
        return ()
