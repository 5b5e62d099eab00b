"""The span tagger: what it is taught from an annotation, that it learns
names it was not shown, and that its file gives the same tagger back."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.learn import span_model
from ingest.learn.annotations import Annotation
from ingest.learn.train import SPACY_LEFT_OUT
from ingest.nlp import load_model


@pytest.fixture(scope="module")
def nlp():
    # The pipeline the models are trained and run on.
    return load_model(left_out=SPACY_LEFT_OUT)[0]


def _annotation(text: str, names: dict[str, str], generic: tuple[str, ...] = ()) -> Annotation:
    entities = []
    for name, etype in names.items():
        spans = [[i, i + len(name)] for i in _find_all(text, name)]
        entities.append({"name": name, "type": etype, "mentions": spans})
    for phrase in generic:
        entities[0]["mentions"] += [[i, i + len(phrase)] for i in _find_all(text, phrase)]
    return Annotation("t", text, entities, [])


def _find_all(text: str, part: str) -> list[int]:
    out, i = [], text.find(part)
    while i >= 0:
        out.append(i)
        i = text.find(part, i + 1)
    return out


def test_the_outermost_name_is_taught_and_generic_phrases_are_not(nlp):
    text = "The Bank of Japan met Acme Trading Co Ltd in Osaka. The company said so."
    ann = _annotation(text, {"Acme Trading Co Ltd": "Organization", "Bank of Japan": "Organization",
                             "Japan": "Place", "Osaka": "Place"}, generic=("company",))
    doc = nlp(text)
    labels = span_model.gold_labels(doc, ann)
    assert labels is not None
    by_word = {t.text: lab for t, lab in zip(doc, labels, strict=True)}
    assert [by_word[w] for w in ("Bank", "of", "Japan")] == ["B-Organization", "I-Organization", "I-Organization"]
    assert [by_word[w] for w in ("Acme", "Co", "Ltd")] == ["B-Organization", "I-Organization", "I-Organization"]
    assert by_word["Osaka"] == "B-Place"
    assert by_word["company"] == "O"  # "the company" is the rules' business


def test_the_tagger_finds_names_it_was_never_shown(nlp):
    docs = _training_texts(nlp)
    X, y = span_model.examples(docs)
    tagger = span_model.train_tagger(X, y)
    text = "Granite Valley Foods Ltd said it signed an agreement in Ghana."
    found = {text[s:e]: etype for (s, e), etype in span_model.predict(tagger, nlp(text), text).items()}
    assert found.get("Granite Valley Foods Ltd") == "Organization"


def _training_texts(nlp):
    companies = ["Acme Trading Co Ltd", "Borealis Steel Corp", "Cobalt Harbour Shipping Ltd",
                 "Delta Grain Exporters Inc", "Everest Textile Mills Ltd", "Fjord Seafood Co"]
    ministers = ["Maria Lopez", "Kenji Tanaka", "Olga Petrova", "Ahmed Nasser", "Li Wei", "Jan Novak"]
    places = ["Kenya", "Peru", "Vietnam", "Poland", "Egypt", "Chile"]
    docs = []
    for company, person, place in zip(companies, ministers, places, strict=True):
        text = (f"{company} said it signed an agreement in {place}. "
                f"Trade minister {person} welcomed the delegation from {company}.")
        ann = _annotation(text, {company: "Organization", person: "Person", place: "Place"})
        docs.append((nlp(text), ann))
    return docs


def test_the_same_texts_train_the_same_tagger_and_its_file_gives_it_back(nlp, tmp_path: Path):
    X, y = span_model.examples(_training_texts(nlp))
    tagger = span_model.train_tagger(X, y)
    assert span_model.train_tagger(X, y).model == tagger.model  # make train is deterministic
    tagger.save(tmp_path / "tagger.crf.gz")
    again = span_model.SpanTagger.load(tmp_path / "tagger.crf.gz")
    text = "Granite Valley Foods Ltd said it signed an agreement in Ghana."
    doc = nlp(text)
    assert span_model.predict(again, doc, text) == span_model.predict(tagger, doc, text)
    again.save(tmp_path / "again.crf.gz")  # and the same bytes when saved again
    assert (tmp_path / "again.crf.gz").read_bytes() == (tmp_path / "tagger.crf.gz").read_bytes()


def test_the_tagger_s_names_become_candidates_before_spacy_s(nlp):
    from ingest.learn.candidates import add_candidates
    from ingest.learn.features import Report, entity_features

    text = "Officials of Granite Valley Foods Ltd toured the plant on Monday."
    doc = nlp(text)
    start = text.index("Granite")
    end = start + len("Granite Valley Foods Ltd")
    tagged = {(start, end): "Organization"}
    entities = add_candidates(doc, text, [], tagged=tagged)
    names = {e.name: e for e in entities}
    assert "Granite Valley Foods Ltd" in names
    company = names["Granite Valley Foods Ltd"]
    assert company.type == "Organization" and company.attrs["candidate"] == "tagger"
    # No second candidate from spaCy's recogniser over the same words.
    assert not [e for e in entities if e is not company and e.mentions[0].start < end
                and start < e.mentions[0].end]
    rep = Report(doc, text, entities, [], tagged=tagged)
    assert entity_features(rep, company)["tagged=Organization"] == 1.0


def test_a_candidate_is_lined_up_with_the_annotated_name_its_span_best_matches(nlp):
    """"Washington" inside "the G-7 meeting in Washington" is the city, not the
    meeting; "Oman Chamber of Commerce" is the chamber, not the "Oman" in it."""
    from ingest.learn.align import Alignment
    from ingest.learn.features import Report
    from ingest.mentions import Entity, Mention

    text = "Ministers attended the G-7 meeting in Washington. The Oman Chamber of Commerce said so."
    def span(part: str) -> list[int]:
        return [text.index(part), text.index(part) + len(part)]

    ann = Annotation("t", text, [
        {"name": "G-7 meeting in Washington", "type": "Event", "mentions": [span("G-7 meeting in Washington")]},
        {"name": "Washington", "type": "Place", "mentions": [span("Washington")]},
        {"name": "Oman Chamber of Commerce", "type": "Organization", "mentions": [span("Oman Chamber of Commerce")]},
        {"name": "Oman", "type": "Place", "mentions": [span("Oman")]},
    ], [])
    def entity(index: int, part: str, etype: str) -> Entity:
        s, t = span(part)
        return Entity(index, etype, [Mention(s, t, part, etype)], name=part)

    entities = [entity(0, "Washington", "Place"), entity(1, "Oman Chamber of Commerce", "Organization")]
    align = Alignment(Report(nlp(text), text, entities, []), ann)
    assert align.gold[0]["name"] == "Washington"
    assert align.gold[1]["name"] == "Oman Chamber of Commerce"


def test_a_name_cut_short_is_taught_as_no_entity_but_keeps_its_relations(nlp):
    """"Ministry of Trade" cut from a much longer ministry's name is not a name the
    scorer would take: the type model learns "none" for it, the relation model
    still learns the meeting it took part in; a delegation keeps its match."""
    from ingest.learn.align import NONE, Alignment
    from ingest.learn.features import PairCandidate, Report
    from ingest.mentions import Entity, Mention

    long_name = "Ministry of Trade, Co-operatives, Micro, Small and Medium Enterprises"
    text = f"The trade delegation from Ghana met the {long_name} in Accra."
    def span(part: str) -> list[int]:
        return [text.index(part), text.index(part) + len(part)]

    ann = Annotation("t", text, [
        {"name": "trade delegation from Ghana", "type": "Mission", "mentions": [span("trade delegation from Ghana")]},
        {"name": long_name, "type": "Organization", "kind": "ministry", "mentions": [span(long_name)]},
    ], [{"type": "MET_WITH", "source": "trade delegation from Ghana", "target": long_name}])
    def entity(index: int, part: str, etype: str) -> Entity:
        s, t = span(part)
        return Entity(index, etype, [Mention(s, t, part, etype)], name=part)

    entities = [entity(0, "delegation", "Mission"), entity(1, "Ministry of Trade", "Organization")]
    align = Alignment(Report(nlp(text), text, entities, []), ann)
    assert align.entity_type(1) == NONE and align.org_kind(1) is None
    assert align.entity_type(0) == "Mission"
    whole = entity(1, long_name, "Organization")
    assert Alignment(Report(nlp(text), text, [entities[0], whole], []), ann).entity_type(1) == "Organization"
    pair = PairCandidate(0, 1, (0, len(text)), None, None)
    assert align.pair_types(pair) == {"MET_WITH"}


def test_the_delegation_a_sentence_leaves_out_is_paired_with_what_it_names(nlp):
    """Itinerary lines name only whom the delegation met ("Visit to the Tema
    Free Zone"): the report's delegation is paired with that entity, taught
    the relation whose evidence is that line, and described by the line."""
    from ingest.learn.align import Alignment
    from ingest.learn.features import Report, pair_candidates, pair_features
    from ingest.mentions import Entity, Mention

    text = ("The Ghanaian cocoa delegation arrived in Accra on Monday.\n"
            "Visit to the Tema Free Zone, hosted by its director.")
    def span(part: str) -> list[int]:
        return [text.index(part), text.index(part) + len(part)]

    line = [text.index("Visit"), len(text)]
    ann = Annotation("t", text, [
        {"name": "Ghanaian cocoa delegation", "type": "Mission", "mentions": [span("Ghanaian cocoa delegation")]},
        {"name": "Accra", "type": "Place", "mentions": [span("Accra")]},
        {"name": "Tema Free Zone", "type": "Organization", "kind": "park", "mentions": [span("Tema Free Zone")]},
    ], [{"type": "VISITED", "source": "Ghanaian cocoa delegation", "target": "Tema Free Zone",
         "evidence": [line]}])
    def entity(index: int, part: str, etype: str) -> Entity:
        s, t = span(part)
        return Entity(index, etype, [Mention(s, t, part, etype)], name=part)

    entities = [entity(0, "Ghanaian cocoa delegation", "Mission"), entity(1, "Accra", "Place"),
                entity(2, "Tema Free Zone", "Organization")]
    rep = Report(nlp(text), text, entities, [])
    unnamed = [c for c in pair_candidates(rep) if c.unnamed]
    visit = next(c for c in unnamed if (c.source, c.target) == (0, 2))
    assert visit.source_span is None and visit.target_span is not None
    assert text[visit.sentence[0]:visit.sentence[1]].startswith("Visit to")
    assert Alignment(rep, ann).pair_types(visit) == {"VISITED"}
    features = pair_features(rep, visit, {}, {})
    assert features["un_first=visit|Mission>Organization"] == 1.0
    assert not any(name.startswith("types=") for name in features)  # its own weights, not the named pairs'
    # A sentence that names the delegation pairs it as usual, not as left out.
    assert not any(c.source == 0 and c.target == 1 for c in unnamed)


def test_a_line_listed_under_a_heading_is_described_by_the_heading(nlp):
    """Itineraries list whom the delegation met under "Meetings held": the
    delegation's pair with a listed body is told the heading's words, and a
    pair of two cells of a table row is told each cell's column."""
    from ingest.learn.features import Report, pair_candidates, pair_features
    from ingest.mentions import Entity, Mention

    text = ("The Polish dairy delegation spent two days in Dubai.\n"
            "Meetings held:\n"
            "- Dubai Chamber of Commerce\n"
            "\n"
            "Agreements signed\n"
            "Polish company | UAE partner\n"
            "Mazury Dairy Cooperative | Al Noor Foods LLC\n")

    def entity(index: int, part: str, etype: str) -> Entity:
        start = text.index(part)
        return Entity(index, etype, [Mention(start, start + len(part), part, etype)], name=part)

    entities = [entity(0, "Polish dairy delegation", "Mission"), entity(1, "Dubai Chamber of Commerce", "Organization"),
                entity(2, "Mazury Dairy Cooperative", "Organization"), entity(3, "Al Noor Foods LLC", "Organization")]
    rep = Report(nlp(text), text, entities, [])
    pairs = {(c.source, c.target, c.unnamed): c for c in pair_candidates(rep)}
    met = pair_features(rep, pairs[(0, 1, True)], {}, {})
    assert met["un_sec=meeting|Mission>Organization"] == 1.0
    signed = pair_features(rep, pairs[(2, 3, False)], {}, {})
    assert signed["src_col=polish|Organization>Organization"] == 1.0
    assert signed["tgt_col=partner|Organization>Organization"] == 1.0
    assert signed["sec=agreement|Organization>Organization"] == 1.0


def test_a_name_inside_a_phrase_is_taught_as_the_name(nlp):
    # The phrase is the noun chunks' to propose; a tagger taught the whole
    # phrase would hide the chamber inside it.
    text = "A delegation of the Polish Chamber of Commerce visited Hanoi."
    ann = _annotation(text, {"delegation of the Polish Chamber of Commerce": "Mission",
                             "Polish Chamber of Commerce": "Organization", "Hanoi": "Place"})
    doc = nlp(text)
    labels = span_model.gold_labels(doc, ann)
    assert labels is not None
    by_word = {t.text: lab for t, lab in zip(doc, labels, strict=True)}
    assert [by_word[w] for w in ("Polish", "Chamber", "Commerce")] == ["B-Organization", "I-Organization",
                                                                      "I-Organization"]
    assert by_word["delegation"] == "O"


def test_a_name_the_tagger_ends_at_a_full_stop_ends_before_it(nlp):
    text = "The delegation visited the Minsk Automobile Plant. It met the Acme Trading Co Ltd."
    docs = [(nlp(text), _annotation(text, {"Minsk Automobile Plant.": "Organization",
                                           "Acme Trading Co Ltd.": "Organization"}))] * 3
    tagger = span_model.train_tagger(*span_model.examples(docs))
    found = {text[s:e] for s, e in span_model.predict(tagger, docs[0][0], text)}
    assert "Minsk Automobile Plant" in found and "Minsk Automobile Plant." not in found


def test_a_person_or_body_is_not_cut_inside_a_hyphenated_word():
    from ingest.learn.span_model import whole_words

    text = "met Katarzyna Wróblewska-Nowak and Mei-Lin Cho of Kazakh-Chinese Trade Co."
    first = text.index("Katarzyna")
    assert text[slice(*whole_words(text, first, text.index("-Nowak")))] == "Katarzyna Wróblewska-Nowak"
    lin = text.index("Lin Cho")
    assert text[slice(*whole_words(text, lin, lin + len("Lin Cho")))] == "Mei-Lin Cho"
    # A hyphen between spaces joins nothing.
    dash = "Almaty - Astana"
    assert whole_words(dash, 0, 6) == (0, 6)


def test_a_body_the_tagger_names_from_a_person_of_it_is_the_person_and_the_body():
    from ingest.learn.span_model import _person_of_body

    text = "The buyers met Yuko Hirata of Mitsuna Trading Corporation on Monday."
    start, end = text.index("Yuko"), text.index(" on Monday")
    person = (start, start + len("Yuko Hirata"))
    assert _person_of_body(text, start, end, "Organization", dict([person])) == [
        (person, "Person"), ((text.index("Mitsuna"), end), "Organization")]
    # Without a person the recogniser found there, the name stays whole ("Ministry of Economy").
    assert _person_of_body(text, start, end, "Organization", {}) == [((start, end), "Organization")]


def test_a_name_stops_at_a_column_gap_but_not_at_a_wrapped_line_and_two_places_are_two():
    from ingest.learn.span_model import _pieces

    row = "  Navoi Copper Products LLC           Navoi       copper rod\n"
    start = row.index("Navoi")
    assert [row[a:b] for a, b in _pieces(row, start, row.index("       copper"), "Organization")] == [
        "Navoi Copper Products LLC", "Navoi"]
    wrapped = "  - Seongsan Precision\n    Gear Co., Ltd. (gear reducers)"
    start, end = wrapped.index("Seongsan"), wrapped.index(" (gear")
    assert _pieces(wrapped, start, end, "Organization") == [(start, end)]
    city = "based in Regina, Saskatchewan and Calgary"
    start = city.index("Regina")
    assert [city[a:b] for a, b in _pieces(city, start, start + len("Regina, Saskatchewan"), "Place")] == [
        "Regina", "Saskatchewan"]


def test_a_name_stops_at_a_bracket_it_does_not_close():
    from ingest.learn.span_model import _pieces

    def pieces(text: str) -> list[str]:
        return [text[a:b] for a, b in _pieces(text, 0, len(text), "Organization")]

    assert pieces("Swiss Import Promotion Programme (SIPPO") == ["Swiss Import Promotion Programme", "SIPPO"]
    assert pieces("ONVV)") == ["ONVV"]
    # What follows the bracket stays only if it reads as a name.
    assert pieces("KOTRA) Jakarta office") == ["KOTRA", "Jakarta office"]
    assert pieces("K-BIA) seminar") == ["K-BIA"]
    # Brackets that pair up are part of the name.
    assert pieces("Lanka Glove Works (Pvt) Ltd") == ["Lanka Glove Works (Pvt) Ltd"]


def test_the_tagger_reads_which_tokens_the_gazetteer_knows_as_a_place_and_of_what_kind(nlp):
    from ingest.tokens import Tokens

    text = "The Kenyan delegation flew from New South Wales to Nairobi, not to the south of wales."
    doc = nlp(text)
    tokens = Tokens(doc)
    labels = dict(zip(tokens.text, span_model.place_labels(doc.text, tokens), strict=True))
    columns = span_model.token_columns(doc, doc.text, tokens)
    assert [labels["New"], labels["South"], labels["Wales"]] == ["B-region", "I-region", "I-region"]
    assert labels["Nairobi"] == "B-city"
    assert labels["wales"] == labels["south"] == labels["delegation"] == ""  # lower case: not a name
    demonym = dict(zip(tokens.text, columns["demonym"], strict=True))
    assert demonym["Kenyan"] == "1" and demonym["delegation"] == ""
    features = span_model.token_features(doc, doc.text, tokens)
    assert "place=B-city" in features[tokens.text.index("Nairobi")]
