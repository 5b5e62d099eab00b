"""Where annotated relations fall against the relation model's candidate pairs (``ingest.learn.coverage``)."""

from __future__ import annotations

from ingest.learn.annotations import Annotation
from ingest.learn.coverage import parsed_and_prepared, where_relations_fall

TEXT = ("Hanoi, 3 May 2025. The Vietnam Chamber of Commerce and Industry received Sarah Lee in Hanoi. "
        "Ms Lee works for the Canadian Trade Office.\n\n"
        "Our chamber signed an agreement with Saigon Ocean Foods.")


def _spans(form: str) -> list[list[int]]:
    out, at = [], TEXT.find(form)
    while at != -1:
        out.append([at, at + len(form)])
        at = TEXT.find(form, at + 1)
    return out


def _sentence(words: str) -> list[list[int]]:
    start = TEXT.find(words)
    return [[start, TEXT.find(".", start) + 1]]


def test_each_annotated_relation_is_put_where_the_candidate_pairs_leave_it() -> None:
    chamber, lee = "Vietnam Chamber of Commerce and Industry", "Sarah Lee"
    office, foods = "Canadian Trade Office", "Saigon Ocean Foods"
    entities = [
        {"name": chamber, "type": "Organization", "kind": "chamber", "mentions": _spans(chamber)},
        {"name": lee, "type": "Person", "mentions": _spans(lee) + _spans("Ms Lee")},
        {"name": office, "type": "Organization", "kind": "agency", "mentions": _spans(office)},
        {"name": foods, "type": "Organization", "kind": "enterprise", "mentions": _spans(foods)},
        {"name": "Hanoi", "type": "Place", "kind": "city", "mentions": _spans("Hanoi")},
    ]
    relations = [
        # Both named in the sentence that states it: a candidate pair.
        {"type": "MET_WITH", "source": chamber, "target": lee, "evidence": _sentence("The Vietnam Chamber")},
        {"type": "WORKS_FOR", "source": lee, "target": office, "evidence": _sentence("Ms Lee works")},
        # "Our chamber": the evidence does not name the chamber.
        {"type": "SIGNED_WITH", "source": chamber, "target": foods, "evidence": _sentence("Our chamber")},
    ]
    places = where_relations_fall(parsed_and_prepared([Annotation("coverage", TEXT, entities, relations)]))
    assert places["MET_WITH"] == {"covered": 1}
    assert places["WORKS_FOR"] == {"covered": 1}
    assert places["SIGNED_WITH"] == {"party not named in evidence": 1}
