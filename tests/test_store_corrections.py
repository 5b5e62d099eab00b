"""Corrections and re-extraction, on every backend (the ``store`` fixture of
the contract suite): each kind of correction wins over extraction in every
read the queries use, survives re-extraction, and can be undone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from graph import corrections
from graph.model import Document, Extraction, Relation
from graph.ontology import MEMBER_OF, MET_WITH, SIGNED_WITH, VISITED
from graph.reextract import reextract, select_documents
from graph.store import Store, StoreError
from tests.builders import report
from tests.test_store_contract import ALMATY_2024, ASTANA_2023, entity_named

ASTANA_TEXT = ASTANA_2023.document.text

# The same report as a newer extractor reads it: it misses the VISITED
# relation and finds the delegation met Changan Auto.
ASTANA_NEW = report(
    ASTANA_TEXT,
    date="2023-06-24",
    entities={
        "d": ("Mission", "Chongqing business delegation"),
        "a": ("Organization", "National Atameken Chamber of Entrepreneurs",
              {"kind": "chamber", "country": "KZ", "aliases": ["Atameken"]}),
        "c": ("Organization", "Changan Auto", {"kind": "enterprise", "country": "CN"}),
        "x": ("Place", "Astana", {"kind": "city", "country": "KZ"}),
    },
    relations=[("MET_WITH", "d", "a"), ("MEMBER_OF", "c", "d"), ("MET_WITH", "d", "c")],
)


@dataclass
class FixedExtractor:
    """An extractor whose answers are given: re-extraction is tested
    without spaCy, the store is real."""

    version: str
    answers: dict[str, Extraction]

    def extract(self, doc: Document) -> Extraction:
        x = self.answers[doc.id]
        return Extraction(document=doc, entities=x.entities, relations=x.relations, extractor=self.version)


def ids(store: Store) -> dict[str, str]:
    names = {"d": "Chongqing business delegation", "a": "National Atameken Chamber of Entrepreneurs",
             "c": "Changan Auto", "x": "Astana"}
    return {k: entity_named(store, v).id for k, v in names.items()}


def every_read_sees(store: Store, rel_type: str, source: str, target: str) -> list[bool]:
    """Whether each read path the queries use shows the relation."""
    def has(rels: list[Relation]) -> bool:
        return any(r.type == rel_type and {r.source, r.target} == {source, target} for r in rels)
    everything = [r for batch in store.iter_relations() for r in batch]
    return [
        has(store.relations(types=[rel_type], entity_ids=[source])),
        has(store.relations(types=[rel_type])),
        source in store.linked_entities([target], types=[rel_type]),
        has(store.neighbourhood([source], hops=1).relations),
        has(everything),
        store.stats().relations_by_type.get(rel_type, 0) > 0,
    ]


def test_a_rejected_relation_leaves_every_read_and_stays_out_when_stated_again(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    e = ids(store)
    degree = store.degrees([e["x"]])[e["x"]]
    c = corrections.reject_relation(store, VISITED, e["d"], e["x"], by="ana", why="they never went there")
    assert every_read_sees(store, VISITED, e["d"], e["x"]) == [False] * 6
    assert store.degrees([e["x"]])[e["x"]] == degree - 1
    assert c.hidden and c.hidden[0].doc_id == ASTANA_2023.document.id, "the extracted evidence is kept aside"

    # Another report states the rejected fact: the correction still wins.
    again = report("The Chongqing business delegation visited Astana.", date="2023-06-25",
                   entities={"d": ("Mission", "Chongqing business delegation"),
                             "x": ("Place", "Astana", {"kind": "city", "country": "KZ"})},
                   relations=[(VISITED, "d", "x")])
    store.upsert_extraction(again)
    assert every_read_sees(store, VISITED, e["d"], e["x"]) == [False] * 6

    corrections.undo(store, c.id, by="ben")
    assert every_read_sees(store, VISITED, e["d"], e["x"]) == [True] * 6
    [visited] = store.relations(types=[VISITED], entity_ids=[e["d"]])
    assert {ev.doc_id for ev in visited.evidence} == {ASTANA_2023.document.id, again.document.id}


def test_an_added_relation_rests_on_a_sentence_or_on_the_users_word(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    e = ids(store)
    doc = ASTANA_2023.document
    start = doc.text.index("Changan Auto")
    c = corrections.add_relation(store, MET_WITH, e["c"], e["a"], by="ana", why="Changan met the chamber",
                                 doc_id=doc.id, start=start, end=len(doc.text))
    [met] = store.relations(types=[MET_WITH], entity_ids=[e["c"]])
    [ev] = met.evidence
    assert (ev.doc_id, ev.text) == (doc.id, doc.text[start:]) and ev.extractor == f"correction:{c.id}"
    assert every_read_sees(store, MET_WITH, e["c"], e["a"]) == [True] * 6

    own = corrections.add_relation(store, SIGNED_WITH, e["c"], e["a"], by="ana", why="I was there")
    [signed] = store.relations(types=[SIGNED_WITH], entity_ids=[e["c"]])
    assert signed.evidence[0].text == "I was there" and signed.confidence == 1.0

    corrections.undo(store, own.id, by="ana")
    corrections.undo(store, c.id, by="ana")
    assert store.relations(entity_ids=[e["c"]], types=[MET_WITH, SIGNED_WITH]) == []


def test_an_entity_correction_changes_kind_country_name_and_aliases_until_undone(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    e = ids(store)
    c = corrections.correct_entity(
        store, e["c"], {"kind": "park", "country": "kz", "name": "Changan Automobile",
                        "aliases_add": ["CCAG"]}, by="ana", why="it is the Kazakh assembly park")
    ent = store.get_entity(e["c"])
    assert ent is not None and (ent.kind, ent.country, ent.name) == ("park", "KZ", "Changan Automobile")
    assert "CCAG" in ent.aliases
    assert [x.id for x in store.search_entities("CCAG")] == [e["c"]]
    assert [x.id for x in store.search_entities(None, kind="park", country="KZ")] == [e["c"]]
    assert e["c"] in store.linked_entities([e["d"]], types=[MEMBER_OF], kinds=["park"])
    assert c.before == {"kind": "enterprise", "country": "CN", "name": "Changan Auto"}

    corrections.undo(store, c.id, by="ana")
    ent = store.get_entity(e["c"])
    assert ent is not None and (ent.kind, ent.country, ent.name) == ("enterprise", "CN", "Changan Auto")
    assert "CCAG" not in ent.aliases


def test_an_entity_type_correction_moves_the_entity_to_its_new_type(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    e = ids(store)
    corrections.correct_entity(store, e["c"], {"type": "Person"}, by="ana")
    assert [x.id for x in store.search_entities("Changan", type="Person")] == [e["c"]]
    assert store.search_entities("Changan", type="Organization") == []


def test_bad_corrections_are_refused_with_a_reason(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    e = ids(store)
    with pytest.raises(ValueError, match="ISO 3166"):
        corrections.correct_entity(store, e["c"], {"country": "China"}, by="ana")
    with pytest.raises(ValueError, match="unknown kind"):
        corrections.correct_entity(store, e["c"], {"kind": "spaceship"}, by="ana")
    with pytest.raises(StoreError, match="no MET_WITH relation"):
        corrections.reject_relation(store, MET_WITH, e["c"], e["x"], by="ana")
    with pytest.raises(ValueError, match="who makes it"):
        corrections.reject_relation(store, VISITED, e["d"], e["x"], by=" ")
    assert store.list_corrections() == []


def test_merge_and_split_are_corrections_that_undo(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    e = ids(store)
    ministry = entity_named(store, "Ministry of Economy of Belarus").id
    m = corrections.merge(store, e["a"], ministry, by="ana", why="same body")
    assert store.get_entity(ministry).id == e["a"]  # type: ignore[union-attr]
    s = corrections.split(store, ministry, by="ben", why="no, two bodies")
    assert store.get_entity(ministry).id == ministry  # type: ignore[union-attr]
    corrections.undo(store, s.id, by="ana")
    assert store.get_entity(ministry).id == e["a"]  # type: ignore[union-attr]
    corrections.undo(store, m.id, by="ana")
    assert store.get_entity(ministry).id == ministry  # type: ignore[union-attr]


def test_the_audit_log_lists_who_when_why_newest_first_and_marks_undone(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    e = ids(store)
    first = corrections.reject_relation(store, VISITED, e["d"], e["x"], by="ana", why="never went")
    second = corrections.accept_relation(store, MET_WITH, e["d"], e["a"], by="ben", why="minutes confirm")
    corrections.undo(store, first.id, by="carl")
    log = corrections.audit_log(store)
    assert [c.id for c in log] == [second.id, first.id]
    assert (log[0].by, log[0].why, log[0].active) == ("ben", "minutes confirm", True)
    assert (log[1].undone_by, log[1].active) == ("carl", False) and log[1].at < log[0].at
    with pytest.raises(StoreError, match="already undone"):
        corrections.undo(store, first.id, by="carl")
    assert [c.id for c in corrections.audit_log(store, include_undone=False)] == [second.id]


def test_reextraction_replaces_a_documents_facts_and_keeps_every_correction(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    e = ids(store)
    kept = corrections.accept_relation(store, VISITED, e["d"], e["x"], by="ana", why="confirmed")
    wrong = corrections.reject_relation(store, MEMBER_OF, e["c"], e["d"], by="ana", why="Changan was a host")
    kind = corrections.correct_entity(store, e["c"], {"kind": "park"}, by="ana")

    new = FixedExtractor("tradekg-extract/0.3", {ASTANA_2023.document.id: ASTANA_NEW,
                                                  ALMATY_2024.document.id: ALMATY_2024})
    todo = select_documents(store, current_version=new.version)
    assert sorted(todo) == sorted([ASTANA_2023.document.id, ALMATY_2024.document.id])
    result = reextract(store, new, [ASTANA_2023.document.id])
    [changes] = result.documents
    assert changes.added == [f"{MET_WITH} {e['d']} -> {e['c']}"]
    assert changes.removed == [f"{VISITED} {e['d']} -> {e['x']}"]
    assert any(wrong.id in c and "found again" in c for c in changes.conflicts)
    assert any(kept.id in c and "no longer extracted" in c for c in changes.conflicts)

    # The accepted relation stays, the rejected one stays out, the kind stays.
    assert every_read_sees(store, VISITED, e["d"], e["x"]) == [True] * 6
    assert not store.relations(types=[MEMBER_OF], entity_ids=[e["c"]])
    assert store.get_entity(e["c"]).kind == "park"  # type: ignore[union-attr]
    assert store.relations(types=[MET_WITH], entity_ids=[e["c"]])
    assert store.get_document(ASTANA_2023.document.id).extractor == new.version  # type: ignore[union-attr]
    assert select_documents(store, current_version=new.version) == [ALMATY_2024.document.id]
    assert select_documents(store, current_version=new.version, older_than="0.3") == [ALMATY_2024.document.id]
    assert store.pending_reextracts() == []
    assert kind.active


def test_undoing_an_accept_after_reextraction_lets_the_extractor_decide(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    e = ids(store)
    kept = corrections.accept_relation(store, VISITED, e["d"], e["x"], by="ana")
    reextract(store, FixedExtractor("v9", {ASTANA_2023.document.id: ASTANA_NEW}), [ASTANA_2023.document.id])
    assert store.relations(types=[VISITED], entity_ids=[e["d"]])
    corrections.undo(store, kept.id, by="ana")
    assert store.relations(types=[VISITED], entity_ids=[e["d"]]) == []
