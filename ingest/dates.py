"""Dates as reports write them, to ISO 8601.

"June 29", "29 June 2023", "March 31" (a dateline), "2023-07-03". A date
without a year takes the report's year; one that cannot be placed in a year
is left out rather than guessed.
"""

from __future__ import annotations

import re

MONTHS = {
    m: i + 1
    for i, names in enumerate([
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
        ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
        ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
        ("december", "dec"),
    ])
    for m in names
}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.IGNORECASE)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?\b", re.IGNORECASE)


def _iso(year: int | None, month: int, day: int) -> str | None:
    if year is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def year_of(doc_date: str | None) -> int | None:
    if doc_date and re.match(r"\d{4}", doc_date):
        return int(doc_date[:4])
    return None


def parse_date(text: str, doc_date: str | None = None) -> str | None:
    """The first full date in ``text`` as ISO 8601, taking the year from
    ``doc_date`` when the text gives none."""
    m = _ISO.search(text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    default_year = year_of(doc_date)
    m = _MDY.search(text)
    if m:
        month = MONTHS[m.group(1).lower().rstrip(".")]
        year = int(m.group(3)) if m.group(3) else default_year
        return _iso(year, month, int(m.group(2)))
    m = _DMY.search(text)
    if m:
        month = MONTHS[m.group(2).lower().rstrip(".")]
        year = int(m.group(3)) if m.group(3) else default_year
        return _iso(year, month, int(m.group(1)))
    return None


def document_date(text: str) -> str | None:
    """A report's own date when one of its first lines states a full one
    (web articles print "2023-07-03 14:58:59" under the headline)."""
    head = "\n".join(text.split("\n")[:8])
    m = _ISO.search(head)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(rf"{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\b\d{{1,2}}\s+{_MONTH}\s+\d{{4}}", head, re.IGNORECASE)
    return parse_date(m.group(0)) if m else None
