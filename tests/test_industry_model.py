"""The industry model: an organisation's trade read from its name and the words around it."""

from __future__ import annotations

from ingest.learn import industry_model, sector_terms
from ingest.learn.annotations import Annotation
from ingest.learn.industry_model import NONE, add_industries, examples, features, train_industries
from ingest.mentions import Entity, Mention

NO_TERMS = sector_terms.table({})


def _annotation(doc: str, text: str, orgs: dict[str, str | None], optional: frozenset[str] = frozenset()) -> Annotation:
    """Organisations named in ``text``, each with the division it works in (None: none)."""
    entities: list[dict] = []
    relations: list[dict] = []
    for name, code in orgs.items():
        start = text.index(name)
        entities.append({"name": name, "type": "Organization", "kind": "enterprise",
                         "mentions": [[start, start + len(name)]]})
        if code is not None:
            sector = f"sector {code}"
            if not any(e["name"] == sector for e in entities):
                entities.append({"name": sector, "type": "Sector", "code": code, "mentions": []})
            relations.append({"type": "IN_SECTOR", "source": name, "target": sector,
                              **({"optional": True} if name in optional else {})})
    return Annotation(doc, text, entities, relations)


def test_a_name_is_read_without_its_legal_form_and_with_the_words_around_it_in_its_sentence():
    text = "Oil prices fell. Gulf Pearl Bank Ltd, the lender based in Kuwait, rose."
    f = features(text, "Gulf Pearl Bank Ltd", [], "enterprise", NO_TERMS)
    assert f["head=bank"] == f["first=gulf"] == f["nw=ltd"] == 1.0
    assert "head=ltd" not in f
    assert f["rw=the"] == f["rw=lender"] == f["rw=based"] == 1.0
    # The words before belong to another sentence: not its description.
    assert not [k for k in f if k.startswith("lw=")]


def test_examples_take_required_industries_and_skip_organisations_with_an_optional_one_only():
    ann = _annotation("a", "Alpha Bank and Beta Motors and Gamma Ltd met.",
                      {"Alpha Bank": "64", "Beta Motors": "29", "Gamma Ltd": None})
    X, y = examples([ann], NO_TERMS)
    assert sorted(y) == ["29", "64", NONE]
    optional = _annotation("b", "Delta Mills said so.", {"Delta Mills": "13"}, optional=frozenset({"Delta Mills"}))
    assert examples([optional], NO_TERMS) == ([], [])


def _training_set() -> list[Annotation]:
    anns = []
    for n, place in enumerate(["Gulf", "Nile", "Andes", "Baltic", "Sahel", "Pamir", "Tasman", "Ural"]):
        text = (f"{place} Savings Bank lent money. {place} Motor Works built cars. "
                f"The {place} Chamber of Commerce met them.")
        anns.append(_annotation(f"d{n}", text, {f"{place} Savings Bank": "64", f"{place} Motor Works": "29",
                                                 f"{place} Chamber of Commerce": None}))
    return anns


def test_a_trained_model_reads_the_industry_off_names_it_never_saw():
    model = train_industries(_training_set(), NO_TERMS)
    text = "Rhine Savings Bank and Danube Motor Works signed. The Danube Chamber of Commerce hosted."

    def best(name: str) -> tuple[str, float]:
        return model.best(features(text, name, [], "enterprise", NO_TERMS))

    assert best("Rhine Savings Bank")[0] == "64"
    assert best("Danube Motor Works")[0] == "29"
    assert best("Danube Chamber of Commerce")[0] == NONE


def _entity(index: int, text: str, name: str, etype: str = "Organization", **attrs) -> Entity:
    start = text.index(name)
    return Entity(index, etype, [Mention(start, start + len(name), name, etype)], name=name, attrs=attrs)


def test_a_proposed_industry_becomes_an_in_sector_fact_with_the_sentence_that_names_the_body():
    model = train_industries(_training_set(), NO_TERMS)
    text = "The talks went well. Rhine Savings Bank will open a branch. Danube Motor Works makes cars."
    entities = [_entity(0, text, "Rhine Savings Bank"), _entity(1, text, "Danube Motor Works"),
                _entity(2, text, "cars", "Sector", code="29")]

    def sentence_at(offset: int) -> tuple[int, int]:
        start = text.rfind(". ", 0, offset)
        start = 0 if start < 0 else start + 2
        return start, text.index(".", offset) + 1

    out_entities, found = add_industries(model, text, entities, [], NO_TERMS, 0.5, sentence_at)
    facts = {(f.source, out_entities[[e.index for e in out_entities].index(f.target)].attrs["code"]): f
             for f in found}
    assert set(facts) == {(0, "64"), (1, "29")}
    bank = facts[(0, "64")]
    assert text[bank.sentence[0]:bank.sentence[1]] == "Rhine Savings Bank will open a branch."
    assert 0.5 <= bank.confidence <= 1.0
    # The report's own Sector of that division is reused; a new one is named for its division.
    assert facts[(1, "29")].target == 2
    new = [e for e in out_entities if e.index not in (0, 1, 2)]
    assert len(new) == 1 and new[0].type == "Sector" and new[0].attrs["code"] == "64"
    assert new[0].mentions[0].text == "Rhine Savings Bank"


def test_nothing_is_proposed_below_the_threshold_or_without_any_industry_learned():
    model = train_industries(_training_set(), NO_TERMS)
    text = "Rhine Savings Bank will open a branch."
    entities = [_entity(0, text, "Rhine Savings Bank")]
    assert add_industries(model, text, entities, [], NO_TERMS, 1.01, lambda _: (0, len(text)))[1] == []
    untrained = train_industries([_annotation("x", "Omega Ltd met.", {"Omega Ltd": None})], NO_TERMS)
    assert untrained.labels == [industry_model.NONE]
    assert add_industries(untrained, text, entities, [], NO_TERMS, 0.0, lambda _: (0, len(text)))[1] == []


def test_a_mission_or_an_event_has_an_industry_too_and_its_type_is_told():
    text = "The Agritech Mission to Kenya left. The Dairy Fair opened. A place, Nairobi, waited."
    ann = Annotation("m", text, [
        {"name": "Agritech Mission to Kenya", "type": "Mission", "mentions": [[4, 29]]},
        {"name": "Dairy Fair", "type": "Event", "mentions": [[40, 50]]},
        {"name": "Nairobi", "type": "Place", "kind": "city", "mentions": [[68, 75]]},
        {"name": "agriculture", "type": "Sector", "code": "01", "mentions": []},
        {"name": "dairy", "type": "Sector", "code": "10", "mentions": []}],
        [{"type": "IN_SECTOR", "source": "Agritech Mission to Kenya", "target": "agriculture"},
         {"type": "IN_SECTOR", "source": "Dairy Fair", "target": "dairy"}])
    X, y = examples([ann], NO_TERMS)
    # A place is no subject of an industry; the mission and the event are, each told as its type.
    assert sorted(y) == ["01", "10"]
    assert {k for f in X for k in f if k.startswith("kind=")} == {"kind=Mission", "kind=Event"}
    model = train_industries(_training_set() + [ann] * 3, NO_TERMS)
    mission = _entity(0, text, "Agritech Mission to Kenya", "Mission")
    found = add_industries(model, text, [mission], [], NO_TERMS, 0.0, lambda _: (0, len(text)))[1]
    assert [(f.type, f.source) for f in found] == [("IN_SECTOR", 0)]
