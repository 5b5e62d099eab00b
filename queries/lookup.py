"""Which entity a typed name means, and saying so.

A name can match several entities ("Atameken" is a chamber's alias and a
programme's name). The best is chosen by type priority, then by how the
name matches (its name before an alias), then by evidence count; every
choice made from a name is noted so the CLI can print "3 entities match
'Atameken'; using …, others: …" and the API can send ``X-Matched-Entity``.
When nothing is clearly best, a caller that asked for strictness (the API)
gets ``AmbiguousEntity`` instead of a guess.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from graph.model import Entity, normalise_name
from graph.ontology import AGREEMENT, EVENT, MISSION, ORGANIZATION, PERSON, PLACE, PROGRAM, SECTOR
from graph.store import StoreError

# What a user most likely means by a bare name: the bodies and people the
# graph is about before the things they did.
TYPE_PRIORITY: tuple[str, ...] = (ORGANIZATION, PERSON, MISSION, PLACE, EVENT, AGREEMENT, PROGRAM, SECTOR)

# A candidate of the same rank is clearly best when it has at least this many
# times the runner-up's evidence.
CLEAR_EVIDENCE_RATIO = 2


@dataclass
class EntityMatch:
    """The entity chosen for ``text`` and the others it could have meant."""

    text: str
    chosen: Entity
    others: list[Entity] = field(default_factory=list)
    clear: bool = True

    def note(self) -> str:
        """One line for a person: what matched and what was used."""
        others = ", ".join(f"{e.name} ({e.type}, {e.id})" for e in self.others)
        return (f"{len(self.others) + 1} entities match {self.text!r}; using {self.chosen.name} "
                f"({self.chosen.type}, {self.chosen.id}), others: {others}")


class AmbiguousEntity(StoreError):
    """A name that matches several entities, none clearly best."""

    def __init__(self, match: EntityMatch):
        super().__init__(f"{len(match.others) + 1} entities match {match.text!r} and none is clearly best; "
                         "ask again with an entity id")
        self.match = match

    @property
    def candidates(self) -> list[Entity]:
        return [self.match.chosen, *self.match.others]


def _rank(text: str, e: Entity, evidence: int) -> tuple[int, int, int]:
    """Sort key, smaller first: type priority, named (not aliased) this way,
    more evidence."""
    by_name = 0 if normalise_name(e.name) == normalise_name(text) else 1
    type_rank = TYPE_PRIORITY.index(e.type) if e.type in TYPE_PRIORITY else len(TYPE_PRIORITY)
    return type_rank, by_name, -evidence


def rank_matches(text: str, found: Sequence[Entity], evidence: dict[str, int]) -> EntityMatch:
    """The best of ``found`` (non-empty) for ``text``, the rest in order, and
    whether the best is clearly better than the runner-up."""
    ordered = sorted(found, key=lambda e: (_rank(text, e, evidence.get(e.id, 0)), e.id))
    best, rest = ordered[0], ordered[1:]
    if not rest:
        return EntityMatch(text, best)
    b, r = _rank(text, best, evidence.get(best.id, 0)), _rank(text, rest[0], evidence.get(rest[0].id, 0))
    clear = b[:2] != r[:2] or -b[2] >= CLEAR_EVIDENCE_RATIO * max(-r[2], 1)
    return EntityMatch(text, best, rest, clear)


# --- noting choices ---------------------------------------------------------------

# The matches made in this context (None: nobody is listening), and whether
# an unclear one must fail instead of guessing.
_noted: ContextVar[list[EntityMatch] | None] = ContextVar("tradekg_noted_matches", default=None)
_strict: ContextVar[bool] = ContextVar("tradekg_strict_matches", default=False)


@contextmanager
def noting_matches(*, strict: bool = False) -> Iterator[list[EntityMatch]]:
    """Collect every name-to-entity choice made inside the block. The list is
    shared, not copied, so choices made in a worker thread that inherited this
    context land in it too."""
    noted: list[EntityMatch] = []
    t1, t2 = _noted.set(noted), _strict.set(strict)
    try:
        yield noted
    finally:
        _noted.reset(t1)
        _strict.reset(t2)


def note(match: EntityMatch) -> Entity:
    """Record ``match`` for whoever is listening and return its entity;
    raise ``AmbiguousEntity`` when it is unclear and strictness was asked."""
    if _strict.get() and not match.clear:
        raise AmbiguousEntity(match)
    noted = _noted.get()
    if noted is not None:
        noted.append(match)
    return match.chosen
