"""Titles written before a person's name: "Ms", "Dr.", "Eng.", "H.E.",
"Lic.". They are never part of the name, and the words after them name a
person. The one list for the tokenizer (``nlp``), the rules (``mentions``)
and the learned features (``learn.candidates``, ``learn.given_names``,
``learn.alias_model``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.mentions import Entity

# Said of anyone.
COURTESY = ("Mr", "Mrs", "Ms", "Miss", "Mme", "Mlle", "Madam", "Madame", "Monsieur", "Sir", "Dame")
# Professional and honorific titles as reports from many countries abbreviate
# them: Egyptian "Eng.", Latin American "Lic.", "Ing.", "Arq.", Dutch and
# Indonesian "Drs.", "Ir.", Malay "Hj.", "Datuk", Ethiopian "Ato".
PROFESSIONAL = ("Dr", "Prof", "Hon", "H.E", "Eng", "Ing", "Lic", "Amb", "Sra", "Sr", "Dra", "Arq", "Mgr", "Dipl",
                "Drs", "Ir", "Hj", "Cllr", "Ato", "Datuk", "Dato")
TITLES = COURTESY + PROFESSIONAL
# Lower case, without the full stop: how a name's words are compared.
TITLE_WORDS = frozenset(t.lower() for t in TITLES)
# Written as words, never with a full stop of their own.
_WORDS = frozenset({"Miss", "Madam", "Madame", "Monsieur", "Sir", "Dame", "Ato", "Datuk", "Dato"})
# Abbreviated with a full stop that must not end the sentence ("the
# vice-chairman, Eng. Sherif Abdel-Meguid"): spaCy's tokenizer knows "Mr.",
# "Dr.", "Prof." but not these.
ABBREVIATIONS = tuple(f"{t}." for t in TITLES if t not in _WORDS)


def title_pattern(titles: tuple[str, ...] = TITLES) -> str:
    """A regular expression (no groups) for one of ``titles`` as written:
    with or without its full stop, "H.E." also as "H. E."."""
    forms = sorted((re.escape(t).replace(r"\.", r"\.\s?") for t in titles), key=len, reverse=True)
    return rf"(?:{'|'.join(forms)})\.?"


# A title just before a name, as written: "Mr ", "Eng. ", "H. E. ".
_TITLE_BEFORE = re.compile(rf"(?<![\w.]){title_pattern()}\s+$")


def titled(text: str, entity: Entity) -> bool:
    """Whether a title is written just before one of the entity's mentions
    ("Representative: Mr Nilesh Patel, Proprietor"): a person, whatever a
    model makes of the line around the name."""
    return any(_TITLE_BEFORE.search(text, max(0, m.start - 12), m.start) for m in entity.mentions if not m.generic)


_LEADING_TITLES = re.compile(rf"^(?:{title_pattern()}\s+)+(?=[A-ZÀ-Þ])")


def titles_before(name: str) -> int:
    """How many characters of a name are the titles written before it ("H.E. Dr. " in "H.E. Dr. Ali Said")."""
    leading = _LEADING_TITLES.match(name)
    return leading.end() if leading else 0


def without_title(name: str) -> str:
    """A person's name without the titles written before it: "Ms Anita Rao"
    -> "Anita Rao", "H.E. Sheikh Hamood bin Saif" -> "Sheikh Hamood bin Saif"."""
    return name[titles_before(name):]
