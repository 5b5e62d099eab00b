"""Events, their organisers and participants, and where bodies and events
are, as the text states them (not the gazetteer)."""

from __future__ import annotations

import pytest

from graph.model import Document, document_id
from ingest.extract import Extractor
from tests.builders import extract_contract


@pytest.fixture(scope="module")
def extractor(rule_extractor: Extractor) -> Extractor:
    # These tests pin the rules, which now propose candidates and features to
    # the learned models (ingest/learn); the product is tested in
    # test_extract_gold.py and test_learned_extractor.py.
    return rule_extractor


def _rels(extractor: Extractor, text: str, rtype: str) -> set[tuple[str, str]]:
    out = extract_contract(extractor, text)
    names = {e["id"]: e["name"] for e in out["entities"]}
    return {(names[r["source"]], names[r["target"]]) for r in out["relations"] if r["type"] == rtype}


def test_based_in_and_headquartered_in_after_a_name(extractor: Extractor) -> None:
    text = ("The delegation met Brightwater Pumps Ltd, based in Manchester, and Nordvik Shipping AS, "
            "headquartered in Bergen.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert ("Brightwater Pumps Ltd", "Manchester") in located
    assert ("Nordvik Shipping AS", "Bergen") in located
    assert ("Nordvik Shipping AS", "Manchester") not in located


def test_place_based_describer_locates_the_body(extractor: Extractor) -> None:
    text = ("Talks were held with Kestrel Textiles Ltd, a Leeds-based maker of wool fabrics, "
            "and with the Lyon-based Rhone Valley Chamber of Commerce.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert ("Kestrel Textiles Ltd", "Leeds") in located
    assert ("Rhone Valley Chamber of Commerce", "Lyon") in located


def test_head_office_clause_and_apposition_with_based_in(extractor: Extractor) -> None:
    text = ("The fair was organised by Fieramilano Group, which has its head office in Milan. "
            "Orbis Messe GmbH, the exhibition company based in Munich, ran a second hall.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert ("Fieramilano Group", "Milan") in located
    assert ("Orbis Messe GmbH", "Munich") in located


def test_city_office_of_a_body_places_the_body(extractor: Extractor) -> None:
    text = ("The Lisbon office of the Brazilian Trade and Investment Agency welcomed the group. "
            "Later, KOTRA's Madrid office arranged a dinner.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert ("Brazilian Trade and Investment Agency", "Lisbon") in located


def test_event_held_in_a_city_after_its_name(extractor: Extractor) -> None:
    text = ("Nine firms exhibited at the Baltic Marine Expo 2024, held in Gdansk from 3 to 5 June. "
            "The Andean Mining Forum, which opened in Lima on Monday, drew 400 guests.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert ("Baltic Marine Expo 2024", "Gdansk") in located
    assert ("Andean Mining Forum", "Lima") in located


def test_the_fair_refers_to_a_fair_named_with_its_year(extractor: Extractor) -> None:
    text = ("Eleven companies took part in the Adriatic Boat Fair 2025. "
            "The fair was organised by Splitexpo d.o.o.")
    assert ("Splitexpo d.o.o.", "Adriatic Boat Fair 2025") in _rels(extractor, text, "ORGANIZED")


def test_stand_and_pavilion_at_an_event_are_participation(extractor: Extractor) -> None:
    text = ("The Danish Export Council arranged a national pavilion at the Gulf Water Expo 2024. "
            "Aarhus Pumps A/S had a stand at the Gulf Water Expo 2024 as well.")
    took_part = _rels(extractor, text, "PARTICIPATED_IN")
    assert ("Danish Export Council", "Gulf Water Expo 2024") in took_part
    assert ("Aarhus Pumps A/S", "Gulf Water Expo 2024") in took_part


def test_presented_at_and_attended_by_are_participation(extractor: Extractor) -> None:
    text = ("Speakers from Andes Copper S.A. presented at the Pacific Mining Forum. "
            "The forum's opening was attended by Deputy Minister Elena Ruiz.")
    took_part = _rels(extractor, text, "PARTICIPATED_IN")
    assert ("Andes Copper S.A.", "Pacific Mining Forum") in took_part
    assert ("Elena Ruiz", "Pacific Mining Forum") in took_part


def test_presenting_a_plan_is_no_participation(extractor: Extractor) -> None:
    text = "Nordic Grid AS presented its plan to the Pacific Mining Forum secretariat."
    assert _rels(extractor, text, "PARTICIPATED_IN") == set()


def test_listed_exhibitors_took_part_in_the_event(extractor: Extractor) -> None:
    text = ("Twelve firms exhibited at the Baltic Marine Expo 2024.\n\n"
            "Among the exhibitors were Gdynia Winches Ltd and Hel Ropes S.A.")
    took_part = _rels(extractor, text, "PARTICIPATED_IN")
    assert ("Gdynia Winches Ltd", "Baltic Marine Expo 2024") in took_part
    assert ("Hel Ropes S.A.", "Baltic Marine Expo 2024") in took_part


def test_a_programme_that_included_a_forum(extractor: Extractor) -> None:
    text = ("A Chilean trade delegation arrived in Seoul. "
            "The delegation's programme included the Korea Wine Forum.")
    assert ("Chilean trade delegation", "Korea Wine Forum") in _rels(extractor, text, "PARTICIPATED_IN")


def test_a_relative_clause_on_a_member_line_gives_its_industry(extractor: Extractor) -> None:
    text = ("The delegation included:\n"
            "- Kovar Wagons a.s., which makes freight wagons;\n"
            "- Orava Sofas s.r.o., which produces upholstered sofas.\n")
    sectors = _rels(extractor, text, "IN_SECTOR")
    assert any(src == "Kovar Wagons a.s." for src, _ in sectors)
    assert any(src == "Orava Sofas s.r.o." for src, _ in sectors)


def test_firms_acting_for_the_delegation_give_its_industry(extractor: Extractor) -> None:
    text = ("A Portuguese business delegation travelled to Cologne. "
            "Nine Portuguese furniture companies exhibited at the Rhine Home Fair 2025.")
    assert any(src == "Portuguese business delegation" for src, _ in _rels(extractor, text, "IN_SECTOR"))


def test_an_event_named_day_needs_a_full_name(extractor: Extractor) -> None:
    text = ("Day 2. The delegation attended the Andean Coffee Day organised by the Lima Coffee Association. "
            "On National Day the offices were closed.")
    assert ("Lima Coffee Association", "Andean Coffee Day") in _rels(extractor, text, "ORGANIZED")
    out = extractor.extract(Document(id=document_id(text), source="t.txt", text=text)).to_contract()
    events = {e["name"] for e in out["entities"] if e["type"] == "Event"}
    assert events == {"Andean Coffee Day"}


def test_its_members_included_names_the_delegation_members(extractor: Extractor) -> None:
    text = ("A delegation from Qatar, led by Pearl Ventures, joined the Kigali Food Forum. "
            "Its members included Doha Grains LLC and Lusail Packaging Co.")
    members = _rels(extractor, text, "MEMBER_OF")
    assert ("Doha Grains LLC", "delegation") in members or any(m == "Doha Grains LLC" for m, _ in members)
    assert any(m == "Lusail Packaging Co." for m, _ in members)


def test_programme_lines_are_not_members_but_events_are_attended(extractor: Extractor) -> None:
    text = ("A Chilean trade delegation arrived in Seoul.\n\n"
            "The programme of the delegation included:\n"
            "- the Korea Wine Forum;\n"
            "- Busan Port Authority briefing;\n"
            "- B2B meetings with importers.\n")
    assert _rels(extractor, text, "MEMBER_OF") == set()
    assert ("Chilean trade delegation", "Korea Wine Forum") in _rels(extractor, text, "PARTICIPATED_IN")


def test_a_place_in_parentheses_after_a_company_is_where_it_is(extractor: Extractor) -> None:
    text = ("The delegation included:\n"
            "- Mekong Rice Export JSC (Can Tho);\n"
            "- Hanoi Silk Ltd.\n")
    assert ("Mekong Rice Export JSC", "Can Tho") in _rels(extractor, text, "LOCATED_IN")


def test_a_bodys_city_office_leading_a_delegation_is_the_body(extractor: Extractor) -> None:
    text = ("Note of the Thailand Board of Investment (BOI), 3 March 2025.\n\n"
            "The Thai trade delegation, led by BOI's Tokyo office, arrived in Osaka.")
    assert ("Thailand Board of Investment", "Thai trade delegation") in _rels(extractor, text, "LED")
    assert ("Thailand Board of Investment", "Tokyo") in _rels(extractor, text, "LOCATED_IN")


def test_touring_an_unnamed_site_in_a_city_visits_the_city(extractor: Extractor) -> None:
    text = "The Chilean trade delegation toured a salmon farm in Puerto Montt."
    assert ("Chilean trade delegation", "Puerto Montt") in _rels(extractor, text, "VISITED")


def test_took_part_without_an_object_is_in_the_event_just_named(extractor: Extractor) -> None:
    text = ("The Lima Coffee Association convened the Andean Coffee Day in Hamburg. "
            "A delegation of nine Peruvian roasters took part.")
    took_part = _rels(extractor, text, "PARTICIPATED_IN")
    assert any(ev == "Andean Coffee Day" for _, ev in took_part)


def test_a_research_institute_does_research_not_its_subject(extractor: Extractor) -> None:
    text = "The delegation visited the Baltic Research Institute of Fisheries Science in Riga."
    out = extractor.extract(Document(id=document_id(text), source="t.txt", text=text)).to_contract()
    codes = {e["id"]: e.get("code") for e in out["entities"]}
    assert {codes[r["target"]] for r in out["relations"] if r["type"] == "IN_SECTOR"} == {"72"}


def test_an_export_promotion_agency_has_no_sector_from_its_name(extractor: Extractor) -> None:
    text = "The Export and Tourism Promotion Agency of Chile met the delegation."
    assert _rels(extractor, text, "IN_SECTOR") == set()


def test_organiser_and_exhibitor_roles_name_the_event(extractor: Extractor) -> None:
    text = ("Nine firms exhibited at the Adriatic Boat Fair 2025. Splitexpo d.o.o. was among the co-organisers. "
            "Kvarner Yachts Ltd was one of the exhibitors at the Adriatic Boat Fair 2025. "
            "Dalmacija Events, the organiser of the Adriatic Boat Fair 2025, said so.")
    organised = _rels(extractor, text, "ORGANIZED")
    assert ("Splitexpo d.o.o.", "Adriatic Boat Fair 2025") in organised
    assert ("Dalmacija Events", "Adriatic Boat Fair 2025") in organised
    assert ("Kvarner Yachts Ltd", "Adriatic Boat Fair 2025") in _rels(extractor, text, "PARTICIPATED_IN")


def test_an_abbreviated_month_in_a_newswire_dateline_stays_out_of_a_name(extractor: Extractor) -> None:
    text = ("LIMA, Sept 4 - The Council for the Promotion of Peruvian Exports (COPEX) is staging "
            "the Andean Textile Exhibition, which opened in Lima today.")
    assert ("Council for the Promotion of Peruvian Exports", "Andean Textile Exhibition") in _rels(
        extractor, text, "ORGANIZED")


def test_a_city_lies_in_its_country_only_where_the_text_says_so(extractor: Extractor) -> None:
    text = ("The Georgian delegation visited Batumi and Kutaisi. "
            "A terminal in Poti, Georgia was also shown.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert ("Batumi", "Georgia") not in located
    assert ("Poti", "Georgia") in located


def test_an_event_at_a_venue_in_a_city_is_in_the_city(extractor: Extractor) -> None:
    text = "The Caspian Oil Forum took place at the exhibition centre in Baku."
    assert ("Caspian Oil Forum", "Baku") in _rels(extractor, text, "LOCATED_IN")


def test_a_list_line_describer_without_article_gives_the_industry(extractor: Extractor) -> None:
    text = ("The delegation included:\n"
            "- Kovar a.s., producer of freight wagons;\n"
            "- Orava s.r.o., maker of water pumps.\n")
    sectors = _rels(extractor, text, "IN_SECTOR")
    assert any(src == "Kovar a.s." for src, _ in sectors)
    assert any(src == "Orava s.r.o." for src, _ in sectors)


def test_a_company_of_a_city_is_in_the_city(extractor: Extractor) -> None:
    text = "The delegation met Ararat Cargo CJSC of Yerevan."
    assert ("Ararat Cargo CJSC", "Yerevan") in _rels(extractor, text, "LOCATED_IN")


def test_a_counted_mission_led_by_a_body(extractor: Extractor) -> None:
    text = ("The mission of fifteen Chilean wine producers, led by the Chilean Wine Council, "
            "landed in Shanghai.")
    assert any(src == "Chilean Wine Council" for src, _ in _rels(extractor, text, "LED"))
    assert any(tgt == "Shanghai" for _, tgt in _rels(extractor, text, "VISITED"))


def test_two_conjoined_companies_with_legal_forms_both_act(extractor: Extractor) -> None:
    text = ("The group went to the Asean Food Forum in Penang, where Permata Foods Sdn Bhd and "
            "Kenari Snacks Sdn Bhd had a stand.")
    took_part = _rels(extractor, text, "PARTICIPATED_IN")
    assert ("Permata Foods Sdn Bhd", "Asean Food Forum") in took_part
    assert ("Kenari Snacks Sdn Bhd", "Asean Food Forum") in took_part


def test_a_bodys_office_in_a_city_and_offices_clause(extractor: Extractor) -> None:
    text = ("The Korea Trade-Investment Promotion Agency (KOTRA) helped. KOTRA's office in Madrid "
            "arranged meetings with Iberia Foods S.A., which has offices in Lisbon.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert ("Korea Trade-Investment Promotion Agency", "Madrid") in located
    assert ("Iberia Foods S.A.", "Lisbon") in located


def test_a_two_word_city_before_based_is_a_place_not_a_person(extractor: Extractor) -> None:
    text = "Permata Foods Sdn Bhd, a Kota Kinabalu-based maker of snacks, joined the forum."
    out = extractor.extract(Document(id=document_id(text), source="t.txt", text=text)).to_contract()
    assert not [e for e in out["entities"] if e["type"] == "Person"]


def test_a_subject_swallowed_by_a_fronted_date_still_acts(extractor: Extractor) -> None:
    text = ("On 4 May the Lisbon office of the Portugal Trade Agency and the Porto Wine Association "
            "convened the Douro Wine Forum.")
    organised = _rels(extractor, text, "ORGANIZED")
    assert ("Porto Wine Association", "Douro Wine Forum") in organised
    assert ("Portugal Trade Agency", "Douro Wine Forum") in organised


def test_an_event_held_after_a_date_at_a_venue_in_a_city_is_in_the_city(extractor: Extractor) -> None:
    text = "The Baltic Wood Forum took place on 14 June at the Radisson Hotel in Riga."
    assert ("Baltic Wood Forum", "Riga") in _rels(extractor, text, "LOCATED_IN")


def test_a_city_where_an_event_took_place_locates_it(extractor: Extractor) -> None:
    text = "The first stop was Tallinn, where the Baltic Wood Forum took place on Tuesday."
    assert ("Baltic Wood Forum", "Tallinn") in _rels(extractor, text, "LOCATED_IN")


def test_an_event_cohosted_in_a_city_is_there_but_not_its_cohost(extractor: Extractor) -> None:
    text = ("The Baltic Wood Forum, which the Latvian Chamber of Commerce and Industry co-hosted with the "
            "Riga City Council in Riga, drew 300 guests. The Amber Food Expo was organised by the Embassy of "
            "Latvia in Tallinn.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert ("Baltic Wood Forum", "Riga") in located
    # The place in the organiser's name is where the organiser is.
    assert ("Amber Food Expo", "Tallinn") not in located


def test_exhibition_grounds_are_a_venue_and_the_fair_is_the_show_with_a_year(extractor: Extractor) -> None:
    out = extract_contract(extractor, "Latvia took part in RIGA FOOD 2025, held at the Kipsala exhibition "
                                      "grounds. The fair drew 40,000 visitors.")
    (event,) = [e for e in out["entities"] if e["type"] == "Event"]
    assert event["name"].lower() == "riga food 2025"
    assert any(a.lower() == "the fair" for a in event["aliases"])


def test_a_description_ending_in_a_place_locates_the_company(extractor: Extractor) -> None:
    text = ("The Polish stand showed Mazur Berries Sp. z o.o., a grower of cranberries in Olsztyn; Wielko Grain "
            "S.A., which exports malting barley from Poznan; and Podlasie Milk Group, a cooperative of "
            "Holstein milk producers from Bialystok.")
    located = _rels(extractor, text, "LOCATED_IN")
    assert {("Mazur Berries Sp. z o.o.", "Olsztyn"), ("Wielko Grain S.A.", "Poznan"),
            ("Podlasie Milk Group", "Bialystok")} <= located


def test_a_registered_company_named_with_its_town_is_there(extractor: Extractor) -> None:
    text = "The delegation visited the cold store of Baltic Frost Ltd. in Gdansk."
    assert ("Baltic Frost Ltd.", "Gdansk") in _rels(extractor, text, "LOCATED_IN")


def test_co_organisers_jointly_with_together_with_and_co_verbs(extractor: Extractor) -> None:
    for text in ("The Tartu Chamber of Commerce, jointly with the Estonian Investment Agency, hosted the Baltic "
                 "Wood Forum in May.",
                 "The Tartu Chamber of Commerce co-organised the Baltic Wood Forum with the Estonian Investment "
                 "Agency.",
                 "The Baltic Wood Forum was organised by the Tartu Chamber of Commerce together with the Estonian "
                 "Investment Agency."):
        assert _rels(extractor, text, "ORGANIZED") == {("Tartu Chamber of Commerce", "Baltic Wood Forum"),
                                                       ("Estonian Investment Agency", "Baltic Wood Forum")}, text


def test_organisers_named_after_a_fronted_phrase_organised_the_event(extractor: Extractor) -> None:
    text = ("On the last day, the Estonian Investment Agency and the Tartu Chamber of Commerce organised the "
            "Baltic Wood Forum.")
    assert _rels(extractor, text, "ORGANIZED") == {("Tartu Chamber of Commerce", "Baltic Wood Forum"),
                                                   ("Estonian Investment Agency", "Baltic Wood Forum")}


def test_an_event_which_the_chamber_co_hosted_with_a_body(extractor: Extractor) -> None:
    text = ("The Tartu Chamber of Commerce welcomed the visitors. Our president opened the Baltic Wood Forum, "
            "which the Chamber co-hosted with the Estonian Investment Agency.")
    assert _rels(extractor, text, "ORGANIZED") == {("Tartu Chamber of Commerce", "Baltic Wood Forum"),
                                                   ("Estonian Investment Agency", "Baltic Wood Forum")}


def test_a_national_pavilion_at_the_event_of_its_sentence_then_arranged_by_a_body(extractor: Extractor) -> None:
    text = ("Latvia took part in Baltic Food Expo 2025, held in Riga, with a national pavilion of 400 square "
            "metres. The pavilion was organised by the Latvian Investment and Development Agency.")
    assert ("Latvian Investment and Development Agency", "Baltic Food Expo 2025") in _rels(
        extractor, text, "PARTICIPATED_IN")


def test_a_minister_of_a_portfolio_is_a_post_and_together_with_is_no_post(extractor: Extractor) -> None:
    out = extract_contract(extractor, "The stand was opened by the Minister of Foreign Trade and Tourism, Ana "
                                      "Torres, together with the Ambassador of Latvia to Estonia.")
    names = {e["name"]: e for e in out["entities"]}
    assert "Minister of Foreign Trade and Tourism" not in names
    assert not any(r["type"] == "WORKS_FOR" for r in out["relations"])


def test_a_company_that_exhibited_without_an_object_exhibited_at_the_show_in_view(extractor: Extractor) -> None:
    text = ("Latvia took part in Baltic Food Expo 2025 in Riga.\n\nThe stand drew buyers from nine countries. "
            "Orders reached EUR 2 million. Packaging supplier Vidzeme Pack SIA exhibited for the first time.")
    out = extract_contract(extractor, text)
    names = {e["id"]: e["name"] for e in out["entities"]}
    assert any(r["type"] == "PARTICIPATED_IN" and "Vidzeme Pack" in names[r["source"]]
               and names[r["target"]] == "Baltic Food Expo 2025" for r in out["relations"])


def test_our_president_and_ceo_and_member_companies_belong_to_the_newsletters_body(extractor: Extractor) -> None:
    text = ("On 4 May our Chamber welcomed the Latvian business delegation. Our President and CEO, Anna Berg, "
            "opened the day. The visitors toured the plant of member company Nordic Frost Ltd. in Bergen.")
    out = extract_contract(extractor, text)
    names = {e["id"]: e["name"] for e in out["entities"]}
    rels = {(r["type"], names[r["source"]], names[r["target"]]) for r in out["relations"]}
    assert ("WORKS_FOR", "Anna Berg", "Chamber") in rels
    assert ("MEMBER_OF", "Nordic Frost Ltd.", "Chamber") in rels


def test_a_trade_show_named_around_expo_is_an_event_and_its_venue_or_organiser_is_not(extractor: Extractor) -> None:
    out = extract_contract(extractor, "At Seafood Expo Global in Barcelona the group met buyers. The Embassy set "
                                      "up a stand at Yarn Expo Eurasia (Istanbul Expo Center, 11-13 June). Messe "
                                      "Frankfurt runs the fair.")
    events = {e["name"] for e in out["entities"] if e["type"] == "Event"}
    assert events == {"Seafood Expo Global", "Yarn Expo Eurasia"}
