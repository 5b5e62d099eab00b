"""A parsed text's token attributes, read from spaCy once per report."""

from __future__ import annotations

import numpy as np
from spacy.tokens import Doc


class Tokens:
    """A parsed text's token attributes as plain lists, read once per report
    and shared by the rules' token scans, the span tagger, the features and
    the pair search: reading them from spaCy's token objects one by one was
    most of the learned stage's time, and a good part of the rules'.
    ``Doc.to_array`` reads each attribute for all tokens in one C pass, as a
    number (a string's hash)."""

    def __init__(self, doc: Doc) -> None:
        strings = doc.vocab.strings
        attrs: list[int | str] = ["ORTH", "LOWER", "LEMMA", "POS", "TAG", "DEP", "ENT_IOB", "ENT_TYPE", "IDX",
                                  "SENT_START", "IS_PUNCT"]
        columns = dict(zip(attrs, doc.to_array(attrs).T.tolist(), strict=True))
        self.text: list[str] = [strings[h] for h in columns["ORTH"]]
        self.lower: list[str] = [strings[h] for h in columns["LOWER"]]
        self.lemma: list[str] = [strings[h].lower() for h in columns["LEMMA"]]  # lower case
        self.pos: list[str] = [strings[h] for h in columns["POS"]]  # part-of-speech symbols are strings too
        self.tag: list[str] = [strings[h] for h in columns["TAG"]]
        self.dep: list[str] = [strings[h] for h in columns["DEP"]]
        self.ent_iob: list[str] = [("", "I", "O", "B")[code] for code in columns["ENT_IOB"]]  # Token.ent_iob_
        self.ent_type: list[str] = [strings[h] for h in columns["ENT_TYPE"]]
        self.idx: list[int] = columns["IDX"]  # character offset
        self.is_sent_start: list[bool] = [v == 1 for v in columns["SENT_START"]]
        self.punct: list[bool] = [v == 1 for v in columns["IS_PUNCT"]]
        # HEAD is stored relative to the token; the array is unsigned, hence the cast.
        self.head: list[int] = (np.arange(len(doc)) + doc.to_array("HEAD").astype("int64")).tolist()
        self.children: list[list[int]] = [[] for _ in self.head]  # in text order, as Token.children
        for i, h in enumerate(self.head):
            if h != i:
                self.children[h].append(i)
        self._ancestors: dict[int, list[int]] = {}  # filled as ``ancestors`` is asked
        self.sent_start = [0] * len(doc)  # the first token of each token's sentence
        self.sent_no = [0] * len(doc)
        self.sents: list[tuple[int, int]] = []  # character span of each sentence
        for n, s in enumerate(doc.sents):
            self.sents.append((s.start_char, s.end_char))
            self.sent_start[s.start:s.end] = [s.start] * (s.end - s.start)
            self.sent_no[s.start:s.end] = [n] * (s.end - s.start)

    def ancestors(self, i: int) -> list[int]:
        """The token itself, then its heads up to the sentence root (computed
        once per token: every pair in a sentence climbs the same tree)."""
        out = self._ancestors.get(i)
        if out is None:
            out = self._ancestors[i] = [i]
            j = i
            while self.head[j] != j and len(out) <= len(self.head):
                j = self.head[j]
                out.append(j)
        return out
