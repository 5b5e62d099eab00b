"""Turn report files into ``Document`` records: txt, md, html, pdf, docx.

A file that cannot be read raises ``ReadError`` with one line that names the
file and the reason; the pipeline collects those and goes on with the batch.
The returned text is what extraction sees and what evidence offsets point
into, so every reader returns plain text (markup removed) in the normalised
form that ``graph.model.document_id`` hashes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from graph.model import Document, document_id, normalise_text

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
MAX_BYTES = 20 * 1024 * 1024
MAX_BYTES_ENV = "TRADEKG_MAX_BYTES"

# Budgets for hostile files: each is far above what a real report needs.
# A DOCX is a zip: its parts together may expand to this much XML, in at
# most this many parts (a zip bomb is small on disk and huge inflated).
DOCX_MAX_EXPANDED_BYTES = 100 * 1024 * 1024
DOCX_MAX_ENTRIES = 2_000
DOCX_MAX_BLOCKS = 20_000  # paragraphs and tables
# HTML elements, and how deeply they nest (parsers slow down with depth).
HTML_MAX_ELEMENTS = 500_000
HTML_MAX_DEPTH = 512
PDF_MAX_PAGES = 2_000

# The report date is the first date stated near the top; later dates are
# usually the events the report describes, or the next trip.
DATE_HEAD_CHARS = 800
# A line longer than this is prose, not a title.
TITLE_MAX_CHARS = 150


class ReadError(Exception):
    """A report that cannot be read: ``str()`` is ``"PATH: reason"``."""

    def __init__(self, path: str | os.PathLike[str], reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type[ReadError], tuple[str, str]]:
        return (ReadError, (self.path, self.reason))


# Whether a delimiter at text[start:end] can open (or close) emphasis.
_Flank = Callable[[str, int, int], bool]


@dataclass(slots=True)
class _Parsed:
    """What a format reader found, before it becomes a Document."""

    text: str
    title: str | None = None
    date: str | None = None  # stated in the markup (HTML meta, front matter)
    meta_date: str | None = None  # file metadata: only a fallback


# --- finding files ------------------------------------------------------------


def iter_report_paths(
    paths: Iterable[str | os.PathLike[str]], skipped: list[ReadError] | None = None
) -> Iterator[Path]:
    """Files as given; directories walked recursively in sorted order, keeping
    supported report types and skipping hidden files and directories.

    Each real directory is walked once, so a symlink loop ends the descent
    instead of the batch. Files and directories left out for a reason other
    than being hidden are appended to ``skipped`` (name and reason). A path
    that does not exist, or a directory that cannot be listed, is yielded as
    is so that reading it produces a clear error."""
    walked: set[tuple[int, int]] = set()
    for path in paths:
        p = Path(path)
        if p.is_dir():
            yield from _walk(p, walked, skipped)
        else:
            yield p


def _walk(directory: Path, walked: set[tuple[int, int]], skipped: list[ReadError] | None) -> Iterator[Path]:
    try:
        st = directory.stat()
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        yield directory  # read_document says why it cannot be listed
        return
    if (st.st_dev, st.st_ino) in walked:
        _skip(skipped, directory, "skipped: this folder was already walked (a symlink loop or a second link to it)")
        return
    walked.add((st.st_dev, st.st_ino))
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = directory / entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:  # e.g. a symlink loop that points at itself
            is_dir = False
        if is_dir:
            yield from _walk(child, walked, skipped)
        elif entry.name.lower().endswith(SUPPORTED_SUFFIXES):
            yield child
        else:
            suffix = os.path.splitext(entry.name)[1].lower() or "no file extension"
            _skip(skipped, child, f"skipped: not a supported report type ({suffix})")


def _skip(skipped: list[ReadError] | None, path: Path, reason: str) -> None:
    if skipped is not None:
        skipped.append(ReadError(path, reason))


# --- reading ------------------------------------------------------------------


def resolve_max_bytes(max_bytes: int | None = None) -> int:
    """The size limit: the argument, else ``$TRADEKG_MAX_BYTES``, else 20 MB."""
    if max_bytes is not None:
        return max_bytes
    env = os.environ.get(MAX_BYTES_ENV, "").strip()
    if env:
        try:
            return int(env)
        except ValueError:
            raise ValueError(f"{MAX_BYTES_ENV} must be a number of bytes, not {env!r}") from None
    return MAX_BYTES


def read_document(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Document:
    """Read one report file. Raises ``ReadError`` naming the file and why."""
    source = str(path)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ReadError(source, "no such file") from None
    except PermissionError:
        raise ReadError(source, "permission denied") from None
    except OSError as exc:
        raise ReadError(source, f"cannot read ({exc.strerror or exc})") from None
    if p.is_dir():
        try:
            os.listdir(p)
        except PermissionError:
            raise ReadError(source, "permission denied") from None
        raise ReadError(source, "is a directory, not a report")
    suffix = _check_suffix(source, p.name)
    _check_size(source, st.st_size, resolve_max_bytes(max_bytes))
    try:
        data = p.read_bytes()
    except PermissionError:
        raise ReadError(source, "permission denied") from None
    except OSError as exc:
        raise ReadError(source, f"cannot read ({exc.strerror or exc})") from None
    return _to_document(source, suffix, data)


def read_bytes(name: str, data: bytes, *, max_bytes: int | None = None) -> Document:
    """Read an uploaded report; ``name`` (the upload's file name) picks the
    format and becomes the document's source."""
    suffix = _check_suffix(name, name)
    _check_size(name, len(data), resolve_max_bytes(max_bytes))
    return _to_document(name, suffix, data)


def _check_suffix(source: str, name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "no file extension"
        raise ReadError(source, f"not a supported report type ({shown}); expected one of "
                        f"{', '.join(SUPPORTED_SUFFIXES)}")
    return suffix


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f} MB" if mb == int(mb) else f"{mb:.1f} MB"


def _check_size(source: str, size: int, limit: int) -> None:
    if size == 0:
        raise ReadError(source, "empty file")
    if size > limit:
        raise ReadError(source, f"larger than {_megabytes(limit)} ({_megabytes(size)})")


def _to_document(source: str, suffix: str, data: bytes) -> Document:
    if suffix == ".pdf":
        parsed = _read_pdf(source, data)
    elif suffix == ".docx":
        parsed = _read_docx(source, data)
    elif suffix in (".html", ".htm"):
        parsed = _read_html(source, data)
    elif suffix == ".md":
        parsed = _read_markdown(source, data)
    else:
        parsed = _Parsed(text=decode_text(source, data))
    text = normalise_text(parsed.text)
    if not text:
        raise ReadError(source, "no text (only white space or markup)")
    return Document(
        id=document_id(text),
        source=source,
        text=text,
        title=parsed.title or first_short_line(text),
        date=parsed.date or parse_date(text[:DATE_HEAD_CHARS]) or parsed.meta_date,
    )


# --- text encodings -----------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 before UTF-16: the UTF-32-LE mark begins with the UTF-16-LE one.
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# Signatures of common binary formats that people save as .txt by mistake.
_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0",
    b"\x7fELF", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf",
)

# Control characters other than tab, newlines and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(source: str, data: bytes, declared: str | None = None) -> str:
    """Decode report bytes: a byte-order mark wins, then UTF-8, then an
    encoding the file declares (HTML), then charset detection. Binary data
    is refused rather than decoded into garbage."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding).removeprefix("\ufeff")
            except UnicodeDecodeError:
                raise ReadError(source, f"cannot decode text (invalid {encoding} after its byte-order mark)") from None
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data:
        raise ReadError(source, "binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(source, data, declared)
    text = text.removeprefix("\ufeff")
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise ReadError(source, "binary file, not text")
    return text


def _decode_legacy(source: str, data: bytes, declared: str | None) -> str:
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; detect instead
    import charset_normalizer

    # charset-normalizer guesses badly on short, mostly-ASCII reports (a few
    # accented names come out as Chinese), so its candidates and the code
    # pages reports are usually saved in compete on how plausible the
    # decoded words look.
    # On a tie the usual code pages win: several decode the same bytes into
    # equally plausible words ("à" or "ŕ"), and cp1252 is the common one.
    detected = [m.encoding for m in charset_normalizer.from_bytes(data)]
    candidates = list(_LEGACY_ENCODINGS) + [e for e in detected if e not in _LEGACY_ENCODINGS]
    best: tuple[float, str] | None = None
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _implausibility(text)
        if best is None or score < best[0]:
            best = (score, text)
    if best is None or best[0] > 0.5:
        raise ReadError(source, f"cannot decode text (tried utf-8, {', '.join(candidates[:6])})")
    return best[1]


# The legacy code pages of the reports tradekg sees: Western European and
# Cyrillic Windows pages first.
_LEGACY_ENCODINGS = ("cp1252", "cp1251", "cp1250", "koi8-r", "iso8859-15")
_WORD = re.compile(r"[^\W\d_]+")
_CASE_FLIP = re.compile(r"[^\W\d_](?<=[a-z\u00df-\u00ff\u0430-\u045f])[A-Z\u00c0-\u00de\u0400-\u042f]")
_FINE_SYMBOLS = frozenset("“”‘’„«»–—…€£°§©®™•· №")


def _script(ch: str) -> str:
    import unicodedata

    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0]


def _plausible_word(word: str) -> bool:
    scripts = {_script(c) for c in word}
    if len(scripts) > 1 and not scripts <= _JAPANESE_SCRIPTS:
        return False  # "D幨嶲ation": French read as Chinese
    if scripts == {"LATIN"} and sum(c.isascii() for c in word) * 2 < len(word):
        return False  # "Äåëåãàöèÿ": Cyrillic read as cp1252
    # "ъЦШЗм": real words do not change case mid-word
    return not _CASE_FLIP.search(word)


_JAPANESE_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA"})


def _implausibility(text: str) -> float:
    """Share of the non-ASCII material that does not look like words of one
    script: a symbol in the middle of text, a word mixing scripts, or a
    "Latin" word made mostly of accented letters (Cyrillic read as cp1252)."""
    bad = good = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if _plausible_word(word):
            good += 1
        else:
            bad += 1
    for ch in text:
        if (not ch.isascii() and not ch.isalpha() and not ch.isspace() and ch not in _FINE_SYMBOLS
                and not "\u3000" <= ch <= "\u303f" and not "\uff00" <= ch <= "\uffef"):
            bad += 1
    return bad / max(1, bad + good)


# --- markdown -----------------------------------------------------------------

_MD_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD_FENCE = re.compile(r"^\s*(```|~~~)")
# No regex below may rescan the rest of a line from every position: each
# delimited span excludes its own opening character, and the patterns that
# cannot be written so (emphasis, headings, table rules) are small functions.
# tests/test_hostile_input.py feeds every one 1 MB of adversarial text.
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*)$")
_MD_CLOSING_HASHES = re.compile(r"[ \t]#+$")
_MD_SETEXT = re.compile(r"^[ \t]{0,3}(?:=+|-+)[ \t]*$")
_MD_RULE = re.compile(r"^[ \t]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)])\s+")
_MD_TABLE_CELL = re.compile(r":?-{3,}:?")
_MD_LINK_DEF = re.compile(r"^[ \t]{0,3}\[[^\[\]]+\]:[ \t]+\S")
_MD_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_MD_LINK = re.compile(r"\[([^\[\]]+)\](?:\([^()]*\)|\[[^\[\]]*\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
_MD_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MD_CODE = re.compile(r"`([^`]+)`")


def _read_markdown(source: str, data: bytes) -> _Parsed:
    """Markdown becomes the plain text a reader sees (markup removed), so
    evidence offsets point at sentences, not at asterisks."""
    raw = decode_text(source, data).replace("\r\n", "\n").replace("\r", "\n")
    title = date = None
    fm = _MD_FRONT_MATTER.match(raw)
    if fm:
        raw = raw[fm.end():]
        for line in fm.group(1).splitlines():
            key, _, value = line.partition(":")
            value = value.strip().strip("\"'")
            if key.strip().lower() == "title" and value:
                title = value
            elif key.strip().lower() == "date" and value:
                date = parse_date(value)
    lines: list[str] = []
    in_code = False
    for line in raw.split("\n"):
        if _MD_FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            lines.append(line)
            continue
        if _is_table_rule(line) and "-" in line and ("|" in line or not lines or not lines[-1].strip()):
            continue
        if _MD_SETEXT.match(line) and lines and lines[-1].strip():
            if title is None and line.strip().startswith("="):
                title = lines[-1].strip()
            continue
        if _MD_RULE.match(line) or _MD_LINK_DEF.match(line):
            lines.append("")
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            text = _md_inline(_MD_CLOSING_HASHES.sub("", heading.group(1).strip()).strip())
            if title is None:
                title = text
            lines.append(text)
            continue
        line = _MD_QUOTE.sub("", line)
        line = _MD_BULLET.sub(r"\1", line)
        if line.lstrip().startswith("|"):
            line = " | ".join(c.strip() for c in line.strip().strip("|").split("|"))
        lines.append(_md_inline(line))
    return _Parsed(text="\n".join(lines), title=title, date=date)


def _md_inline(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_TAG.sub("", text)
    text = _MD_CODE.sub(r"\1", text)
    for delimiter in ("**", "__"):
        text = _strip_paired(text, delimiter, _strong_opens, _strong_closes)
    text = _strip_paired(text, "*", _star_opens, _star_closes)
    return _strip_paired(text, "_", _underscore_opens, _underscore_closes)


def _is_table_rule(line: str) -> bool:
    """``| --- | :---: |``: every cell three or more dashes, colons at the ends."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return all(_MD_TABLE_CELL.fullmatch(cell.strip()) for cell in body.split("|"))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _before(text: str, i: int) -> str:
    return text[i - 1] if i > 0 else " "


def _after(text: str, i: int) -> str:
    return text[i] if i < len(text) else " "


def _strong_opens(text: str, start: int, end: int) -> bool:
    return not _after(text, end).isspace()


def _strong_closes(text: str, start: int, end: int) -> bool:
    return not _before(text, start).isspace()


def _star_opens(text: str, start: int, end: int) -> bool:
    before = _before(text, start)
    return not (_is_word(before) or before == "*") and not _after(text, end).isspace()


def _star_closes(text: str, start: int, end: int) -> bool:
    return not _before(text, start).isspace() and _after(text, end) != "*"


def _underscore_opens(text: str, start: int, end: int) -> bool:
    return not _is_word(_before(text, start)) and not _after(text, end).isspace()


def _underscore_closes(text: str, start: int, end: int) -> bool:
    return not _before(text, start).isspace() and not _is_word(_after(text, end))


def _strip_paired(text: str, delimiter: str, opens: _Flank, closes: _Flank) -> str:
    """Remove emphasis delimiters that pair up (``*a*`` -> ``a``), pairing
    each opener with the nearest closer after it, in one pass. A regex with a
    lazy ``(.+?)`` between the delimiters does the same but rescans the rest
    of the line from every unpaired opener: quadratic (a 60 KB line took 25 s)."""
    width = len(delimiter)
    out: list[str] = []
    done = 0  # text[:done] is copied to out
    opener = -1
    i = text.find(delimiter)
    while i != -1:
        if opener >= 0 and i > opener + width and closes(text, i, i + width):
            out += (text[done:opener], text[opener + width:i])
            done = i + width
            opener = -1
            i = text.find(delimiter, done)
            continue
        if opener < 0 and opens(text, i, i + width):
            opener = i
            i = text.find(delimiter, i + width)
            continue
        i = text.find(delimiter, i + 1)
    out.append(text[done:])
    return "".join(out)


# --- HTML ---------------------------------------------------------------------

# Page furniture, never report text.
_HTML_DROP = (
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav", "aside",
    "form", "button", "select", "dialog", "menu",
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=complementary]",
    "[aria-hidden=true]", "[hidden]",
)
_HTML_BLOCKS = frozenset({
    "address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul",
    "header", "footer", "html",
})
_HTML_CELLS = frozenset({"td", "th"})
_HTML_META_DATES = (
    'meta[property="article:published_time"]', 'meta[name="article:published_time"]',
    'meta[name="date"]', 'meta[name="DC.date"]', 'meta[name="dc.date"]',
    'meta[name="dcterms.date"]', 'meta[itemprop="datePublished"]', 'meta[name="pubdate"]',
    'meta[name="publish-date"]',
)
_HTML_CHARSET = re.compile(rb"""<meta[^<>]+?charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")


_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*?(/?)>")
# Elements that never hold others, and those whose end tag may be left out:
# neither deepens the nesting a browser would build.
_HTML_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup",
    "rb", "rt", "rp", "caption", "html", "head", "body",
})


def check_html_shape(source: str, html: str) -> None:
    """Refuse markup with more elements, or deeper nesting, than a report
    has, before the parser sees it: parsing and walking slow down with depth
    (10 MB of nested divs ran for most of an hour)."""
    elements = depth = deepest = 0
    for m in _HTML_TAG.finditer(html):
        elements += 1
        if elements > HTML_MAX_ELEMENTS:
            raise ReadError(source, f"HTML has more than {HTML_MAX_ELEMENTS:,} elements")
        if m.group(2).lower() in _HTML_VOID or m.group(3):
            continue
        if m.group(1):
            depth = max(0, depth - 1)
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > HTML_MAX_DEPTH:
                raise ReadError(source, f"HTML nests elements more than {HTML_MAX_DEPTH} deep")


def _read_html(source: str, data: bytes) -> _Parsed:
    from selectolax.lexbor import LexborHTMLParser

    m = _HTML_CHARSET.search(data[:4096])
    html = decode_text(source, data, declared=m.group(1).decode("ascii") if m else None)
    check_html_shape(source, html)
    tree = LexborHTMLParser(html)

    date = None
    for selector in _HTML_META_DATES:
        node = tree.css_first(selector)
        if node is not None and (date := parse_date(node.attributes.get("content") or "")):
            break

    for selector in _HTML_DROP:
        for node in tree.css(selector):
            node.decompose()
    # The page's banner and footer are furniture; an article's own header
    # holds its headline and date, so that one stays.
    for selector in ("header", "footer"):
        for node in tree.css(selector):
            if selector == "footer" or not _inside(node, "article"):
                node.decompose()

    container = tree.css_first("article") or tree.css_first("main") or tree.css_first("[role=main]") or tree.body
    if container is None:
        raise ReadError(source, "HTML has no body text")
    if date is None:
        for node in container.css("time[datetime]"):
            if date := parse_date(node.attributes.get("datetime") or ""):
                break

    title = None
    heading = container.css_first("h1")
    if heading is not None:
        title = _SPACES.sub(" ", heading.text(deep=True)).strip() or None
    if title is None and tree.css_first("title") is not None:
        title = _SPACES.sub(" ", tree.css_first("title").text()).strip() or None  # type: ignore[union-attr]
    return _Parsed(text=_html_text(container), title=title, date=date)


def _inside(node: object, tag: str) -> bool:
    parent = getattr(node, "parent", None)
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def _html_text(root: object) -> str:
    """Text of an element with block elements on their own lines. Iterative,
    so deeply nested markup cannot exhaust the recursion limit."""
    out: list[str] = []
    # A stack of nodes to visit; the string "\n" marks the end of a block.
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        tag = item.tag  # type: ignore[attr-defined]
        if tag == "-text":
            out.append(item.text_content or "")  # type: ignore[attr-defined]
            continue
        if tag in ("br", "hr"):
            out.append("\n")
            continue
        if tag == "-comment":
            continue
        block = tag in _HTML_BLOCKS
        if block:
            out.append("\n")
            stack.append("\n")
        elif tag in _HTML_CELLS:
            out.append(" | ")
        children = list(item.iter(include_text=True))  # type: ignore[attr-defined]
        stack.extend(reversed(children))
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(out).split("\n"))
    text = "\n".join(line.strip("| ").strip() if line.startswith("|") else line for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text)


# --- PDF ----------------------------------------------------------------------


def _read_pdf(source: str, data: bytes) -> _Parsed:
    import logging

    from pypdf import PdfReader

    # pypdf logs every recoverable oddity; the ReadError below is the message.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError(source, "encrypted PDF (needs a password)")
        if len(reader.pages) > PDF_MAX_PAGES:
            raise ReadError(source, f"PDF has more than {PDF_MAX_PAGES:,} pages ({len(reader.pages):,})")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except ReadError:
        raise
    except Exception as exc:  # pypdf raises many kinds of exception on broken files
        raise ReadError(source, f"corrupt PDF: {_one_line(exc)}") from None
    text = "\n\n".join(p.strip() for p in pages)
    if not text.strip():
        raise ReadError(source, "PDF has no extractable text (scanned?)")
    title = meta_date = None
    if meta is not None:
        title = (meta.title or "").strip() or None
        try:
            created = meta.creation_date
        except Exception:  # a malformed date is just no date
            created = None
        meta_date = created.date().isoformat() if created else None
    return _Parsed(text=text, title=title, meta_date=meta_date)


# --- DOCX ---------------------------------------------------------------------


def _read_docx(source: str, data: bytes) -> _Parsed:
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        check_docx_archive(source, data)
        d = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ReadError(source, "corrupt DOCX: not a zip archive") from None
    except ReadError:
        raise
    except Exception as exc:  # lxml and python-docx raise many kinds of exception on broken files
        raise ReadError(source, f"corrupt DOCX: {_one_line(exc)}") from None

    # Style names by id, looked up once: python-docx's ``paragraph.style``
    # searches the styles part on every call (33k paragraphs took 104 s).
    style_names = {s.style_id: s.name or "" for s in d.styles}
    lines: list[str] = []
    heading = None
    for n, block in enumerate(d.iter_inner_content()):
        if n >= DOCX_MAX_BLOCKS:
            raise ReadError(source, f"DOCX has more than {DOCX_MAX_BLOCKS:,} paragraphs and tables")
        if isinstance(block, Paragraph):
            text = block.text
            lines.append(text)
            if heading is None and text.strip():
                style = style_names.get(block._p.style or "", "")
                if style.startswith(("Heading", "Title")):
                    heading = text.strip()
        elif isinstance(block, Table):
            lines.append("")
            lines.extend(_docx_table_rows(block))
            lines.append("")
    props = d.core_properties
    title = (props.title or "").strip() or heading
    meta_date = props.created.date().isoformat() if props.created else None
    return _Parsed(text="\n".join(lines), title=title, meta_date=meta_date)


def check_docx_archive(source: str, data: bytes) -> None:
    """Refuse a zip bomb before anything inflates it: too many parts, or
    parts that together expand past the budget. The sizes are the ones the
    archive declares; ``zipfile`` never inflates a part past its declared
    size (it fails the CRC check instead), so a lying archive gains nothing."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        if len(parts) > DOCX_MAX_ENTRIES:
            raise ReadError(source, f"DOCX archive has more than {DOCX_MAX_ENTRIES:,} parts ({len(parts):,})")
        expanded = sum(p.file_size for p in parts)
        if expanded > DOCX_MAX_EXPANDED_BYTES:
            raise ReadError(source, f"DOCX expands to {_megabytes(expanded)}, more than "
                            f"{_megabytes(DOCX_MAX_EXPANDED_BYTES)} (a zip bomb?)")


def _docx_table_rows(table: object) -> list[str]:
    rows = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        rows.append(" | ".join(c for c in cells if c))
    return rows


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


# --- titles and dates ---------------------------------------------------------


def first_short_line(text: str) -> str | None:
    """The first non-empty line short enough to be a title."""
    for line in text.split("\n"):
        line = line.strip()
        if line and len(line) <= TITLE_MAX_CHARS and parse_date(line) != line:
            return line
    return None


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# The lookahead lets most positions fail at once (halves the time on digit soup).
_DATE = re.compile(
    r"(?=[0-9A-Za-z])(?:"
    r"(?<![\d.])(?P<iy>\d{4})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?![\d])"
    rf"|\b(?P<dd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm>{_MONTH})\.?,?\s+(?P<dy>\d{{4}})\b"
    rf"|\b(?P<mm>{_MONTH})\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<my>\d{{4}})\b"
    r"|(?<![\d.])(?P<ed>\d{1,2})\.(?P<em>\d{1,2})\.(?P<ey>\d{4})(?!\.?\d))",
    re.I,
)


def parse_date(text: str) -> str | None:
    """The first real calendar date written in ``text``, as ``YYYY-MM-DD``.

    Understands "2023-07-03" (also with a time after it, or / and . as
    separators), "July 3, 2023", "Jul. 3rd 2023", "3 July 2023" and the
    day-first "03.07.2023". Impossible dates ("2023-02-30") are skipped."""
    for m in _DATE.finditer(text):
        g = m.groupdict()
        if g["iy"]:
            y, mo, d = int(g["iy"]), int(g["im"]), int(g["id"])
        elif g["dy"]:
            y, mo, d = int(g["dy"]), _MONTHS[g["dm"].lower()[:3]], int(g["dd"])
        elif g["my"]:
            y, mo, d = int(g["my"]), _MONTHS[g["mm"].lower()[:3]], int(g["md"])
        else:
            y, mo, d = int(g["ey"]), int(g["em"]), int(g["ed"])
        if not 1900 <= y <= 2100:
            continue
        try:
            return dt.date(y, mo, d).isoformat()
        except ValueError:
            continue
    return None
