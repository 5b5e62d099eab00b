"""The learned extractor: annotations are checked against their texts, training
runs end to end and is deterministic, and the committed models are used."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ingest.learn import agreement
from ingest.learn import annotations as ann_mod
from ingest.learn.annotations import AnnotationError, build
from ingest.learn.candidates import trim_names
from ingest.learn.linear import LinearModel, train
from ingest.learn.refine import FILES, MODELS_DIR, Models, load_pipeline, save_pipeline
from ingest.learn.train import SPACY_LEFT_OUT
from ingest.mentions import Entity, Mention
from ingest.nlp import load_model


@pytest.fixture(scope="module")
def nlp():
    # The pipeline the models are trained and run on.
    return load_model(left_out=SPACY_LEFT_OUT)[0]


@pytest.fixture(scope="module")
def nlp_with_ner():
    # With spaCy's NER, whose labels some candidates read: models trained
    # with it (``train.SPACY_LEFT_OUT`` empty) see these.
    return load_model()[0]


TEXT = (
    "FUJITSU SIGNS VENTURE\n\n"
    "TOKYO, June 19 - Fujitsu Ltd said it signed a joint venture agreement with the\n"
    "Post and Telecommunication Bureau of Fujian Province (PTABF). Fujitsu president\n"
    "Taro Sato said the venture would sell software.\n"
)


def _draft() -> dict:
    return {
        "entities": [
            {"name": "Fujitsu Ltd", "type": "Organization", "kind": "enterprise", "aliases": ["Fujitsu", "FUJITSU"]},
            {"name": "Post and Telecommunication Bureau of Fujian Province", "type": "Organization",
             "kind": "agency", "aliases": ["PTABF"]},
            {"name": "Fujian Province", "type": "Place", "kind": "region", "country": "CN"},
            {"name": "Taro Sato", "type": "Person", "title": "president"},
        ],
        "relations": [
            {"type": "SIGNED_WITH", "source": "Fujitsu Ltd",
             "target": "Post and Telecommunication Bureau of Fujian Province",
             "evidence": ["Fujitsu Ltd said it signed a joint venture agreement with the Post and"]},
            {"type": "WORKS_FOR", "source": "Taro Sato", "target": "Fujitsu Ltd",
             "evidence": ["Fujitsu president Taro Sato"]},
        ],
        "ignore": [],
    }


def test_a_draft_becomes_offsets_that_point_at_its_names():
    stored = build(_draft(), TEXT, "fujitsu")
    fujitsu = stored["entities"][0]
    assert [TEXT[s:t] for s, t in fujitsu["mentions"]] == ["FUJITSU", "Fujitsu Ltd", "Fujitsu"]
    # A name inside another entity's name is a mention of its own.
    province = stored["entities"][2]
    assert [TEXT[s:t] for s, t in province["mentions"]] == ["Fujian Province"]
    (s, t), = stored["relations"][0]["evidence"]
    assert TEXT[s:t].startswith("Fujitsu Ltd said it signed")
    assert "evidence" not in json.dumps(stored["entities"])
    # Only offsets are kept: no quote from the text survives in the relations.
    assert "joint venture" not in json.dumps(stored["relations"])


@pytest.mark.parametrize("change, message", [
    (lambda d: d["entities"][3].update(name="Jiro Sato"), "neither its name nor an alias"),
    (lambda d: d["relations"][0].update(evidence=["a sentence that is not there"]), "evidence not found"),
    (lambda d: d["relations"][1].update(type="LED"), "cannot go from"),
    (lambda d: d["entities"][0].update(kind="company"), "kind 'company'"),
    (lambda d: d["relations"][0].pop("evidence"), "needs evidence"),
    (lambda d: d["relations"][0].update(target="Fujitsu Group"), "is not the name of an entity"),
])
def test_a_draft_that_does_not_fit_its_text_or_the_ontology_is_refused(change, message):
    draft = _draft()
    change(draft)
    with pytest.raises(AnnotationError, match=message):
        build(draft, TEXT, "fujitsu")


def test_a_place_only_a_body_s_own_name_states_is_located_in_optionally():
    """"Post and Telecommunication Bureau of Fujian Province": the name says
    whose the bureau is; the shared corpus's gold never asks for its place."""
    in_name = {"type": "LOCATED_IN", "source": "Post and Telecommunication Bureau of Fujian Province",
               "target": "Fujian Province", "evidence": ["Telecommunication Bureau of Fujian Province"]}
    draft = _draft()
    draft["relations"].append(in_name)
    with pytest.raises(AnnotationError, match="named inside the name itself: mark it optional"):
        build(draft, TEXT, "fujitsu")
    draft["relations"][-1] = {**in_name, "optional": True}
    assert build(draft, TEXT, "fujitsu")["relations"][-1]["optional"] is True
    # A place the name does not hold is stated by the text: required as ever.
    draft["relations"][-1] = {"type": "LOCATED_IN", "source": "Fujitsu Ltd", "target": "Fujian Province",
                              "evidence": ["Fujitsu Ltd said it signed"]}
    assert not build(draft, TEXT, "fujitsu")["relations"][-1].get("optional")


def test_two_sectors_of_one_division_are_read_as_one_as_the_scorer_matches_them():
    """The scorer takes a Sector for the first annotated one of its ISIC
    division: "dairy products" beside "meat processing" (both 10) could
    never be matched, and a pair stating it would be taught as stating nothing."""
    entities = [{"name": "Gippsland Dairy", "type": "Organization", "kind": "company", "mentions": [[0, 15]]},
                {"name": "meat processing", "type": "Sector", "code": "10", "mentions": [[30, 45]]},
                {"name": "dairy products", "type": "Sector", "code": "10", "aliases": ["cheese"],
                 "mentions": [[20, 28]]},
                {"name": "wine production", "type": "Sector", "code": "11"}]
    relations = [{"type": "IN_SECTOR", "source": "Gippsland Dairy", "target": "dairy products", "evidence": [[0, 28]]},
                 {"type": "IN_SECTOR", "source": "Gippsland Dairy", "target": "meat processing", "optional": True,
                  "evidence": [[0, 45]]},
                 {"type": "IN_SECTOR", "source": "Gippsland Dairy", "target": ["wine production", "dairy products"],
                  "evidence": [[50, 60]]}]
    ents, rels = ann_mod.one_sector_per_division(entities, relations)
    sectors = [e for e in ents if e["type"] == "Sector"]
    assert [(e["name"], e.get("aliases")) for e in sectors] == [
        ("meat processing", ["dairy products", "cheese"]), ("wine production", None)]
    assert sectors[0]["mentions"] == [[20, 28], [30, 45]]
    # One relation per pair, required because one of those it stands for was.
    assert rels == [
        {"type": "IN_SECTOR", "source": "Gippsland Dairy", "target": "meat processing",
         "evidence": [[0, 28], [0, 45]]},
        {"type": "IN_SECTOR", "source": "Gippsland Dairy", "target": ["wine production", "meat processing"],
         "evidence": [[50, 60]]}]
    assert entities[1].get("aliases") is None  # what it was given is left as it was


def test_the_dev_gold_sets_are_trained_on_with_one_sector_per_division(tmp_path: Path):
    from ingest.learn import train as T

    (tmp_path / "gold2").mkdir()
    (tmp_path / "gold2" / "dairy.txt").write_text("Gippsland Dairy makes cheese and sausages.", encoding="utf-8")
    gold = {"entities": [{"name": "Gippsland Dairy", "type": "Organization", "kind": "company"},
                         {"name": "cheese", "type": "Sector", "code": "10"},
                         {"name": "sausages", "type": "Sector", "code": "10"}],
            "relations": [{"type": "IN_SECTOR", "source": "Gippsland Dairy", "target": "sausages"}]}
    (tmp_path / "gold2" / "dairy.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    [ann] = T.dev_set_annotations(tmp_path)
    assert [(e["name"], e.get("aliases")) for e in ann.entities if e["type"] == "Sector"] == [("cheese", ["sausages"])]
    assert ann.relations == [{"type": "IN_SECTOR", "source": "Gippsland Dairy", "target": "cheese"}]


def test_a_stored_annotation_whose_text_changed_is_refused(tmp_path: Path):
    (tmp_path / "fujitsu.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "fujitsu.ann.json"
    path.write_text(ann_mod.dumps(build(_draft(), TEXT, "fujitsu")), encoding="utf-8")
    assert ann_mod.load(path).entities[0]["name"] == "Fujitsu Ltd"
    (tmp_path / "fujitsu.txt").write_text(TEXT.replace("Sato", "Sata"), encoding="utf-8")
    with pytest.raises(AnnotationError, match="changed since it was annotated"):
        ann_mod.load(path)


def test_held_annotations_are_checked_but_not_trained_on(tmp_path: Path):
    for folder in ("reports", "held", "second"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "fujitsu.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / folder / "fujitsu.ann.json").write_text(
            ann_mod.dumps(build(_draft(), TEXT, "fujitsu")), encoding="utf-8")
    assert [a.doc for a in ann_mod.load_all(tmp_path)] == ["fujitsu"]
    ann_mod.load(tmp_path / "held" / "fujitsu.ann.json")  # still valid


def test_a_second_annotation_of_a_held_report_is_paired_for_agreement(tmp_path: Path):
    stored = ann_mod.dumps(build(_draft(), TEXT, "fujitsu"))
    for folder in ("held", "second/g1"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "fujitsu.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / folder / "fujitsu.ann.json").write_text(stored, encoding="utf-8")
    [(first, second)] = agreement.pairs(tmp_path)
    assert first.doc == second.doc == "fujitsu"


def test_the_committed_annotations_are_all_valid():
    # The Reuters texts live in ../shared; without them only the reports are checked.
    paths = [p for p in ann_mod.ANNOTATIONS.rglob("*.ann.json")
             if (ann_mod.SHARED_TRAIN / f"{p.name.removesuffix('.ann.json')}.txt").exists()
             or p.with_name(p.name.replace(".ann.json", ".txt")).exists()]
    assert len(paths) >= 100
    for p in paths:
        ann_mod.load(p)


def test_a_linear_model_round_trips_through_its_file_byte_for_byte(tmp_path: Path):
    X = [{"w=ministry": 1.0}, {"w=ltd": 1.0}, {"w=ministry": 1.0, "w=trade": 1.0}, {"w=inc": 1.0}]
    y = ["ministry", "enterprise", "ministry", "enterprise"]
    model = train("kind", X, y, labels=["ministry", "enterprise", "other"], multilabel=False)
    model.save(tmp_path / "a.json.gz")
    again = train("kind", X, y, labels=["ministry", "enterprise", "other"], multilabel=False)
    again.save(tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()
    loaded = LinearModel.load(tmp_path / "a.json.gz")
    assert loaded.best({"w=ministry": 1.0})[0] == "ministry"
    assert loaded.best({"w=ltd": 1.0})[0] == "enterprise"
    assert abs(sum(loaded.proba({"w=unknown": 1.0}).values()) - 1.0) < 1e-9


def test_a_model_learns_from_a_dense_vector_read_beside_its_named_features(tmp_path: Path):
    import numpy as np

    # The named features are the same for every example: only the vector tells the labels apart.
    X = [{"types=Organization>Organization": 1.0}] * 40
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 3))
    y = [{"MET_WITH"} if v[1] > 0 else set() for v in vectors]
    model = train("relations", X, y, labels=["MET_WITH", "SIGNED_WITH"], multilabel=True, C=10.0,
                  vectors=vectors)
    assert model.dense_width == 3
    model.save(tmp_path / "r.json.gz")
    loaded = LinearModel.load(tmp_path / "r.json.gz")
    yes, no = np.array([0.0, 2.0, 0.0]), np.array([0.0, -2.0, 0.0])
    assert loaded.proba(X[0], yes)["MET_WITH"] > 0.9 > 0.1 > loaded.proba(X[0], no)["MET_WITH"]
    many = loaded.scores_many([X[0], X[0]], np.stack([yes, no]))
    assert np.allclose(many, [loaded.scores(X[0], yes), loaded.scores(X[0], no)])
    with pytest.raises(ValueError, match="dense vector"):
        loaded.scores_many([X[0]])


def test_an_optional_fact_is_neither_a_yes_nor_a_no_for_its_type():
    from ingest.learn import train as T

    draft = _draft()
    # The same pair also "met", marked optional: the scorer neither asks for it nor counts it wrong.
    draft["relations"].append({"type": "MET_WITH", "source": "Fujitsu Ltd",
                               "target": "Post and Telecommunication Bureau of Fujian Province",
                               "evidence": ["Fujitsu Ltd said it signed a joint venture agreement with the Post and"],
                               "optional": True})
    stored = build(draft, TEXT, "fujitsu")
    ann = ann_mod.Annotation("fujitsu", TEXT, stored["entities"], stored["relations"])
    item, = T.parse([ann], T.training_extractor())
    item.prepare(None)
    X, Y, unsure, _ = T.relation_model.examples(item.rep, item.align)
    pair = [n for n, y in enumerate(Y) if "SIGNED_WITH" in y]
    assert pair and all(unsure[n] == {"MET_WITH"} for n in pair)
    assert all(not u for n, u in enumerate(unsure) if n not in pair)


def test_a_label_left_unknown_for_an_example_is_not_learned_as_its_absence():
    # "agreed" states a signing in ten examples; in thirty more the signing is only optional.
    X = [{"w=agreed": 1.0}] * 40 + [{"w=other": 1.0}] * 40
    y = [{"SIGNED_WITH"}] * 10 + [set()] * 70
    unknown = [set()] * 10 + [{"SIGNED_WITH"}] * 30 + [set()] * 40
    left_out = train("relations", X, y, labels=["SIGNED_WITH"], multilabel=True, C=10.0, unknown=unknown)
    taught_no = train("relations", X, y, labels=["SIGNED_WITH"], multilabel=True, C=10.0)
    assert left_out.proba({"w=agreed": 1.0})["SIGNED_WITH"] > 0.9
    assert taught_no.proba({"w=agreed": 1.0})["SIGNED_WITH"] < 0.5


def test_a_pairs_vectors_are_the_encoders_at_its_ends_and_between():
    import numpy as np

    from ingest.learn.features import VECTOR_SCALE, PairCandidate, Report, pair_vectors
    from ingest.nlp import load_model

    nlp, _ = load_model()
    text = "Fujitsu Ltd signed an agreement with Hitachi Ltd in Tokyo."
    doc = nlp(text)
    fujitsu, hitachi = doc[0:2], doc[6:8]
    entities = [Entity(0, "Organization", [Mention(0, 11, "Fujitsu Ltd", "Organization")], name="Fujitsu Ltd"),
                Entity(1, "Organization", [Mention(37, 48, "Hitachi Ltd", "Organization")], name="Hitachi Ltd")]
    rep = Report(doc, text, entities, [])
    width = doc.tensor.shape[1]
    named = PairCandidate(0, 1, (0, len(text)), fujitsu, hitachi)
    unnamed = PairCandidate(0, 1, (0, len(text)), None, hitachi)
    rows = pair_vectors(rep, [named, unnamed], width)
    assert rows.shape == (2, 4 * width)
    source, target = doc.tensor[fujitsu.root.i], doc.tensor[hitachi.root.i]
    assert np.allclose(rows[0, :width], VECTOR_SCALE * source)
    assert np.allclose(rows[0, width:2 * width], VECTOR_SCALE * target)
    assert np.allclose(rows[0, 2 * width:3 * width], VECTOR_SCALE * doc.tensor[2:6].mean(axis=0))
    assert np.allclose(rows[0, 3 * width:], VECTOR_SCALE * source * target)
    assert not rows[1, :width].any() and not rows[1, 2 * width:].any()
    assert np.allclose(rows[1, width:2 * width], VECTOR_SCALE * target)
    # A pipeline whose vectors are not that wide gives no vectors at all, not wrong ones.
    assert not pair_vectors(rep, [named], width + 1).any()


def test_an_entitys_vector_is_the_encoders_over_its_names_and_around_them():
    import numpy as np

    from ingest.learn.features import ENTITY_VECTOR_SCALE, Report, entity_vectors
    from ingest.nlp import load_model

    nlp, _ = load_model()
    text = "Cetus Corp said Cetus will build a plant in Emeryville."
    doc = nlp(text)
    cetus = Entity(0, "Organization", [Mention(0, 10, "Cetus Corp", "Organization"), Mention(16, 21, "Cetus",
                                                                                            "Organization")],
                   name="Cetus Corp")
    unparsed = Entity(1, "Place", [], name="Emeryville")
    rep = Report(doc, text, [cetus, unparsed], [])
    width = doc.tensor.shape[1]
    rows = entity_vectors(rep, [cetus, unparsed], width)
    assert rows.shape == (2, 2 * width)
    # Both mentions' tokens ("Cetus Corp", "Cetus"), then the tokens around them ("said" twice, "will").
    assert np.allclose(rows[0, :width], ENTITY_VECTOR_SCALE * doc.tensor[[0, 1, 3]].mean(axis=0))
    assert np.allclose(rows[0, width:], ENTITY_VECTOR_SCALE * doc.tensor[[2, 2, 4]].mean(axis=0))
    assert not rows[1].any()  # no mention: no vector, not a wrong one
    assert not entity_vectors(rep, [cetus], width + 1).any()


def test_the_committed_type_model_reads_the_encoders_vectors():
    from ingest.learn.features import ENTITY_VECTOR_PARTS
    from ingest.learn.refine import Models

    models = Models.load()
    assert models is not None and models.type is not None
    assert models.type.dense_width == ENTITY_VECTOR_PARTS * 96


def test_a_candidate_is_dropped_from_the_certainty_stored_with_the_type_model(tmp_path: Path):
    from ingest.learn.entity_models import NONE, TYPE_LABELS, decide_type

    # "w=mln" says "not an entity" three times in four: p(none) about 0.6-0.75.
    X = [{"w=mln": 1.0}] * 4 + [{"w=ltd": 1.0}] * 4
    y = [NONE, NONE, NONE, "Organization"] + ["Organization"] * 4
    model = train("entity_type", X, y, labels=TYPE_LABELS, multilabel=False)
    label, p = model.best({"w=mln": 1.0})
    assert label == NONE and 0.5 < p < 0.9
    model.thresholds = {NONE: p + 0.05}
    assert decide_type(model, "Organization", model.best({"w=mln": 1.0})) == "Organization"
    model.thresholds = {NONE: p - 0.05}
    model.save(tmp_path / "type.json.gz")
    loaded = LinearModel.load(tmp_path / "type.json.gz")
    assert decide_type(loaded, "Organization", loaded.best({"w=mln": 1.0})) is None
    assert decide_type(loaded, "Organization", loaded.best({"w=ltd": 1.0})) == "Organization"


def test_training_on_a_small_slice_writes_models_the_extractor_can_use(tmp_path: Path):
    from graph.model import Document, document_id
    from ingest.extract import Extractor
    from ingest.learn.train import main as train_main

    out = tmp_path / "models"
    # Four development reports (tests/gold), no cross-validation: the path, not the quality.
    assert train_main(["--annotations", str(tmp_path / "none"), "--quick", "--limit", "4",
                       "--out", str(out)]) == 0
    assert all((out / f).exists() for f in FILES.values())
    models = Models.load(out)
    assert models is not None and models.label.startswith("models-")
    extractor = Extractor()
    extractor.models = models
    text = Path("tests/gold/ministry-mongolia-korea.txt").read_text(encoding="utf-8")
    result = extractor.extract(Document(id=document_id(text), source="t", text=text)).to_contract()
    assert result["entities"] and all(0.0 <= r["confidence"] <= 1.0 for r in result["relations"])
    # Training again on the same data gives the same files.
    out2 = tmp_path / "again"
    train_main(["--annotations", str(tmp_path / "none"), "--quick", "--limit", "4", "--out", str(out2)])
    for f in FILES.values():
        assert (out / f).read_bytes() == (out2 / f).read_bytes()


def test_the_extractor_version_names_the_committed_models():
    from ingest.extract import Extractor

    if not all((MODELS_DIR / f).exists() for f in FILES.values()):
        pytest.skip("no trained models committed")
    version = Extractor().version
    assert "+models-" in version


def test_the_extractor_runs_spacy_as_its_models_were_trained(tmp_path: Path):
    from ingest.extract import Extractor
    from ingest.learn import train as T

    # What training writes is what loading reads; a directory from before the file: the whole pipeline.
    save_pipeline(T.SPACY_LEFT_OUT, tmp_path)
    assert Models.load(tmp_path) is None  # the pipeline file alone is no models
    assert load_pipeline(tmp_path / FILES["pipeline"]) == T.SPACY_LEFT_OUT
    assert load_pipeline(tmp_path / "missing.json") == ()
    # The rules alone keep spaCy's NER (their mentions read it); the models run without what they were trained without.
    assert "ner" in Extractor(learned=False).nlp.pipe_names
    assert not set(T.SPACY_LEFT_OUT) & set(T.training_extractor().nlp.pipe_names)
    models = Models.load()
    if models is None:
        pytest.skip("no trained models committed")
    assert models.spacy_left_out == T.SPACY_LEFT_OUT
    assert not set(models.spacy_left_out) & set(Extractor().nlp.pipe_names)


def _org(index: int, text: str, start: int = 0, etype: str = "Organization") -> Entity:
    m = Mention(start, start + len(text), text, etype)
    return Entity(index, etype, [m], name=text)


def test_a_name_gives_back_what_it_swallowed_from_its_neighbours():
    owned = _org(0, "Japan's Kanto Machine Tool Co")
    titled = _org(1, "Electronic Industries Association of Japan (EIAJ) Chairman Shoichi Saba", 40)
    person = _org(2, "Federal Deposit Insurance Corp Chairman L. William Seidman", 120, "Person")
    brand = _org(3, "McDonald's Corp", 200)  # "McDonald" is no place and no entity: one name
    service = _org(4, "Canada Trade Commissioner Service", 220)  # a body, not a body and a person
    trim_names([owned, titled, person, brand, service])
    assert (owned.name, owned.mentions[0].start) == ("Kanto Machine Tool Co", len("Japan's "))
    assert titled.name == "Electronic Industries Association of Japan" and titled.aliases == ["EIAJ"]
    assert titled.mentions[0].end == 40 + len("Electronic Industries Association of Japan")
    assert person.name == "L. William Seidman"
    assert brand.name == "McDonald's Corp"
    assert service.name == "Canada Trade Commissioner Service"


def test_a_name_sheds_what_it_picked_up_at_its_edges():
    timed = _org(0, "09:30 Ministry of Energy of Ghana")  # an itinerary table's time column
    owned = _org(1, "Family-owned Tamale Shea Processing Ltd", 40)
    cut = _org(2, "Ghana Export Promotion Authority and", 90)
    bracket = _org(3, "Accra Digital Centre (ADC", 140)
    three_m = _org(4, "3M Ghana Ltd", 180)  # a digit that is part of the name stays
    trim_names([timed, owned, cut, bracket, three_m])
    assert timed.name == "Ministry of Energy of Ghana" and timed.mentions[0].start == len("09:30 ")
    assert owned.name == "Tamale Shea Processing Ltd"
    assert cut.name == "Ghana Export Promotion Authority" and cut.mentions[0].end == 90 + len(cut.name)
    assert bracket.name == "Accra Digital Centre" and bracket.aliases == ["ADC"]
    assert three_m.name == "3M Ghana Ltd"


def test_a_short_form_in_brackets_ends_a_name_and_a_courtesy_title_begins_none():
    office = _org(0, "Netherlands Business Support Office (NBSO) in Hawassa")
    board = _org(1, "Foreign Economic Relations Board of Türkiye (DEİK)", 60)
    fair = _org(2, "FILDA 2024 (Luanda International Fair)", 120, "Event")
    # Brackets inside a name stay: one capital is a place or a legal form, not a short form.
    registered = _org(3, "Highveld Pump Distributors (Pty) Ltd", 180)
    branch = _org(4, "Los Andes Fresh (Shanghai) Trading Co., Ltd", 220)
    mister = _org(5, "Mr Harshad Mehta Desai", 270, "Person")
    licenciado = _org(6, "Lic. Tomás Berardi Ocampo", 300, "Person")
    remark = _org(7, "Sophie Lambert (Toulouse office)", 330, "Person")
    trim_names([office, board, fair, registered, branch, mister, licenciado, remark])
    assert office.name == "Netherlands Business Support Office" and office.aliases == ["NBSO"]
    assert office.mentions[0].end == len("Netherlands Business Support Office")
    assert board.name == "Foreign Economic Relations Board of Türkiye" and board.aliases == ["DEİK"]
    assert fair.name == "FILDA 2024" and fair.aliases == ["Luanda International Fair"]
    assert registered.name == "Highveld Pump Distributors (Pty) Ltd" and not registered.aliases
    assert branch.name == "Los Andes Fresh (Shanghai) Trading Co., Ltd"
    assert mister.name == "Harshad Mehta Desai" and mister.mentions[0].start == 270 + len("Mr ")
    assert licenciado.name == "Tomás Berardi Ocampo"
    assert remark.name == "Sophie Lambert" and remark.mentions[0].end == 330 + len("Sophie Lambert")



def test_a_short_form_set_off_by_a_comma_or_a_participle_joined_on_ends_a_name_but_a_legal_form_does_not():
    coffee = _org(0, "International Coffee Organization, ICO")
    board = _org(1, "Chicago Board of Trade, CBT", 60)
    company = _org(2, "Kettle Moraine Cheese Company, LLC", 120)  # its own legal form
    listed = _org(3, "Tatarstan Chamber of Commerce and Industry, JSC", 180)  # the next name's: left to others
    funded = _org(4, "World Bank-funded", 240)
    trim_names([coffee, board, company, listed, funded])
    assert coffee.name == "International Coffee Organization" and coffee.aliases == ["ICO"]
    assert coffee.mentions[0].end == len("International Coffee Organization")
    assert board.name == "Chicago Board of Trade" and board.aliases == ["CBT"]
    assert company.name == "Kettle Moraine Cheese Company, LLC" and not company.aliases
    assert listed.name == "Tatarstan Chamber of Commerce and Industry, JSC" and not listed.aliases
    assert funded.name == "World Bank"

def test_a_byline_a_short_form_or_a_post_before_a_persons_name_and_the_next_column_after_a_name_are_no_part_of_it():
    byline = _org(0, "By Achieng Otieno-Mwangi", 0, "Person")
    acronym = _org(1, "UCCI Olena Dovzhenko", 40, "Person")
    posts = _org(2, "Consul General Margaret Leblanc", 80, "Person")
    office = _org(3, "JETRO São Paulo", 120, "Person")  # what is left is a place: an office, not a name
    surname = _org(4, "President Tokayev", 160, "Person")  # one word left: the post stays
    column = _org(5, "Fergana Electro-Motors LLC          Fergana", 200)
    trim_names([byline, acronym, posts, office, surname, column])
    assert column.name == "Fergana Electro-Motors LLC" and column.mentions[0].end == 200 + len(column.name)
    assert byline.name == "Achieng Otieno-Mwangi" and byline.mentions[0].start == len("By ")
    assert acronym.name == "Olena Dovzhenko"
    assert posts.name == "Margaret Leblanc"
    assert office.name == "JETRO São Paulo"
    assert surname.name == "President Tokayev"


def test_a_companys_legal_form_after_its_mention_becomes_part_of_its_name():
    from ingest.learn.candidates import extend_legal_forms

    text = ("Laboratorios Ocampo S.A. de C.V. signed with Anatolia Denim Ltd. Şti. and "
            "Polar Pack as part of the deal; Nordic Pack AS is next.")
    ocampo = _entity(0, "Organization", "Laboratorios Ocampo S.A.", text)
    denim = _entity(1, "Organization", "Anatolia Denim", text)
    polar = _entity(2, "Organization", "Polar Pack", text)
    nordic = _entity(3, "Organization", "Nordic Pack", text)
    extend_legal_forms(text, [ocampo, denim, polar, nordic])
    assert ocampo.name == "Laboratorios Ocampo S.A. de C.V." and ocampo.aliases == ["Laboratorios Ocampo S.A."]
    assert ocampo.mentions[0].end == text.index(" signed")
    assert denim.name == "Anatolia Denim Ltd. Şti."
    assert polar.name == "Polar Pack"  # "as" in lower case is a word, not the Norwegian form
    assert nordic.name == "Nordic Pack AS"
    # A mention that stops at "Pvt", before its full stop and "Ltd.", takes both.
    # One that stops at "Pvt" at the end of a sentence keeps its name.
    text = "Mumbai-based Konkan Beverages Pvt. Ltd. agreed a deal with Acme Pvt. The talks went on."
    konkan = _entity(0, "Organization", "Konkan Beverages Pvt", text)
    acme = _entity(1, "Organization", "Acme Pvt", text)
    extend_legal_forms(text, [konkan, acme])
    assert konkan.name == "Konkan Beverages Pvt. Ltd." and konkan.aliases == ["Konkan Beverages Pvt"]
    assert acme.name == "Acme Pvt"
    # ", ASA" after a name whose capitals it spells is its short form; after another, Norway's legal form.
    text = "The American Soybean Association, ASA, and Norsk Hydro, ASA, agreed."
    soy = _entity(0, "Organization", "American Soybean Association", text)
    hydro = _entity(1, "Organization", "Norsk Hydro", text)
    extend_legal_forms(text, [soy, hydro])
    assert soy.name == "American Soybean Association"
    assert hydro.name == "Norsk Hydro, ASA"


def test_a_rule_mention_inside_a_longer_name_the_tagger_found_takes_that_name():
    from ingest.learn.candidates import take_tagged_names

    text = ("Seongsan Precision Gear Co., Ltd. and the Embassy of Canada in Riyadh met Pampanga Fine Foods and "
            "Manila Mart Ltd. The Polish Chamber of Commerce visited Hanoi; the Belarusian Chamber of Commerce "
            "in Astana wrote. MATRADE opened MATRADE Lagos.")

    def span(name: str, after: int = 0) -> tuple[int, int]:
        at = text.index(name, after)
        return at, at + len(name)

    gear = _entity(0, "Organization", "Gear Co., Ltd.", text)
    embassy = _entity(1, "Organization", "Embassy of Canada", text)
    pampanga = _entity(2, "Organization", "Pampanga Fine Foods", text)
    manila = _entity(3, "Organization", "Manila Mart Ltd", text)
    polish = _entity(4, "Organization", "Polish Chamber of Commerce", text)
    belarus = _entity(5, "Organization", "Belarusian Chamber of Commerce", text)
    matrade = _entity(6, "Organization", "MATRADE", text)
    lagos_at = text.index("MATRADE Lagos")
    matrade.mentions.append(Mention(lagos_at, lagos_at + 7, "MATRADE", "Organization"))
    tagged = {span("Seongsan Precision Gear Co., Ltd."): "Organization",
              span("Embassy of Canada in Riyadh"): "Organization",
              span("Pampanga Fine Foods and Manila Mart Ltd"): "Organization",
              span("Polish Chamber of Commerce visited Hanoi"): "Organization",
              span("Belarusian Chamber of Commerce in Astana"): "Organization",
              span("MATRADE Lagos"): "Organization"}
    names = [Mention(s, t, text[s:t], etype, attrs={"candidate": "tagger"}) for (s, t), etype in tagged.items()]
    take_tagged_names(text, [gear, embassy, pampanga, manila, polish, belarus, matrade], names)
    assert gear.name == "Seongsan Precision Gear Co., Ltd."
    assert (gear.mentions[0].start, gear.mentions[0].end) == span("Seongsan Precision Gear Co., Ltd.")
    assert embassy.name == "Embassy of Canada in Riyadh"  # a unit abroad is named with its place
    # What the rules read as two bodies, a verb, or a body that is only "in" a city stays as it was.
    assert [pampanga.name, manila.name] == ["Pampanga Fine Foods", "Manila Mart Ltd"]
    assert polish.name == "Polish Chamber of Commerce"
    assert belarus.name == "Belarusian Chamber of Commerce"
    # A body named elsewhere gives up the mention the longer name holds: "MATRADE Lagos" is its own candidate.
    assert matrade.name == "MATRADE" and [m.start for m in matrade.mentions] == [text.index("MATRADE")]


def test_a_rule_mention_the_tagger_reads_as_two_joined_bodies_becomes_two_candidates():
    from ingest.learn.candidates import add_candidates

    text = ("Korea Federation of Textile Industries and KOTRA hosted the mission. TRW Inc's TRW Components "
            "International Inc signed. Tate and Lyle Plc bought sugar. Acme Trading visited Pampa Foods Ltd. "
            "Norway's Nordfjord Seafood Group and Heilongjiang Department of Commerce Wang Guoqing met.")
    doc = load_model()[0](text)

    def span(name: str) -> tuple[int, int]:
        return text.index(name), text.index(name) + len(name)

    rules = [_entity(0, "Organization", "Korea Federation of Textile Industries and KOTRA", text),
             _entity(1, "Organization", "TRW Inc's TRW Components International Inc", text),
             _entity(2, "Organization", "Tate and Lyle Plc", text),
             _entity(3, "Organization", "Acme Trading visited Pampa Foods Ltd", text),
             _entity(4, "Organization", "Norway's Nordfjord Seafood Group", text),
             _entity(5, "Organization", "Heilongjiang Department of Commerce Wang Guoqing", text)]
    tagged = {span(name): "Organization" for name in (
        "Korea Federation of Textile Industries", "KOTRA", "TRW Inc", "TRW Components International Inc",
        "Tate", "Lyle Plc", "Acme Trading", "Pampa Foods Ltd", "Nordfjord Seafood Group",
        "Heilongjiang Department of Commerce")}
    tagged.update({span("Norway"): "Place", span("Wang Guoqing"): "Person"})
    found = add_candidates(doc, text, rules, tagged=tagged)
    names = {e.name for e in found if e.type == "Organization"}
    # Joined by "and" or an owner's "'s": each body is a candidate of its own.
    assert {"Korea Federation of Textile Industries", "KOTRA", "TRW Inc", "TRW Components International Inc"} <= names
    assert "Korea Federation of Textile Industries and KOTRA" not in names
    # One word before "and" is part of the name; a verb between two names is not a joint.
    assert "Tate and Lyle Plc" in names and "Tate" not in names
    assert "Acme Trading visited Pampa Foods Ltd" in names
    # A place or a person run on with a body: the body keeps the mention, the others are candidates.
    assert {"Nordfjord Seafood Group", "Heilongjiang Department of Commerce"} <= names
    assert {("Place", "Norway"), ("Person", "Wang Guoqing")} <= {(e.type, e.name) for e in found}


def test_a_tagged_body_name_holding_a_place_is_a_candidate_beside_the_place():
    from ingest.learn.candidates import add_candidates

    text = "The mission met the University of São Paulo. The Goethe Society visited Frankfurt."
    doc = load_model()[0](text)
    places = [_entity(0, "Place", "São Paulo", text), _entity(1, "Place", "Frankfurt", text)]

    def span(name: str) -> tuple[int, int]:
        return text.index(name), text.index(name) + len(name)

    tagged = {span("University of São Paulo"): "Organization", span("Goethe Society visited Frankfurt"): "Organization"}
    found = add_candidates(doc, text, places, tagged=tagged)
    names = {(e.type, e.name) for e in found}
    assert {("Organization", "University of São Paulo"), ("Place", "São Paulo"), ("Place", "Frankfurt")} <= names
    assert ("Organization", "Goethe Society visited Frankfurt") not in names


def test_a_ministry_cut_inside_its_list_of_portfolios_takes_the_rest_of_the_list():
    from ingest.learn.candidates import extend_portfolios

    text = ("The Ministry of Commerce, Industry and Tourism met the Federal Ministry for Economic Affairs and "
            "Energy. The Ministry of Trade and Ministry of Industry signed.")
    commerce = _entity(0, "Organization", "Ministry of Commerce", text)
    affairs = _entity(1, "Organization", "Federal Ministry for Economic Affairs", text)
    trade = _entity(2, "Organization", "Ministry of Trade", text)
    extend_portfolios(text, [commerce, affairs, trade])
    assert commerce.name == "Ministry of Commerce, Industry and Tourism" and commerce.aliases == ["Ministry of Commerce"]
    assert affairs.name == "Federal Ministry for Economic Affairs and Energy"
    assert trade.name == "Ministry of Trade"  # "and Ministry" begins another body


def test_a_delegation_keeps_its_name_and_gains_the_phrases_that_say_who_travels_and_where(nlp):
    from ingest.learn.candidates import name_phrases, phrase_forms

    text = ("Pharmexcil will lead a delegation of 25 Indian manufacturers to Almaty in May. "
            "MacAskill will lead a follow-up trip to Hanoi and Haiphong in January. "
            "The delegation met the chamber.")
    doc = nlp(text)
    trip = text.index("trip")
    assert phrase_forms(doc, doc.text, trip, trip + 4, "Mission") == ["follow-up trip", "follow-up trip to Hanoi and Haiphong"]
    delegation = _entity(0, "Mission", "delegation", text)
    delegation.aliases = ["the delegation"]
    delegation.mentions.append(Mention(text.rindex("delegation"), text.rindex("delegation") + 10, "delegation",
                                       "Mission", generic=True))
    name_phrases(doc, doc.text, [delegation])
    # The name stays (the main delegation gathers other trips' mentions); the phrase is an alias after its forms.
    assert delegation.name == "delegation"
    assert delegation.aliases == ["the delegation", "delegation of 25 Indian manufacturers"]
    # Only a delegation's word heads such a phrase.
    chamber = text.index("chamber")
    assert phrase_forms(doc, doc.text, chamber, chamber + 7, "Mission") == []


def test_a_counted_or_national_group_of_firms_is_a_delegation_candidate_but_not_what_a_delegation_is_made_of(nlp_with_ner):
    from ingest.learn.candidates import add_candidates

    text = ("Eleven German machine builders travelled to Tashkent. Korean seafood importers visited Puerto Montt. "
            "A delegation of nine Slovenian firms met the chamber. Exporters face new tariffs.")
    found = {(e.type, e.name, e.attrs.get("candidate")) for e in add_candidates(nlp_with_ner(text), text, [])}
    assert ("Mission", "Eleven German machine builders", "group") in found
    assert ("Mission", "Korean seafood importers", "group") in found
    assert not any(name == "nine Slovenian firms" for _, name, _ in found)
    assert not any(t == "Mission" and name == "Exporters" for t, name, _ in found)


def test_an_office_or_site_named_by_where_it_is_is_a_body_holding_the_names_inside_it(nlp):
    from ingest.learn.candidates import add_candidates

    text = ("The mission called at the NZTE office in Jakarta and at the Lagos liaison office. "
            "Cargo leaves from the port of Algeciras. The office was closed.")
    doc = nlp(text)
    nzte = _entity(0, "Organization", "NZTE", text)
    jakarta = _entity(1, "Place", "Jakarta", text)
    found = {(e.type, e.name, e.attrs.get("candidate")) for e in add_candidates(doc, text, [nzte, jakarta])}
    # The unit holds the body it belongs to and the place it sits in: all three stand.
    assert {("Organization", "NZTE office in Jakarta", "unit"), ("Organization", "NZTE", None),
            ("Place", "Jakarta", None)} <= found
    assert ("Organization", "Lagos liaison office", "unit") in found
    assert ("Organization", "port of Algeciras", "unit") in found
    assert not any(name == "office" for _, name, _ in found)  # a bare "the office" names nothing


def test_a_body_whose_phrase_says_where_its_unit_sits_gains_that_phrase_as_an_alias(nlp):
    from ingest.learn.candidates import add_candidates

    text = "The delegation met the Embassy of Canada in Riyadh."
    embassy = _entity(0, "Organization", "Embassy of Canada", text)
    out = add_candidates(nlp(text), text, [embassy])
    # Not a second body over the same head: the rules' entity gains the longer name.
    assert [e.name for e in out if e.type == "Organization"] == ["Embassy of Canada"]
    assert "Embassy of Canada in Riyadh" in out[0].aliases


def test_a_short_form_folds_into_its_full_name_but_not_into_its_office_or_branch():
    from ingest.learn.candidates import merge_short_forms

    text = ("Quest Biotechnology Inc signed. Quest said so. NZTE Riyadh hosted. NZTE paid. "
            "ProColombia office in Madrid opened. ProColombia agreed. Kansai Castings Brazil Ltda grew. "
            "Kansai Castings grew. Riyadh is hot.")
    names = ["Quest Biotechnology Inc", "Quest", "NZTE Riyadh", "NZTE", "ProColombia office in Madrid",
             "ProColombia", "Kansai Castings Brazil Ltda", "Kansai Castings"]
    entities = [_entity(i, "Organization", n, text) for i, n in enumerate(names)]
    entities.append(_entity(len(names), "Place", "Riyadh", text.split("hosted")[1]))
    merge_short_forms(entities, [])
    live = {e.name: e.aliases for e in entities if e.mentions}
    assert "Quest" not in live and "Quest" in live["Quest Biotechnology Inc"]  # the short form folds in
    # A body's office named by its city or its office word, and a branch named by its country, stand apart.
    assert {"NZTE", "NZTE Riyadh", "ProColombia", "ProColombia office in Madrid", "Kansai Castings",
            "Kansai Castings Brazil Ltda"} <= set(live)
    assert live["NZTE Riyadh"] == [] and live["ProColombia office in Madrid"] == []


def test_a_short_form_in_brackets_after_a_full_name_folds_into_it():
    from ingest.learn.candidates import merge_short_forms
    from ingest.relations import Found

    text = ("Talks with the Vietnam Trade Promotion Agency (VIETRADE) went well. VIETRADE signed with "
            "Hanoi Foods. The Ministry (MOIT) and Saigon Foods (MOIT) met.")

    def body(index: int, name: str, *surfaces: tuple[str, int]) -> Entity:
        mentions = [Mention(at, at + len(surface), surface, "Organization") for surface, at in surfaces]
        return Entity(index, "Organization", mentions, name=name)

    agency = body(0, "Vietnam Trade Promotion Agency", ("Vietnam Trade Promotion Agency", text.index("Vietnam")))
    acronym = body(1, "Vietrade", ("VIETRADE", text.index("VIETRADE")), ("VIETRADE", text.rindex("VIETRADE")))
    foods = body(2, "Hanoi Foods", ("Hanoi Foods", text.index("Hanoi Foods")))
    # One short form after two names: which one it abbreviates is not known.
    ministry = body(3, "Ministry of Trade", ("Ministry", text.index("Ministry")))
    saigon = body(4, "Saigon Foods Company", ("Saigon Foods", text.index("Saigon")))
    moit = body(5, "MOIT", ("MOIT", text.index("MOIT")), ("MOIT", text.rindex("MOIT")))
    signed = Found("SIGNED_WITH", 1, 2, 0.9, (text.rindex("VIETRADE"), text.index(" The Ministry")))
    found = merge_short_forms([agency, acronym, foods, ministry, saigon, moit], [signed], text)
    assert agency.aliases == ["Vietrade"] and len(agency.mentions) == 3 and not acronym.mentions
    assert [(f.source, f.target) for f in found] == [(0, 2)]  # the rules' finding now names the agency
    assert moit.mentions and not ministry.aliases and not saigon.aliases
    # Without the text, only names that begin alike fold.
    agency = body(0, "Vietnam Trade Promotion Agency", ("Vietnam Trade Promotion Agency", text.index("Vietnam")))
    acronym = body(1, "Vietrade", ("VIETRADE", text.index("VIETRADE")))
    merge_short_forms([agency, acronym], [])
    assert acronym.mentions


def test_a_delegation_the_rules_never_saw_named_joins_the_named_one_the_models_found_before_it():
    """"The mission", "the delegation": the rules leave them apart when the
    delegation's name ("Agribusiness Technology Mission to Nigeria") is one
    only the tagger or the parse found; they join it, as a named delegation
    within a few sentences after; one named far later is another trip."""
    from ingest.learn.candidates import merge_short_forms
    from ingest.relations import Found

    text = ("FINAL REPORT: Agribusiness Technology Mission to Nigeria\n\nThe mission opened markets. "
            "The delegation met NEPC." + " Filler sentence." * 40 + " The group flew home. "
            "Next year the Cocoa Machinery Roadshow to Ghana follows.")

    def entity(index: int, type_: str, surfaces: list[str], *, generic: bool = False, candidate: bool = False,
               at: int = 0) -> Entity:
        mentions = []
        for surface in surfaces:
            start = text.index(surface, at)
            mentions.append(Mention(start, start + len(surface), surface, type_, generic=generic))
            at = start + 1
        return Entity(index, type_, mentions, name=surfaces[0], attrs={"candidate": "tagger"} if candidate else {})

    named = entity(0, "Mission", ["Agribusiness Technology Mission to Nigeria"], candidate=True)
    unnamed = entity(1, "Mission", ["mission", "delegation"], generic=True, at=text.index("The mission"))
    nepc = entity(2, "Organization", ["NEPC"])
    later = entity(3, "Mission", ["group"], generic=True, at=text.index("The group"))
    roadshow = entity(4, "Mission", ["Cocoa Machinery Roadshow to Ghana"], candidate=True)
    met = Found("MET_WITH", 1, 2, 0.9, (text.index("The delegation"), text.index(" Filler")))
    found = merge_short_forms([named, unnamed, nepc, later, roadshow], [met], text)
    assert not unnamed.mentions
    assert [(f.source, f.target) for f in found] == [(0, 2)]  # the rules' finding names the named delegation
    # "The group", long after, joins the nearest named one before it, not the roadshow after it.
    assert not later.mentions and len(named.mentions) == 4 and len(roadshow.mentions) == 1

    # Named only far later (another trip), an unnamed delegation stays apart ...
    first = entity(0, "Mission", ["mission"], generic=True, at=text.index("The mission"))
    roadshow = entity(1, "Mission", ["Cocoa Machinery Roadshow to Ghana"], candidate=True)
    merge_short_forms([first, roadshow], [], text)
    assert first.mentions and len(roadshow.mentions) == 1
    # ... and named a few sentences after, it is that one.
    group = entity(0, "Mission", ["group"], generic=True, at=text.index("The group"))
    roadshow = entity(1, "Mission", ["Cocoa Machinery Roadshow to Ghana"], candidate=True)
    merge_short_forms([group, roadshow], [], text)
    assert not group.mentions and len(roadshow.mentions) == 2
    # The rules' own named delegation is left to the rules (they joined what was theirs to join).
    ruled = entity(0, "Mission", ["Agribusiness Technology Mission to Nigeria"])
    first = entity(1, "Mission", ["mission"], generic=True, at=text.index("The mission"))
    merge_short_forms([ruled, first], [], text)
    assert first.mentions


def test_a_unit_named_with_its_place_is_still_that_unit():
    """A park, zone or office placed ("the China-Belarus industrial park in
    Minsk") is the park itself, not a branch of it."""
    from ingest.learn.candidates import merge_short_forms

    text = ("The fair was held in the China-Belarus industrial park in Minsk. "
            "The China-Belarus industrial park hosts 40 firms. Minsk is cold.")
    entities = [_entity(0, "Organization", "China-Belarus industrial park in Minsk", text),
                _entity(1, "Organization", "China-Belarus industrial park", text.split("Minsk.")[1]),
                _entity(2, "Place", "Minsk", text.split("firms.")[1])]
    merge_short_forms(entities, [])
    live = {e.name: e.aliases for e in entities if e.mentions and e.type == "Organization"}
    assert live == {"China-Belarus industrial park in Minsk": ["China-Belarus industrial park"]}


def test_the_alias_model_sees_that_a_longer_name_adds_an_office_or_a_place():
    from ingest.learn.alias_model import pair_features

    text = "NZTE Riyadh hosted the group. NZTE paid. Quest Biotechnology Inc and Quest."
    office, body = _entity(0, "Organization", "NZTE Riyadh", text), _entity(1, "Organization", "NZTE", text)
    full, short = (_entity(2, "Organization", "Quest Biotechnology Inc", text),
                   _entity(3, "Organization", "Quest", text))
    sentences = {0: {0}, 1: {1}, 2: {2}, 3: {2}}
    assert "left_out_names_unit" in pair_features(office, body, 0, sentences, frozenset({"riyadh"}), text)
    assert "left_out_names_unit" not in pair_features(full, short, 0, sentences, frozenset({"riyadh"}), text)



def test_the_alias_model_sees_initials_before_a_legal_form_a_form_both_names_share_and_a_word_in_capitals():
    """Newswire: "General Motors Corp ... GM"; "Norstar Bancorp" grouped with a
    "Norstar" by the rules while another "Norstar" became a body of its own;
    a headline's "NORSTAR", which is no acronym."""
    from ingest.learn.alias_model import pair_features

    text = "General Motors Corp and Ford Motor Co met. GM said. Norstar Bancorp agreed. Norstar rose."
    gm_full, gm, ford = (_entity(0, "Organization", "General Motors Corp", text), _entity(1, "Organization", "GM", text),
                         _entity(2, "Organization", "Ford Motor Co", text))
    norstar = _entity(3, "Organization", "Norstar Bancorp", text, aliases=["Norstar"])
    other = _entity(4, "Organization", "Norstar", text)
    sentences = {0: {0}, 1: {1}, 2: {0}, 3: {2}, 4: {3}}
    assert "acronym=initials_before_legal_form" in pair_features(gm_full, gm, 0, sentences, frozenset(), text)
    assert "acronym=initials_before_legal_form" not in pair_features(ford, gm, 0, sentences, frozenset(), text)
    assert "a_form_in_common" in pair_features(norstar, other, 0, sentences, frozenset(), text)
    assert "a_form_in_common" not in pair_features(gm_full, norstar, 0, sentences, frozenset(), text)
    headline = _entity(5, "Organization", "NORSTAR", "NORSTAR TO MERGE")
    caps = pair_features(norstar, headline, 0, {3: {2}, 5: {0}}, frozenset(), text)
    assert "caps_word_of_name" in caps and not any(k.startswith("acronym=") for k in caps)

def test_a_person_named_only_by_a_post_is_paired_with_the_person_said_to_hold_it():
    """"Park Ji-hoon, Director General of KHIDI ... The Director General was
    supported by Kim Seo-yeon": the post stands for Park, never for Kim."""
    from ingest.learn.alias_model import candidates, pair_features

    text = ("The delegation was led by Park Ji-hoon, Director General of KHIDI's cooperation division. "
            "The Director General was supported by Kim Seo-yeon of KOTRA. Kim Seo-yeon spoke first.")
    park = _entity(0, "Person", "Park Ji-hoon", text)
    kim = _entity(1, "Person", "Kim Seo-yeon", text)
    post_start = text.index("Director General was")
    post = Entity(2, "Person", [Mention(post_start, post_start + 16, "Director General", "Person")],
                  name="Director General")
    pairs = [(a.name, b.name) for a, b, _ in candidates([park, kim, post], text)]
    assert pairs == [("Park Ji-hoon", "Director General")]
    sentences = {0: {0}, 1: {1}, 2: {1}}
    assert "post_of_person=beside" in pair_features(park, post, 0, sentences, frozenset(), text)
    # The rules' reading of the person's post counts too, wherever it was written.
    titled = _entity(1, "Person", "Kim Seo-yeon", text, attrs={"title": "Deputy Director General"})
    assert "post_of_person=title" in pair_features(titled, post, 0, sentences, frozenset(), text)


def test_a_name_beside_a_post_is_told_to_the_type_model(nlp):
    """People in lists are named with their post ("Priya Nair, BD lead") or
    after it ("Mayor Lorraine Fedoruk"); the company before them is not."""
    from ingest.learn.features import Report, entity_features

    text = ("Exhibitors:\n- Emirates Cold Chain Solutions – Priya Nair, BD lead\n"
            "Mayor Lorraine Fedoruk signed the memorandum, represented by its director.")
    names = ["Emirates Cold Chain Solutions", "Priya Nair", "Lorraine Fedoruk", "memorandum"]
    entities = [_entity(i, "Organization", n, text) for i, n in enumerate(names)]
    rep = Report(nlp(text), text, entities, [])
    posts = {e.name: {k for k in entity_features(rep, e) if k.startswith("title_")} for e in entities}
    assert posts == {"Emirates Cold Chain Solutions": set(), "Priya Nair": {"title_after"},
                     "Lorraine Fedoruk": {"title_before"}, "memorandum": set()}



def test_a_one_word_name_that_ends_a_longer_name_of_the_report_is_told_to_the_type_model(nlp):
    """Newswire goes on with a surname ("Baker said") or a company's first
    word in capitals ("WANG"): the type model sees which longer name it ends."""
    from ingest.learn.features import Report, entity_features

    text = ("Treasury Secretary James Baker met Wang Laboratories Inc executives. "
            "Baker said WANG would expand.")
    entities = [_entity(0, "Person", "James Baker", text), _entity(1, "Organization", "Wang Laboratories Inc", text),
                _entity(2, "Organization", "Baker", text), _entity(3, "Person", "WANG", text)]
    rep = Report(nlp(text), text, entities, [])
    ends = {e.name: {k for k in entity_features(rep, e) if k.startswith("ends_name=")} for e in entities}
    assert ends == {"James Baker": set(), "Wang Laboratories Inc": set(),
                    "Baker": {"ends_name=Person:last"}, "WANG": {"ends_name=Organization:first"}}

def test_the_type_model_is_told_which_names_the_gazetteer_lists_whole_and_how_large_a_town_is(nlp):
    """"Port of Spain" is a capital whatever a rule made of "Port"; "Murray"
    is a small town beside the person a business story more likely means."""
    from ingest.learn.features import Report, entity_features

    text = "Terrence Murray of Fleet met buyers in Port of Spain and London. Murray signed for Cetus Corp."
    entities = [_entity(0, "Organization", "Port of Spain", text), _entity(1, "Place", "Murray", text),
                _entity(2, "Place", "London", text), _entity(3, "Organization", "Cetus Corp", text)]
    rep = Report(nlp(text), text, entities, [])
    listed = {e.name: {k for k in entity_features(rep, e) if k.startswith("gazetteer")} for e in entities}
    assert listed["Port of Spain"] == {"gazetteer=city", "gazetteer_town=<=4"}
    assert listed["Murray"] == {"gazetteer=city", "gazetteer_town=<=4"}
    assert listed["London"] == {"gazetteer=city", "gazetteer_town=>99"}
    assert listed["Cetus Corp"] == set()


def test_a_place_named_inside_a_body_s_name_is_told_to_the_relation_model(nlp):
    """"X of Japan", "Tashkent Pharma Park": the guide's LOCATED_IN, stated
    by the name itself."""
    from ingest.learn.features import Report, pair_candidates, pair_features

    text = "The group flew to Tashkent on Monday. On Tuesday it toured the Tashkent Pharma Park and Samarkand."
    entities = [_entity(0, "Place", "Tashkent", text), _entity(1, "Organization", "Tashkent Pharma Park", text),
                _entity(2, "Place", "Samarkand", text)]
    rep = Report(nlp(text), text, entities, [])
    cands = {(c.source, c.target): c for c in pair_candidates(rep)}
    assert (1, 0) in cands and (1, 2) in cands
    def in_name(cand) -> bool:  # the pair's features, as a sentence or a repeated name gives them
        return any(k.endswith("place_in_name") for k in pair_features(rep, cand, {}, {}))

    assert in_name(cands[(1, 0)]) and not in_name(cands[(1, 2)])


def test_a_list_s_later_items_are_told_what_the_sentence_says_of_its_first(nlp):
    """"will visit France, Italy, Mexico and Colombia": Italy hangs off France
    by conj, so its path alone reads like nothing said of it."""
    from ingest.learn.features import Report, pair_candidates, pair_features

    text = "The Chamber delegation will visit France, Italy, Mexico and Colombia next spring."
    names = ["Chamber delegation", "France", "Italy", "Mexico", "Colombia"]
    entities = [_entity(0, "Mission", names[0], text)] + [_entity(i, "Place", n, text)
                                                            for i, n in enumerate(names[1:], 1)]
    rep = Report(nlp(text), text, entities, [])
    cands = {(c.source, c.target): c for c in pair_candidates(rep)}
    features = {names[t]: pair_features(rep, cands[(0, t)], {}, {}) for t in range(1, 5)}
    first_paths = {k for k in features["France"] if k.startswith(("path=", "tgt_head="))}
    assert first_paths and "list_item" not in features["France"]
    for later in ("Italy", "Mexico", "Colombia"):
        assert features[later]["list_item"] == 1.0
        assert first_paths <= set(features[later])
    # Two items of one list are not each other's later item.
    assert "list_item" not in pair_features(rep, cands[(1, 2)], {}, {})


def test_given_names_are_the_words_annotated_people_begin_with_more_often_than_other_names():
    from ingest.learn import given_names

    def ann(*entities: tuple[str, str]) -> ann_mod.Annotation:
        return ann_mod.Annotation("d", "", [{"name": n, "type": t} for n, t in entities], [])

    names = given_names.learn([
        ann(("Ama Owusu", "Person"), ("Stefano Colombo", "Person"), ("Mr Tomas Kubicek", "Person")),
        ann(("Colombo Port City", "Organization"), ("Colombo Dockyard", "Organization"), ("Stefano Rossi", "Person"),
            ("Ama", "Person"))])
    assert names == {"ama", "stefano", "tomas"}  # "Mr" is a title; "Colombo" begins bodies more often
    assert given_names.first_name("Ms Ama Owusu") == "ama"
    assert given_names.first_name("Owusu") is None
    assert given_names.feature("Ama Owusu", names) == "given_name"
    assert given_names.feature("Tomas", names) == "given_name_alone"
    assert given_names.feature("Colombo Dockyard", names) is None


def test_a_delegation_the_rules_joined_to_the_named_one_but_whose_phrase_says_more_stands_apart(nlp):
    from ingest.learn.candidates import split_missions

    text = ("The Korea Medical Devices Mission visited Tashkent. The delegation met the ministry. "
            "An Uzbek health ministry delegation will attend the fair in Seoul.")
    doc = nlp(text)
    named = _entity(0, "Mission", "Korea Medical Devices Mission", text)
    for phrase in ("delegation met", "delegation will"):
        at = text.index(phrase)
        named.mentions.append(Mention(at, at + 10, "delegation", "Mission", generic=True))
    out = split_missions(doc, doc.text, [named])
    assert [m.text for m in named.mentions] == ["Korea Medical Devices Mission", "delegation"]
    assert len(out) == 2 and out[1].name == "Uzbek health ministry delegation" and out[1].index == 1
    assert [m.start for m in out[1].mentions] == [text.index("delegation will")]


def test_a_delegation_no_mention_names_keeps_its_first_phrase_and_another_trip_stands_apart(nlp):
    from ingest.learn.candidates import split_missions

    text = ("A delegation of Polish food firms arrived in Hanoi. The delegation met VCCI. "
            "A return delegation of Vietnamese buyers will visit Warsaw.")
    doc = nlp(text)
    unnamed = Entity(0, "Mission", [], name="delegation")
    for phrase in ("delegation of Polish", "delegation met", "delegation of Vietnamese"):
        at = text.index(phrase)
        unnamed.mentions.append(Mention(at, at + 10, "delegation", "Mission", generic=True, entity=0))
    out = split_missions(doc, doc.text, [unnamed])
    # The first trip keeps its own mentions ("the delegation" says no more) ...
    assert [m.start for m in unnamed.mentions] == [text.index("delegation of Polish"),
                                                   text.index("delegation met")]
    # ... the return trip is a delegation of its own, for the alias model to join back if it is the same.
    assert [e.name for e in out[1:]] == ["return delegation of Vietnamese buyers"]
    assert [m.start for m in out[1].mentions] == [text.index("delegation of Vietnamese")]


def test_an_event_sheds_the_city_it_is_held_in_and_the_hours_of_the_programme():
    held_in = _org(0, "Klaipeda for the TransBaltica conference", 0, "Event")
    timed = _org(1, "14:00–17:00 B2B meetings", 60, "Event")
    named_for = _org(2, "Forum for Democracy", 100, "Event")  # "Forum" is no place: the name stays whole
    trim_names([held_in, timed, named_for])
    assert held_in.name == "TransBaltica conference" and held_in.mentions[0].start == len("Klaipeda for the ")
    assert timed.name == "B2B meetings"
    assert named_for.name == "Forum for Democracy"


def test_a_name_sheds_the_itinerary_date_or_the_place_set_off_before_it():
    names = ["6 October – Polish–Uzbek Business Forum", "18 Oct Azerbaijan–Czech Health Forum",
             "Tashkent — Korea–Uzbekistan Medical Business Forum", "Mar  Brussels   Embassy of Kazakhstan in Belgium",
             "ALGIERS - The Algerian Chamber of Commerce and Industry",
             # Kept whole: a month word in a company's name, a short form set off before the full name.
             "May Department Stores Co", "Jan De Nul Group", "ITA – Italian Trade Agency", "THAIFEX – Anuga Asia"]
    entities = [_org(n, text, 100 * n, "Event" if "Forum" in text else "Organization") for n, text in enumerate(names)]
    trim_names(entities)
    assert [e.name for e in entities] == [
        "Polish–Uzbek Business Forum", "Azerbaijan–Czech Health Forum", "Korea–Uzbekistan Medical Business Forum",
        "Embassy of Kazakhstan in Belgium", "The Algerian Chamber of Commerce and Industry",
        "May Department Stores Co", "Jan De Nul Group", "ITA – Italian Trade Agency", "THAIFEX – Anuga Asia"]
    assert entities[0].mentions[0].start == len("6 October – ")


def test_a_phrase_read_across_table_columns_keeps_its_last_column(nlp):
    from ingest.learn.candidates import add_candidates

    text = "Feb    | Busan battery materials delegation | Seoul\n14:00  ITPC market seminar\n"
    names = {e.name for e in add_candidates(nlp(text), text, [])}
    assert "Busan battery materials delegation" in names and "ITPC market seminar" in names
    assert not any(name.startswith(("Feb", "14:00")) for name in names)


def test_a_person_named_again_by_the_post_alone_stays_one_person():
    """"... led by Park Ji-hoon, Director General of KHIDI's ... The Director
    General was supported by Kim Seo-yeon": one Park, with the post as an
    alias; Kim keeps his own name."""
    from graph.model import Document, document_id
    from ingest.extract import Extractor

    if not (MODELS_DIR / FILES["aliases"]).exists():
        pytest.skip("no trained models committed")
    text = ("TASHKENT, 12 May 2025 - A delegation of Korean medical device makers was led by Park Ji-hoon, "
            "Director General of KHIDI's International Cooperation Division. The Director General was supported "
            "by Kim Seo-yeon, director of the KOTRA Tashkent office. The Director General met Deputy Minister "
            "Aziz Karimov of the Ministry of Health.")
    out = Extractor().extract(Document(id=document_id(text), source="t", text=text)).to_contract()
    persons = {e["name"]: e.get("aliases", []) for e in out["entities"] if e["type"] == "Person"}
    assert persons["Park Ji-hoon"] == ["Director General"]
    assert "Director General" not in persons and persons["Kim Seo-yeon"] == []


def test_a_short_form_is_folded_into_its_full_name_with_its_relations():
    import spacy

    from ingest.learn.alias_model import merge
    from ingest.learn.features import Report
    from ingest.relations import Found

    path = MODELS_DIR / FILES["aliases"]
    if not path.exists():
        pytest.skip("no trained models committed")
    text = ("Storer Communications Inc agreed to sell its stations to Kestrel Holdings Inc on Monday. "
            "Storer said the World Bank and the Central Bank had raised no objection.")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    names = ["Storer Communications Inc", "Kestrel Holdings Inc", "Storer", "World Bank", "Central Bank"]
    starts = [0, text.index("Kestrel"), text.index("Storer said"), text.index("World"), text.index("Central")]
    entities = [_org(i, name, start) for i, (name, start) in enumerate(zip(names, starts, strict=True))]
    sentence = (0, len(text))
    found = [Found("SIGNED_WITH", 2, 1, 0.9, sentence), Found("PART_OF", 2, 0, 0.4, sentence)]
    merged, relations = merge(LinearModel.load(path), Report(nlp(text), text, entities, found), entities, found)
    assert [e.name for e in merged] == ["Storer Communications Inc", "Kestrel Holdings Inc", "World Bank",
                                        "Central Bank"]
    assert merged[0].aliases == ["Storer"] and len(merged[0].mentions) == 2
    # The short form's deal is the company's; "Storer PART_OF Storer ..." is no fact any more.
    assert [(r.type, r.source, r.target) for r in relations] == [("SIGNED_WITH", 0, 1)]


def _merged_names(model_says_same: bool, text: str, names: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Entities named ``names`` (name, type) in ``text``, merged by an alias
    model that calls every pair the same (or none), as (name, aliases)."""
    import spacy

    from ingest.learn.alias_model import SAME, merge, train_aliases
    from ingest.learn.features import Report

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    entities = []
    for i, (name, etype) in enumerate(names):
        start = text.index(name, entities[-1].mentions[0].end if entities else 0)
        entities.append(_org(i, name, start, etype))
    model = train_aliases([{}], [SAME if model_says_same else "none"])
    merged, _ = merge(model, Report(nlp(text), text, entities, []), entities, [])
    return [(e.name, e.aliases) for e in merged]


def test_a_company_named_with_and_without_its_legal_form_is_one_whatever_the_alias_model_says():
    text = ("Kaimai Dairy Ingredients Ltd (Waikato) exhibited. Tkalnia Widzew Sp. z o.o. came too. "
            "Kaimai Dairy Ingredients signed an MoU; Tkalnia Widzew did not. Kaimai Foods was not there.")
    names = [("Kaimai Dairy Ingredients Ltd", "Organization"), ("Tkalnia Widzew Sp. z o.o.", "Organization"),
             ("Kaimai Dairy Ingredients", "Organization"), ("Tkalnia Widzew", "Organization"),
             ("Kaimai Foods", "Organization")]
    assert _merged_names(False, text, names) == [
        ("Kaimai Dairy Ingredients Ltd", ["Kaimai Dairy Ingredients"]),
        ("Tkalnia Widzew Sp. z o.o.", ["Tkalnia Widzew"]), ("Kaimai Foods", [])]


def test_a_bodys_quoted_name_is_the_body_and_its_named_unit_is_not_whatever_the_alias_model_says():
    text = ("The National “Atameken” Chamber of Entrepreneurs hosted the talks; Atameken signed. "
            "The Astrakhan branch of JSC \"Russian Railways\" joined. Russian Railways sent a letter.")
    names = [("National “Atameken” Chamber of Entrepreneurs", "Organization"), ("Atameken", "Organization"),
             ("Astrakhan branch of JSC \"Russian Railways\"", "Organization"),
             ("Russian Railways", "Organization")]
    # The quoted name of the branch's parent is the parent's, not the branch's: the model decides that pair.
    assert _merged_names(False, text, names) == [
        ("National “Atameken” Chamber of Entrepreneurs", ["Atameken"]),
        ("Astrakhan branch of JSC \"Russian Railways\"", []), ("Russian Railways", [])]
    text = ("The Trade Promotion Office of the Chongqing Municipal Commission of Commerce met buyers. "
            "The Chongqing Municipal Commission of Commerce led the delegation.")
    names = [("Trade Promotion Office of the Chongqing Municipal Commission of Commerce", "Organization"),
             ("Chongqing Municipal Commission of Commerce", "Organization")]
    assert len(_merged_names(True, text, names)) == 2


def test_two_editions_of_a_fair_stay_apart_even_where_each_is_joined_to_the_bare_name():
    text = "Gulfood 2025 went well. Gulfood is the region's largest food show. Gulfood 2026 is next."
    names = [("Gulfood 2025", "Event"), ("Gulfood", "Event"), ("Gulfood 2026", "Event")]
    merged = dict(_merged_names(True, text, names))
    assert sorted(merged) == ["Gulfood 2025", "Gulfood 2026"]
    assert sorted(merged["Gulfood 2025"] + merged["Gulfood 2026"]) == ["Gulfood"]


def test_a_delegation_named_as_its_countrys_side_joins_the_delegation_from_that_country():
    text = ("A business delegation from Uzbekistan toured Lodz. The Uzbek side asked about land. "
            "A Polish mission will go to Tashkent. The Korean side did not attend.")
    names = [("business delegation from Uzbekistan", "Mission"), ("Uzbek side", "Mission"),
             ("Polish mission", "Mission"), ("Korean side", "Mission")]
    assert _merged_names(False, text, names) == [
        ("business delegation from Uzbekistan", ["Uzbek side"]), ("Polish mission", []), ("Korean side", [])]


def test_the_type_model_makes_a_town_the_gazetteer_does_not_list_a_place_and_a_company_named_like_a_town_a_body():
    from ingest.learn.entity_models import TYPE_LABELS, decide_type

    X = [{"w=silao": 1.0}] * 4 + [{"w=codelco": 1.0}] * 4
    y = ["Place"] * 4 + ["Organization"] * 4
    model = train("entity_type", X, y, labels=TYPE_LABELS, multilabel=False)
    assert decide_type(model, "Organization", model.best({"w=silao": 1.0})) == "Place"
    assert decide_type(model, "Place", model.best({"w=codelco": 1.0})) == "Organization"
    # Not sure enough: the type it had stays.
    assert decide_type(model, "Person", ("Place", 0.45)) == "Person"


def test_a_name_after_a_title_is_a_person_whatever_the_type_model_makes_of_its_line():
    from graph.model import Document, document_id
    from ingest.extract import Extractor

    if not (MODELS_DIR / FILES["type"]).exists():
        pytest.skip("no trained models committed")
    text = ("Participating companies\n\n"
            "1. Sunrise Forge Pvt Ltd, Rajkot (forgings)\n   Representative: Mr Nilesh Patel, Proprietor\n"
            "2. Coastal Pumps Ltd, Chennai (pumps)\n   Representative: Ms Anita Rao, Export Manager\n")
    out = Extractor().extract(Document(id=document_id(text), source="t", text=text)).to_contract()
    persons = {e["name"]: e.get("aliases", []) for e in out["entities"] if e["type"] == "Person"}
    # Named without the title, which stays an alias.
    assert persons == {"Nilesh Patel": ["Mr Nilesh Patel"], "Anita Rao": ["Ms Anita Rao"]}


def test_a_delegation_or_meeting_named_after_a_body_is_a_candidate_beside_the_body(nlp_with_ner):
    from ingest.learn.candidates import add_candidates

    text = ("A World Bank mission arrived in Lagos on Monday. Our textile mission to Uganda "
            "met buyers in Kampala, and the ICO talks resumed in London.")
    doc = nlp_with_ner(text)
    bodies = [_org(0, "World Bank", text.index("World")), _org(1, "ICO", text.index("ICO"))]
    found = {(e.type, e.name) for e in add_candidates(doc, text, bodies)}
    assert {("Mission", "World Bank mission"), ("Mission", "textile mission to Uganda"),
            ("Event", "ICO talks")} <= found
    # The bodies and places inside those names stay entities of their own.
    assert {("Organization", "World Bank"), ("Organization", "ICO"), ("Place", "Uganda")} <= found
    # A bare head is no name.
    assert ("Mission", "mission") not in found


def _entity(index: int, etype: str, name: str, text: str, **kw) -> Entity:
    """An entity with a mention at each place its name occurs as written first."""
    start = text.index(name)
    return Entity(index, etype, [Mention(start, start + len(name), name, etype)], name=name, **kw)


def _pairs_in_sentence(rep, sentence_text: str) -> set[tuple[str, str]]:
    from ingest.learn.features import pair_candidates

    start = rep.text.index(sentence_text)
    return {(rep.entities[c.source].name, rep.entities[c.target].name) for c in pair_candidates(rep)
            if c.sentence[0] <= start < c.sentence[1]}


def test_a_phrase_referring_back_stands_for_the_entity_in_its_sentence(nlp):
    from ingest.learn.features import Report

    text = ("Ministers of the producing countries opened the two-day ministerial meeting in Kuala Lumpur. "
            "Olivares del Valle Ltda. sent its export manager. "
            "The meeting was chaired by Minister Lim Keng Hoe. "
            "The company met Hanbit Gourmet Co. on Tuesday. "
            "The weather was fine.")
    meeting = _entity(0, "Event", "two-day ministerial meeting", text)
    olivares = _entity(1, "Organization", "Olivares del Valle Ltda.", text, kind="enterprise")
    lim = _entity(2, "Person", "Lim Keng Hoe", text, attrs={"title": "Minister"})
    hanbit = _entity(3, "Organization", "Hanbit Gourmet Co.", text, kind="enterprise")
    rep = Report(nlp(text), text, [meeting, olivares, lim, hanbit], [])
    stand_ins = {(span.text, rep.entities[idx].name, what) for (idx, _), (span, what) in rep.stand_ins.items()}
    assert ("The meeting", "two-day ministerial meeting", "ref=meeting") in stand_ins
    assert ("The company", "Olivares del Valle Ltda.", "ref=company") in stand_ins
    assert ("Lim Keng Hoe", "two-day ministerial meeting") in _pairs_in_sentence(rep, "The meeting was chaired")
    assert ("Olivares del Valle Ltda.", "Hanbit Gourmet Co.") in _pairs_in_sentence(rep, "The company met")
    # What fits no entity named before it refers to nothing.
    assert not any(span.text == "The weather" for span, _ in rep.stand_ins.values())


def test_a_name_found_again_where_the_rules_did_not_mark_it_is_a_mention_for_pairs(nlp):
    from ingest.learn.features import Report

    text = ("The Ghana Export Promotion Authority (GEPA) led the mission to Dubai. "
            "The Norwegian Business Council Dubai hosted a dinner. "
            "GEPA signed a memorandum with Emirates Foods LLC.")
    gepa = _entity(0, "Organization", "Ghana Export Promotion Authority", text)
    gepa.aliases = ["GEPA"]
    dubai = _entity(1, "Place", "Dubai", text)
    council = _entity(2, "Organization", "Norwegian Business Council Dubai", text)
    foods = _entity(3, "Organization", "Emirates Foods LLC", text)
    rep = Report(nlp(text), text, [gepa, dubai, council, foods], [])
    assert ("Ghana Export Promotion Authority", "Emirates Foods LLC") in _pairs_in_sentence(rep, "GEPA signed")
    # A place inside another name is a candidate for where that body is.
    assert ("Norwegian Business Council Dubai", "Dubai") in _pairs_in_sentence(rep, "The Norwegian Business")


def test_a_pair_made_through_a_stand_in_has_feature_names_of_its_own_and_named_pairs_keep_theirs(nlp):
    from ingest.learn.features import Report, pair_candidates
    from ingest.learn.relation_model import candidates

    text = ("The Ghana Export Promotion Authority (GEPA) met Emirates Foods LLC in Dubai. "
            "GEPA signed a memorandum with Emirates Foods LLC.")
    gepa = _entity(0, "Organization", "Ghana Export Promotion Authority", text)
    gepa.aliases = ["GEPA"]
    foods = _entity(1, "Organization", "Emirates Foods LLC", text)
    foods.mentions.append(Mention(text.rindex("Emirates"), len(text) - 1, "Emirates Foods LLC", "Organization"))
    dubai = _entity(2, "Place", "Dubai", text)
    rep = Report(nlp(text), text, [gepa, foods, dubai], [])
    second = text.index("GEPA signed")
    by_sentence = {(c.source, c.target, c.sentence[0] >= second): f for c, f in candidates(rep)}
    named, through_alias = by_sentence[(0, 1, False)], by_sentence[(0, 1, True)]
    assert "bias_pair" in named and not any(k.startswith("ref_") for k in named)
    assert "ref_bias_pair" in through_alias and "ref_src_repeat" in through_alias
    assert not any(k in named for k in through_alias)
    # The stand-in adds pairs; it never replaces a pair the names make.
    without = Report(nlp(text), text, [gepa, foods, dubai], [])
    without._stand_ins = {}
    assert {(c.source, c.target, c.sentence) for c in pair_candidates(without)} < {
        (c.source, c.target, c.sentence) for c in pair_candidates(rep)}


def test_a_fair_left_unnamed_in_a_sentence_is_paired_with_what_the_sentence_names(nlp):
    from ingest.learn.features import Report, report_events

    text = ("Sixty firms exhibited at Gulfood 2025 in Dubai, beside the Coffee Forum. Gulfood 2025 drew 5,000 "
            "buyers. Exhibitors included Sidama Coffee Export PLC and Guji Trading PLC.")
    gulfood = _entity(0, "Event", "Gulfood 2025", text)
    gulfood.mentions.append(Mention(text.rindex("Gulfood 2025"), text.rindex("Gulfood 2025") + 12, "Gulfood 2025",
                                    "Event"))
    sidama = _entity(1, "Organization", "Sidama Coffee Export PLC", text)
    guji = _entity(2, "Organization", "Guji Trading PLC", text)
    once = _entity(3, "Event", "Coffee Forum", text)
    rep = Report(nlp(text), text, [gulfood, sidama, guji, once], [])
    assert report_events(rep) == [0]  # named twice, and first in the title: what the report is about
    pairs = _pairs_in_sentence(rep, "Exhibitors included")
    assert {("Sidama Coffee Export PLC", "Gulfood 2025"), ("Guji Trading PLC", "Gulfood 2025")} <= pairs


def test_a_delegation_left_unnamed_is_described_from_the_word_that_speaks_of_it(nlp):
    from ingest.learn.features import Report, pair_candidates, pair_features, topic_word

    text = ("The Andes trade mission arrived in Lima on Monday. Officials welcomed the visitors. "
            "The group was received by the Lima Chamber of Commerce. PromPeru opened a new office.")
    mission = _entity(0, "Mission", "Andes trade mission", text)
    lima = _entity(1, "Place", "Lima", text)
    chamber = _entity(2, "Organization", "Lima Chamber of Commerce", text, kind="chamber")
    promperu = _entity(3, "Organization", "PromPeru", text, kind="agency")
    rep = Report(nlp(text), text, [mission, lima, chamber, promperu], [])

    def unnamed_pair(source: int, target: int):
        return next(c for c in pair_candidates(rep) if c.unnamed and (c.source, c.target) == (source, target))

    received = unnamed_pair(0, 2)
    word, steps, _ = topic_word(rep, received)
    assert rep.tokens.lower[word] == "group"
    assert steps[0] == "nsubjpass<"  # from the delegation's word up to "received", then down to the chamber
    f = pair_features(rep, received, {}, {})
    assert f["un_ref=group|Mission>Organization"] == 1.0
    assert any(k.startswith("un_refpath=nsubjpass<") for k in f)
    assert f["un_since=<=2|Mission>Organization"] == 1.0  # named two sentences before
    # A sentence with no word for the delegation says so, and how far back it was named.
    opened = pair_features(rep, unnamed_pair(0, 3), {}, {})
    assert opened["un_noref|Mission>Organization"] == 1.0
    assert opened["un_since=<=4|Mission>Organization"] == 1.0
    # What the sentence is about, from its nouns outside names ("office", not "Chamber").
    assert opened["un_sn=office|Mission>Organization"] == 1.0
    assert not any(k.startswith("un_sn=chamber") for k in f)


def test_an_event_the_title_names_once_is_paired_with_its_speakers(nlp):
    from ingest.learn.features import Report, report_events

    text = ("Recap: Vietnam-Nigeria Business Forum\nLagos, 7 November 2023\n\n"
            "About 150 exporters attended. Speakers:\n- Adebayo Okonkwo, President, LCCI\n"
            "- Hauwa Danjuma, Director, NEPC\n\nThe visitors then toured the Lekki Free Zone.\n")
    forum = _entity(0, "Event", "Vietnam-Nigeria Business Forum", text)
    okonkwo = _entity(1, "Person", "Adebayo Okonkwo", text)
    danjuma = _entity(2, "Person", "Hauwa Danjuma", text)
    rep = Report(nlp(text), text, [forum, okonkwo, danjuma], [])
    assert report_events(rep) == [0]
    assert ("Hauwa Danjuma", "Vietnam-Nigeria Business Forum") in _pairs_in_sentence(rep, "- Hauwa Danjuma")


def test_a_second_trip_is_paired_with_what_the_sentences_after_it_name(nlp):
    from ingest.learn.features import Report, pair_candidates

    text = ("The Andes trade mission went to Lima in March. The Andes trade mission met PromPeru. "
            "The Andes trade mission signed two contracts. In June a Gulf buyers mission came to Santiago. "
            "The buyers toured the Valle Fruit Cluster.")
    andes = _entity(0, "Mission", "Andes trade mission", text)
    for at in (text.index("The Andes", 10), text.rindex("The Andes")):
        andes.mentions.append(Mention(at + 4, at + 23, "Andes trade mission", "Mission"))
    gulf = _entity(1, "Mission", "Gulf buyers mission", text)
    cluster = _entity(2, "Place", "Valle Fruit Cluster", text)
    rep = Report(nlp(text), text, [andes, gulf, cluster], [])
    start = text.index("The buyers toured")
    topics = {(rep.entities[c.source].name, c.topic) for c in pair_candidates(rep)
              if c.sentence[0] <= start < c.sentence[1] and c.target == 2}
    # The report's delegation stays a candidate; the one named last before is one too, and says so.
    assert topics == {("Andes trade mission", "report"), ("Gulf buyers mission", "latest")}


def test_a_list_line_is_paired_with_what_its_heading_names(nlp):
    from ingest.learn.features import Report, pair_candidates

    text = ("Trade fair report\n\nExhibitors on the Kenya Pavilion:\n"
            "· Nairobi Tea Traders Ltd, Mombasa\n· Rift Valley Roasters Ltd, Nakuru\n\n"
            "Nairobi Tea Traders Ltd then visited the port.\n")
    pavilion = _entity(0, "Event", "Kenya Pavilion", text)
    tea = _entity(1, "Organization", "Nairobi Tea Traders Ltd", text)
    roasters = _entity(2, "Organization", "Rift Valley Roasters Ltd", text)
    rep = Report(nlp(text), text, [pavilion, tea, roasters], [])
    pairs = {(rep.entities[c.source].name, rep.entities[c.target].name, rep.text[c.sentence[0]:c.sentence[1]].strip("· \n"))
             for c in pair_candidates(rep)}
    assert ("Nairobi Tea Traders Ltd", "Kenya Pavilion", "Nairobi Tea Traders Ltd, Mombasa") in pairs
    assert ("Rift Valley Roasters Ltd", "Kenya Pavilion", "Rift Valley Roasters Ltd, Nakuru") in pairs
    # Prose after the list is under no heading.
    assert not any(s.startswith("Nairobi Tea Traders Ltd then") and b == "Kenya Pavilion" for _, b, s in pairs)


def test_a_list_entrys_contact_line_is_paired_with_the_company_the_entry_names_first(nlp):
    from ingest.learn.features import Report, pair_candidates

    text = ("Participants\n\n1) Ludhiana Forge Tech Pvt Ltd, Ludhiana\n   Industry: forged auto components\n"
            "   Representative: Harpreet Singh Bedi, Managing Partner\n\n"
            "Harpreet Singh Bedi later met Gauteng Automotive Hub.\n")
    forge = _entity(0, "Organization", "Ludhiana Forge Tech Pvt Ltd", text, kind="enterprise")
    ludhiana = _entity(1, "Place", "Ludhiana", text)
    bedi = _entity(2, "Person", "Harpreet Singh Bedi", text)
    hub = _entity(3, "Organization", "Gauteng Automotive Hub", text)
    bedi.mentions.append(Mention(text.rindex("Harpreet"), text.rindex("Harpreet") + 19, "Harpreet Singh Bedi",
                                 "Person"))
    rep = Report(nlp(text), text, [forge, ludhiana, bedi, hub], [])
    pairs = {(rep.entities[c.source].name, rep.entities[c.target].name, c.sentence[0])
             for c in pair_candidates(rep)}
    contact = text.index("Representative")
    assert any(s == "Harpreet Singh Bedi" and t == "Ludhiana Forge Tech Pvt Ltd" and contact - 3 <= at <= contact
               for s, t, at in pairs)
    # Only the entry's first name is its subject, and prose after the entry is no part of it.
    assert not any(t == "Ludhiana" and s == "Harpreet Singh Bedi" for s, t, _ in pairs)
    assert not any(s == "Harpreet Singh Bedi" and t == "Ludhiana Forge Tech Pvt Ltd" and at > contact
                   for s, t, at in pairs)


def test_a_meeting_named_by_plain_modifiers_is_an_event_candidate_and_a_bare_meeting_is_not(nlp):
    from ingest.learn.candidates import add_candidates

    text = ("Ministers met at a special session in Geneva. The weekend meeting of coffee producers "
            "ended without a deal, and a meeting is planned.")
    found = {(e.type, e.name) for e in add_candidates(nlp(text), text, [])}
    # Who meets is part of the name; a bare head is no name.
    assert {("Event", "special session"), ("Event", "weekend meeting of coffee producers")} <= found
    assert ("Event", "meeting") not in found


def test_pavilions_receptions_and_briefings_are_event_candidates(nlp):
    # Heads the annotations give Events under (the Ghana pavilion, a
    # evening reception, an investment briefing) are proposed; the type
    # model decides which are events.
    from ingest.learn.candidates import add_candidates

    text = ("Fourteen exporters showed their products at the Ghana pavilion. The embassy held an evening "
            "reception on Tuesday, and the agency gave an investment briefing in Accra.")
    found = {(e.type, e.name) for e in add_candidates(nlp(text), text, [])}
    assert {("Event", "Ghana pavilion"), ("Event", "evening reception"),
            ("Event", "investment briefing")} <= found


def test_thresholds_are_chosen_for_the_f1_of_all_relations_together():
    """The scorer counts all relations together: a type the model finds hard
    is cut higher than its own best F1 would cut it when its extra,
    mostly wrong relations would lower the F1 of the whole."""
    from ingest.learn.relation_model import best_options

    def scores(tp: int, fp: int, fn: int) -> dict:
        f1 = 2 * tp / (2 * tp + fp + fn)
        return {"tp": tp, "fp": fp, "fn": fn, "f1": round(f1, 3)}

    by_option = {
        (0.1, False): {"WORKS_FOR": scores(80, 40, 20), "PARTICIPATED_IN": scores(30, 70, 70)},
        (0.5, False): {"WORKS_FOR": scores(70, 10, 30), "PARTICIPATED_IN": scores(10, 5, 90)},
    }
    chosen = best_options(by_option)
    # Alone, PARTICIPATED_IN is best at 0.1 (F1 0.30 against 0.17) ...
    assert by_option[(0.1, False)]["PARTICIPATED_IN"]["f1"] > by_option[(0.5, False)]["PARTICIPATED_IN"]["f1"]
    # ... but its 70 wrong relations there cost the whole more than its 20 more right ones bring.
    assert chosen["PARTICIPATED_IN"] == (0.5, False)
    assert chosen["WORKS_FOR"] == (0.5, False)  # its own best too (0.778 against 0.727)


def test_the_rules_findings_are_kept_where_they_add_what_the_threshold_leaves_out():
    """Whether the rules' findings of a type are kept is chosen with its
    threshold: at a high threshold they bring back what the model drops."""
    from ingest.learn.relation_model import chosen_options

    # PLANS_VISIT: the model at 0.5 is precise but misses half; the rules find
    # most of what it misses (and little that is wrong); at 0.2 the model
    # alone finds as much but with many wrong.
    alone = {0.2: {"PLANS_VISIT": (8, 4, 2)}, 0.5: {"PLANS_VISIT": (5, 0, 5)}}
    kept = {0.2: {"PLANS_VISIT": (9, 5, 1)}, 0.5: {"PLANS_VISIT": (9, 1, 1)}}
    per_document = {t: [alone[t]] * 4 for t in alone}
    with_rules = {t: [kept[t]] * 4 for t in kept}
    assert chosen_options(per_document)["PLANS_VISIT"] == (0.2, False)
    assert chosen_options(per_document, "best", with_rules)["PLANS_VISIT"] == (0.5, True)
    # Where the rules' findings add nothing, the model alone is kept.
    assert chosen_options(per_document, "best", per_document)["PLANS_VISIT"] == (0.2, False)
    assert chosen_options(per_document, "bagged", with_rules)["PLANS_VISIT"] == (0.5, True)


def test_documents_that_agree_give_thresholds_that_do_not_move_when_resampled():
    from ingest.learn.relation_model import THRESHOLD_CHOICES, chosen_options, threshold_stability

    # Every document: WORKS_FOR best at 0.4 (one right, nothing wrong), worse on both sides.
    doc = {0.2: {"WORKS_FOR": (1, 2, 0)}, 0.3: {"WORKS_FOR": (1, 1, 0)}, 0.4: {"WORKS_FOR": (1, 0, 0)},
           0.5: {"WORKS_FOR": (0, 0, 1)}, 0.6: {"WORKS_FOR": (0, 0, 1)}}
    per_document = {t: [doc[t]] * 30 for t in doc}
    stability = threshold_stability(per_document, resamples=10)
    for how in THRESHOLD_CHOICES:
        assert stability[how]["threshold_sd_mean"] == 0.0
        assert stability[how]["held_out_relation_f1"] == 1.0
        assert chosen_options(per_document, how)["WORKS_FOR"] == (0.4, False)
    assert stability["chosen"] == "best"  # a tie goes to the simplest way


def test_resampling_shows_how_often_each_way_keeps_the_rules_findings():
    from ingest.learn.relation_model import THRESHOLD_CHOICES, threshold_stability

    # In every document the rules' findings bring back what the model misses at 0.5.
    alone = {0.2: {"PLANS_VISIT": (2, 3, 0)}, 0.5: {"PLANS_VISIT": (1, 0, 1)}}
    kept = {0.2: {"PLANS_VISIT": (2, 3, 0)}, 0.5: {"PLANS_VISIT": (2, 0, 0)}}
    per_document = {t: [alone[t]] * 20 for t in alone}
    with_rules = {t: [kept[t]] * 20 for t in kept}
    stability = threshold_stability(per_document, with_rules, resamples=8)
    without = threshold_stability(per_document, resamples=8)
    for how in THRESHOLD_CHOICES:
        assert stability[how]["rules_kept_share"] == {"PLANS_VISIT": 1.0}
        assert stability[how]["held_out_relation_f1"] == 1.0  # scored with the rules' findings it kept
        assert without[how]["rules_kept_share"] == {}
        assert without[how]["held_out_relation_f1"] < 1.0


def test_a_narrow_peak_of_f1_counts_less_than_a_broad_one_when_smoothed():
    """LED is decided by about one leader a report, so a few documents can
    make one threshold the single best between two worse ones; smoothed,
    the threshold in the middle of a broad high stretch is chosen."""
    from ingest.learn.relation_model import chosen_options

    led = {0.2: (10, 12, 10), 0.3: (18, 2, 2), 0.4: (10, 8, 10),  # a spike at 0.3 ...
           0.5: (17, 3, 3), 0.6: (17, 3, 3), 0.7: (16, 3, 4)}  # ... and a stretch just below it
    per_document = {t: [{"LED": counts}] for t, counts in led.items()}
    assert chosen_options(per_document, "best")["LED"] == (0.3, False)
    assert chosen_options(per_document, "smoothed")["LED"] == (0.6, False)
    assert chosen_options(per_document, "bagged") == chosen_options(per_document, "bagged")  # seeded


def test_the_rules_findings_are_named_as_the_models_output_names_the_same_entities():
    from ingest.learn.train import renamed

    rules_alone = {"entities": [{"id": "e1", "type": "Organization", "name": "Gulf Bank"},
                                {"id": "e2", "type": "Place", "name": "Kuwait"},
                                {"id": "e3", "type": "Place", "name": "Kuwait"}],
                   "relations": [{"type": "LOCATED_IN", "source": "e1", "target": "e3"}]}
    # The models' run kept one more entity (a sector the industry model proposed) before the places.
    with_models = {"entities": [{"id": "e1", "type": "Organization", "name": "Gulf Bank"},
                                {"id": "e2", "type": "Sector", "name": "banking"},
                                {"id": "e3", "type": "Place", "name": "Kuwait"},
                                {"id": "e4", "type": "Place", "name": "Kuwait"}],
                   "relations": []}
    assert renamed(rules_alone, with_models) == [{"type": "LOCATED_IN", "source": "e1", "target": "e4"}]


@pytest.mark.skipif(not Path("../shared/eval/score.py").exists(), reason="needs ../shared's scorer")
def test_the_curves_largest_point_and_the_final_models_are_what_fitting_here_gives():
    # make train reads the curve's largest point from cross-validation's
    # fold 0, and takes the final models from the folds' pool, instead of
    # fitting them again here: each must agree with fitting it here.
    from ingest.learn import train as T

    anns = sorted(T.dev_set_annotations(), key=lambda a: a.doc)
    items = T.parse(anns, T.training_extractor())
    T.tag_out_of_fold(items)
    scorer = T.load_scorer()
    (held,), final = T.cross_validated_outputs(items, thresholds=(0.3, 0.5), final=True)
    thresholds = dict.fromkeys(T.relation_model.RELATION_LABELS, 0.3)
    outputs = [{**o, "relations": [r for r in o["relations"] if r["confidence"] >= 0.3]} for o in held.outputs[0.3]]
    curve = T.learning_curve(items, scorer, thresholds, held.drop_at, outputs)

    test = [p for p in items if T.fold_of(p) == 0]
    train_items = [p for p in items if T.fold_of(p) != 0]
    models = T.fit(train_items, T.prepare(items, train_items), thresholds, held.drop_at)
    fitted = T.score(scorer, test, [T.extract(models, p) for p in test])
    assert curve[-1]["training_documents"] == len(train_items)
    assert curve[-1]["relation_f1"] == fitted["relations"]["f1"]
    assert curve[-1]["entity_f1"] == fitted["entities"]["f1"]
    assert curve[-1]["org_kind_accuracy"] == fitted["org_kind_accuracy"]

    # A smaller point prepares only the texts it trains and tests on: the
    # same models and extractions as with every text prepared.
    few = train_items[:10]
    everything = T.fit(few, T.prepare(items, few), thresholds, held.drop_at)
    with_all = [T.extract(everything, p) for p in test]
    only_its_own = T.fit(few, T.prepare(few + test, few), thresholds, held.drop_at)
    assert only_its_own.relations is not None and everything.relations is not None
    assert only_its_own.relations.to_json() == everything.relations.to_json()
    assert [T.extract(only_its_own, p) for p in test] == with_all

    # The final models, fitted beside the folds in another process, are what fitting here gives.
    assert final is not None
    here = T.fit(items, T.prepare(items, items))
    for name in ("type", "kind", "relations", "aliases", "industries"):
        assert getattr(final, name).to_json() == getattr(here, name).to_json(), name


@pytest.mark.skipif(not Path("../shared/eval/score.py").exists(), reason="needs ../shared's scorer")
def test_the_held_reports_are_scored_as_a_users_reports_are_extracted():
    # make train reports the final models' scores on annotations/held (never
    # trained on): the same figures as extracting each report and scoring it.
    from graph.model import Document, document_id
    from ingest.extract import Extractor
    from ingest.learn import train as T
    from ingest.learn.annotations import HELD, ROOT, load

    held = [load(p) for p in sorted((ROOT / "annotations" / HELD).glob("*.ann.json"))[:3]]
    models = Models.load()
    assert held and models is not None
    scorer = T.load_scorer()
    scores = T.score_held(models, T.training_extractor(), held, scorer)
    extractor = Extractor()
    one_by_one = [scorer.score_report(scorer.Gold(T.gold_view(a)),
                                      extractor.extract(Document(id=document_id(a.text), source=a.doc,
                                                                 text=a.text)).to_contract(), [])[1]
                  for a in held]
    assert scores["documents"] == 3
    assert scores["relations"]["tp"] == sum(sum(r.tp.values()) for r in one_by_one) > 0
    assert scores["relations"]["fp"] == sum(sum(r.fp.values()) for r in one_by_one)


def test_training_jobs_run_apart_in_order_and_a_dead_one_stops_training_with_its_name():
    import os
    import signal

    from ingest.learn.train import in_processes

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the jobs run in this process")
    parent = os.getpid()
    assert in_processes(lambda k: (k * k, os.getpid() != parent), [3, 1, 2]) == [(9, True), (1, True), (4, True)]

    def fails(k: int) -> int:
        if k == 2:
            raise ValueError("no texts")
        return k

    with pytest.raises(RuntimeError, match="job 2 failed(.|\n)*no texts"):
        in_processes(fails, [1, 2, 3])

    def killed(k: int) -> int:  # as the system kills a worker that runs it out of memory
        if k == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return k

    with pytest.raises(RuntimeError, match="job 2 died"):
        in_processes(killed, [1, 2, 3])


def test_a_name_is_found_again_only_as_whole_words_as_the_equivalent_pattern_finds_it():
    import re

    from ingest.learn.anaphora import whole_word_occurrences

    text = "GEPA, GEPAs and _GEPA; GEPA-led. A A A. Société Générale (SG) and SGS; Zürich, Zürich2. GEPA"
    for form in ("GEPA", "A A", "SG", "Zürich", "Société Générale", "GEPA-led"):
        pattern = re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)")
        assert list(whole_word_occurrences(text, form)) == [(m.start(), m.end()) for m in pattern.finditer(text)]
    assert list(whole_word_occurrences(text, "GEPA")) == [(0, 4), (23, 27), (len(text) - 4, len(text))]


def test_thresholds_no_probability_reaches_leave_the_rules_findings_alone(nlp):
    # Training reads "the rules' findings alone" from the relation model with
    # every threshold above 1: no pair of the model may pass, every kept rule finding must.
    import dataclasses

    from ingest.learn import relation_model
    from ingest.learn.features import Report
    from ingest.relations import Found

    models = Models.load()
    assert models is not None and models.relations is not None
    text = "Hanbit Gourmet Co. met Olivares del Valle Ltda. in Seoul on Tuesday and signed a supply deal."
    hanbit = _entity(0, "Organization", "Hanbit Gourmet Co.", text, kind="enterprise")
    olivares = _entity(1, "Organization", "Olivares del Valle Ltda.", text, kind="enterprise")
    seoul = _entity(2, "Place", "Seoul", text, kind="city")
    rule = Found("MET_WITH", 0, 1, 0.7, (0, len(text)))
    rep = Report(nlp(text), text, [hanbit, olivares, seoul], [rule])
    assert relation_model.predict(models.relations, rep)  # the model itself finds something here

    labels = models.relations.labels
    rules_alone = dataclasses.replace(models.relations, thresholds=dict.fromkeys(labels, 1.01),
                                      keep_rules=dict.fromkeys(labels, 1.0))
    assert relation_model.predict(rules_alone, rep) == [dataclasses.replace(rule, confidence=1.0)]
    nothing = dataclasses.replace(rules_alone, keep_rules={})
    assert relation_model.predict(nothing, rep) == []


def test_fair_names_are_learned_from_annotated_events_and_found_as_event_candidates(nlp):
    from ingest.learn import event_names
    from ingest.learn.annotations import Annotation
    from ingest.learn.candidates import add_candidates

    def ann(text: str, entities: list[dict]) -> Annotation:
        return Annotation("t", text, entities, [])

    anns = [
        ann("Nine firms exhibited at Anuga 2025 and met buyers at a webinar.",
            [{"name": "Anuga 2025", "type": "Event", "aliases": ["Anuga"]},
             {"name": "Webinar", "type": "Event"}, {"name": "Last week's session", "type": "Event"}]),
        ann("The webinar on tariffs drew 40 firms. Halal Expo Kazan opened.",
            [{"name": "Halal Expo Kazan", "type": "Event"}]),
        ann("Kazan Holdings signed with Almaty Partners.",
            [{"name": "Kazan Holdings", "type": "Organization"}, {"name": "Almaty Partners", "type": "Organization"}]),
        ann("Visitors at the ARGENTINE PAVILION tasted wine; the Argentine Pavilion hosted a panel.",
            [{"name": "Argentine Pavilion", "type": "Event", "aliases": ["ARGENTINE PAVILION"]}]),
    ]
    learned = event_names.learn(anns)
    # A fair's name without its year is kept, in every spelling written; a
    # word also written in lower case ("webinar") and a description are not names.
    assert learned.forms == {"Anuga", "Halal Expo Kazan", "Argentine Pavilion", "ARGENTINE PAVILION"}
    # Training hides from a text the names only it taught.
    assert event_names.own_names(learned, anns[1]) == {"Halal Expo Kazan"}
    lexicon = event_names.Lexicon(learned.forms)
    report = "Buyers met at the Argentine Pavilion and later at the ARGENTINE PAVILION stand."
    assert [report[s:e] for s, e in lexicon.find(report)] == ["Argentine Pavilion", "ARGENTINE PAVILION"]
    assert lexicon.without({"Anuga"}).find("Anuga 2027") == []
    assert lexicon.names(["ANUGA 2026"]) and not lexicon.names(["Kazan Holdings"])
    text = "Ghanaian cocoa firms will exhibit at Anuga 2027 in Cologne."
    assert [text[s:e] for s, e in lexicon.find(text)] == ["Anuga 2027"]
    found = {(e.type, e.name, e.attrs.get("candidate")) for e in add_candidates(nlp(text), text, [],
                                                                              event_names=lexicon)}
    assert ("Event", "Anuga 2027", "event_names") in found


def test_a_person_named_as_a_company_of_the_report_short_of_its_legal_form_is_that_company():
    import spacy

    from ingest.learn.alias_model import train_aliases
    from ingest.learn.entity_models import TYPE_LABELS
    from ingest.learn.features import Report

    text = ("Tkalnia Widzew Sp. z o.o. signed a trial order. \"A test,\" said Tkalnia Widzew's owner, "
            "Jan Pietrasik. Ms Widzew Nowak, the mayor, was there.")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    names = [("Tkalnia Widzew Sp. z o.o.", "Organization"), ("Tkalnia Widzew", "Person"), ("Jan Pietrasik", "Person"),
             ("Widzew Nowak", "Person")]
    entities = [_org(i, name, text.index(name, 1 if i == 1 else 0), etype) for i, (name, etype) in enumerate(names)]
    # A type model that keeps every candidate's type, and an alias model that joins nothing itself.
    keep = LinearModel("entity_type", TYPE_LABELS, multilabel=False, bias=[0.0] * len(TYPE_LABELS), weights={})
    models = Models(keep, None, None, aliases=train_aliases([{}], ["none"]))
    kept, _ = models.refine(Report(nlp(text), text, entities, []))
    assert sorted((e.type, e.name) for e in kept) == [
        ("Organization", "Tkalnia Widzew Sp. z o.o."), ("Person", "Jan Pietrasik"), ("Person", "Widzew Nowak")]


def test_the_lexicons_learned_from_annotations_do_not_depend_on_the_process_hash_seed(tmp_path):
    # Sets iterate in an order that changes with PYTHONHASHSEED; make train
    # must write the same files in every process (an event name's spelling
    # once followed it, and the models trained on it differed).
    import subprocess
    import sys

    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ingest.learn import event_names, given_names, sector_terms\n"
        "from ingest.learn.annotations import load_all\n"
        "anns = sorted(load_all(), key=lambda a: a.doc)[:400]\n"
        "out = Path(sys.argv[1])\n"
        "out.mkdir()\n"
        "event_names.save(event_names.Lexicon(event_names.learn(anns).forms), out)\n"
        "given_names.save(given_names.learn(anns), out)\n"
        "sector_terms.save(sector_terms.learn(anns), out)\n"
    )
    written = set()
    for seed in ("1", "2", "3"):
        out = tmp_path / seed
        subprocess.run([sys.executable, "-c", program, str(out)], check=True, cwd=Path(__file__).parent.parent,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        written.add(tuple((p.name, p.read_bytes()) for p in sorted(out.iterdir())))
    assert len(written) == 1


def test_of_one_end_s_rival_relations_those_far_below_the_best_are_dropped():
    from ingest.learn.relation_model import found_fields, near_best
    from ingest.relations import Found

    ana, acme, beta, gamma, mission = 0, 1, 2, 3, 4
    found = [Found("WORKS_FOR", ana, acme, 0.9, (0, 40)), Found("WORKS_FOR", ana, acme, 0.3, (41, 90)),
             Found("WORKS_FOR", ana, beta, 0.35, (91, 130)), Found("WORKS_FOR", ana, gamma, 0.7, (131, 170)),
             Found("MEMBER_OF", acme, mission, 0.9, (0, 40)), Found("MEMBER_OF", beta, mission, 0.2, (91, 130))]
    kept = near_best(found, {"source": {"WORKS_FOR": 0.3}}, found_fields)
    # Beta is 0.55 below Ana's surest employer; Gamma, 0.2 below, stays. A pair
    # keeps every sentence that states it, the weaker too; a type without a margin keeps all.
    assert kept == [found[0], found[1], found[3], found[4], found[5]]
    # The target side: the mission's members compete only when a margin says so.
    assert near_best(found, {"target": {"MEMBER_OF": 0.5}}, found_fields) == found[:5]
    assert near_best(found, {}, found_fields) == found


@pytest.mark.skipif(not Path("../shared/eval/score.py").exists(), reason="needs ../shared's scorer")
def test_training_keeps_a_margin_only_where_dropping_the_weaker_rivals_raises_f1():
    from ingest.learn import train as T
    from ingest.learn.annotations import Annotation

    def document(n: int, second_is_right: bool) -> tuple[Annotation, dict]:
        names = [f"Ana Diaz {n}", f"Acme Foods {n}", f"Beta Trading {n}", f"Chamber of Lima {n}", f"Port of Callao {n}"]
        types = ["Person", "Organization", "Organization", "Organization", "Organization"]
        relations = [{"type": "WORKS_FOR", "source": names[0], "target": names[1]},
                     {"type": "MET_WITH", "source": names[1], "target": names[3]},
                     {"type": "MET_WITH", "source": names[1], "target": names[4]}]
        if second_is_right:
            relations.append({"type": "WORKS_FOR", "source": names[0], "target": names[2]})
        typed = list(zip(names, types, strict=True))
        ann = Annotation(f"d{n}", " ".join(names), [{"name": x, "type": t} for x, t in typed], relations)
        out = {"entities": [{"id": f"e{i}", "name": x, "type": t} for i, (x, t) in enumerate(typed)],
               "relations": [{"type": "WORKS_FOR", "source": "e0", "target": "e1", "confidence": 0.9},
                             {"type": "WORKS_FOR", "source": "e0", "target": "e2", "confidence": 0.3},
                             {"type": "MET_WITH", "source": "e1", "target": "e3", "confidence": 0.9},
                             {"type": "MET_WITH", "source": "e1", "target": "e4", "confidence": 0.4}]}
        return ann, out

    # A person's weaker second employer is wrong three times in four; a
    # company's weaker second partner is always right.
    docs = [document(n, second_is_right=n == 0) for n in range(4)]
    margins, outs = T.choose_margins([a for a, _ in docs], [o for _, o in docs], T.load_scorer())
    assert margins == {"source": {"WORKS_FOR": 0.45}}  # the widest margin that drops them
    assert [len(o["relations"]) for o in outs] == [3, 3, 3, 3]
